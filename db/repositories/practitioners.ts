// The practitioner directory (table `practitioners`): names and NPIs for the 837P's rendering provider (2310B).
// Rows come from the EMR's Practitioner resources (`syncFromEmr`, source emr) or from an admin (`upsert`, source
// admin). An admin's row wins: a later EMR sync never overwrites it. Names and NPIs are public provider data.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { practitioners } from '../schema.js';

export interface PractitionerEntry {
  npi: string;
  lastName: string;
  firstName?: string;
  taxonomy?: string;
  active: boolean;
  source: 'emr' | 'admin';
}

type Row = typeof practitioners.$inferSelect;

const toEntry = (r: Row): PractitionerEntry => ({
  npi: r.npi,
  lastName: r.lastName,
  ...(r.firstName ? { firstName: r.firstName } : {}),
  ...(r.taxonomy ? { taxonomy: r.taxonomy } : {}),
  active: r.active,
  source: r.source,
});

export function createPractitionerRepository(db: Database) {
  return {
    /** The active entry for an NPI in this practice, or nothing. */
    async findActive(practiceId: string, npi: string): Promise<PractitionerEntry | undefined> {
      const [row] = await db
        .select()
        .from(practitioners)
        .where(
          and(
            eq(practitioners.practiceId, practiceId),
            eq(practitioners.npi, npi),
            eq(practitioners.active, true),
          ),
        );
      return row ? toEntry(row) : undefined;
    },

    async list(practiceId: string): Promise<PractitionerEntry[]> {
      const rows = await db
        .select()
        .from(practitioners)
        .where(eq(practitioners.practiceId, practiceId))
        .orderBy(practitioners.lastName, practitioners.npi);
      return rows.map(toEntry);
    },

    /** An admin's entry: created or replaced (and kept over later EMR syncs). */
    async upsert(
      practiceId: string,
      e: Omit<PractitionerEntry, 'source' | 'active'> & { active?: boolean },
    ): Promise<PractitionerEntry> {
      const values = {
        practiceId,
        npi: e.npi,
        lastName: e.lastName,
        firstName: e.firstName ?? null,
        taxonomy: e.taxonomy ?? null,
        active: e.active ?? true,
        source: 'admin' as const,
        updatedAt: new Date(),
      };
      const [row] = await db
        .insert(practitioners)
        .values(values)
        .onConflictDoUpdate({ target: [practitioners.practiceId, practitioners.npi], set: values })
        .returning();
      return toEntry(row!);
    },

    /** EMR Practitioner resources → the directory; rows an admin edited are left alone. Returns rows written. */
    async syncFromEmr(
      practiceId: string,
      entries: readonly {
        emrPractitionerId: string;
        npi: string;
        lastName: string;
        firstName?: string;
        active: boolean;
      }[],
    ): Promise<number> {
      let written = 0;
      for (const e of entries) {
        const values = {
          practiceId,
          npi: e.npi,
          lastName: e.lastName,
          firstName: e.firstName ?? null,
          emrPractitionerId: e.emrPractitionerId,
          active: e.active,
          source: 'emr' as const,
          updatedAt: new Date(),
        };
        const out = await db
          .insert(practitioners)
          .values(values)
          .onConflictDoUpdate({
            target: [practitioners.practiceId, practitioners.npi],
            set: values,
            setWhere: sql`${practitioners.source} = 'emr'`,
          })
          .returning({ npi: practitioners.npi });
        written += out.length;
      }
      return written;
    },
  };
}
