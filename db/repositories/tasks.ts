// The outcome of a worklist task: what the person answered when completing it. Staff type free text there (a
// patient's name was found in clear, issue #12), so it is a PHI column like the others (encrypted in the
// application): stored only as `outcome_enc` (AES-256-GCM under the data keyring, AAD
// `practice_id|tasks|outcome_enc|id`, the key id in `key_id`, re-encrypted by `ptflow keys rotate`). Every
// write and read of it goes through this file; a value that cannot be decrypted throws FieldDecryptionError
// (never read as "no outcome").
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptFieldText, encryptField } from '../crypto/field-encryption.js';
import type { Keyring } from '../crypto/keyring.js';
import { tasks } from '../schema.js';
import type { TaskCompletion } from '../../domain/tasks.js';

export type TaskOutcome = TaskCompletion['outcome'];

/** The AAD place of a task's outcome: its practice, table, column and task id. */
export const taskOutcomeContext = (task: { practiceId: string; id: string }) =>
  fieldContext('tasks', 'outcome_enc', { tenant: task.practiceId, rowId: task.id });

/** The stored form of an outcome (ciphertext and key id). */
export function encryptTaskOutcome(
  keyring: Keyring,
  task: { practiceId: string; id: string },
  outcome: TaskOutcome,
): { outcomeEnc: Buffer; keyId: string } {
  const field = encryptField(JSON.stringify(outcome), taskOutcomeContext(task), keyring);
  return { outcomeEnc: field.data, keyId: field.keyId };
}

/** A stored outcome in clear, or null when the task has none. Throws FieldDecryptionError when unreadable. */
export function decryptTaskOutcome(
  keyring: Keyring,
  row: { practiceId: string; id: string; outcomeEnc: Buffer | null },
): TaskOutcome | null {
  if (row.outcomeEnc === null) return null;
  return JSON.parse(decryptFieldText(row.outcomeEnc, taskOutcomeContext(row), keyring)) as TaskOutcome;
}

export class TaskOutcomeKeyringMissing extends Error {
  constructor() {
    super('a task outcome must be stored encrypted, and no data keyring is configured');
    this.name = 'TaskOutcomeKeyringMissing';
  }
}

export function createTaskRepository(db: Database, keyring: Keyring | undefined) {
  const ring = (): Keyring => {
    if (!keyring) throw new TaskOutcomeKeyringMissing();
    return keyring;
  };
  return {
    /**
     * Close an open or escalated task, storing who completed it and the outcome (encrypted). An empty outcome
     * (`{}`: nothing was answered) needs no key and is stored as none; any answer needs the data keyring.
     */
    async close(
      taskId: string,
      result: { state: 'completed' | 'cancelled'; completion?: TaskCompletion },
      now: Date = new Date(),
    ): Promise<void> {
      const [row] = await db.select({ practiceId: tasks.practiceId }).from(tasks).where(eq(tasks.id, taskId));
      if (!row) return;
      const outcome = result.completion?.outcome;
      const stored =
        outcome !== undefined && Object.keys(outcome).length > 0
          ? encryptTaskOutcome(ring(), { practiceId: row.practiceId, id: taskId }, outcome)
          : { outcomeEnc: null, keyId: null };
      await db
        .update(tasks)
        .set({
          status: result.state,
          ...stored,
          completedBy: result.completion?.completedBy ?? null,
          completedAt: now,
          updatedAt: now,
        })
        .where(and(eq(tasks.id, taskId), inArray(tasks.status, ['open', 'escalated'])));
    },

    /** The outcome of a task in clear (undefined: no such task; null: no outcome). */
    async outcome(taskId: string): Promise<TaskOutcome | null | undefined> {
      const [row] = await db
        .select({ id: tasks.id, practiceId: tasks.practiceId, outcomeEnc: tasks.outcomeEnc })
        .from(tasks)
        .where(eq(tasks.id, taskId));
      if (!row) return undefined;
      return row.outcomeEnc === null ? null : decryptTaskOutcome(ring(), row);
    },
  };
}

/**
 * The data step between migrations 0011 and 0012: encrypt every clear `tasks.outcome` into `outcome_enc` and
 * clear it, in batches, so 0012 can drop the column. Raw SQL: the schema no longer knows the clear column.
 * Rows with a clear outcome and no keyring stop the migration (the clear column must not be dropped with
 * answers still in it). Returns how many rows it encrypted.
 */
export async function encryptClearTaskOutcomes(
  db: Database,
  keyring: Keyring | undefined,
  batchSize = 500,
): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = (await db.execute(sql`
      select id::text as id, practice_id::text as practice_id, outcome::text as outcome
      from tasks where outcome is not null order by id limit ${batchSize}`)) as unknown as {
      id: string;
      practice_id: string;
      outcome: string;
    }[];
    if (rows.length === 0) return done;
    if (!keyring) {
      throw new Error(
        'tasks.outcome holds clear answers that migration 0012 would drop: run the migrations with the data ' +
          'keyring (PTFLOW_DATA_KEYS / PTFLOW_ACTIVE_DATA_KEY_ID: `ptflow migrate`) to encrypt them first',
      );
    }
    for (const row of rows) {
      const enc = encryptTaskOutcome(
        keyring,
        { practiceId: row.practice_id, id: row.id },
        JSON.parse(row.outcome) as TaskOutcome,
      );
      // Only the row as it was read: a concurrent writer is not overwritten (it is read again next batch).
      await db.execute(sql`
        update tasks set outcome_enc = ${enc.outcomeEnc}, key_id = ${enc.keyId}, outcome = null
        where id = ${row.id}::uuid and outcome::text = ${row.outcome}`);
      done++;
    }
  }
}

/** Which of these task ids have a worklist row already, in any status (a closed task is not raised again). */
export async function existingTaskIds(db: Database, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: tasks.id }).from(tasks).where(inArray(tasks.id, ids));
  return new Set(rows.map((r) => r.id));
}
