// The practices we serve (table `practices`): name, NPI and the time zone every practice-local date is computed
// in (deadlines, digests, "today" of the schedules). Rows are written by the seed and by provisioning.
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { practices } from '../schema.js';

export type Practice = typeof practices.$inferSelect;

export function createPracticeRepository(db: Database) {
  return {
    /** The practice with this id, or nothing. */
    async get(practiceId: string): Promise<Practice | undefined> {
      const [row] = await db.select().from(practices).where(eq(practices.id, practiceId));
      return row;
    },

    /** Those of `practiceIds` that are on file (in no particular order). */
    async existing(practiceIds: readonly string[]): Promise<string[]> {
      if (practiceIds.length === 0) return [];
      const rows = await db
        .select({ id: practices.id })
        .from(practices)
        .where(inArray(practices.id, [...practiceIds]));
      return rows.map((r) => r.id);
    },
  };
}
