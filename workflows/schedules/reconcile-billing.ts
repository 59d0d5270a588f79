// reconcileBilling: run nightly by a Temporal Schedule (recon). Compares each practice's signed notes with its
// charges and remittances (activities/schedules/billing-reconciliation.ts, domain/billing/reconciliation.ts) and
// raises one biller task per discrepancy. Task ids derive from the discrepancy's stable key and occurrence, and
// the read side leaves out discrepancies whose task exists, so a second run raises none.
import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { raiseTaskOnce } from '../tasks/raise-task.js';
import { NeedsAttention, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import type { ReconcileBillingInput, ReconcileBillingResult } from './messages.js';

/** Reads the EMR and the database for every practice: bounded, retried. */
const reconcile = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 5,
  },
});

/** A biller has a few working days to bill, document or correct. */
const TASK_DUE_HOURS = 72;

export async function reconcileBilling(input: ReconcileBillingInput = {}): Promise<ReconcileBillingResult> {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'reconcileBilling' },
    { key: ProcessStatus, value: 'running' },
    { key: NeedsAttention, value: false },
  ]);
  const plan = await reconcile.findBillingDiscrepancies({
    nowIso: new Date().toISOString(),
    lookbackDays: input.lookbackDays ?? 14,
    graceHours: input.graceHours ?? 6,
  });
  let raised = 0;
  for (const t of plan.tasks) {
    const created = await raiseTaskOnce(
      {
        practiceId: t.practiceId,
        ...(t.patientId ? { patientId: t.patientId } : {}),
        processKind: 'billingReconciliation',
        details: {},
      },
      {
        taskId: t.taskId,
        kind: `billing_${t.kind}`,
        title: t.title,
        role: 'biller',
        dueInHours: TASK_DUE_HOURS,
        details: t.details,
      },
    );
    if (created) raised++;
  }
  upsertSearchAttributes([{ key: ProcessStatus, value: 'completed' }]);
  setCurrentDetails(`${plan.found} discrepancy(ies) found, ${raised} task(s) raised`);
  return {
    practices: plan.practices,
    notReconciled: plan.notReconciled,
    notes: plan.notes,
    charges: plan.charges,
    found: plan.found,
    recurred: plan.recurred,
    resolved: plan.resolved,
    alreadyRaised: plan.alreadyRaised + plan.tasks.length - raised,
    raised,
  };
}
