// The practitioner directory (table `practitioners`): names and NPIs for the 837P's rendering provider (2310B).
// Rows come from the EMR's Practitioner resources (`syncFromEmr`, source emr) or from an admin (`upsert`, source
// admin). An admin's row wins: a later EMR sync never overwrites it. Names and NPIs are public provider data.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { practitioners, therapists } from '../schema.js';

/** A therapist on staff (issue 17): a directory entry with discipline, credentials and license. */
export interface TherapistEntry {
  npi: string;
  lastName: string;
  firstName: string | null;
  discipline: 'PT' | 'PTA';
  credentials: string | null;
  licenseState: string;
  licenseNumber: string;
  licenseExpires: string;
  taxonomy: string | null;
  active: boolean;
}

export interface TherapistWrite {
  lastName: string;
  firstName?: string;
  discipline: 'PT' | 'PTA';
  credentials?: string;
  licenseState: string;
  licenseNumber: string;
  licenseExpires: string;
  taxonomy?: string;
  active?: boolean;
}

const toTherapist = (r: typeof practitioners.$inferSelect): TherapistEntry => ({
  npi: r.npi,
  lastName: r.lastName,
  firstName: r.firstName,
  discipline: r.discipline!,
  credentials: r.credentials,
  licenseState: r.licenseState!,
  licenseNumber: r.licenseNumber!,
  licenseExpires: r.licenseExpires!,
  taxonomy: r.taxonomy,
  active: r.active,
});

/** NUCC taxonomy by discipline when none is given: 225100000X physical therapist, 225200000X PT assistant. */
const DEFAULT_TAXONOMY = { PT: '225100000X', PTA: '225200000X' } as const;

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

    /** The practice's therapists on staff (entries with a discipline), by name. */
    async listTherapists(practiceId: string): Promise<TherapistEntry[]> {
      const rows = await db
        .select()
        .from(practitioners)
        .where(and(eq(practitioners.practiceId, practiceId), isNotNull(practitioners.discipline)))
        .orderBy(asc(practitioners.lastName), asc(practitioners.npi));
      return rows.map(toTherapist);
    },

    /**
     * A therapist on staff: the directory entry (rendering provider, with credentials and license; an admin's
     * row, kept over EMR syncs) and the scheduling row the evaluation booking chooses from, in one transaction.
     */
    async upsertTherapist(practiceId: string, npi: string, t: TherapistWrite): Promise<TherapistEntry> {
      return db.transaction(async (tx) => {
        const values = {
          practiceId,
          npi,
          lastName: t.lastName.toUpperCase(),
          firstName: t.firstName?.toUpperCase() ?? null,
          taxonomy: t.taxonomy ?? DEFAULT_TAXONOMY[t.discipline],
          active: t.active ?? true,
          source: 'admin' as const,
          discipline: t.discipline,
          credentials: t.credentials ?? null,
          licenseState: t.licenseState,
          licenseNumber: t.licenseNumber,
          licenseExpires: t.licenseExpires,
          updatedAt: new Date(),
        };
        const [row] = await tx
          .insert(practitioners)
          .values(values)
          .onConflictDoUpdate({ target: [practitioners.practiceId, practitioners.npi], set: values })
          .returning();
        const name = [t.firstName, t.lastName].filter(Boolean).join(' ');
        await tx
          .insert(therapists)
          .values({
            id: randomUUID(),
            practiceId,
            npi,
            name,
            discipline: t.discipline,
            active: values.active,
          })
          .onConflictDoUpdate({
            target: [therapists.practiceId, therapists.npi],
            set: { name, discipline: t.discipline, active: values.active },
          });
        return toTherapist(row!);
      });
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
