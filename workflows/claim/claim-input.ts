// The claim process's input for a signed visit, built in one place for both ways a claim starts: POST /v1/claims
// and a "note signed" EMR event. Both paths name the claim by the same id — a hash of practice and visit id
// (temporal/claim-ids.ts; the visit id itself for claims started before ids were scoped) — and CLM01 derives
// from it, so whichever path comes second reuses the first one's process and the payer never sees a duplicate.
// Pure (types only), so the API, the router's activities and tests can all use it.
import type { ClaimCase } from '../../activities/claim/index.js';
import type { ClaimInput } from './messages.js';

/** CLM01: stable for the life of the claim, the key the payer dedupes on. */
export function patientControlNumberFor(claimId: string): string {
  return `PT${claimId.replace(/-/g, '').slice(0, 18).toUpperCase()}`;
}

export interface ClaimStartFacts {
  /** The claim's id (temporal/claim-ids.ts `claimIdForStart`): one per practice and visit. */
  claimId: string;
  practiceId: string;
  patientId: string;
  /** The practice's zone: "today" for the timely-filing and certification checks. */
  timezone: string;
  /** The visit as the caller knows it. */
  visit: Omit<ClaimCase['visit'], 'practiceId' | 'patientId'> & { id: string };
  parties: ClaimCase['parties'];
  planOfCareWorkflowId?: string;
  priorAuthNumber?: string;
  /** The episode's authorization ended as not_required (see ClaimCase.authorizationNotRequired). */
  authorizationNotRequired?: boolean;
  kxAccruedAllowedCents?: number;
  pollEveryMinutes?: number;
}

export function buildClaimInput(f: ClaimStartFacts): ClaimInput {
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
