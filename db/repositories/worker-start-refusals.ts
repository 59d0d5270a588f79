// Why the last worker of a task queue refused to start (issue #14): written by `ptflow worker` when its
// configuration stops it, cleared when a worker of the queue starts, read by the API's /readyz. Variable names
// and reasons only — never a value.
import { eq } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { workerStartRefusals } from '../schema.js';

export interface WorkerStartRefusal {
  taskQueue: string;
  variables: string;
  reason: string;
  refusedAt: Date;
}

/** Record, clear and read the start refusal of a task queue's workers. */
export function createWorkerStartRefusals(db: Database) {
  return {
    /** The worker refused to start: the variables it named and why (replaces an earlier refusal). */
    async record(taskQueue: string, variables: string, reason: string): Promise<void> {
      await db
        .insert(workerStartRefusals)
        .values({ taskQueue, variables, reason, refusedAt: new Date() })
        .onConflictDoUpdate({
          target: workerStartRefusals.taskQueue,
          set: { variables, reason, refusedAt: new Date() },
        });
    },
    /** A worker of the queue started: an earlier refusal no longer describes it. */
    async clear(taskQueue: string): Promise<void> {
      await db.delete(workerStartRefusals).where(eq(workerStartRefusals.taskQueue, taskQueue));
    },
    async latest(taskQueue: string): Promise<WorkerStartRefusal | undefined> {
      const rows = await db
        .select()
        .from(workerStartRefusals)
        .where(eq(workerStartRefusals.taskQueue, taskQueue));
      return rows[0];
    },
  };
}
