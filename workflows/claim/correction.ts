// Correct the claim: a claim the scrubber holds, or one the payer's front end rejected (999, 277CA), was never
// filed. A person corrects it — through the API or CLI (`claimCorrected`), or by completing the fix_claim task with
// the data — and it is coded again as a new original. The biller may close it instead (timely filing expired, a
// duplicate): written off.
import {
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  patched,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyCorrection,
  clearingDetails,
  correctionFromTaskOutcome,
} from '../../domain/claims/corrections.js';
import { workflowId } from '../../domain/ids.js';
import { cancelTaskSignal, type HumanTaskInput, type HumanTaskResult } from '../tasks/messages.js';
import { taskMetadata } from '../tasks/raise-task.js';
import { humanTask } from '../tasks/workflow.js';
import { taskAbout, type ClaimPass, type ClaimRun } from './claim-run.js';
import type { ClaimCorrection } from './messages.js';
import { CLAIM_PATCHES } from './patches.js';

type CorrectionOutcome = 'corrected' | 'written_off';

const FIX_CLAIM_TITLE = 'Claim needs correction before it can be submitted';

/** At most this many characters of a list in a task's details. */
const DETAIL_LIMIT = 200;

/**
 * Holds the claim for a correction (`why`: 'scrub', '999', '277CA'), then codes it again. A written-off claim
 * closes as adjusted; one the scrubber held (`held`: its blocking findings) also leaves the timely-filing sweep.
 */
export async function correctAndRecode(
  run: ClaimRun,
  why: string,
  held?: { findingCodes: string[] },
): Promise<ClaimPass> {
  if ((await awaitCorrection(run, why, held?.findingCodes ?? [])) === 'corrected') return 'again';
  if (held) await run.activities.writeOffHeldClaim(run.claimCase.claimId);
  run.state = 'adjusted';
  return 'done';
}

/**
 * Wait for a person's correction — a `claimCorrected` signal (API, CLI) or the fix_claim task completed with
 * the data — and apply it. 'written_off' when the biller closes the claim instead.
 */
async function awaitCorrection(
  run: ClaimRun,
  why: string,
  findingCodes: string[],
): Promise<CorrectionOutcome> {
  run.state = 'needs_correction';
  run.publish();
  if (!patched(CLAIM_PATCHES.correctionData)) return awaitSignalledCorrection(run, why);
  let invalidFields: string[] = [];
  for (;;) {
    const task = await startFixClaimTask(run, why, findingCodes, invalidFields);
    await condition(() => run.correction !== undefined || task.closed !== undefined);
    let correction: ClaimCorrection;
    const signalled = run.correction;
    const closed = task.closed;
    if (signalled !== undefined) {
      correction = signalled;
      run.correction = undefined;
      // Corrected through the API or CLI: the task has nothing left to do.
      if (closed === undefined) await closeMootTask(task.workflowId);
    } else if (closed?.state === 'completed' && closed.completion) {
      const parsed = correctionFromTaskOutcome(closed.completion.outcome);
      if (parsed.invalid.length > 0) {
        invalidFields = parsed.invalid;
        run.record('correction_invalid', `fix_claim task outcome: invalid ${invalidFields.join(', ')}`);
        continue;
      }
      correction = { ...parsed.data, correctedBy: closed.completion.completedBy };
    } else {
      // Cancelled from outside while the claim is still held: the hold needs a task.
      invalidFields = [];
      continue;
    }
    if (correction.writeOff) {
      run.record('written_off', `claim written off by ${correction.correctedBy} (${why})`);
      return 'written_off';
    }
    if (correction.visit) run.claimCase = { ...run.claimCase, visit: correction.visit };
    run.claimCase = applyCorrection(run.claimCase, correction);
    const fields = Object.keys(correction).filter((key) => key !== 'correctedBy' && key !== 'visit');
    run.record(
      'corrected',
      `claim corrected by ${correction.correctedBy}${fields.length ? ` (${fields.join(', ')})` : ''}`,
    );
    return 'corrected';
  }
}

/** Before task completions carried data: a plain task, and the correction arrives only as a signal. */
async function awaitSignalledCorrection(run: ClaimRun, why: string): Promise<CorrectionOutcome> {
  await run.raise('fix_claim', FIX_CLAIM_TITLE, 'biller', 48, { reason: why });
  const correction = await run.nextCorrection();
  run.claimCase = {
    ...run.claimCase,
    ...(correction.visit ? { visit: correction.visit } : {}),
    ...(correction.priorAuthNumber ? { priorAuthNumber: correction.priorAuthNumber } : {}),
    ...(correction.kxAccruedAllowedCents !== undefined
      ? { kxAccruedAllowedCents: correction.kxAccruedAllowedCents }
      : {}),
  };
  run.record('corrected', `claim corrected by ${correction.correctedBy}`);
  return 'corrected';
}

/**
 * The fix_claim task naming the holding findings, the fields that clear them and the fields a previous answer got
 * wrong. `closed` is set once the task ends (cancelled when its workflow failed or was cancelled).
 */
async function startFixClaimTask(
  run: ClaimRun,
  why: string,
  findingCodes: string[],
  invalidFields: string[],
): Promise<{ workflowId: string; closed: HumanTaskResult | undefined }> {
  const { claimCase } = run;
  const taskId = uuid4();
  const taskWorkflowId = workflowId('task', taskId);
  const input: HumanTaskInput = {
    taskId,
    practiceId: claimCase.practiceId,
    patientId: claimCase.patientId,
    kind: 'fix_claim',
    assigneeRole: 'biller',
    title: FIX_CLAIM_TITLE,
    dueAt: new Date(new Date().getTime() + 48 * 3_600_000).toISOString(),
    parentWorkflowId: workflowInfo().workflowId,
    processKind: 'claimSubmission',
    details: {
      claimId: claimCase.claimId,
      reason: why,
      ...(findingCodes.length > 0 ? { findings: findingCodes.join(',').slice(0, DETAIL_LIMIT) } : {}),
      ...clearingDetails(findingCodes),
      ...(invalidFields.length > 0 ? { invalidFields: invalidFields.join(',').slice(0, DETAIL_LIMIT) } : {}),
    },
  };
  const child = await startChild(humanTask, {
    workflowId: taskWorkflowId,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    ...taskMetadata(input, taskAbout(run.input)),
    args: [input],
  });
  const task: { workflowId: string; closed: HumanTaskResult | undefined } = {
    workflowId: taskWorkflowId,
    closed: undefined,
  };
  child.result().then(
    (result) => {
      task.closed = result;
    },
    () => {
      task.closed = { state: 'cancelled', overdue: false };
    },
  );
  return task;
}

/** Closes a fix_claim task a correction made moot. */
async function closeMootTask(taskWorkflowId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(taskWorkflowId).signal(cancelTaskSignal, { reason: 'not_needed' });
  } catch {
    // Completed meanwhile: nothing to close.
  }
}
