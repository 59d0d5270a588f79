// The life of one prior authorization: decisions from the payer, visits recorded against it,
// alerts before it runs out, and the end states. Pure functions over a plain state object, so the workflow stays
// a thin loop and every rule here is unit-testable ("visit 13 of 12" is rejected here, with a reason).
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';

export type AuthorizationLifecycleStatus =
  | 'draft'
  | 'submitted'
  | 'pending'
  | 'approved'
  | 'partially_approved'
  | 'denied'
  | 'active'
  | 'expiring'
  | 'exhausted'
  | 'extension_requested'
  | 'extended'
  | 'expired'
  | 'closed'
  /** The request could not be sent or the payer's answer was no decision: a staff task waits (attention.ts). */
  | 'needs_attention'
  /** The payer (or staff) said no authorization is required: visits and claims go ahead without a number. */
  | 'not_required';

export interface PayerDecision {
  outcome: 'approved' | 'partially_approved' | 'denied' | 'pended';
  /** Payer reference number (837P REF*G1). */
  authNumber?: string;
  visitsAuthorized?: number;
  unitsAuthorized?: number;
  startDate?: IsoDate;
  endDate?: IsoDate;
}

export interface AuthorizationLedger {
  status: AuthorizationLifecycleStatus;
  authNumber?: string;
  startDate?: IsoDate;
  endDate?: IsoDate;
  visitsAuthorized?: number;
  unitsAuthorized?: number;
  visitsUsed: number;
  unitsUsed: number;
  /** Visit ids already counted: recording the same visit twice never consumes twice. */
  visitIds: string[];
  /** Alert keys already raised (each alert fires once per authorization period). */
  alertsRaised: string[];
  extensionsRequested: number;
  extensionsApproved: number;
}

export interface VisitToRecord {
  visitId: string;
  dos: IsoDate;
  units: number;
}

export type VisitRejection =
  'not_approved' | 'before_start' | 'after_end' | 'visits_exhausted' | 'units_exhausted' | 'closed';

export type VisitCheck =
  { ok: true; duplicate: boolean } | { ok: false; code: VisitRejection; reason: string };

/** Alert thresholds: configurable defaults seen in PT products. */
export interface AuthorizationAlertPolicy {
  visitsRemainingAtOrBelow: number;
  unitsRemainingBelow: number;
  daysBeforeEnd: number[];
}

export const DEFAULT_AUTHORIZATION_ALERT_POLICY: AuthorizationAlertPolicy = {
  visitsRemainingAtOrBelow: 2,
  unitsRemainingBelow: 10,
  daysBeforeEnd: [14, 7],
};

export function newLedger(): AuthorizationLedger {
  return {
    status: 'draft',
    visitsUsed: 0,
    unitsUsed: 0,
    visitIds: [],
    alertsRaised: [],
    extensionsRequested: 0,
    extensionsApproved: 0,
  };
}

const usable: AuthorizationLifecycleStatus[] = [
  'approved',
  'partially_approved',
  'active',
  'expiring',
  'extension_requested',
  'extended',
];

export function visitsRemaining(ledger: AuthorizationLedger): number | undefined {
  return ledger.visitsAuthorized === undefined
    ? undefined
    : Math.max(0, ledger.visitsAuthorized - ledger.visitsUsed);
}

export function unitsRemaining(ledger: AuthorizationLedger): number | undefined {
  return ledger.unitsAuthorized === undefined
    ? undefined
    : Math.max(0, ledger.unitsAuthorized - ledger.unitsUsed);
}

/** May this visit be counted against the authorization? The reason is shown to the scheduler. */
export function checkVisit(ledger: AuthorizationLedger, visit: VisitToRecord): VisitCheck {
  if (ledger.visitIds.includes(visit.visitId)) return { ok: true, duplicate: true };
  if (ledger.status === 'closed' || ledger.status === 'expired' || ledger.status === 'denied') {
    return { ok: false, code: 'closed', reason: `The authorization is ${ledger.status}.` };
  }
  if (!usable.includes(ledger.status) && ledger.status !== 'exhausted') {
    return { ok: false, code: 'not_approved', reason: 'The authorization has not been approved yet.' };
  }
  if (ledger.startDate && visit.dos < ledger.startDate) {
    return {
      ok: false,
      code: 'before_start',
      reason: `The visit date is before the authorized window (starts ${ledger.startDate}).`,
    };
  }
  if (ledger.endDate && visit.dos > ledger.endDate) {
    return {
      ok: false,
      code: 'after_end',
      reason: `The visit date is after the authorized window (ended ${ledger.endDate}).`,
    };
  }
  if (ledger.visitsAuthorized !== undefined && ledger.visitsUsed + 1 > ledger.visitsAuthorized) {
    return {
      ok: false,
      code: 'visits_exhausted',
      reason: `Visit ${ledger.visitsUsed + 1} would exceed the ${ledger.visitsAuthorized} authorized visits.`,
    };
  }
  if (ledger.unitsAuthorized !== undefined && ledger.unitsUsed + visit.units > ledger.unitsAuthorized) {
    return {
      ok: false,
      code: 'units_exhausted',
      reason: `${visit.units} units would exceed the ${ledger.unitsAuthorized - ledger.unitsUsed} authorized units left.`,
    };
  }
  return { ok: true, duplicate: false };
}

/** Count a visit (call only after checkVisit said ok). Exhaustion is a status of its own. */
export function recordVisit(ledger: AuthorizationLedger, visit: VisitToRecord): AuthorizationLedger {
  if (ledger.visitIds.includes(visit.visitId)) return ledger;
  const next: AuthorizationLedger = {
    ...ledger,
    visitsUsed: ledger.visitsUsed + 1,
    unitsUsed: ledger.unitsUsed + visit.units,
    visitIds: [...ledger.visitIds, visit.visitId],
    status: ledger.status === 'approved' || ledger.status === 'partially_approved' ? 'active' : ledger.status,
  };
  if (visitsRemaining(next) === 0 || unitsRemaining(next) === 0) next.status = 'exhausted';
  return next;
}

/** Apply the payer's answer to the first request or to an extension request. */
export function applyDecision(ledger: AuthorizationLedger, decision: PayerDecision): AuthorizationLedger {
  if (decision.outcome === 'pended') return { ...ledger, status: 'pending' };
  const isExtension =
    ledger.extensionsRequested > ledger.extensionsApproved && ledger.authNumber !== undefined;
  if (decision.outcome === 'denied')
    return isExtension
      ? { ...ledger, status: ledger.status === 'extension_requested' ? 'active' : ledger.status }
      : { ...ledger, status: 'denied' };
  if (isExtension) {
    // An extension adds visits/units and may move the end date; already-used visits stay counted.
    const next: AuthorizationLedger = {
      ...ledger,
      status: 'extended',
      authNumber: decision.authNumber ?? ledger.authNumber,
      visitsAuthorized: (ledger.visitsAuthorized ?? 0) + (decision.visitsAuthorized ?? 0),
      unitsAuthorized:
        decision.unitsAuthorized === undefined
          ? ledger.unitsAuthorized
          : (ledger.unitsAuthorized ?? 0) + decision.unitsAuthorized,
      endDate:
        decision.endDate && (!ledger.endDate || decision.endDate > ledger.endDate)
          ? decision.endDate
          : ledger.endDate,
      extensionsApproved: ledger.extensionsApproved + 1,
      // Alerts may fire again for the new period.
      alertsRaised: [],
    };
    return next;
  }
  return {
    ...ledger,
    status: decision.outcome,
    authNumber: decision.authNumber,
    visitsAuthorized: decision.visitsAuthorized,
    unitsAuthorized: decision.unitsAuthorized,
    startDate: decision.startDate,
    endDate: decision.endDate,
  };
}

export interface AuthorizationAlert {
  key: string;
  kind: 'visits_low' | 'units_low' | 'ending_soon';
  /** Human-readable, PHI-free task title. */
  title: string;
}

/** Alerts due now that were not raised yet. `today` is the clinic-local date. */
export function dueAlerts(
  ledger: AuthorizationLedger,
  policy: AuthorizationAlertPolicy,
  today: IsoDate,
): AuthorizationAlert[] {
  if (!usable.includes(ledger.status)) return [];
  const alerts: AuthorizationAlert[] = [];
  const visits = visitsRemaining(ledger);
  if (visits !== undefined && visits <= policy.visitsRemainingAtOrBelow) {
    alerts.push({
      key: `visits_low:${ledger.visitsAuthorized}`,
      kind: 'visits_low',
      title: `Authorization has ${visits} visit(s) left`,
    });
  }
  const units = unitsRemaining(ledger);
  if (units !== undefined && units < policy.unitsRemainingBelow) {
    alerts.push({
      key: `units_low:${ledger.unitsAuthorized}`,
      kind: 'units_low',
      title: `Authorization has ${units} unit(s) left`,
    });
  }
  if (ledger.endDate) {
    const daysLeft = daysBetween(today, ledger.endDate);
    for (const days of [...policy.daysBeforeEnd].sort((a, b) => b - a)) {
      if (daysLeft <= days && daysLeft >= 0) {
        alerts.push({
          key: `ending:${ledger.endDate}:${days}`,
          kind: 'ending_soon',
          title: `Authorization ends in ${daysLeft} day(s)`,
        });
      }
    }
  }
  return alerts.filter((alert) => !ledger.alertsRaised.includes(alert.key));
}

/** The next calendar date on which a date-based alert becomes due (for the durable timer). */
export function nextAlertDate(
  ledger: AuthorizationLedger,
  policy: AuthorizationAlertPolicy,
  today: IsoDate,
): IsoDate | undefined {
  const { endDate } = ledger;
  if (!endDate || !usable.includes(ledger.status)) return undefined;
  const candidates = policy.daysBeforeEnd
    .map((days) => ({ days, date: addDays(endDate, -days) }))
    .filter(({ days, date }) => date > today && !ledger.alertsRaised.includes(`ending:${endDate}:${days}`))
    .map(({ date }) => date)
    .sort();
  return candidates[0];
}

/** Should the automatic extension request go out now? Only while the plan of care continues. */
export function shouldRequestExtension(
  ledger: AuthorizationLedger,
  alerts: AuthorizationAlert[],
  planOfCareContinues: boolean,
): boolean {
  return (
    planOfCareContinues &&
    ledger.extensionsRequested === ledger.extensionsApproved &&
    alerts.some(
      (alert) => alert.kind === 'visits_low' || alert.kind === 'units_low' || alert.kind === 'ending_soon',
    )
  );
}
