// Completing a practice's profile releases the claims that were held for it (PRACTICE_PROFILE_MISSING_*
// findings). The API only starts the releaseClaimsHeldForProfile process (workflows/claim/release.ts): the
// admin's request answers at once, and the release itself is durable — it survives an API restart and retries
// while a held claim's worker is unreachable. No dead end: the hold names exactly what is missing, and
// supplying it resumes the claim.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { isUuid } from '../../domain/ids.js';
import {
  RELEASE_HELD_CLAIMS_WORKFLOW_TYPE,
  type ReleaseHeldClaimsWorkflow,
} from '../../workflows/claim/messages.js';

/** Starts the release of the practice's claims held for its profile; answers the process's workflow id. */
export async function resumeClaimsHeldForProfile(
  temporal: Client,
  taskQueue: string,
  practiceId: string,
  correctedBy: string,
): Promise<string | undefined> {
  if (!isUuid(practiceId)) return undefined;
  // One process per completing update (ids carry no PHI: the practice id and a random suffix).
  const workflowId = `claims-release-${practiceId}-${randomUUID()}`;
  await temporal.workflow.start<ReleaseHeldClaimsWorkflow>(RELEASE_HELD_CLAIMS_WORKFLOW_TYPE, {
    taskQueue,
    workflowId,
    args: [{ practiceId, correctedBy }],
  });
  return workflowId;
}
