// Worklist activities. Idempotent: a task row is keyed by its task id (dedupe key), so a retried activity or
// a replayed workflow never raises the same task twice, and state changes are conditional updates.
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { createTaskRepository, TaskOutcomeKeyringMissing } from '../../db/repositories/tasks.js';
import { tasks } from '../../db/schema.js';
import type { HumanTask, TaskCompletion } from '../../domain/tasks.js';

export function createTaskActivities({ db, dataKeyring }: { db: Database; dataKeyring?: Keyring }) {
  // The outcome is PHI (staff type free text): stored encrypted by the repository, never in clear.
  const repository = createTaskRepository(db, dataKeyring);
  return {
    async openTask(task: HumanTask): Promise<void> {
      await db
        .insert(tasks)
        .values({
          id: task.taskId,
          dedupeKey: `task:${task.taskId}`,
          practiceId: task.practiceId,
          patientId: task.patientId ?? null,
          kind: task.kind,
          assigneeRole: task.assigneeRole,
          title: task.title,
          dueAt: new Date(task.dueAt),
          workflowId: task.parentWorkflowId,
          processKind: task.processKind,
          details: task.details,
        })
        .onConflictDoNothing();
    },

    /** A task's worklist status (open, escalated, completed, cancelled), or undefined when there is no row. */
    async taskStatus(taskId: string): Promise<string | undefined> {
      const [row] = await db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskId));
      return row?.status;
    },

    async escalateTask(taskId: string): Promise<void> {
      await db
        .update(tasks)
        .set({ status: 'escalated', updatedAt: new Date() })
        .where(and(eq(tasks.id, taskId), eq(tasks.status, 'open')));
    },

    async closeTask(
      taskId: string,
      result: { state: 'completed' | 'cancelled'; completion?: TaskCompletion },
    ) {
      try {
        await repository.close(taskId, result);
      } catch (err) {
        // A worker without the data keyring cannot store an answer: fail visibly, never store it in clear.
        if (err instanceof TaskOutcomeKeyringMissing) {
          throw ApplicationFailure.nonRetryable(err.message, 'DataKeyringNotConfigured');
        }
        throw err;
      }
    },
  };
}
