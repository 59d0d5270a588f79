// patientOnboarding (DESIGN §2.1): from intake to the checked-in evaluation. Validate the intake, register the
// patient (our mirror + the EMR), verify every coverage (inactive / not found → front-desk task + a message
// asking for new insurance, then wait durably for `coverageUpdated` and verify again; payer unreachable after
// bounded retries → a "verify by phone" task), start the prior authorization when the plan requires one, send
// the intake forms with reminders until they are completed, book the evaluation (or take the one the EMR
// booked) and complete on check-in. A `cancel` signal (or a workflow cancellation) runs the compensation
// — cancel the booked slot, close open tasks, cancel the authorization — where cancellation cannot reach it.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type {
  BookedEvaluation,
  IntakeFormsInput,
  PatientMessageContent,
  PatientMessageInput,
} from '../../activities/onboarding/index.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  eligibilityTraceNumber,
  type EligibilityOutcome,
  type EligibilitySummary,
} from '../../domain/onboarding/eligibility.js';
// Types only: the intake module carries zod, loaded lazily below (see patientOnboarding).
import type { CoverageIntake, OnboardingInput, OnboardingIntake } from '../../domain/onboarding/intake.js';
import { hoursBefore, reminderTimes } from '../../domain/onboarding/reminders.js';
import {
  evaluationWindow,
  onboardingMessageId,
  type OnboardingMessageStep,
} from '../../domain/onboarding/steps.js';
import type { StaffRole } from '../../domain/tasks.js';
import {
  CONNECTOR_TASK_KIND,
  CONNECTOR_TASK_TITLE,
  waitingOnConfiguration,
} from '../shared/connector-wait.js';
import { coverageCheckedSignal, isCoverageChecked } from '../shared/coverage-signal.js';
import { humanTask } from '../tasks/workflow.js';
import { cancelTaskSignal, type HumanTaskResult } from '../tasks/messages.js';
import { planOfCare } from '../plan-of-care/workflow.js';
import { priorAuthorization } from '../prior-authorization/workflow.js';
import {
  NeedsAttention,
  NextDeadline,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';

export type OnboardingState =
  | 'registering'
  | 'verifying_eligibility'
  | 'awaiting_coverage_update'
  | 'awaiting_phone_verification'
  | 'scheduling'
  | 'needs_scheduling'
  | 'awaiting_check_in'
  | 'completed'
  | 'cancelled';

/** What staff and the API see: ids, outcomes and counts only (no names, member ids or contact details). */
export interface OnboardingStatus {
  onboardingId: string;
  patientId: string;
  state: OnboardingState;
  coverages: {
    coverageId: string;
    priority: number;
    outcome?: EligibilityOutcome | 'verified_by_phone';
    verifications: number;
    authorizationRequired?: boolean;
    copayCents?: number;
  }[];
  forms: { state: 'not_sent' | 'sent' | 'completed'; remindersSent: number };
  /**
   * Messages as they went: sent, blocked_<reason>, or `dropped` when one waiting out the patient's quiet
   * hours became moot first (the patient checked in, or sent the insurance update it asked for).
   */
  messages: { template: PatientMessageInput['template']; status: string }[];
  appointment?: { emrAppointmentId: string; start?: string; therapistId?: string; locationId?: string };
  authorizationWorkflowId?: string;
  /** The episode started at check-in (when the intake named the referring practitioner). */
  planOfCareWorkflowId?: string;
  openTasks: number;
  needsAttention: boolean;
  /** Coverages the nightly re-verification found inactive or not found (NeedsAttention until updated). */
  coverageAlerts?: string[];
  /**
   * An encrypted record this onboarding needs failed its integrity check: the process waits (NeedsAttention)
   * until the admin's security task for it is closed, then tries the step once more. Table and row id only.
   */
  integrityHold?: { table: string; rowId: string; taskId?: string };
  cancelReason?: string;
}

export interface CoverageUpdate {
  coverageId: string;
  payerId: string;
  memberId: string;
  groupNumber?: string;
}
export type IntakeFormsCompleted = Omit<IntakeFormsInput, 'emrPatientId'>;
export interface AppointmentBooked {
  emrAppointmentId: string;
  start?: string;
  therapistId?: string;
  locationId?: string;
}
export interface OnboardingCancel {
  reason: 'patient_request' | 'duplicate' | 'staff_decision' | 'no_show';
}

export const coverageUpdatedSignal = defineSignal<[CoverageUpdate]>('coverageUpdated');
export const intakeFormsCompletedSignal = defineSignal<[IntakeFormsCompleted]>('intakeFormsCompleted');
export const appointmentBookedSignal = defineSignal<[AppointmentBooked]>('appointmentBooked');
export const evaluationCheckedInSignal = defineSignal<[{ emrAppointmentId?: string }]>('evaluationCheckedIn');
export const cancelOnboardingSignal = defineSignal<[OnboardingCancel]>('cancel');
export const onboardingStatusQuery = defineQuery<OnboardingStatus>('status');

/** Our database and the EMR: quick calls, bounded retries. */
export const onboardingActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
} as const;
/**
 * The payer's real-time 270/271. Bounded on purpose: when the retries run out the payer counts as
 * unreachable and a person verifies by phone (many payers do not return PT benefits electronically anyway).
 */
export const eligibilityActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['OnboardingDataMissing'] as string[],
  },
} as const;
/** Scheduling runs a solver and books in the EMR. */
export const bookingActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
} as const;

// Wrapped per run: `held` (a record failing its integrity check holds the onboarding), then
// waitingOnConfiguration (a missing connector raises a task). The payer is not wrapped for configuration: a payer
// that cannot be asked already leads to "verify by phone".
/**
 * Executions from before this patch held their state on a message waiting out the patient's quiet hours (issue
 * #19 item 5): the state after check-in waited for the deferred SMS, and so did the coverage update. With it the
 * state moves first, and a deferred message that became moot meanwhile is dropped instead of sent late.
 */
export const MESSAGES_DO_NOT_HOLD_STATE_PATCH = 'messages-do-not-hold-state';

/**
 * Executions from before this patch never met the non-retryable `EncryptedRecordUnreadable` (the activity retried
 * a plain error): with it the onboarding holds with NeedsAttention until the row's security task is closed.
 */
export const RECORD_INTEGRITY_HOLD_PATCH = 'record-integrity-hold';
/** How often a held onboarding looks at its security task. */
const INTEGRITY_TASK_POLL_MS = 10 * 60_000;

const rawActs = proxyActivities<Activities>(onboardingActivityOptions);
const rawPayer = proxyActivities<Activities>(eligibilityActivityOptions);
const rawBooking = proxyActivities<Activities>(bookingActivityOptions);

/** The typed failure of activities/integrity.ts, as the workflow sees it (ids only). */
function unreadableRecord(err: unknown): { table: string; rowId: string; taskId?: string } | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== 'EncryptedRecordUnreadable') return undefined;
  const d = (err.cause.details?.[0] ?? {}) as { table?: unknown; rowId?: unknown; taskId?: unknown };
  return {
    table: typeof d.table === 'string' ? d.table : 'unknown',
    rowId: typeof d.rowId === 'string' ? d.rowId : 'unknown',
    ...(typeof d.taskId === 'string' ? { taskId: d.taskId } : {}),
  };
}

const ATTENTION: readonly OnboardingState[] = [
  'awaiting_coverage_update',
  'awaiting_phone_verification',
  'needs_scheduling',
];

export async function patientOnboarding(rawInput: OnboardingInput): Promise<OnboardingStatus> {
  // The full intake validation (zod) is loaded here, not at module load: every cached workflow evaluates the
  // bundle's modules in its own module cache, and zod's ~0.5 MB of module state would otherwise be paid by every
  // cached workflow of every kind (issue #8). Same code, same result; the await issues no command.
  const { parseIntake } = await import(/* webpackMode: "eager" */ '../../domain/onboarding/intake.js');
  const parsed = parseIntake(rawInput);
  if (!parsed.ok) {
    // Field paths and issue codes only: the values are PHI.
    throw ApplicationFailure.nonRetryable(`invalid intake: ${parsed.issues.join('; ')}`, 'InvalidIntake');
  }
  const intake: OnboardingIntake = parsed.intake;
  const me = workflowInfo().workflowId;
  let integrityHold: OnboardingStatus['integrityHold'];
  /**
   * Activities through this proxy hold the onboarding when a record they read fails its integrity check: the
   * state stays, NeedsAttention is set, and once the security task is closed the step runs again (once).
   */
  const held = <T extends object>(target: T): T =>
    new Proxy(target, {
      get: (t, key) => {
        const fn = (t as Record<string | symbol, unknown>)[key] as (...a: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          for (let holds = 0; ; holds++) {
            try {
              return await fn(...args);
            } catch (err) {
              const problem = unreadableRecord(err);
              if (!problem || holds > 0 || !patched(RECORD_INTEGRITY_HOLD_PATCH)) throw err;
              await holdForIntegrity(problem);
            }
          }
        };
      },
    });
  const heldActs = held(rawActs);
  const payer = held(rawPayer);
  const heldBooking = held(rawBooking);

  let state: OnboardingState = 'registering';
  let emrPatientId = '';
  const coverages: CoverageIntake[] = [...intake.coverages].sort((a, b) => a.priority - b.priority);
  const coverageView: OnboardingStatus['coverages'] = coverages.map((c) => ({
    coverageId: c.coverageId,
    priority: c.priority,
    verifications: 0,
  }));
  const forms: OnboardingStatus['forms'] = { state: 'not_sent', remindersSent: 0 };
  const messages: OnboardingStatus['messages'] = [];
  let appointment: (BookedEvaluation | AppointmentBooked) | undefined;
  let emrBooked: AppointmentBooked | undefined = intake.existingAppointment;
  let authorizationWorkflowId: string | undefined;
  let planOfCareWorkflowId: string | undefined;
  /** The "forms overdue" task, closed when the forms arrive. */
  let formsTask: string | undefined;
  let completedForms: IntakeFormsCompleted | undefined;
  let checkedIn = false;
  let closing = false;
  let cancelReason: OnboardingCancel['reason'] | undefined;
  const coverageUpdates: CoverageUpdate[] = [];
  /** Task workflow ids still open, with what they are about (closed when moot, all closed on cancel). */
  const openTasks = new Map<string, string>();
  /**
   * The state the status shows while a state that comes with a task waits for that task to count in
   * `openTasks` (an activity may run in between): the snapshot never shows the new state without its task.
   */
  let shownState: OnboardingState | undefined;
  /** Coverage ids the nightly re-verification reported inactive / not found (signal `coverageChecked`). */
  const coverageAlerts = new Set<string>();
  const needsAttention = (s: OnboardingState) =>
    ATTENTION.includes(s) ||
    integrityHold !== undefined ||
    (coverageAlerts.size > 0 && s !== 'completed' && s !== 'cancelled');
  /** Enter a state whose task is raised next: the status shows it once the task counts. */
  const enterWithTask = (next: OnboardingState) => {
    shownState ??= state;
    state = next;
  };

  const snapshot = (): OnboardingStatus => {
    const shown = shownState ?? state;
    return {
      onboardingId: intake.onboardingId,
      patientId: intake.patientId,
      state: shown,
      coverages: coverageView.map((c) => ({ ...c })),
      forms: { ...forms },
      messages: [...messages],
      ...(appointment
        ? {
            appointment: {
              emrAppointmentId: appointment.emrAppointmentId,
              ...(appointment.start ? { start: appointment.start } : {}),
              ...(appointment.therapistId ? { therapistId: appointment.therapistId } : {}),
              ...(appointment.locationId ? { locationId: appointment.locationId } : {}),
            },
          }
        : {}),
      ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
      ...(planOfCareWorkflowId ? { planOfCareWorkflowId } : {}),
      openTasks: openTasks.size,
      needsAttention: needsAttention(shown),
      ...(coverageAlerts.size > 0 ? { coverageAlerts: [...coverageAlerts] } : {}),
      ...(integrityHold ? { integrityHold: { ...integrityHold } } : {}),
      ...(cancelReason ? { cancelReason } : {}),
    };
  };
  const publish = (deadline?: Date | null) =>
    upsertSearchAttributes([
      { key: ProcessStatus, value: state },
      { key: NeedsAttention, value: needsAttention(state) },
      ...(deadline !== undefined ? [{ key: NextDeadline, value: deadline }] : []),
    ]);

  const mainScope = new CancellationScope();
  setHandler(onboardingStatusQuery, snapshot);
  setHandler(coverageUpdatedSignal, (u) => {
    coverageUpdates.push(u);
    // New insurance details answer the re-verification's alert: the onboarding verifies what it is given.
    if (coverageAlerts.delete(u.coverageId)) publish();
  });
  setHandler(coverageCheckedSignal, (c) => {
    if (!isCoverageChecked(c) || state === 'completed' || state === 'cancelled') return;
    const view = coverageView.find((v) => v.coverageId === c.coverageId);
    if (!view) return; // not a coverage of this onboarding
    const before = coverageAlerts.size;
    if (c.outcome === 'active') {
      if (coverageAlerts.delete(c.coverageId)) view.outcome = 'active';
    } else {
      coverageAlerts.add(c.coverageId);
      view.outcome = c.outcome;
    }
    if (coverageAlerts.size !== before) publish();
  });
  setHandler(intakeFormsCompletedSignal, (f) => {
    completedForms ??= f;
  });
  setHandler(appointmentBookedSignal, (a) => {
    emrBooked = a;
  });
  setHandler(evaluationCheckedInSignal, () => {
    checkedIn = true;
  });
  setHandler(cancelOnboardingSignal, (c) => {
    if (state === 'completed' || state === 'cancelled' || cancelReason) return;
    cancelReason = c.reason;
    mainScope.cancel();
  });
  upsertSearchAttributes([
    { key: ProcessKind, value: 'onboarding' },
    { key: PracticeId, value: intake.practiceId },
    { key: PatientId, value: intake.patientId },
  ]);
  publish();

  // ─── building blocks ────────────────────────────────────────────────────────────────────────────────

  /** Wait (cancellable) until the record's security task is closed; without a task, until cancelled. */
  async function holdForIntegrity(problem: NonNullable<OnboardingStatus['integrityHold']>) {
    integrityHold = problem;
    publish();
    if (!problem.taskId) await condition(() => false);
    for (;;) {
      await sleep(INTEGRITY_TASK_POLL_MS);
      const status = await rawActs.taskStatus(problem.taskId!);
      if (status === 'completed' || status === 'cancelled') break;
    }
    integrityHold = undefined;
    publish();
  }

  const raiseTask = async (
    kind: string,
    title: string,
    role: StaffRole,
    dueInHours: number,
    details: Record<string, string | number | boolean>,
  ) => {
    const taskId = uuid4();
    const taskWorkflowId = workflowId('task', taskId);
    openTasks.set(taskWorkflowId, kind);
    // The state that announced this task shows from now on, together with it (one atomic snapshot).
    shownState = undefined;
    const handle = await startChild(humanTask, {
      workflowId: taskWorkflowId,
      // The worklist row outlives this run; cancellation closes it explicitly (cancelTask), not by force.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      cancellationType: ChildWorkflowCancellationType.ABANDON,
      args: [
        {
          taskId,
          practiceId: intake.practiceId,
          patientId: intake.patientId,
          kind,
          assigneeRole: role,
          title,
          dueAt: new Date(new Date().getTime() + dueInHours * 3_600_000).toISOString(),
          parentWorkflowId: me,
          processKind: 'onboarding',
          details: { onboardingId: intake.onboardingId, ...details },
        },
      ],
    });
    return { taskWorkflowId, result: (): Promise<HumanTaskResult> => handle.result() };
  };

  /** A worker without a connector this process needs: an admin fixes the configuration, then retries. */
  const awaitConfiguration = async (activity: string): Promise<boolean> => {
    const task = await raiseTask(CONNECTOR_TASK_KIND, CONNECTOR_TASK_TITLE, 'admin', 4, { activity });
    const done = await task.result();
    openTasks.delete(task.taskWorkflowId);
    return done.state === 'completed';
  };
  const acts = waitingOnConfiguration(heldActs, awaitConfiguration);
  const booking = waitingOnConfiguration(heldBooking, awaitConfiguration);

  const closeTask = async (taskWorkflowId: string, reason: 'not_needed' | 'process_closed') => {
    if (!openTasks.delete(taskWorkflowId)) return;
    try {
      await getExternalWorkflowHandle(taskWorkflowId).signal(cancelTaskSignal, { reason });
    } catch {
      // Already completed by a person: nothing to close.
    }
  };

  /**
   * Send once per step id; inside quiet hours wait durably until the connector says and send again. A message
   * still waiting when `moot()` becomes true (by default: the onboarding is closing) is dropped, not sent late.
   */
  const sendMessage = async (
    step: OnboardingMessageStep,
    content: PatientMessageContent,
    moot: () => boolean = () => closing,
  ) => {
    for (;;) {
      const r = await acts.sendPatientMessage({
        messageId: onboardingMessageId(intake.onboardingId, step),
        practiceId: intake.practiceId,
        patientId: intake.patientId,
        workflowId: me,
        ...content,
      });
      if (r.status !== 'deferred') {
        messages.push({
          template: content.template,
          status: r.status === 'blocked' ? `blocked_${r.reason}` : r.status,
        });
        return r.status;
      }
      const wait = Math.max(1_000, Date.parse(r.until) - new Date().getTime());
      if (!patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) await sleep(wait);
      else if (await condition(moot, wait)) {
        messages.push({ template: content.template, status: 'dropped' });
        return 'dropped' as const;
      }
    }
  };

  // ─── steps ──────────────────────────────────────────────────────────────────────────────────────────

  /** One coverage until it is active, verified by phone, or a person gave up on it. */
  const verifyCoverage = async (index: number): Promise<EligibilitySummary | undefined> => {
    const view = coverageView[index]!;
    for (let round = 1; ; round++) {
      state = 'verifying_eligibility';
      publish();
      const coverage = coverages[index]!;
      view.verifications = round;
      let summary: EligibilitySummary | undefined;
      try {
        const verdict = await payer.verifyEligibility({
          practiceId: intake.practiceId,
          patientId: intake.patientId,
          coverageId: coverage.coverageId,
          checkId: uuid4(),
          traceNumber: eligibilityTraceNumber(intake.onboardingId, index, round),
          serviceDate: localDate(new Date(), intake.clinicTimeZone),
        });
        summary = verdict.summary;
      } catch (err) {
        // A record that failed its integrity check twice is not a payer problem: the process fails visibly.
        if (isCancellation(err) || unreadableRecord(err)) throw err;
        // Retries exhausted (or the payer answered nonsense): a person calls the payer.
      }
      let outcome: EligibilityOutcome = summary?.outcome ?? 'unreachable';
      view.outcome = outcome;
      if (summary?.authorizationRequired !== undefined)
        view.authorizationRequired = summary.authorizationRequired;
      if (summary?.copayCents !== undefined) view.copayCents = summary.copayCents;
      if (outcome === 'active') return summary;

      if (outcome === 'unreachable') {
        enterWithTask('awaiting_phone_verification');
        publish();
        await acts.setCoverageStatus(intake.practiceId, coverage.coverageId, 'needs_phone_verification');
        const task = await raiseTask(
          'verify_eligibility_by_phone',
          'Verify coverage by phone: the payer did not answer electronically',
          'front_desk',
          24,
          { coverageId: coverage.coverageId },
        );
        const done = await task.result();
        openTasks.delete(task.taskWorkflowId);
        const active = done.completion?.outcome['coverageActive'];
        if (done.state === 'cancelled' || active === undefined) return undefined;
        if (active === true) {
          await acts.setCoverageStatus(intake.practiceId, coverage.coverageId, 'active');
          view.outcome = 'verified_by_phone';
          const auth = done.completion?.outcome['authorizationRequired'];
          if (typeof auth === 'boolean') view.authorizationRequired = auth;
          return {
            outcome: 'active',
            rejectionReasons: [],
            ...(typeof auth === 'boolean' ? { authorizationRequired: auth } : {}),
          };
        }
        outcome = 'inactive';
        await acts.setCoverageStatus(intake.practiceId, coverage.coverageId, 'inactive');
      }

      // Inactive or not found: the front desk follows up, the patient is asked for new insurance details.
      enterWithTask('awaiting_coverage_update');
      publish();
      const task = await raiseTask(
        'update_insurance',
        outcome === 'not_found'
          ? 'Coverage not found at the payer: obtain updated insurance'
          : 'Coverage inactive: obtain updated insurance',
        'front_desk',
        48,
        { coverageId: coverage.coverageId, outcome },
      );
      const updated = () => coverageUpdates.some((u) => u.coverageId === coverage.coverageId);
      const request = () =>
        sendMessage(
          { kind: 'insurance_update_request', coverageIndex: index, round },
          { template: 'insurance_update_request', link: intake.insuranceUpdateLink },
          updated,
        );
      if (patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) {
        // The request waits out quiet hours on its own: an update that arrives meanwhile goes on at once
        // (and makes the request moot).
        const sent = request().then(
          () => undefined,
          (err: unknown) => err,
        );
        await condition(updated);
        const failed = await sent;
        if (failed) throw failed;
      } else {
        await request();
        await condition(updated);
      }
      const at = coverageUpdates.findIndex((u) => u.coverageId === coverage.coverageId);
      const update = coverageUpdates.splice(at, 1)[0]!;
      coverages[index] = {
        ...coverage,
        payerId: update.payerId,
        memberId: update.memberId.trim().toUpperCase(),
        ...(update.groupNumber ? { groupNumber: update.groupNumber } : {}),
      };
      await acts.saveCoverage({
        practiceId: intake.practiceId,
        patientId: intake.patientId,
        emrPatientId,
        coverage: coverages[index]!,
      });
      await closeTask(task.taskWorkflowId, 'not_needed');
    }
  };

  const startAuthorization = async (coverage: CoverageIntake) => {
    const authorizationId = uuid4();
    authorizationWorkflowId = workflowId('auth', authorizationId);
    await startChild(priorAuthorization, {
      workflowId: authorizationWorkflowId,
      // The authorization lives through the whole episode, long after onboarding completes.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      cancellationType: ChildWorkflowCancellationType.ABANDON,
      args: [
        {
          authorizationId,
          practiceId: intake.practiceId,
          patientId: intake.patientId,
          coverageId: coverage.coverageId,
          payerId: coverage.payerId,
          timezone: intake.clinicTimeZone,
          requestedVisits: intake.requestedAuthVisits,
          // The referral's diagnosis is what the 278 asks for.
          ...(intake.evaluation.diagnosisCode ? { diagnosisCodes: [intake.evaluation.diagnosisCode] } : {}),
          startDate: localDate(new Date(), intake.clinicTimeZone),
          urgency: 'standard',
          planOfCareContinues: true,
        },
      ],
    });
  };

  /** Hand-over: the checked-in evaluation is treatment day 1 of the episode. */
  const startPlanOfCare = async (referral: NonNullable<OnboardingIntake['referral']>) => {
    const episodeId = uuid4();
    planOfCareWorkflowId = workflowId('poc', episodeId);
    await startChild(planOfCare, {
      workflowId: planOfCareWorkflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      cancellationType: ChildWorkflowCancellationType.ABANDON,
      args: [
        {
          episodeId,
          practiceId: intake.practiceId,
          patientId: intake.patientId,
          referringPractitionerId: referral.referringPractitionerId,
          timezone: intake.clinicTimeZone,
          firstTreatmentDate: localDate(new Date(), intake.clinicTimeZone),
          referralSignedAndDated: referral.signedAndDated,
          ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
        },
      ],
    });
  };

  /**
   * Between booking and check-in: the appointment reminder (CONFIRM / CANCEL replies come back through the
   * messaging webhook) and, when the forms are still missing close to the visit, a front-desk task.
   */
  const preVisitTrack = async () => {
    const a = appointment;
    if (!a?.start) return;
    const start = a.start;
    const steps = [
      { at: hoursBefore(start, intake.appointmentReminderHoursBefore), kind: 'reminder' as const },
      { at: hoursBefore(start, intake.formsEscalationHoursBefore), kind: 'forms' as const },
    ].sort((x, y) => x.at - y.at);
    for (const step of steps) {
      const wait = step.at - new Date().getTime();
      if (wait > 0 && (await condition(() => closing, wait))) return;
      if (closing || new Date().getTime() >= Date.parse(start)) return;
      if (step.kind === 'reminder') {
        await sendMessage(
          { kind: 'appointment_reminder' },
          {
            template: 'appointment_reminder',
            appointment: {
              appointmentId:
                'appointmentId' in a ? (a as BookedEvaluation).appointmentId : a.emrAppointmentId,
              startsAt: start,
              ...(a.locationId ? { locationId: a.locationId } : {}),
            },
          },
        );
      } else if (forms.state !== 'completed' && !completedForms) {
        const task = await raiseTask(
          'intake_forms_overdue',
          'Intake forms not completed before the evaluation: follow up with the patient',
          'front_desk',
          Math.max(1, intake.formsEscalationHoursBefore / 2),
          {},
        );
        formsTask = task.taskWorkflowId;
      }
    }
  };

  /** Intake link, reminders at the configured offsets until the forms arrive, then write-back to the EMR. */
  const formsTrack = async () => {
    await sendMessage({ kind: 'intake_link' }, { template: 'intake_link', link: intake.intakeFormLink });
    forms.state = 'sent';
    const due = reminderTimes(new Date().getTime(), intake.formReminderOffsetsHours);
    for (const [n, at] of due.entries()) {
      const arrived = await condition(
        () => completedForms !== undefined || closing,
        Math.max(1, at - new Date().getTime()),
      );
      if (arrived) break;
      await sendMessage(
        { kind: 'form_reminder', n: n + 1 },
        { template: 'form_reminder', link: intake.intakeFormLink },
      );
      forms.remindersSent++;
    }
    await condition(() => completedForms !== undefined || closing);
    if (completedForms) {
      await acts.writeIntakeForms({ ...completedForms, emrPatientId });
      forms.state = 'completed';
      if (formsTask) await closeTask(formsTask, 'not_needed');
    }
  };

  const bookingTrack = async () => {
    if (!emrBooked) {
      state = 'scheduling';
      publish();
      const window = evaluationWindow(
        new Date(),
        intake.clinicTimeZone,
        intake.evaluation.leadDays,
        intake.evaluation.searchDays,
      );
      const e = intake.evaluation;
      const result = await booking.bookEvaluation({
        practiceId: intake.practiceId,
        patientId: intake.patientId,
        emrPatientId,
        appointmentId: uuid4(),
        request: {
          acuity: e.acuity,
          ...(e.diagnosisCode ? { diagnosisCode: e.diagnosisCode } : {}),
          ...(e.bodyRegion ? { bodyRegion: e.bodyRegion } : {}),
          preferredLocations: e.preferredLocations,
          otherLocationsAcceptable: e.otherLocationsAcceptable,
          timeZone: intake.clinicTimeZone,
          ...window,
          notBefore: new Date().toISOString(),
        },
      });
      // An appointment the EMR booked meanwhile wins (the front desk already told the patient about it):
      // ours is released so the patient is never booked twice.
      if (result.outcome === 'booked' && !emrBooked) appointment = result.appointment;
      else if (result.outcome === 'booked') {
        await acts.cancelEvaluation({
          practiceId: intake.practiceId,
          appointmentId: result.appointment.appointmentId,
          emrAppointmentId: result.appointment.emrAppointmentId,
        });
      }
      if (result.outcome === 'no_slot' && !emrBooked) {
        enterWithTask('needs_scheduling');
        publish();
        const task = await raiseTask(
          'schedule_evaluation',
          'No evaluation slot found: book the initial evaluation in the EMR',
          'front_desk',
          24,
          {},
        );
        await condition(() => emrBooked !== undefined);
        await closeTask(task.taskWorkflowId, 'not_needed');
      }
    }
    if (!appointment && emrBooked) {
      // Booked in the EMR: ask it when and where, so the reminder and the deadline still work.
      appointment = emrBooked.start
        ? emrBooked
        : await acts.getEvaluationAppointment(emrBooked.emrAppointmentId);
    }
  };

  const main = async () => {
    const reg = await acts.registerPatient({
      practiceId: intake.practiceId,
      patientId: intake.patientId,
      demographics: intake.demographics,
      preferredChannel: intake.preferredChannel,
      timezone: intake.patientTimeZone,
      messagingConsent: intake.messagingConsent,
    });
    emrPatientId = reg.emrPatientId;
    for (const coverage of coverages) {
      await acts.saveCoverage({
        practiceId: intake.practiceId,
        patientId: intake.patientId,
        emrPatientId,
        coverage,
      });
    }

    const summaries: (EligibilitySummary | undefined)[] = [];
    for (let i = 0; i < coverages.length; i++) summaries.push(await verifyCoverage(i));
    const primary = coverages[0];
    if (primary && summaries[0]?.authorizationRequired) await startAuthorization(primary);

    // Forms run beside booking; a failure there is kept and rethrown after booking, not left unhandled.
    const forms = formsTrack().then(
      () => undefined,
      (err: unknown) => err,
    );
    await bookingTrack();
    state = 'awaiting_check_in';
    publish(appointment?.start ? new Date(appointment.start) : null);
    const preVisit = preVisitTrack().then(
      () => undefined,
      (err: unknown) => err,
    );
    await condition(() => checkedIn);
    if (intake.referral) await startPlanOfCare(intake.referral);
    closing = true;
    if (patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) {
      // Checked in is the end of onboarding: the state says so now. A reminder still waiting out quiet hours is
      // moot (closing) and is dropped; nothing the tracks still do can hold the state.
      state = 'completed';
      publish(null);
      const trackError = (await forms) ?? (await preVisit);
      if (trackError) throw trackError;
      return;
    }
    const trackError = (await forms) ?? (await preVisit);
    if (trackError) throw trackError;
    state = 'completed';
    publish(null);
  };

  try {
    await mainScope.run(main);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      state = 'cancelled';
      shownState = undefined;
      closing = true;
      const a = appointment ?? emrBooked;
      if (a) {
        await acts.cancelEvaluation({
          practiceId: intake.practiceId,
          ...('appointmentId' in a ? { appointmentId: (a as BookedEvaluation).appointmentId } : {}),
          emrAppointmentId: a.emrAppointmentId,
        });
      }
      for (const id of [...openTasks.keys()]) await closeTask(id, 'process_closed');
      if (authorizationWorkflowId) {
        try {
          await getExternalWorkflowHandle(authorizationWorkflowId).cancel();
        } catch {
          // Already closed.
        }
      }
      publish(null);
    });
    // Cancelled through the signal: a normal end with the cancelled snapshot. Through Temporal: stay cancelled.
    if (!cancelReason) throw err;
  }
  await condition(allHandlersFinished);
  return snapshot();
}
