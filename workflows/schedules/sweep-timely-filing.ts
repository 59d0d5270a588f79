// sweepTimelyFiling: run by a Temporal Schedule. Finds claims no payer has
// adjudicated yet whose timely-filing deadline (payer profile in force on the date of service) is inside the
// profile's lead time or already past, and raises one biller task per claim. The task id derives from the
// claim id and the read side skips claims whose task exists, so running it twice — or nightly for a month —
// raises each claim's task once.
import { patched, proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { wholeHoursBetween } from '../../domain/core/hours.js';
import { raiseTaskOnce } from '../tasks/raise-task.js';
import { NeedsAttention, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import { SCHEDULE_NEEDS_ATTENTION_PATCH } from './patches.js';
import type { SweepTimelyFilingResult } from './messages.js';

/** One database read: short, bounded. */
export const sweepActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
} as const;

const sweep = proxyActivities<Activities>(sweepActivityOptions);

export async function sweepTimelyFiling(): Promise<SweepTimelyFilingResult> {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'sweepTimelyFiling' },
    { key: ProcessStatus, value: 'running' },
    ...(patched(SCHEDULE_NEEDS_ATTENTION_PATCH) ? [{ key: NeedsAttention, value: false }] : []),
  ]);
  // One clock reading for the sweep and the tasks' due times.
  const now = new Date().toISOString();
  const plan = await sweep.findTimelyFilingRisks(now);
  let raised = 0;
  for (const risk of plan.risks) {
    const approaching = risk.alert === 'approaching';
    const created = await raiseTaskOnce(
      {
        practiceId: risk.practiceId,
        patientId: risk.patientId,
        processKind: 'claimSubmission',
        details: { claimId: risk.claimId, claimWorkflowId: risk.claimWorkflowId },
      },
      {
        taskId: risk.taskId,
        kind: approaching ? 'timely_filing_deadline' : 'timely_filing_expired',
        title: approaching
          ? 'Unadjudicated claim nears the payer timely-filing limit: file or confirm receipt'
          : 'Timely-filing limit passed for an unadjudicated claim: proof of timely filing or write-off',
        role: 'biller',
        dueInHours: Math.max(1, wholeHoursBetween(now, risk.dueAt, 'ceil')),
        details: { daysLeft: risk.daysLeft },
      },
    );
    if (created) raised++;
  }
  upsertSearchAttributes([{ key: ProcessStatus, value: 'completed' }]);
  setCurrentDetails(`${plan.scanned} claim(s) scanned, ${raised} task(s) raised`);
  return {
    scanned: plan.scanned,
    notDue: plan.notDue,
    unknownPayer: plan.unknownPayer,
    alreadyRaised: plan.alreadyRaised + plan.risks.length - raised,
    raised,
  };
}
