// humanTask: one task on the staff worklist, from raised to done. It writes the worklist row, waits durably
// for a person to complete it (signal from the API), escalates when the due date passes (NeedsAttention in the
// Temporal UI), and returns the outcome to whoever started it — processes start it as a child workflow.
// Since TASK_SEARCH_ATTRIBUTES_PATCH it carries, from its first workflow task, the search attributes staff filter
// on (practice, kind, state, needs attention, role, due date), so README's staff queries find it.
import {
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { taskCurrentDetails } from '../../domain/process-summaries.js';
import { msUntilDue, type TaskState } from '../../domain/task-core.js';
// Types only: the schemas (zod) are loaded lazily below (see humanTask).
import type { HumanTaskInput, TaskCompletion } from '../../domain/tasks.js';
import {
  cancelTaskSignal,
  completeTaskSignal,
  humanTaskStatusQuery,
  type HumanTaskResult,
} from './messages.js';
import {
  DueAt,
  NeedsAttention,
  NextDeadline,
  PracticeId,
  ProcessKind,
  ProcessStatus,
  TaskRole,
} from '../shared/search-attributes.js';

/**
 * One upsert before the worklist row is written: histories recorded before it (test/histories/humanTask/v1)
 * replay without it.
 */
export const TASK_SEARCH_ATTRIBUTES_PATCH = 'humanTask-search-attributes';

/** Worklist writes are quick database calls: short timeout, bounded retries. */
export const taskActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 20,
  },
} as const;

const worklist = proxyActivities<Activities>(taskActivityOptions);

export async function humanTask(rawInput: HumanTaskInput): Promise<HumanTaskResult> {
  // The schemas (zod) are loaded here, not at module load: every cached workflow evaluates the bundle's modules
  // in its own module cache, so a static import would make every cached workflow of every kind pay for zod
  // (issue #8). Same checks, same result; the await issues no command and signals wait for their handler.
  const { humanTaskInputSchema, taskCompletionSchema } = await import(
    /* webpackMode: "eager" */ '../../domain/tasks.js'
  );
  const task = humanTaskInputSchema.parse(rawInput);
  let state: TaskState = 'open';
  let completion: TaskCompletion | undefined;
  let overdue = false;

  setHandler(completeTaskSignal, (c) => {
    if (state === 'open' || state === 'escalated') {
      completion = taskCompletionSchema.parse(c);
      state = 'completed';
    }
  });
  setHandler(cancelTaskSignal, () => {
    if (state === 'open' || state === 'escalated') state = 'cancelled';
  });
  setHandler(humanTaskStatusQuery, () => ({
    taskId: task.taskId,
    state,
    kind: task.kind,
    assigneeRole: task.assigneeRole,
    dueAt: task.dueAt,
    overdue,
  }));

  if (patched(TASK_SEARCH_ATTRIBUTES_PATCH)) {
    // An opaque id, a kind, a role, a state, a flag and dates only: Temporal stores these unencrypted. No
    // PatientId: a patient filter (`/v1/processes?patientId=`) keeps meaning the patient's processes.
    upsertSearchAttributes([
      { key: ProcessKind, value: 'humanTask' },
      { key: PracticeId, value: task.practiceId },
      { key: TaskRole, value: task.assigneeRole },
      { key: DueAt, value: new Date(task.dueAt) },
      { key: NeedsAttention, value: false },
      { key: ProcessStatus, value: 'open' },
      { key: NextDeadline, value: new Date(task.dueAt) },
    ]);
  }
  await worklist.openTask(task);
  upsertSearchAttributes([
    { key: ProcessStatus, value: 'open' },
    { key: NextDeadline, value: new Date(task.dueAt) },
  ]);
  // Where it stands, for the Temporal UI: a payload read by a query (no command), encrypted by the codec. What
  // the task asks, for whom and by when is its static summary (set by whoever raised it: raise-task.ts).
  setCurrentDetails(taskCurrentDetails('open'));

  const isDone = () => state === 'completed' || state === 'cancelled';
  const doneInTime = await condition(isDone, msUntilDue(task, new Date(workflowInfo().startTime)) || 1);
  if (!doneInTime) {
    overdue = true;
    state = 'escalated';
    await worklist.escalateTask(task.taskId);
    upsertSearchAttributes([
      { key: ProcessStatus, value: 'escalated' },
      { key: NeedsAttention, value: true },
    ]);
    setCurrentDetails(taskCurrentDetails('escalated'));
    await condition(isDone);
  }

  const final = state as 'completed' | 'cancelled';
  await worklist.closeTask(task.taskId, { state: final, completion });
  upsertSearchAttributes([
    { key: ProcessStatus, value: final },
    { key: NeedsAttention, value: false },
    { key: NextDeadline, value: null },
  ]);
  setCurrentDetails(taskCurrentDetails(final, completion?.completedBy));
  return { state: final, completion, overdue };
}
