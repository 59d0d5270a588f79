// Reads every tenant table's repository makes: a row by our id *within a practice* (another practice's row with
// the same id is simply not found), and the ids whose keyed lookup hash matches (blind index, no decryption).
import { and, eq } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../connection.js';

type TenantTable = PgTable & { id: PgColumn; practiceId: PgColumn };

/** The row with this id in this practice, if any. */
export async function ownedRow<T extends TenantTable>(
  db: Database,
  table: T,
  practiceId: string,
  id: string,
): Promise<T['$inferSelect'] | undefined> {
  const rows = await db
    .select()
    .from(table as PgTable)
    .where(and(eq(table.id, id), eq(table.practiceId, practiceId)));
  return rows[0] as T['$inferSelect'] | undefined;
}

/** Ids of the practice's rows whose lookup hash column equals `hash`. */
export async function idsByHash<T extends TenantTable>(
  db: Database,
  table: T,
  practiceId: string,
  hashColumn: PgColumn,
  hash: string,
): Promise<string[]> {
  const rows = await db
    .select({ id: table.id })
    .from(table as PgTable)
    .where(and(eq(table.practiceId, practiceId), eq(hashColumn, hash)));
  return rows.map((r) => String(r.id));
}
