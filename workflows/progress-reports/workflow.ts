// progressReportDelivery: one per report a therapist signed in the EMR (progress report, recertification,
// discharge summary), from the signature to the physician's office. Steps:
//   1. prepare — read the signed report, the outcome scores and the visit counts, render the PDF (≤ 2 pages) and
//      store it encrypted (activities/progress-reports);
//   2. send — hand it to the PhysicianDelivery port (fax / Direct; e-mail with a secure link when staff choose
//      it), audited, with bounded retries;
//   3. confirm — poll the gateway until the document is delivered or failed (bounded retries as the poll).
// A step that fails for good never ends the process: the front desk gets a task that offers "retry" or "send
// by e-mail link instead", and completing it starts the next round. Only a person closing that task without
// completing it ends the process undelivered. The PDF never enters the history: activities pass ids only.
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ProgressReportActivities } from '../../activities/progress-reports/index.js';
import {
  NeedsAttention,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';
import { raiseTaskAndWait } from '../tasks/raise-task.js';
import {
  DELIVERY_FAILED_TASK_KIND,
  PREPARE_FAILED_TASK_KIND,
  PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE,
  progressReportDeliveryStatusQuery,
  type ProgressReportDeliveryInput,
  type ProgressReportDeliveryState,
  type ProgressReportDeliveryStatus,
} from './messages.js';

/** Reads of the EMR and our database, rendering and storing: quick, bounded retries. */
export const prepareActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['ConnectorNotConfigured', 'ReportNotAvailable'] as string[],
  },
} as const;

/** The gateway call: idempotent per round (same key on every retry), bounded retries. */
export const sendActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['ConnectorNotConfigured'] as string[],
  },
} as const;

/** The retries are the poll: every 5 s, then slower, for up to about an hour and a half. */
export const confirmActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 1.5,
    maximumInterval: '10 minutes',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['DeliveryFailed', 'ConnectorNotConfigured'] as string[],
  },
} as const;

const prepare = proxyActivities<ProgressReportActivities>(prepareActivityOptions);
const send = proxyActivities<ProgressReportActivities>(sendActivityOptions);
const confirm = proxyActivities<ProgressReportActivities>(confirmActivityOptions);

/** The failure's type (never its message: a connector's message might echo data). */
const failureType = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? 'ApplicationFailure')
    : err instanceof ActivityFailure
      ? (err.cause?.name ?? 'ActivityFailure')
      : err instanceof Error
        ? err.name
        : 'unknown';

export async function progressReportDelivery(
  input: ProgressReportDeliveryInput,
): Promise<ProgressReportDeliveryStatus> {
  const status: ProgressReportDeliveryStatus = {
    reportId: input.reportId,
    kind: input.kind,
    state: 'preparing',
    rounds: 0,
  };
  setHandler(progressReportDeliveryStatusQuery, () => ({ ...status }));
  upsertSearchAttributes([
    { key: ProcessKind, value: PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE },
    { key: PracticeId, value: input.practiceId },
    { key: PatientId, value: input.patientId },
  ]);
  const setState = (state: ProgressReportDeliveryState) => {
    status.state = state;
    upsertSearchAttributes([
      { key: ProcessStatus, value: state },
      { key: NeedsAttention, value: state === 'waiting_for_staff' },
    ]);
  };
  const owner = {
    practiceId: input.practiceId,
    patientId: input.patientId,
    processKind: PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE,
    details: { reportId: input.reportId },
  };

  /** A front-desk task after a failed step; resolves with what the person chose (undefined: task closed). */
  const askFrontDesk = async (kind: string, title: string) => {
    setState('waiting_for_staff');
    const result = await raiseTaskAndWait(owner, {
      kind,
      title,
      role: 'front_desk',
      dueInHours: 24,
      details: { reportKind: input.kind, failure: status.lastFailure ?? 'unknown' },
    });
    if (result.state !== 'completed') return undefined;
    return result.completion?.outcome ?? {};
  };

  // 1. Prepare (render + store encrypted), until it succeeds or staff close the task.
  for (;;) {
    setState('preparing');
    try {
      const prepared = await prepare.prepareProgressReport(input);
      status.pageCount = prepared.pageCount;
      break;
    } catch (err) {
      status.lastFailure = failureType(err);
      log.warn('Progress report not prepared', { reportId: input.reportId, failure: status.lastFailure });
      const choice = await askFrontDesk(
        PREPARE_FAILED_TASK_KIND,
        'Progress report for the referring physician could not be prepared',
      );
      if (!choice) return closedByStaff();
    }
  }

  // 2–3. Delivery rounds: send, confirm; a failed round waits for the front desk's choice.
  let channel: 'email' | undefined;
  for (;;) {
    status.rounds += 1;
    try {
      setState('sending');
      const receipt = await send.sendProgressReport({
        reportId: input.reportId,
        practiceId: input.practiceId,
        emrPatientId: input.emrPatientId,
        round: status.rounds,
        ...(channel ? { channel } : {}),
      });
      status.channel = receipt.channel;
      status.deliveryId = receipt.deliveryId;
      setState('confirming');
      await confirm.confirmProgressReportDelivery({
        reportId: input.reportId,
        practiceId: input.practiceId,
        deliveryId: receipt.deliveryId,
        channel: receipt.channel,
      });
      delete status.lastFailure;
      setState('delivered');
      return { ...status };
    } catch (err) {
      status.lastFailure = failureType(err);
      log.warn('Progress report delivery round failed', {
        reportId: input.reportId,
        round: status.rounds,
        failure: status.lastFailure,
      });
      // Bookkeeping only: if even that fails, the person still gets the task (no dead end).
      await prepare
        .recordProgressReportFailure({
          reportId: input.reportId,
          practiceId: input.practiceId,
          channel: channel ?? status.channel ?? 'default',
          failure: status.lastFailure,
        })
        .catch((bookkeeping: unknown) =>
          log.warn('Progress report failure not recorded', {
            reportId: input.reportId,
            failure: failureType(bookkeeping),
          }),
        );
      const choice = await askFrontDesk(
        DELIVERY_FAILED_TASK_KIND,
        'Progress report did not reach the referring physician',
      );
      if (!choice) return closedByStaff();
      channel = choice.sendByEmailLink === true ? 'email' : undefined;
    }
  }

  function closedByStaff(): ProgressReportDeliveryStatus {
    setState('closed_by_staff');
    log.info('Progress report delivery closed by staff', { workflowId: workflowInfo().workflowId });
    return { ...status };
  }
}
