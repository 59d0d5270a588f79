// Submitting the 837P: idempotent by one key per submitClaim activity, whatever its retries.
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { ClaimParties } from '../../connectors/payer/types.js';
import { mirrorSubmittedClaim } from './claim-rows.js';
import { rethrowAsPayerFailure, type ClaimActivityDeps } from './deps.js';
import type { ClaimCase, PreparedClaim } from './types.js';

export function createSubmitActivities(deps: Pick<ClaimActivityDeps, 'db' | 'payer'>) {
  return {
    async submitClaim(
      claimCase: ClaimCase,
      prepared: PreparedClaim,
      workflowId: string,
    ): Promise<{ accepted: boolean; errorCodes: string[] }> {
      // Activities are at-least-once: a worker may die after the payer got the 837 and before this attempt
      // is reported. The key is the same for every attempt of this activity (workflow run + activity id, the
      // idempotent-activity rule), so a retry re-sends the identical interchange and the payer files the claim once.
      const info = activityInfo();
      const run = info.workflowExecution;
      const keyPrefix = `claim:${run?.workflowId ?? workflowId}:`;
      const idempotencyKey = `${keyPrefix}${run?.runId ?? ''}:${info.activityId}`;
      // The practice's parties as its profile had them when the claim was coded (prepareClaim).
      const own = prepared.practiceParties ?? { billingProvider: claimCase.parties.billingProvider };
      if (!own.billingProvider) {
        // prepareClaim holds a claim without a billing provider; reaching here is a bug, not a retry.
        throw ApplicationFailure.nonRetryable(
          'The claim has no billing provider.',
          'PracticeProfileIncomplete',
        );
      }
      const parties: ClaimParties = { ...claimCase.parties, ...own, billingProvider: own.billingProvider };
      const result = await deps.payer
        .submitClaim({ claim: prepared.claim, parties, idempotencyKey })
        .catch(rethrowAsPayerFailure);
      await mirrorSubmittedClaim(deps.db, claimCase, prepared, {
        accepted: result.accepted,
        workflowId,
        keyPrefix,
      });
      return { accepted: result.accepted, errorCodes: result.errorCodes };
    },
  };
}
