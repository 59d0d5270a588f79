// Completing a practice's profile releases the claims that were held for it: every held claim of the practice
// whose blocking findings name a missing profile field (PRACTICE_PROFILE_MISSING_*) gets an empty correction,
// so it is coded and scrubbed again against the profile as it is now. Claims held for something else are left
// alone. Run by the releaseClaimsHeldForProfile process (workflows/claim/release.ts), which the API starts when
// an update completes the profile: the release survives an API restart and retries while a claim's worker is
// unreachable, instead of holding the admin's request (or losing the release) on a slow query.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { claims } from '../../db/schema.js';
import { PROFILE_FINDING_PREFIX } from '../../domain/practice/profile.js';
import type { ClaimStatusSnapshot } from '../../workflows/claim/messages.js';

/** How long one claim's status query may take before it counts as unreachable (retried by the activity). */
const QUERY_DEADLINE_MS = 10_000;

export interface ClaimReleaseDeps {
  db: Database;
  temporal?: Client;
}

/** The release activity over `deps`. */
export function createClaimReleaseActivities(deps: ClaimReleaseDeps) {
  return {
    /**
     * Signals each held claim of the practice that waits for its profile; answers how many were released.
     * A claim that cannot be queried now (its worker down) fails the attempt after the others are released,
     * so the activity's retry reaches it later; a claim released twice is scrubbed twice, harmlessly.
     */
    async releaseClaimsHeldForProfile(args: {
      practiceId: string;
      correctedBy: string;
    }): Promise<{ released: number }> {
      if (!deps.temporal)
        throw ApplicationFailure.nonRetryable(
          'No Temporal client is configured for activities.',
          'ConnectorNotConfigured',
        );
      const client = deps.temporal;
      const held = await deps.db
        .select({ workflowId: claims.workflowId })
        .from(claims)
        .where(and(eq(claims.practiceId, args.practiceId), eq(claims.status, 'held')));
      let released = 0;
      let unreachable = 0;
      for (const { workflowId } of held) {
        const handle = client.workflow.getHandle(workflowId);
        let status: ClaimStatusSnapshot;
        try {
          status = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
            handle.query<ClaimStatusSnapshot>('status'),
          );
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) continue;
          unreachable++;
          continue;
        }
        if (
          status.state !== 'needs_correction' ||
          !status.blockingFindings.some((f) => f.startsWith(PROFILE_FINDING_PREFIX))
        )
          continue;
        try {
          await handle.signal('claimCorrected', { correctedBy: args.correctedBy });
          released++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) unreachable++;
        }
      }
      if (unreachable > 0)
        throw ApplicationFailure.retryable(
          `${unreachable} held claim(s) could not be reached; ${released} released. Retrying.`,
          'ClaimUnreachable',
        );
      return { released };
    },
  };
}
