// One onboarding run: what it knows so far (the state behind the status query) and the building blocks every
// step uses — publishing the state to the search attributes, raising and closing staff tasks, sending patient
// messages that may wait out quiet hours, and the activity stubs wrapped so that a record failing its integrity
// check holds the onboarding and a missing connector raises a configuration task.
import {
  ChildWorkflowCancellationType,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  sleep,
  setCurrentDetails,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { BookedEvaluation, PatientMessageContent } from '../../activities/onboarding/index.js';
import { workflowId } from '../../domain/ids.js';
import { personName } from '../../domain/process-summaries.js';
import type { CoverageIntake, OnboardingIntake } from '../../domain/onboarding/intake.js';
import { onboardingMessageId, type OnboardingMessageStep } from '../../domain/onboarding/steps.js';
import type { StaffRole } from '../../domain/tasks.js';
import {
  CONNECTOR_TASK_KIND,
  CONNECTOR_TASK_TITLE,
  waitingOnConfiguration,
} from '../shared/connector-wait.js';
import { NeedsAttention, NextDeadline, ProcessStatus } from '../shared/search-attributes.js';
import { cancelTaskSignal, type HumanTaskInput, type HumanTaskResult } from '../tasks/messages.js';
import { taskMetadata } from '../tasks/raise-task.js';
import { humanTask } from '../tasks/workflow.js';
import {
  bookingActivityOptions,
  eligibilityActivityOptions,
  onboardingActivityOptions,
} from './activity-options.js';
import type {
  AppointmentBooked,
  CoverageUpdate,
  CoverageView,
  IntakeFormsCompleted,
  IntegrityHold,
  OnboardingCancel,
  OnboardingState,
  OnboardingStatus,
} from './messages.js';
import { unreadableRecord } from './integrity.js';
import { MESSAGES_DO_NOT_HOLD_STATE_PATCH, RECORD_INTEGRITY_HOLD_PATCH } from './patches.js';

/** How often a held onboarding looks at its security task. */
const INTEGRITY_TASK_POLL_MS = 10 * 60_000;

const plainActivities = proxyActivities<Activities>(onboardingActivityOptions);
const plainPayerActivities = proxyActivities<Activities>(eligibilityActivityOptions);
const plainBookingActivities = proxyActivities<Activities>(bookingActivityOptions);

/** States that wait for a person: they set NeedsAttention. */
const STATES_NEEDING_ATTENTION: readonly OnboardingState[] = [
  'awaiting_coverage_update',
  'awaiting_phone_verification',
  'needs_scheduling',
];

/** A promise that never rejects: resolves with the error it failed with, or undefined. */
export function settled(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (err: unknown) => err,
  );
}

/**
 * Child options of what outlives the onboarding (a task, the authorization, the plan of care): neither the
 * onboarding's end nor its cancellation touches it.
 */
export const OUTLIVES_ONBOARDING = {
  parentClosePolicy: ParentClosePolicy.ABANDON,
  cancellationType: ChildWorkflowCancellationType.ABANDON,
} as const;

/** A raised staff task: its workflow id and a way to wait for the person's answer. */
export interface RaisedTask {
  taskWorkflowId: string;
  result: () => Promise<HumanTaskResult>;
}

/** A coverage of the intake: its current details and what the status shows about it. */
export interface CoverageEntry {
  details: CoverageIntake;
  view: CoverageView;
}

export class OnboardingRun {
  readonly workflowId = workflowInfo().workflowId;
  state: OnboardingState = 'registering';
  /**
   * The state the status shows while a state that comes with a task waits for that task to count in
   * `openTasks` (an activity may run in between): the snapshot never shows the new state without its task.
   */
  shownState: OnboardingState | undefined;
  emrPatientId = '';
  /** The coverages by priority, as last given (an insurance update replaces the details). */
  readonly coverages: CoverageEntry[];
  readonly forms: OnboardingStatus['forms'] = { state: 'not_sent', remindersSent: 0 };
  readonly messages: OnboardingStatus['messages'] = [];
  appointment: BookedEvaluation | AppointmentBooked | undefined;
  /** The appointment the EMR booked (in the intake or by the `appointmentBooked` signal). */
  emrBooked: AppointmentBooked | undefined;
  authorizationWorkflowId: string | undefined;
  planOfCareWorkflowId: string | undefined;
  /** The "forms overdue" task, closed when the forms arrive. */
  formsTask: string | undefined;
  completedForms: IntakeFormsCompleted | undefined;
  checkedIn = false;
  /** Checked in or cancelled: what still waits (reminders, messages in quiet hours) becomes moot. */
  closing = false;
  cancelReason: OnboardingCancel['reason'] | undefined;
  /** Insurance updates not yet taken up by the coverage they are for. */
  readonly coverageUpdates: CoverageUpdate[] = [];
  /** Task workflow ids still open, with what they are about (closed when moot, all closed on cancel). */
  readonly openTasks = new Map<string, string>();
  /** Coverage ids the nightly re-verification reported inactive / not found (signal `coverageChecked`). */
  readonly coverageAlerts = new Set<string>();
  integrityHold: IntegrityHold | undefined;

  /** Our database and the EMR: held on an unreadable record, waiting on a missing connector. */
  readonly activities: Activities;
  /** The payer's eligibility check: held on an unreadable record (an unreachable payer means a phone call). */
  readonly payerActivities: Activities;
  /** Slot search and booking: held on an unreadable record, waiting on a missing connector. */
  readonly bookingActivities: Activities;

  constructor(readonly intake: OnboardingIntake) {
    this.coverages = [...intake.coverages]
      .sort((a, b) => a.priority - b.priority)
      .map((details) => ({
        details,
        view: { coverageId: details.coverageId, priority: details.priority, verifications: 0 },
      }));
    this.emrBooked = intake.existingAppointment;
    const awaitConfiguration = (activity: string, reason: string) =>
      this.awaitConfiguration(activity, reason);
    this.activities = waitingOnConfiguration(this.held(plainActivities), awaitConfiguration);
    this.payerActivities = this.held(plainPayerActivities);
    this.bookingActivities = waitingOnConfiguration(this.held(plainBookingActivities), awaitConfiguration);
  }

  needsAttention(state: OnboardingState): boolean {
    return (
      STATES_NEEDING_ATTENTION.includes(state) ||
      this.integrityHold !== undefined ||
      (this.coverageAlerts.size > 0 && state !== 'completed' && state !== 'cancelled')
    );
  }

  /** Enter a state whose task is raised next: the status shows it once the task counts. */
  enterWithTask(next: OnboardingState): void {
    this.shownState ??= this.state;
    this.state = next;
  }

  /** The status query's answer. */
  status(): OnboardingStatus {
    const shown = this.shownState ?? this.state;
    const { appointment, authorizationWorkflowId, planOfCareWorkflowId, integrityHold, cancelReason } = this;
    return {
      onboardingId: this.intake.onboardingId,
      patientId: this.intake.patientId,
      state: shown,
      coverages: this.coverages.map(({ view }) => ({ ...view })),
      forms: { ...this.forms },
      messages: [...this.messages],
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
      openTasks: this.openTasks.size,
      needsAttention: this.needsAttention(shown),
      ...(this.coverageAlerts.size > 0 ? { coverageAlerts: [...this.coverageAlerts] } : {}),
      ...(integrityHold ? { integrityHold: { ...integrityHold } } : {}),
      ...(cancelReason ? { cancelReason } : {}),
    };
  }

  /** State and NeedsAttention to the search attributes; `deadline` sets (or with null clears) NextDeadline. */
  publish(deadline?: Date | null): void {
    upsertSearchAttributes([
      { key: ProcessStatus, value: this.state },
      { key: NeedsAttention, value: this.needsAttention(this.state) },
      ...(deadline !== undefined ? [{ key: NextDeadline, value: deadline }] : []),
    ]);
    // Where it stands, for the Temporal UI (read by a query: no command; the codec encrypts it).
    setCurrentDetails(
      `${this.state.replace(/_/g, ' ')}${this.needsAttention(this.state) ? ' (needs attention)' : ''}${this.openTasks.size ? `, ${this.openTasks.size} open task(s)` : ''}`,
    );
  }

  /** The patient's name, for the summaries of this onboarding's tasks and processes (encrypted user metadata). */
  get patientName(): string | undefined {
    return personName(this.intake.demographics);
  }

  /**
   * Activities through this proxy hold the onboarding when a record they read fails its integrity check: the
   * state stays, NeedsAttention is set, and once the security task is closed the step runs again (once).
   */
  private held<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (stubs, key) => {
        const activity = (stubs as Record<string | symbol, unknown>)[key] as (
          ...args: unknown[]
        ) => Promise<unknown>;
        return async (...args: unknown[]) => {
          for (let holds = 0; ; holds++) {
            try {
              return await activity(...args);
            } catch (err) {
              const problem = unreadableRecord(err);
              if (!problem || holds > 0 || !patched(RECORD_INTEGRITY_HOLD_PATCH)) throw err;
              await this.holdForIntegrity(problem);
            }
          }
        };
      },
    });
  }

  /** Wait (cancellable) until the record's security task is closed; without a task, until cancelled. */
  private async holdForIntegrity(problem: IntegrityHold) {
    this.integrityHold = problem;
    this.publish();
    const { taskId } = problem;
    if (taskId === undefined) {
      await condition(() => false);
    } else {
      for (;;) {
        await sleep(INTEGRITY_TASK_POLL_MS);
        const status = await plainActivities.taskStatus(taskId);
        if (status === 'completed' || status === 'cancelled') break;
      }
    }
    this.integrityHold = undefined;
    this.publish();
  }

  /** A staff task on the worklist (a `humanTask` child that outlives this run), counted in `openTasks`. */
  async raiseTask(
    kind: string,
    title: string,
    role: StaffRole,
    dueInHours: number,
    details: Record<string, string | number | boolean>,
  ): Promise<RaisedTask> {
    const taskId = uuid4();
    const taskWorkflowId = workflowId('task', taskId);
    this.openTasks.set(taskWorkflowId, kind);
    // The state that announced this task shows from now on, together with it (one atomic snapshot).
    this.shownState = undefined;
    // The worklist row outlives this run; cancellation closes it explicitly (cancelTask), not by force.
    const input: HumanTaskInput = {
      taskId,
      practiceId: this.intake.practiceId,
      patientId: this.intake.patientId,
      kind,
      assigneeRole: role,
      title,
      dueAt: new Date(new Date().getTime() + dueInHours * 3_600_000).toISOString(),
      parentWorkflowId: this.workflowId,
      processKind: 'onboarding',
      details: { onboardingId: this.intake.onboardingId, ...details },
    };
    const handle = await startChild(humanTask, {
      workflowId: taskWorkflowId,
      ...OUTLIVES_ONBOARDING,
      // What to do, for whom, by when: user metadata, encrypted by the payload codec (it names the patient).
      ...taskMetadata(input, { patientName: this.patientName, timeZone: this.intake.clinicTimeZone }),
      args: [input],
    });
    return { taskWorkflowId, result: (): Promise<HumanTaskResult> => handle.result() };
  }

  /** A worker without a connector this process needs: an admin fixes the configuration, then retries. */
  private async awaitConfiguration(activity: string, reason: string): Promise<boolean> {
    const task = await this.raiseTask(
      CONNECTOR_TASK_KIND,
      CONNECTOR_TASK_TITLE,
      'admin',
      4,
      reason ? { activity, reason } : { activity },
    );
    const done = await task.result();
    this.openTasks.delete(task.taskWorkflowId);
    return done.state === 'completed';
  }

  /** Close an open task that became moot (or every one when the onboarding is cancelled). */
  async closeTask(taskWorkflowId: string, reason: 'not_needed' | 'process_closed'): Promise<void> {
    if (!this.openTasks.delete(taskWorkflowId)) return;
    try {
      await getExternalWorkflowHandle(taskWorkflowId).signal(cancelTaskSignal, { reason });
    } catch {
      // Already completed by a person: nothing to close.
    }
  }

  /**
   * Send once per step id; inside quiet hours wait durably until the connector says and send again. A message
   * still waiting when `moot()` becomes true (by default: the onboarding is closing) is dropped, not sent late.
   */
  async sendMessage(
    step: OnboardingMessageStep,
    content: PatientMessageContent,
    moot: () => boolean = () => this.closing,
  ) {
    for (;;) {
      const result = await this.activities.sendPatientMessage({
        messageId: onboardingMessageId(this.intake.onboardingId, step),
        practiceId: this.intake.practiceId,
        patientId: this.intake.patientId,
        workflowId: this.workflowId,
        ...content,
      });
      if (result.status !== 'deferred') {
        this.messages.push({
          template: content.template,
          status: result.status === 'blocked' ? `blocked_${result.reason}` : result.status,
        });
        return result.status;
      }
      const wait = Math.max(1_000, Date.parse(result.until) - new Date().getTime());
      if (!patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) await sleep(wait);
      else if (await condition(moot, wait)) {
        this.messages.push({ template: content.template, status: 'dropped' });
        return 'dropped' as const;
      }
    }
  }
}
