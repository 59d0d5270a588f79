// The life of one prior authorization (DESIGN §2.2): decisions from the payer, visits recorded against it,
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

/** Alert thresholds: configurable defaults seen in PT products (domain-rules §8 [W1, A1]). */
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

export function visitsRemaining(l: AuthorizationLedger): number | undefined {
  return l.visitsAuthorized === undefined ? undefined : Math.max(0, l.visitsAuthorized - l.visitsUsed);
}

export function unitsRemaining(l: AuthorizationLedger): number | undefined {
  return l.unitsAuthorized === undefined ? undefined : Math.max(0, l.unitsAuthorized - l.unitsUsed);
}

/** May this visit be counted against the authorization? The reason is shown to the scheduler. */
export function checkVisit(l: AuthorizationLedger, v: VisitToRecord): VisitCheck {
  if (l.visitIds.includes(v.visitId)) return { ok: true, duplicate: true };
  if (l.status === 'closed' || l.status === 'expired' || l.status === 'denied') {
    return { ok: false, code: 'closed', reason: `The authorization is ${l.status}.` };
  }
  if (!usable.includes(l.status) && l.status !== 'exhausted') {
    return { ok: false, code: 'not_approved', reason: 'The authorization has not been approved yet.' };
  }
  if (l.startDate && v.dos < l.startDate) {
    return {
      ok: false,
      code: 'before_start',
      reason: `The visit date is before the authorized window (starts ${l.startDate}).`,
    };
  }
  if (l.endDate && v.dos > l.endDate) {
    return {
      ok: false,
      code: 'after_end',
      reason: `The visit date is after the authorized window (ended ${l.endDate}).`,
    };
  }
  if (l.visitsAuthorized !== undefined && l.visitsUsed + 1 > l.visitsAuthorized) {
    return {
      ok: false,
      code: 'visits_exhausted',
      reason: `Visit ${l.visitsUsed + 1} would exceed the ${l.visitsAuthorized} authorized visits.`,
    };
  }
  if (l.unitsAuthorized !== undefined && l.unitsUsed + v.units > l.unitsAuthorized) {
    return {
      ok: false,
      code: 'units_exhausted',
      reason: `${v.units} units would exceed the ${l.unitsAuthorized - l.unitsUsed} authorized units left.`,
    };
  }
  return { ok: true, duplicate: false };
}

/** Count a visit (call only after checkVisit said ok). Exhaustion is a status of its own. */
export function recordVisit(l: AuthorizationLedger, v: VisitToRecord): AuthorizationLedger {
  if (l.visitIds.includes(v.visitId)) return l;
  const next: AuthorizationLedger = {
    ...l,
    visitsUsed: l.visitsUsed + 1,
    unitsUsed: l.unitsUsed + v.units,
    visitIds: [...l.visitIds, v.visitId],
    status: l.status === 'approved' || l.status === 'partially_approved' ? 'active' : l.status,
  };
  if (visitsRemaining(next) === 0 || unitsRemaining(next) === 0) next.status = 'exhausted';
  return next;
}

/** Apply the payer's answer to the first request or to an extension request. */
export function applyDecision(l: AuthorizationLedger, d: PayerDecision): AuthorizationLedger {
  if (d.outcome === 'pended') return { ...l, status: 'pending' };
  const isExtension = l.extensionsRequested > l.extensionsApproved && l.authNumber !== undefined;
  if (d.outcome === 'denied')
    return isExtension
      ? { ...l, status: l.status === 'extension_requested' ? 'active' : l.status }
      : { ...l, status: 'denied' };
  if (isExtension) {
    // An extension adds visits/units and may move the end date; already-used visits stay counted.
    const next: AuthorizationLedger = {
      ...l,
      status: 'extended',
      authNumber: d.authNumber ?? l.authNumber,
      visitsAuthorized: (l.visitsAuthorized ?? 0) + (d.visitsAuthorized ?? 0),
      unitsAuthorized:
        d.unitsAuthorized === undefined ? l.unitsAuthorized : (l.unitsAuthorized ?? 0) + d.unitsAuthorized,
      endDate: d.endDate && (!l.endDate || d.endDate > l.endDate) ? d.endDate : l.endDate,
      extensionsApproved: l.extensionsApproved + 1,
      // Alerts may fire again for the new period.
      alertsRaised: [],
    };
    return next;
  }
  return {
    ...l,
    status: d.outcome,
    authNumber: d.authNumber,
    visitsAuthorized: d.visitsAuthorized,
    unitsAuthorized: d.unitsAuthorized,
    startDate: d.startDate,
    endDate: d.endDate,
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
  l: AuthorizationLedger,
  policy: AuthorizationAlertPolicy,
  today: IsoDate,
): AuthorizationAlert[] {
  if (!usable.includes(l.status)) return [];
  const out: AuthorizationAlert[] = [];
  const visits = visitsRemaining(l);
  if (visits !== undefined && visits <= policy.visitsRemainingAtOrBelow) {
    out.push({
      key: `visits_low:${l.visitsAuthorized}`,
      kind: 'visits_low',
      title: `Authorization has ${visits} visit(s) left`,
    });
  }
  const units = unitsRemaining(l);
  if (units !== undefined && units < policy.unitsRemainingBelow) {
    out.push({
      key: `units_low:${l.unitsAuthorized}`,
      kind: 'units_low',
      title: `Authorization has ${units} unit(s) left`,
    });
  }
  if (l.endDate) {
    const daysLeft = daysBetween(today, l.endDate);
    for (const d of [...policy.daysBeforeEnd].sort((a, b) => b - a)) {
      if (daysLeft <= d && daysLeft >= 0) {
        out.push({
          key: `ending:${l.endDate}:${d}`,
          kind: 'ending_soon',
          title: `Authorization ends in ${daysLeft} day(s)`,
        });
      }
    }
  }
  return out.filter((a) => !l.alertsRaised.includes(a.key));
}

/** The next calendar date on which a date-based alert becomes due (for the durable timer). */
export function nextAlertDate(
  l: AuthorizationLedger,
  policy: AuthorizationAlertPolicy,
  today: IsoDate,
): IsoDate | undefined {
  if (!l.endDate || !usable.includes(l.status)) return undefined;
  const candidates = policy.daysBeforeEnd
    .map((d) => ({ d, date: addDays(l.endDate!, -d) }))
    .filter(({ d, date }) => date > today && !l.alertsRaised.includes(`ending:${l.endDate}:${d}`))
    .map(({ date }) => date)
    .sort();
  return candidates[0];
}

/** Should the automatic extension request go out now? Only while the plan of care continues. */
export function shouldRequestExtension(
  l: AuthorizationLedger,
  alerts: AuthorizationAlert[],
  planOfCareContinues: boolean,
): boolean {
  return (
    planOfCareContinues &&
    l.extensionsRequested === l.extensionsApproved &&
    alerts.some((a) => a.kind === 'visits_low' || a.kind === 'units_low' || a.kind === 'ending_soon')
  );
}
