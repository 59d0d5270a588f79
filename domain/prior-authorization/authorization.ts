// Prior-authorization arithmetic. Consumption = finalized notes with charges.
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';
import type { AuthRule } from '../model/payer-profile.js';

export interface AuthorizationRecord {
  /** Payer reference number: goes to 837P 2300 REF*G1. */
  number?: string;
  /** `not_required`: the payer answered that this episode needs no authorization (278 HCR NA, or by phone). */
  status:
    | 'pending'
    | 'approved'
    | 'partially_approved'
    | 'denied'
    | 'expired'
    | 'exhausted'
    | 'closed'
    | 'not_required';
  startDate: IsoDate;
  endDate: IsoDate;
  visitsAuthorized?: number;
  /** Visits already consumed, not counting the visit being billed. */
  visitsUsed?: number;
  unitsAuthorized?: number;
  unitsUsed?: number;
  /** Codes the authorization is limited to, when it is. */
  codes?: readonly string[];
}

export type AuthorizationProblem =
  | 'missing'
  | 'no_number'
  | 'not_approved'
  | 'outside_window'
  | 'visits_exhausted'
  | 'units_exhausted'
  | 'code_not_authorized';

export interface AuthorizationCheckInput {
  rule: AuthRule;
  dos: IsoDate;
  /** The visit is an evaluation only (exempt where the payer requires authorization after the evaluation). */
  evaluationOnly: boolean;
  /** Units and codes billed on this visit. */
  units: number;
  codes: readonly string[];
  authorizations: readonly AuthorizationRecord[];
}

export interface AuthorizationCheckResult {
  required: boolean;
  /** The authorization that covers the visit (its number goes on the claim). */
  covering?: AuthorizationRecord;
  problems: AuthorizationProblem[];
}

/** Several concurrent authorizations per patient are supported: the first one that fully covers the visit wins. */
export function checkAuthorization(input: AuthorizationCheckInput): AuthorizationCheckResult {
  const required =
    input.rule.required && !(input.rule.requiredFrom === 'after_evaluation' && input.evaluationOnly);
  if (!required) return { required, problems: [] };
  // The payer's own answer for this episode overrides its general rule: nothing to hold for, no number to carry.
  const waived = input.authorizations.some(
    (authorization) =>
      authorization.status === 'not_required' &&
      input.dos >= authorization.startDate &&
      input.dos <= authorization.endDate,
  );
  if (waived) return { required: false, problems: [] };
  let best: { authorization: AuthorizationRecord; problems: AuthorizationProblem[] } | undefined;
  for (const authorization of input.authorizations) {
    const problems = problemsCovering(authorization, input);
    if (problems.length === 0) return { required, covering: authorization, problems };
    if (!best || problems.length < best.problems.length) best = { authorization, problems };
  }
  if (!best) return { required, problems: ['missing'] };
  return { required, covering: best.authorization, problems: best.problems };
}

/** Why `authorization` does not cover the visit (empty: it does). */
function problemsCovering(
  authorization: AuthorizationRecord,
  visit: AuthorizationCheckInput,
): AuthorizationProblem[] {
  const problems: AuthorizationProblem[] = [];
  const { codes } = authorization;
  if (authorization.status !== 'approved' && authorization.status !== 'partially_approved')
    problems.push('not_approved');
  if (!authorization.number) problems.push('no_number');
  if (visit.dos < authorization.startDate || visit.dos > authorization.endDate)
    problems.push('outside_window');
  if (
    authorization.visitsAuthorized !== undefined &&
    (authorization.visitsUsed ?? 0) + 1 > authorization.visitsAuthorized
  ) {
    problems.push('visits_exhausted');
  }
  if (
    authorization.unitsAuthorized !== undefined &&
    (authorization.unitsUsed ?? 0) + visit.units > authorization.unitsAuthorized
  ) {
    problems.push('units_exhausted');
  }
  if (codes && visit.codes.some((code) => !codes.includes(code))) problems.push('code_not_authorized');
  return problems;
}

export interface AuthorizationRequestPlan {
  requestedVisits: number;
  /** Visits covered on the short-form / same-day path. */
  fastLaneVisits: number;
  /** Visits that go to clinical (medical-necessity) review. */
  reviewVisits: number;
  /** The whole request qualifies for the short form. */
  shortForm: boolean;
  /** Visit numbers that may be scheduled as authorized before the decision arrives (1-based, inclusive). */
  schedulableThroughVisit: number;
  fastLaneWindowEnds?: IsoDate;
}

/**
 * Splits a PA request for a plan of care (worked example 7): submit for the full POC; ≤ fast-lane visits take
 * the short form; above it the first N are covered and the rest go to clinical review — do not schedule them
 * as authorized until the decision arrives [P8].
 */
export function planAuthorizationRequest(
  rule: AuthRule,
  requestedVisits: number,
  startDate?: IsoDate,
): AuthorizationRequestPlan {
  const lane = rule.fastLane;
  if (!rule.required) {
    return {
      requestedVisits,
      fastLaneVisits: 0,
      reviewVisits: 0,
      shortForm: false,
      schedulableThroughVisit: requestedVisits,
    };
  }
  if (!lane) {
    return {
      requestedVisits,
      fastLaneVisits: 0,
      reviewVisits: requestedVisits,
      shortForm: false,
      schedulableThroughVisit: 0,
    };
  }
  const fast = Math.min(requestedVisits, lane.maxVisits);
  const plan: AuthorizationRequestPlan = {
    requestedVisits,
    fastLaneVisits: fast,
    reviewVisits: requestedVisits - fast,
    shortForm: requestedVisits <= lane.maxVisits,
    schedulableThroughVisit: fast,
  };
  if (startDate !== undefined) plan.fastLaneWindowEnds = addDays(startDate, lane.withinWeeks * 7 - 1);
  return plan;
}

/** "Initial" request = new patient, new condition, or a gap of ≥ N days since the last visit [P8]. */
export function isInitialRequest(
  rule: AuthRule,
  facts: { newPatient: boolean; newCondition: boolean; lastVisitDate?: IsoDate; requestDate: IsoDate },
): boolean {
  if (facts.newPatient || facts.newCondition || facts.lastVisitDate === undefined) return true;
  const gap = rule.initialRequestGapDays;
  return gap !== undefined && daysBetween(facts.lastVisitDate, facts.requestDate) >= gap;
}
