// Completing a task, the one code path behind `POST /v1/tasks/:id/complete` and the console's task form:
// tenancy (another practice's task is 404), the role check, the state check, then the `completeTask` signal to
// the task's workflow, which records the outcome and resumes the process waiting for it.
import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import { tasks } from '../db/schema.js';
import { workflowId } from '../domain/ids.js';
import { taskCompletionSchema, type TaskCompletion } from '../domain/tasks.js';
import { completeTaskSignal } from '../workflows/tasks/messages.js';
import type { Principal } from './auth/principal.js';
import { HttpProblem, problem } from './problem.js';

export interface TaskServiceDeps {
  db: Database;
  temporal: Client;
}

/**
 * Completes a task for `principal`: 404 when the task is not in the caller's practice, 403 when it is another
 * role's (admins may complete any), 409 when it is no longer open; otherwise signals its workflow.
 */
export async function completeTask(
  deps: TaskServiceDeps,
  principal: Principal,
  taskId: string,
  outcome: TaskCompletion['outcome'],
): Promise<{ id: string; status: 'completing' }> {
  const parsed = taskCompletionSchema.shape.outcome.parse(outcome);
  const rows = await deps.db
    .select({ id: tasks.id, status: tasks.status, assigneeRole: tasks.assigneeRole })
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.practiceId, principal.practiceId)))
    .limit(1);
  const task = rows[0];
  if (!task) throw new HttpProblem(problem(404, 'No such task.'));
  if (principal.role !== 'admin' && principal.role !== task.assigneeRole) {
    throw new HttpProblem(problem(403, 'This task is assigned to another role.'));
  }
  if (task.status !== 'open' && task.status !== 'escalated') {
    throw new HttpProblem(problem(409, 'The task is no longer open.'));
  }
  await deps.temporal.workflow
    .getHandle(workflowId('task', task.id))
    .signal(completeTaskSignal, { completedBy: principal.id, outcome: parsed });
  return { id: task.id, status: 'completing' };
}
