// The humanTask process's contract: its workflow type name, input and result, the signals that complete or
// cancel a task and the query of its state. What the API, other processes and tests import.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TaskState } from '../../domain/task-core.js';
import type { HumanTaskInput, TaskCompletion } from '../../domain/tasks.js';

export const HUMAN_TASK_WORKFLOW_TYPE = 'humanTask' as const;

export type { HumanTaskInput, TaskCompletion };

export interface HumanTaskResult {
  state: 'completed' | 'cancelled';
  completion?: TaskCompletion;
  /** Whether it was finished only after its due date (it had been escalated). */
  overdue: boolean;
}

export type HumanTaskWorkflow = (input: HumanTaskInput) => Promise<HumanTaskResult>;

export interface HumanTaskStatus {
  taskId: string;
  state: TaskState;
  kind: string;
  assigneeRole: string;
  dueAt: string;
  overdue: boolean;
}

export const completeTaskSignal = defineSignal<[TaskCompletion]>('completeTask');
export const cancelTaskSignal =
  defineSignal<[{ reason: 'process_closed' | 'duplicate' | 'not_needed' }]>('cancelTask');
export const humanTaskStatusQuery = defineQuery<HumanTaskStatus>('status');
