// Releasing held claims, shared by the processes that supply what a hold waited for (a complete practice
// profile: activities/claim/release.ts; a signed plan of care: activities/poc-signature). The held claims come
// from the practice's own `claims` table (the system of record, not visibility); each one's status query is
// bounded, and only a claim whose blocking findings name what was supplied gets an empty correction (coded and
// scrubbed again). A claim released twice is scrubbed twice, harmlessly.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { claims } from '../../db/schema.js';
import type { ClaimStatusSnapshot } from '../../workflows/claim/messages.js';

/** How long one claim's status query may take before it counts as unreachable (its worker down). */
const QUERY_DEADLINE_MS = 10_000;

/**
 * Signals each held claim in `scope` whose blocking findings include one `heldFor` accepts; answers how many.
 * A claim that cannot be queried or signalled now fails the attempt after the others were released (a
 * retryable `ClaimUnreachable`), so the activity's retry reaches it later.
 */
export async function releaseHeldClaims(
  deps: { db: Database; temporal: Client },
  scope: { practiceId: string; patientId?: string },
  heldFor: (finding: string) => boolean,
  correctedBy: string,
): Promise<{ released: number }> {
  const held = await deps.db
    .select({ workflowId: claims.workflowId })
    .from(claims)
    .where(
      and(
        eq(claims.practiceId, scope.practiceId),
        ...(scope.patientId ? [eq(claims.patientId, scope.patientId)] : []),
        eq(claims.status, 'held'),
      ),
    );
  let released = 0;
  let unreachable = 0;
  for (const { workflowId } of held) {
    const handle = deps.temporal.workflow.getHandle(workflowId);
    try {
      const status = await deps.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        handle.query<ClaimStatusSnapshot>('status'),
      );
      if (status.state !== 'needs_correction' || !status.blockingFindings.some(heldFor)) continue;
      await handle.signal('claimCorrected', { correctedBy });
      released++;
    } catch (err) {
      // Gone (closed past retention): nothing to release.
      if (!(err instanceof WorkflowNotFoundError)) unreachable++;
    }
  }
  if (unreachable > 0)
    throw ApplicationFailure.retryable(
      `${unreachable} held claim(s) could not be reached; ${released} released. Retrying.`,
      'ClaimUnreachable',
    );
  return { released };
}
