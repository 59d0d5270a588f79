// Completing a practice's profile releases the claims that were held for it: every running claim of the
// practice whose blocking findings name a missing profile field (PRACTICE_PROFILE_MISSING_*) gets an empty
// correction, so it is coded and scrubbed again against the profile as it is now. No dead end: the hold names
// exactly what is missing, and supplying it resumes the claim.
import type { Client } from '@temporalio/client';
import { isUuid } from '../../domain/ids.js';
import { PROFILE_FINDING_PREFIX } from '../../domain/practice/profile.js';
import {
  claimCorrectedSignal,
  claimStatusQuery,
  CLAIM_WORKFLOW_TYPE,
} from '../../workflows/claim/messages.js';

/** Signals each held claim of the practice that waits for its profile; returns how many were released. */
export async function resumeClaimsHeldForProfile(
  temporal: Client,
  practiceId: string,
  correctedBy: string,
): Promise<number> {
  if (!isUuid(practiceId)) return 0;
  const query =
    `PracticeId = '${practiceId}' AND WorkflowType = '${CLAIM_WORKFLOW_TYPE}' AND ` +
    `ExecutionStatus = 'Running' AND ProcessStatus = 'needs_correction'`;
  let released = 0;
  for await (const wf of temporal.workflow.list({ query })) {
    const handle = temporal.workflow.getHandle(wf.workflowId);
    try {
      const status = await handle.query(claimStatusQuery);
      if (!status.blockingFindings.some((f) => f.startsWith(PROFILE_FINDING_PREFIX))) continue;
      await handle.signal(claimCorrectedSignal, { correctedBy });
      released++;
    } catch {
      // Closed meanwhile (written off, or released by another update): nothing to release.
    }
  }
  return released;
}
