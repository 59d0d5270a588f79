// The payers a practice bills (table `practice_payers`): the payer id its coverages and claims carry, the
// clearinghouse's id for it, and the payer profile whose rules (units, KX, authorization, timely filing) apply.
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { practicePayers } from '../schema.js';

export interface PracticePayer {
  payerId: string;
  name: string;
  profileId: string;
  clearinghousePayerId: string | null;
  active: boolean;
}

const view = (r: typeof practicePayers.$inferSelect): PracticePayer => ({
  payerId: r.payerId,
  name: r.name,
  profileId: r.profileId,
  clearinghousePayerId: r.clearinghousePayerId,
  active: r.active,
});

export function createPracticePayerRepository(db: Database) {
  return {
    async list(practiceId: string): Promise<PracticePayer[]> {
      const rows = await db
        .select()
        .from(practicePayers)
        .where(eq(practicePayers.practiceId, practiceId))
        .orderBy(asc(practicePayers.payerId));
      return rows.map(view);
    },

    async get(practiceId: string, payerId: string): Promise<PracticePayer | undefined> {
      const [row] = await db
        .select()
        .from(practicePayers)
        .where(and(eq(practicePayers.practiceId, practiceId), eq(practicePayers.payerId, payerId)));
      return row ? view(row) : undefined;
    },

    /** Adds or replaces the practice's entry for this payer id. */
    async put(
      practiceId: string,
      payerId: string,
      p: { name: string; profileId: string; clearinghousePayerId?: string; active?: boolean },
    ): Promise<PracticePayer> {
      const values = {
        practiceId,
        payerId,
        name: p.name,
        profileId: p.profileId,
        clearinghousePayerId: p.clearinghousePayerId ?? null,
        active: p.active ?? true,
        updatedAt: new Date(),
      };
      const [row] = await db
        .insert(practicePayers)
        .values(values)
        .onConflictDoUpdate({ target: [practicePayers.practiceId, practicePayers.payerId], set: values })
        .returning();
      return view(row!);
    },
  };
}
