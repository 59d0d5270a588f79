// Completing a practice's profile releases the claims that were held for it: every held claim of the practice
// whose blocking findings name a missing profile field (PRACTICE_PROFILE_MISSING_*) gets an empty correction,
// so it is coded and scrubbed again against the profile as it is now. Claims held for something else are left
// alone. Run by the releaseClaimsHeldForProfile process (workflows/claim/release.ts), which the API starts when
// an update completes the profile: the release survives an API restart and retries while a claim's worker is
// unreachable, instead of holding the admin's request (or losing the release) on a slow query.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/connection.js';
import { PROFILE_FINDING_PREFIX } from '../../domain/practice/profile.js';
import { releaseHeldClaims } from '../shared/held-claims.js';

export interface ClaimReleaseDeps {
  db: Database;
  temporal?: Client;
}

/** The release activity over `deps`. */
export function createClaimReleaseActivities(deps: ClaimReleaseDeps) {
  return {
    /** Signals each held claim of the practice that waits for its profile; answers how many were released. */
    async releaseClaimsHeldForProfile(args: {
      practiceId: string;
      correctedBy: string;
    }): Promise<{ released: number }> {
      if (!deps.temporal)
        throw ApplicationFailure.nonRetryable(
          'No Temporal client is configured for activities.',
          'ConnectorNotConfigured',
        );
      return releaseHeldClaims(
        { db: deps.db, temporal: deps.temporal },
        { practiceId: args.practiceId },
        (f) => f.startsWith(PROFILE_FINDING_PREFIX),
        args.correctedBy,
      );
    },
  };
}
