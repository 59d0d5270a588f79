// Claim side effects: coding and scrubbing (prepare.ts), the 837P submission (submit.ts), the
// 277CA/835 answers from the payer mailbox (responses.ts), denial routing (denials.ts) and the postings
// (posting.ts), and the release of claims held for an incomplete practice profile (release.ts). Each module documents its idempotency.
import { createDenialActivities } from './denials.js';
import type { ClaimActivityDeps } from './deps.js';
import { createPostingActivities } from './posting.js';
import { createPrepareActivities } from './prepare.js';
import { createClaimReleaseActivities } from './release.js';
import { createResponseActivities } from './responses.js';
import { createSubmitActivities } from './submit.js';

export type { ClaimActivityDeps } from './deps.js';
export type {
  ClaimAttempt,
  ClaimCase,
  ClaimInbound,
  ClaimPaymentSummary,
  EpisodeContext,
  PatientStatementPort,
  PreparedClaim,
} from './types.js';

export function createClaimActivities(deps: ClaimActivityDeps) {
  return {
    ...createPrepareActivities(deps),
    ...createSubmitActivities(deps),
    ...createResponseActivities(deps),
    ...createDenialActivities(),
    ...createPostingActivities(deps),
    ...createClaimReleaseActivities(deps),
  };
}
