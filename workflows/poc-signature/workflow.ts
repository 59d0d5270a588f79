// pocSignature: one certification cycle of a plan of care (the initial certification, or one recertification),
// started by planOfCare. It sends the plan of care to the referring physician through the PhysicianDelivery port
// (inside office hours; a failed fax is sent again, then by e-mail with a secure link, then a front-desk task),
// watches for the signed copy (the delivery's status, the gateway's intake signal, a staff update, or the
// certification recorded on the plan of care directly), reminds the office on the rule's days, escalates to the
// front desk with a task that resumes the process when completed with the signature date, records the signature
// on the plan of care, and sends the claims the scrubber held for it back to the scrubber.
// Timings are dated rule data (domain/rules/data/poc-signature.ts); decisions are pure (domain/care/poc-signature.ts).
import {
  ActivityFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { PocSignatureActivities } from '../../activities/poc-signature/index.js';
import {
  cycleAnchor,
  deliveryRetryDelayMinutes,
  nextOfficeHoursInstant,
  pendingChaseSteps,
  pocSignatureRuleFor,
  signatureDateProblem,
  signatureDueBy,
  signatureReference,
  type ChaseStep,
  type PocSignatureRule,
} from '../../domain/care/poc-signature.js';
import { addDays, isIsoDate, type IsoDate } from '../../domain/core/dates.js';
import { localDate, startOfLocalDay } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import { cancelTaskSignal, type HumanTaskInput, type HumanTaskResult } from '../tasks/messages.js';
import { taskMetadata } from '../tasks/raise-task.js';
import { humanTask } from '../tasks/workflow.js';
import {
  NeedsAttention,
  NextDeadline,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';
import {
  POC_SIGNATURE_WORKFLOW_TYPE,
  pocSignatureStatusQuery,
  recordSignatureUpdate,
  signedCopyReturnedSignal,
  type DeliveryAttemptRecord,
  type PocSignatureInput,
  type PocSignatureState,
  type PocSignatureStatus,
  type SignatureRecord,
} from './messages.js';

/** Gateway calls: transport failures (5xx, outages) are retried here, then the process raises a task. */
const gateway = proxyActivities<PocSignatureActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 6,
  },
});
/** Reading and recording on other processes, and the claims held for the signature. */
const engine = proxyActivities<PocSignatureActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
  },
});

/** After the due date, the delivery is still checked for a returned copy this long (then only messages). */
/** Workflow time in epoch ms: `new Date()` is the workflow clock in Temporal's sandbox (replays the same). */
const nowMs = (): number => new Date().getTime();

const LATE_POLL_DAYS = 60;
/** Status checks of one delivery before it counts as unconfirmed. */
const MAX_DELIVERY_POLLS = 12;

interface OpenTask {
  workflowId: string;
  kind: string;
  closed?: HumanTaskResult;
}

interface SignatureRun {
  readonly input: PocSignatureInput;
  readonly rule: PocSignatureRule | undefined;
  readonly reference: string;
  readonly dueBy: IsoDate;
  state: PocSignatureState;
  late: boolean;
  signedDate?: IsoDate;
  signedVia?: PocSignatureStatus['signedVia'];
  /** A signature that arrived (update, signal, returned copy, task) and is not yet recorded. */
  arrived?: { record: SignatureRecord; via: NonNullable<PocSignatureStatus['signedVia']> };
  remindersSent: number[];
  deliveries: DeliveryAttemptRecord[];
  /** The deliveries the office received (checked for the signed copy), oldest first. */
  deliveredIds: string[];
  releasedClaims: number;
  task?: OpenTask;
  published: string;
}

const today = (run: SignatureRun): IsoDate => localDate(new Date(), run.input.timezone);

function snapshot(run: SignatureRun): PocSignatureStatus {
  return {
    episodeId: run.input.episodeId,
    cycle: run.input.cycle.kind,
    state: run.state,
    reference: run.reference,
    dueBy: run.dueBy,
    late: run.late,
    ...(run.signedDate ? { signedDate: run.signedDate } : {}),
    ...(run.signedVia ? { signedVia: run.signedVia } : {}),
    remindersSent: [...run.remindersSent],
    deliveries: run.deliveries.map((d) => ({ ...d })),
    releasedClaims: run.releasedClaims,
    needsAttention: run.state === 'escalated' || (run.late && run.state !== 'signed'),
    ...(run.task && !run.task.closed ? { openTask: run.task.workflowId } : {}),
  };
}

/** ProcessStatus, NeedsAttention and NextDeadline (the due date) — only when they changed. */
function publish(run: SignatureRun): void {
  const s = snapshot(run);
  const open = s.state !== 'signed' && s.state !== 'cancelled';
  const deadline = open ? startOfLocalDay(addDays(run.dueBy, 1), run.input.timezone) : null;
  const key = JSON.stringify([s.state, s.needsAttention, deadline?.getTime() ?? null]);
  if (key === run.published) return;
  run.published = key;
  upsertSearchAttributes([
    { key: ProcessStatus, value: s.state },
    { key: NeedsAttention, value: s.needsAttention },
    { key: NextDeadline, value: deadline },
  ]);
}

const isSignedOrArrived = (run: SignatureRun) => run.arrived !== undefined || run.state === 'signed';

/** Why a signature record cannot be accepted now, or undefined. */
function recordProblem(run: SignatureRun, record: SignatureRecord | undefined): string | undefined {
  if (run.state === 'cancelled') return 'The signature process was cancelled.';
  if (!record || typeof record.signedDate !== 'string' || !isIsoDate(record.signedDate))
    return 'signedDate must be a YYYY-MM-DD date.';
  if (typeof record.recordedBy !== 'string' || record.recordedBy.length === 0)
    return 'recordedBy is missing.';
  if (run.signedDate !== undefined && run.signedDate !== record.signedDate)
    return `A signature dated ${run.signedDate} is already recorded.`;
  return signatureDateProblem(run.input.cycle, record.signedDate, today(run));
}

function handleMessages(run: SignatureRun): void {
  setHandler(pocSignatureStatusQuery, () => snapshot(run));
  setHandler(
    recordSignatureUpdate,
    async (record) => {
      run.arrived ??= { record, via: 'staff' };
      await condition(() => run.state === 'signed');
      return snapshot(run);
    },
    {
      validator: (record) => {
        const problem = recordProblem(run, record);
        if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidSignature');
      },
    },
  );
  setHandler(signedCopyReturnedSignal, (record) => {
    if (recordProblem(run, record)) {
      log.warn('signedCopyReturned ignored: not acceptable', { episodeId: run.input.episodeId });
      return;
    }
    run.arrived ??= { record, via: 'returned_copy' };
  });
}

/** Logs carry no PHI: only the failure type. */
const failureType = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? 'ApplicationFailure')
    : err instanceof Error
      ? err.name
      : 'unknown';

/**
 * A step on another process that may fail for good (no Temporal client on this worker, the plan of care gone):
 * logged by failure type, never a failed signature process.
 */
async function tolerate<T>(run: SignatureRun, what: string, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn(what, { episodeId: run.input.episodeId, failure: failureType(err) });
    return undefined;
  }
}

/** The signature from a returned copy, if any delivered document came back signed. */
async function checkReturnedCopy(run: SignatureRun): Promise<void> {
  if (run.arrived || run.deliveredIds.length === 0) return;
  try {
    const r = await gateway.signedReturnAmong(run.deliveredIds);
    if (r && !recordProblem(run, { signedDate: r.signedDate, recordedBy: 'gateway' }))
      run.arrived = {
        record: { signedDate: r.signedDate, recordedBy: 'gateway', documentRef: r.documentRef },
        via: 'returned_copy',
      };
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('Delivery status unavailable', { episodeId: run.input.episodeId });
  }
}

/** One look for the signature: a returned copy, else the certification on the plan of care (one activity). */
async function pollSignature(run: SignatureRun): Promise<void> {
  if (run.arrived) return;
  const found = await tolerate(run, 'Signature poll failed', () =>
    gateway.pollSignature({
      deliveryIds: run.deliveredIds,
      cycle: run.input.cycle,
      ...(run.input.planOfCareWorkflowId ? { planOfCareWorkflowId: run.input.planOfCareWorkflowId } : {}),
    }),
  );
  if (!found) return;
  if (found.source === 'returned_copy') {
    if (!recordProblem(run, { signedDate: found.signedDate, recordedBy: 'gateway' }))
      run.arrived = {
        record: { signedDate: found.signedDate, recordedBy: 'gateway', documentRef: found.documentRef },
        via: 'returned_copy',
      };
    return;
  }
  run.arrived = {
    record: { signedDate: found.onFile.signedDate ?? today(run), recordedBy: 'plan_of_care' },
    via: found.onFile.basis === 'transmission' ? 'transmission' : 'plan_of_care',
  };
}

/**
 * The certification is on the plan of care already: recorded there directly (its own route), or — initial
 * certification, signed and dated referral, from 2025 — certified by the documented transmission.
 */
async function checkPlanOfCare(run: SignatureRun): Promise<void> {
  const poc = run.input.planOfCareWorkflowId;
  if (run.arrived || !poc) return;
  let onFile;
  try {
    onFile = await engine.certificationOnPlanOfCare(poc, run.input.cycle);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('Plan of care unreadable', { episodeId: run.input.episodeId, failure: failureType(err) });
    return;
  }
  if (!onFile.onFile) return;
  run.arrived = {
    record: { signedDate: onFile.signedDate ?? today(run), recordedBy: 'plan_of_care' },
    via: onFile.basis === 'transmission' ? 'transmission' : 'plan_of_care',
  };
}

/**
 * Waits until `untilMs` (epoch ms) or until a signature arrives or the open task closes; meanwhile the delivery
 * is checked for a returned copy every `pollMinutes`. True when something arrived.
 */
async function waitWatching(run: SignatureRun, untilMs: number, pollMinutes: number): Promise<boolean> {
  for (;;) {
    const remaining = untilMs - nowMs();
    if (remaining <= 0) return false;
    const slice = Math.min(remaining, pollMinutes * 60_000);
    const woke = await condition(() => isSignedOrArrived(run) || run.task?.closed !== undefined, slice);
    if (woke) return true;
    await pollSignature(run);
    if (run.arrived) return true;
  }
}

const pollMinutes = (run: SignatureRun) => (run.late ? 24 * 60 : (run.rule?.returnPollHours ?? 6) * 60);

/** Sleeps (watching for a signature) until the office is open. False when a signature arrived meanwhile. */
async function untilOfficeHours(run: SignatureRun): Promise<boolean> {
  const hours = run.rule?.officeHours ?? { start: '09:00', end: '17:00' };
  const opens = nextOfficeHoursInstant(new Date(), run.input.timezone, hours).getTime();
  if (opens > nowMs() && (await waitWatching(run, opens, pollMinutes(run)))) return !isSignedOrArrived(run);
  return !isSignedOrArrived(run);
}

type SendOutcome = 'delivered' | 'failed' | 'signed';

/** One document to the office: office hours, resends after a failed delivery, then the e-mail fallback. */
async function sendDocument(
  run: SignatureRun,
  purpose: 'original' | 'reminder',
  day: number,
): Promise<SendOutcome> {
  const rule = run.rule;
  const attempts = rule?.deliveryAttempts ?? 3;
  const channels: ('auto' | 'email')[] = ['auto', 'email'];
  for (const channel of channels) {
    for (let attempt = 1; attempt <= (channel === 'email' ? 1 : attempts); attempt++) {
      if (!(await untilOfficeHours(run))) return 'signed';
      // Workflow time: when the process decided to send (inside office hours by construction).
      const record: DeliveryAttemptRecord = {
        purpose,
        day,
        attempt,
        requestedAt: new Date().toISOString(),
        status: 'queued',
        ...(channel === 'email' ? { channel: 'email' as const } : {}),
      };
      run.deliveries.push(record);
      let sent;
      try {
        sent = await gateway.sendSignatureRequest({
          workflowId: workflowInfo().workflowId,
          practiceId: run.input.practiceId,
          episodeId: run.input.episodeId,
          referringPractitionerId: run.input.referringPractitionerId,
          cycle: run.input.cycle,
          reference: run.reference,
          dueBy: run.dueBy,
          purpose,
          day,
          attempt,
          ...(channel === 'email' ? { channel: 'email' as const } : {}),
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The gateway stayed unreachable through every retry: this attempt failed.
        record.status = 'failed';
        record.failureCode = 'unreachable';
        continue;
      }
      if (sent.outcome === 'no_route' || sent.outcome === 'rejected') {
        record.status = sent.outcome;
        if (sent.code) record.failureCode = sent.code;
        break; // this channel cannot reach the office: the next one, or the task
      }
      Object.assign(record, {
        deliveryId: sent.deliveryId,
        channel: sent.channel,
        acceptedAt: sent.acceptedAt,
      });
      const final = await awaitDelivery(run, record);
      if (final === 'delivered' || final === 'signed') {
        if (!run.deliveredIds.includes(sent.deliveryId)) run.deliveredIds.push(sent.deliveryId);
        if (final === 'signed') await checkReturnedCopy(run);
        return isSignedOrArrived(run) ? 'signed' : 'delivered';
      }
      if (isSignedOrArrived(run)) return 'signed';
      if (attempt < attempts && channel === 'auto' && rule) {
        const wait = nowMs() + deliveryRetryDelayMinutes(rule, attempt) * 60_000;
        if (await waitWatching(run, wait, pollMinutes(run))) if (isSignedOrArrived(run)) return 'signed';
      }
    }
  }
  return 'failed';
}

/** Polls the gateway until the delivery is delivered or failed (or stays unconfirmed). */
async function awaitDelivery(run: SignatureRun, record: DeliveryAttemptRecord): Promise<SendOutcome> {
  const every = (run.rule?.deliveryPollMinutes ?? 15) * 60_000;
  for (let poll = 0; poll < MAX_DELIVERY_POLLS; poll++) {
    if (poll > 0 && (await condition(() => isSignedOrArrived(run), every))) return 'signed';
    let state;
    try {
      state = await gateway.deliveryState(record.deliveryId!);
    } catch (err) {
      if (isCancellation(err)) throw err;
      continue;
    }
    record.status = state.status;
    if (state.failureCode) record.failureCode = state.failureCode;
    if (state.status === 'delivered') return 'delivered';
    if (state.status === 'signed') return 'signed';
    if (state.status === 'failed') return 'failed';
  }
  record.failureCode ??= 'unconfirmed';
  return 'failed';
}

/** Starts a front-desk task (a humanTask child, abandoned on close like every task). */
async function raiseTask(
  run: SignatureRun,
  kind: string,
  title: string,
  dueInHours: number,
  details: Record<string, string | number | boolean>,
): Promise<void> {
  const { input } = run;
  const taskId = uuid4();
  const taskInput: HumanTaskInput = {
    taskId,
    practiceId: input.practiceId,
    patientId: input.patientId,
    kind,
    assigneeRole: 'front_desk',
    title,
    dueAt: new Date(nowMs() + dueInHours * 3_600_000).toISOString(),
    parentWorkflowId: workflowInfo().workflowId,
    processKind: POC_SIGNATURE_WORKFLOW_TYPE,
    details: {
      episodeId: input.episodeId,
      reference: run.reference,
      cycle: input.cycle.kind,
      dueBy: run.dueBy,
      ...details,
    },
  };
  const child = await startChild(humanTask, {
    workflowId: workflowId('task', taskId),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    ...taskMetadata(taskInput, { timeZone: input.timezone }),
    args: [taskInput],
  });
  const task: OpenTask = { workflowId: child.workflowId, kind };
  run.task = task;
  child.result().then(
    (result) => {
      task.closed = result;
    },
    () => {
      task.closed = { state: 'cancelled', overdue: false };
    },
  );
}

/** Closes the open task a signature made moot. */
async function closeTask(run: SignatureRun): Promise<void> {
  const task = run.task;
  if (!task || task.closed) return;
  task.closed = { state: 'cancelled', overdue: false };
  try {
    await getExternalWorkflowHandle(task.workflowId).signal(cancelTaskSignal, { reason: 'not_needed' });
  } catch {
    // Completed meanwhile.
  }
}

/**
 * A closed task's answer: the signature date (resumes with the signature), a sent date (the document went out
 * another way: the chase goes on), or nothing usable (`invalid`: the task is raised again).
 */
function taskAnswer(run: SignatureRun, task: OpenTask): 'signed' | 'sent' | 'invalid' | 'cancelled' {
  const closed = task.closed;
  if (!closed || closed.state !== 'completed' || !closed.completion) return 'cancelled';
  const outcome = closed.completion.outcome;
  const signedDate = outcome.signedDate;
  if (typeof signedDate === 'string' && signedDate.length > 0) {
    const record: SignatureRecord = { signedDate, recordedBy: closed.completion.completedBy };
    if (recordProblem(run, record)) return 'invalid';
    run.arrived ??= { record, via: 'task' };
    return 'signed';
  }
  const sentDate = outcome.sentDate;
  if (typeof sentDate === 'string' && isIsoDate(sentDate) && sentDate <= today(run)) return 'sent';
  return 'invalid';
}

const SEND_FAILED_TITLE =
  'Plan of care could not be sent to the referring physician: check the fax number / Direct address, send it ' +
  'another way, then complete with the date sent (or the signature date if it is already signed)';
const ESCALATION_TITLE =
  "Plan of care still unsigned: call the physician's office for the signed and dated copy; complete with the " +
  'signature date';

/** The document could not reach the office: a task until it went out another way or is signed. */
async function deliveryFailedTask(run: SignatureRun): Promise<'sent' | 'signed'> {
  // What the front desk needs to know: how many times the gateway tried, and why the last one failed.
  const originals = run.deliveries.filter((d) => d.purpose === 'original');
  const tried = originals.filter((d) => d.deliveryId !== undefined);
  const last = tried[tried.length - 1] ?? originals[originals.length - 1];
  let invalid = false;
  for (;;) {
    run.state = 'escalated';
    publish(run);
    await raiseTask(run, 'poc_delivery_failed', SEND_FAILED_TITLE, 24, {
      attempts: tried.length,
      lastFailure: last?.failureCode ?? last?.status ?? 'unknown',
      outcomes: originals
        .map((d) => `${d.channel ?? 'auto'}:${d.failureCode ?? d.status}`)
        .join(',')
        .slice(0, 200),
      ...(invalid ? { invalidAnswer: true } : {}),
    });
    const task = run.task!;
    // Someone may record the certification on the plan of care instead: checked daily.
    while (!(await condition(() => isSignedOrArrived(run) || task.closed !== undefined, '1 day')))
      await checkPlanOfCare(run);
    if (isSignedOrArrived(run)) return 'signed';
    const answer = taskAnswer(run, task);
    if (answer === 'signed') return 'signed';
    run.task = undefined;
    if (answer === 'sent') {
      run.state = 'awaiting_signature';
      return 'sent';
    }
    invalid = answer === 'invalid';
  }
}

/** Waits for the step's day (start of the local day), watching for the signature. True when it arrived. */
async function untilStep(run: SignatureRun, step: ChaseStep): Promise<boolean> {
  const at = startOfLocalDay(step.date, run.input.timezone).getTime();
  await waitWatching(run, at, pollMinutes(run));
  return isSignedOrArrived(run);
}

/** The escalation task: raised once; completed with the signature date it resumes the process. */
async function escalate(run: SignatureRun, sentOn: IsoDate | undefined): Promise<void> {
  run.state = 'escalated';
  await raiseTask(run, 'poc_signature_escalation', ESCALATION_TITLE, 48, {
    remindersSent: run.remindersSent.length,
    ...(sentOn ? { sentOn } : {}),
  });
  publish(run);
}

/**
 * A closed task: its signature date is taken; an escalation task closed without one (cancelled from outside, or
 * an unusable answer) is raised again, so the front desk always has it (no dead end).
 */
async function handleClosedTask(run: SignatureRun, sentOn: IsoDate | undefined): Promise<void> {
  const task = run.task;
  if (!task?.closed || isSignedOrArrived(run)) return;
  const answer = taskAnswer(run, task);
  if (answer === 'signed') return;
  run.task = undefined;
  if (task.kind === 'poc_signature_escalation') await escalate(run, sentOn);
}

/** Reminders, escalation, the late mark; then waits for the signature however long it takes. */
async function chase(run: SignatureRun, sentOn: IsoDate | undefined): Promise<void> {
  const rule = run.rule;
  const steps = rule ? pendingChaseSteps(rule, run.input.cycle, today(run)) : [];
  for (const step of steps) {
    for (;;) {
      if (await untilStep(run, step)) return;
      if (run.task?.closed) {
        await handleClosedTask(run, sentOn);
        if (isSignedOrArrived(run)) return;
        continue;
      }
      break;
    }
    if (step.kind === 'office_reminder') {
      if ((await sendDocument(run, 'reminder', step.day)) === 'signed') return;
      run.remindersSent.push(step.day);
    } else if (step.kind === 'escalation') {
      if (!run.task || run.task.closed) await escalate(run, sentOn);
    } else {
      run.late = true;
      if (!run.task || run.task.closed) await escalate(run, sentOn);
    }
    publish(run);
  }
  if (!rule) await escalate(run, sentOn);
  // Past every step: the returned copy is still watched for a while, then only messages and the task.
  const stopPolling = startOfLocalDay(addDays(run.dueBy, LATE_POLL_DAYS), run.input.timezone).getTime();
  for (;;) {
    const woke = await waitWatching(run, stopPolling, pollMinutes(run));
    if (!woke) await condition(() => isSignedOrArrived(run) || run.task?.closed !== undefined);
    if (isSignedOrArrived(run)) return;
    await handleClosedTask(run, sentOn);
    if (isSignedOrArrived(run)) return;
  }
}

/** Records the signature on the plan of care, closes the task and releases the claims held for it. */
async function recordSignature(run: SignatureRun): Promise<void> {
  const arrived = run.arrived!;
  const poc = run.input.planOfCareWorkflowId;
  if (poc && arrived.via !== 'plan_of_care' && arrived.via !== 'transmission') {
    const recorded = await tolerate(run, 'Signature not recorded on the plan of care', () =>
      engine.recordSignatureOnPlanOfCare({
        planOfCareWorkflowId: poc,
        cycle: run.input.cycle,
        signedDate: arrived.record.signedDate,
        // A late signature stands with evidence of diligence: this process's delivery log (the fax log) is it.
        delayJustification:
          arrived.record.signedDate > run.dueBy && run.deliveries.some((d) => d.deliveryId !== undefined),
      }),
    );
    if (recorded && !recorded.recorded)
      log.warn('The plan of care did not take the signature', {
        episodeId: run.input.episodeId,
        reason: recorded.reason,
      });
  }
  if (arrived.via !== 'transmission') run.signedDate = arrived.record.signedDate;
  run.signedVia = arrived.via;
  run.state = 'signed';
  await closeTask(run);
  if (poc) {
    const released = await tolerate(run, 'Held claims not released', () =>
      engine.releaseHeldClaims({ practiceId: run.input.practiceId, patientId: run.input.patientId }),
    );
    run.releasedClaims = released?.released ?? 0;
  }
  publish(run);
}

/** The pocSignature process (registered as POC_SIGNATURE_WORKFLOW_TYPE). */
export async function pocSignature(input: PocSignatureInput): Promise<PocSignatureStatus> {
  const rule = pocSignatureRuleFor(input.cycle);
  const anchor = cycleAnchor(input.cycle);
  const run: SignatureRun = {
    input,
    rule,
    reference: signatureReference(input.cycle, input.episodeId),
    dueBy: rule ? signatureDueBy(rule, input.cycle) : anchor,
    state: 'sending',
    late: false,
    remindersSent: [],
    deliveries: [],
    deliveredIds: [],
    releasedClaims: 0,
    published: '',
  };
  handleMessages(run);
  upsertSearchAttributes([
    { key: ProcessKind, value: POC_SIGNATURE_WORKFLOW_TYPE },
    { key: PracticeId, value: input.practiceId },
    { key: PatientId, value: input.patientId },
  ]);
  publish(run);
  try {
    await checkPlanOfCare(run);
    if (!run.arrived) {
      const sent = await sendDocument(run, 'original', 0);
      let sentOn: IsoDate | undefined;
      if (sent === 'delivered') {
        sentOn = today(run);
        run.state = 'awaiting_signature';
        publish(run);
        // The transmission itself is the documented proof the 2025 rule accepts (the plan of care decides
        // whether the episode qualifies: a signed and dated referral, services from 2025).
        const poc = input.planOfCareWorkflowId;
        const proofRef = run.deliveredIds[0];
        if (poc && input.cycle.kind === 'initial' && proofRef) {
          await tolerate(run, 'Transmission proof not recorded', () =>
            engine.recordTransmissionOnPlanOfCare({
              planOfCareWorkflowId: poc,
              transmittedDate: sentOn!,
              proofRef,
            }),
          );
          await checkPlanOfCare(run);
        }
      } else if (sent === 'failed' && (await deliveryFailedTask(run)) === 'sent') {
        publish(run);
      }
      if (!isSignedOrArrived(run)) await chase(run, sentOn);
    }
    await recordSignature(run);
    return snapshot(run);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      run.state = 'cancelled';
      await closeTask(run);
      publish(run);
    });
    return snapshot(run);
  }
}
