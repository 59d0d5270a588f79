// The claim process's input for a signed visit, built in one place for both ways a claim starts: POST /v1/claims
// and a "note signed" EMR event. Both paths name the claim by the same id — a hash of practice and visit id
// (activities/shared/claim-ids.ts; the visit id itself for claims started before ids were scoped) — and CLM01
// derives from it, so whichever path comes second reuses the first one's process and the payer never sees a
// duplicate. Pure; generic in the 837P parties (the payer connector's ClaimParties), which domain/ does not know.
import type { VisitInput } from '../model/visit.js';

/** CLM01: stable for the life of the claim, the key the payer dedupes on. */
export function patientControlNumberFor(claimId: string): string {
  return `PT${claimId.replace(/-/g, '').slice(0, 18).toUpperCase()}`;
}

/** The claim process's case (activities/claim ClaimCase with the payer connector's parties). */
export interface ClaimCaseOf<Parties> {
  claimId: string;
  practiceId: string;
  patientId: string;
  visit: VisitInput;
  parties: Parties;
  /** CLM01, stable for the life of the claim (replacements keep it). */
  patientControlNumber: string;
  priorAuthNumber?: string;
  /** The episode's authorization ended as not_required: the scrubber does not hold the claim for it. */
  authorizationNotRequired?: boolean;
  /** Allowed PT+SLP amount already accrued this year at this payer (for KX). */
  kxAccruedAllowedCents?: number;
  /** The plan-of-care process of the episode: its certification and progress-report state hold the claim. */
  planOfCareWorkflowId?: string;
}

/** The claim process's input (its messages' ClaimInput with the payer connector's parties). */
export interface ClaimInputOf<Parties> {
  case: ClaimCaseOf<Parties>;
  timezone: string;
  /** Automatic corrected resubmissions allowed (domain default 2). */
  maxAutomaticAttempts?: number;
  pollEveryMinutes?: number;
  /** A follow-up task after this many days without adjudication. */
  followUpAfterDays?: number;
}

export interface ClaimStartFacts<Parties> {
  /** The claim's id (activities/shared/claim-ids.ts `claimIdForStart`): one per practice and visit. */
  claimId: string;
  practiceId: string;
  patientId: string;
  /** The practice's zone: "today" for the timely-filing and certification checks. */
  timezone: string;
  /** The visit as the caller knows it. */
  visit: Omit<VisitInput, 'practiceId' | 'patientId'> & { id: string };
  parties: Parties;
  planOfCareWorkflowId?: string;
  priorAuthNumber?: string;
  /** The episode's authorization ended as not_required (see ClaimCaseOf.authorizationNotRequired). */
  authorizationNotRequired?: boolean;
  kxAccruedAllowedCents?: number;
  pollEveryMinutes?: number;
}

/** The claim process's input from what the starter knows; CLM01 derives from the claim id. */
export function buildClaimInput<Parties>(f: ClaimStartFacts<Parties>): ClaimInputOf<Parties> {
  const claimId = f.claimId;
  return {
    timezone: f.timezone,
    ...(f.pollEveryMinutes !== undefined ? { pollEveryMinutes: f.pollEveryMinutes } : {}),
    case: {
      claimId,
      practiceId: f.practiceId,
      patientId: f.patientId,
      patientControlNumber: patientControlNumberFor(claimId),
      visit: { ...f.visit, practiceId: f.practiceId, patientId: f.patientId },
      parties: f.parties,
      ...(f.planOfCareWorkflowId ? { planOfCareWorkflowId: f.planOfCareWorkflowId } : {}),
      ...(f.priorAuthNumber ? { priorAuthNumber: f.priorAuthNumber } : {}),
      ...(!f.priorAuthNumber && f.authorizationNotRequired ? { authorizationNotRequired: true } : {}),
      ...(f.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: f.kxAccruedAllowedCents } : {}),
    },
  };
}
