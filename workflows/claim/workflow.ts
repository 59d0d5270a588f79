// claimSubmission: one per billable visit (workflow id from the visit id, so a repeated "note signed" event can
// never create a second claim — CO-18 duplicates are prevented here). Code the visit and scrub the claim → a "fix
// claim" task when anything blocks (nothing incomplete is ever submitted) → submit the 837P → await the 999/277CA
// acknowledgement (front-end rejections are fixed and sent again: they were never filed) and the 835 → post the
// payment and bill the patient's share, or route the denial (remittance.ts). Every decision is kept with its reason.
import { allHandlersFinished, condition, patched, workflowInfo } from '@temporalio/workflow';
import type { PreparedClaim } from '../../activities/claim/index.js';
import { localDate } from '../../domain/core/zoned.js';
import { awaitAdjudication } from './adjudication.js';
import { ClaimRun, type ClaimPass } from './claim-run.js';
import { correctAndRecode } from './correction.js';
import type { ClaimInput, ClaimStatusSnapshot } from './messages.js';
import { CLAIM_PATCHES } from './patches.js';
import { hasDeniedLines, postPayment, routeClaimDenial, routeDeniedLines } from './remittance.js';

/** The claim process of one visit (registered as CLAIM_WORKFLOW_TYPE); resolves with its final status. */
export async function claimSubmission(input: ClaimInput): Promise<ClaimStatusSnapshot> {
  const run = new ClaimRun(input);
  run.listen();
  while ((await fileClaim(run)) === 'again') {
    // Corrected, or replaced by a corrected claim: coded, scrubbed and submitted once more.
  }
  run.publish();
  await condition(allHandlersFinished);
  return run.snapshot();
}

/** One pass from coding the visit to a decision on the claim. */
async function fileClaim(run: ClaimRun): Promise<ClaimPass> {
  const prepared = await codeAndScrub(run);
  if (!prepared.submittable) {
    const holding = run.snapshot().blockingFindings;
    run.record('held', `scrubber: ${holding.join(', ')}`);
    return correctAndRecode(run, 'scrub', { findingCodes: holding });
  }

  // A 999 rejection means the file was never accepted: fix and send again.
  const submission = await run.activities.submitClaim(run.claimCase, prepared, workflowInfo().workflowId);
  if (!submission.accepted) {
    run.record(
      'rejected_999',
      `implementation acknowledgment rejected (${submission.errorCodes.join(', ') || 'no code'})`,
    );
    return correctAndRecode(run, '999');
  }
  const followUpAt = markSubmitted(run);

  const adjudication = await awaitAdjudication(run, followUpAt);
  if (adjudication.outcome === 'frontend_rejected') {
    run.record('rejected_277ca', 'front-end rejection: the claim was never filed');
    return correctAndRecode(run, '277CA');
  }
  const { payment } = adjudication;
  if (hasDeniedLines(payment) && patched(CLAIM_PATCHES.lineDenials))
    return routeDeniedLines(run, payment, prepared);
  if (adjudication.outcome === 'paid') return postPayment(run, payment);
  return routeClaimDenial(run, payment, prepared);
}

/**
 * Code the visit and scrub the claim (in activities: the rule data is dated). The episode's state is read at each
 * pass: a progress report recorded meanwhile releases a hold. Nothing with a blocking finding is ever submitted.
 */
async function codeAndScrub(run: ClaimRun): Promise<PreparedClaim> {
  run.state = 'coding';
  const episode = run.claimCase.planOfCareWorkflowId
    ? await run.activities.planOfCareContext(run.claimCase.planOfCareWorkflowId)
    : undefined;
  run.prepared = await run.activities.prepareClaim(
    run.claimCase,
    run.attempt,
    localDate(new Date(), run.input.timezone),
    episode,
  );
  return run.prepared;
}

/** Submitted: the follow-up date (epoch ms) becomes the claim's next deadline. */
function markSubmitted(run: ClaimRun): number {
  run.state = 'submitted';
  run.record('submitted', `837P frequency ${run.attempt.frequency}, attempt ${run.attempt.number}`);
  const followUpAt = new Date().getTime() + (run.input.followUpAfterDays ?? 30) * 86_400_000;
  run.publish(new Date(followUpAt));
  return followUpAt;
}
