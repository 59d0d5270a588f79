// What priorAuthorization answers while it runs: the status query, the payer's decision, discharge and the plan
// of care's news (signals), and the validated updates — a visit recorded against the authorization ("visit 7 of
// 6" is rejected with a reason the scheduler shows), a staff correction, and staff resolving a request that waits
// for them. Rejected updates never reach history: the state is unchanged and the caller gets the reason.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { isIcd10CmFormat } from '../../domain/codes/icd10.js';
import {
  applyDecision,
  checkVisit,
  recordVisit,
  unitsRemaining,
  visitsRemaining,
  type AuthorizationLedger,
  type VisitToRecord,
} from '../../domain/prior-authorization/lifecycle.js';
import {
  adjustAuthorizationUpdate,
  dischargeSignal,
  payerDecisionSignal,
  planOfCareSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  resolveAuthorizationUpdate,
  type AuthorizationAdjustment,
  type AuthorizationResolutionInput,
} from './messages.js';
import { snapshot, type AuthorizationRun } from './run.js';
import { isVisitMissed, visitMissedSignal } from '../shared/visit-missed-signal.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CPT_HCPCS = /^[0-9A-Z]{5}$/;

/** Statuses with no approved visits to correct. */
const NOT_ADJUSTABLE: readonly AuthorizationLedger['status'][] = [
  'draft',
  'submitted',
  'pending',
  'denied',
  'closed',
  'needs_attention',
  'not_required',
];

/** Registers every query, signal and update handler of the run. */
export function handleMessages(run: AuthorizationRun): void {
  setHandler(priorAuthorizationStatusQuery, () => snapshot(run));
  // Decisions apply at once (not queued for the main loop), so a visit recorded right after an approval is
  // validated against the approved authorization.
  setHandler(payerDecisionSignal, (decision) => {
    run.ledger = applyDecision(run.ledger, decision);
    if (decision.outcome !== 'pended' && run.extensionPending) {
      run.extensionPending = false;
      run.extensionDeniedBySignal = decision.outcome === 'denied';
    }
    run.changed = true;
  });
  // A missed visit (issue 18) uses no authorized visit: recorded once per EMR appointment, for the status.
  setHandler(visitMissedSignal, (missed) => {
    if (!isVisitMissed(missed)) return;
    if (run.missedVisits.some((m) => m.emrAppointmentId === missed.emrAppointmentId)) return;
    run.missedVisits.push({
      emrAppointmentId: missed.emrAppointmentId,
      kind: missed.kind,
      date: missed.date,
    });
  });
  setHandler(dischargeSignal, () => {
    run.closing = true;
    run.changed = true;
  });
  setHandler(planOfCareSignal, ({ continues }) => {
    run.planOfCareContinues = continues;
    run.changed = true;
  });
  setHandler(recordVisitUpdate, (visit) => recordApprovedVisit(run, visit), {
    validator: (visit) => validateVisit(run, visit),
  });
  setHandler(adjustAuthorizationUpdate, (adjustment) => adjust(run, adjustment), {
    validator: (adjustment) => validateAdjustment(run, adjustment),
  });
  setHandler(resolveAuthorizationUpdate, (resolution) => resolve(run, resolution), {
    validator: (resolution) => validateResolution(run, resolution),
  });
}

function recordApprovedVisit(run: AuthorizationRun, visit: VisitToRecord) {
  const check = checkVisit(run.ledger, visit);
  const duplicate = check.ok && check.duplicate;
  if (check.ok) run.ledger = recordVisit(run.ledger, visit);
  run.changed = true;
  return {
    visitsUsed: run.ledger.visitsUsed,
    visitsRemaining: visitsRemaining(run.ledger),
    unitsRemaining: unitsRemaining(run.ledger),
    duplicate,
  };
}

function validateVisit(run: AuthorizationRun, visit: VisitToRecord): void {
  if (
    !visit ||
    typeof visit.visitId !== 'string' ||
    !ISO_DATE.test(visit.dos) ||
    !Number.isInteger(visit.units) ||
    visit.units < 0
  ) {
    throw ApplicationFailure.nonRetryable('The visit is malformed.', 'InvalidVisit');
  }
  const check = checkVisit(run.ledger, visit);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, `VisitNotAllowed:${check.code}`);
}

/** A staff correction of the approved visits, units or end date; an exhausted authorization with room again is active. */
function adjust(run: AuthorizationRun, adjustment: AuthorizationAdjustment) {
  const ledger: AuthorizationLedger = {
    ...run.ledger,
    visitsAuthorized: adjustment.visitsAuthorized ?? run.ledger.visitsAuthorized,
    unitsAuthorized: adjustment.unitsAuthorized ?? run.ledger.unitsAuthorized,
    endDate: adjustment.endDate ?? run.ledger.endDate,
  };
  const hasRoomAgain = (visitsRemaining(ledger) ?? 1) > 0 && (unitsRemaining(ledger) ?? 1) > 0;
  run.ledger = ledger.status === 'exhausted' && hasRoomAgain ? { ...ledger, status: 'active' } : ledger;
  run.changed = true;
  return snapshot(run);
}

function validateAdjustment(run: AuthorizationRun, adjustment: AuthorizationAdjustment): void {
  const { ledger } = run;
  const { visitsAuthorized, unitsAuthorized, endDate } = adjustment;
  const inconsistent =
    (visitsAuthorized !== undefined &&
      (!Number.isInteger(visitsAuthorized) || visitsAuthorized < ledger.visitsUsed)) ||
    (unitsAuthorized !== undefined &&
      (!Number.isInteger(unitsAuthorized) || unitsAuthorized < ledger.unitsUsed)) ||
    (endDate !== undefined &&
      (!ISO_DATE.test(endDate) || (ledger.startDate !== undefined && endDate < ledger.startDate)));
  if (inconsistent)
    throw ApplicationFailure.nonRetryable(
      'The correction is not consistent with the visits already used.',
      'InvalidAdjustment',
    );
  if (NOT_ADJUSTABLE.includes(ledger.status)) {
    throw ApplicationFailure.nonRetryable(
      'Only an approved authorization can be corrected.',
      'InvalidAdjustment',
    );
  }
}

/** Staff decided: the request step takes it from here (resubmits, completes or closes); the caller sees where it goes. */
function resolve(run: AuthorizationRun, resolution: AuthorizationResolutionInput) {
  run.resolution =
    resolution.action === 'resubmit'
      ? {
          action: 'resubmit',
          ...(resolution.diagnosisCodes ? { diagnosisCodes: [...resolution.diagnosisCodes] } : {}),
          ...(resolution.procedureCodes ? { procedureCodes: [...resolution.procedureCodes] } : {}),
        }
      : { action: resolution.action };
  const status =
    resolution.action === 'resubmit'
      ? 'submitted'
      : resolution.action === 'cancel'
        ? 'closed'
        : 'not_required';
  run.ledger = { ...run.ledger, status };
  run.changed = true;
  return snapshot(run);
}

function validateResolution(run: AuthorizationRun, resolution: AuthorizationResolutionInput): void {
  if (run.ledger.status !== 'needs_attention' || run.resolution !== undefined) {
    throw ApplicationFailure.nonRetryable(
      'The authorization is not waiting for staff: nothing to resolve.',
      'NotAwaitingResolution',
    );
  }
  if (
    !resolution ||
    !['resubmit', 'not_required', 'cancel'].includes(resolution.action) ||
    typeof resolution.resolvedBy !== 'string'
  )
    throw ApplicationFailure.nonRetryable('The resolution is malformed.', 'InvalidResolution');
  if (resolution.action !== 'resubmit') return;
  const diagnoses: readonly unknown[] = resolution.diagnosisCodes ?? run.diagnosisCodes ?? [];
  const procedures: readonly unknown[] | undefined = resolution.procedureCodes;
  if (
    diagnoses.length === 0 ||
    diagnoses.length > 12 ||
    !diagnoses.every((code) => typeof code === 'string' && isIcd10CmFormat(code))
  )
    throw ApplicationFailure.nonRetryable(
      'A resubmission needs 1–12 ICD-10-CM diagnosis codes.',
      'InvalidResolution',
    );
  if (
    procedures !== undefined &&
    (procedures.length === 0 || !procedures.every((code) => typeof code === 'string' && CPT_HCPCS.test(code)))
  )
    throw ApplicationFailure.nonRetryable('Procedure codes must be CPT/HCPCS codes.', 'InvalidResolution');
}
