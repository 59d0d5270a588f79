// The referring-provider directory (table `referring_providers`): the physicians (and NPs/PAs) who send the
// practice its patients, by NPI — the claim's 2310A, the recipient of plans of care and progress reports. Rows
// come from the EMR (`syncFromEmr`: the referral orders' and Practitioner resources' providers, source emr) or
// from an admin (`put`, source admin, which a later sync never overwrites). Public provider data, not PHI.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { referringProviders, type AddressColumn } from '../schema.js';

export interface ReferrerEntry {
  npi: string;
  lastName: string;
  firstName: string | null;
  organization: string | null;
  phone: string | null;
  fax: string | null;
  address: AddressColumn | null;
  source: 'emr' | 'admin';
  active: boolean;
}

const view = (r: typeof referringProviders.$inferSelect): ReferrerEntry => ({
  npi: r.npi,
  lastName: r.lastName,
  firstName: r.firstName,
  organization: r.organization,
  phone: r.phone,
  fax: r.fax,
  address: r.address,
  source: r.source,
  active: r.active,
});

export function createReferrerRepository(db: Database) {
  return {
    async list(practiceId: string): Promise<ReferrerEntry[]> {
      const rows = await db
        .select()
        .from(referringProviders)
        .where(eq(referringProviders.practiceId, practiceId))
        .orderBy(asc(referringProviders.lastName), asc(referringProviders.npi));
      return rows.map(view);
    },

    async findActive(practiceId: string, npi: string): Promise<ReferrerEntry | undefined> {
      const [row] = await db
        .select()
        .from(referringProviders)
        .where(
          and(
            eq(referringProviders.practiceId, practiceId),
            eq(referringProviders.npi, npi),
            eq(referringProviders.active, true),
          ),
        );
      return row ? view(row) : undefined;
    },

    /** An admin's entry: created or replaced (and kept over later EMR syncs). */
    async put(
      practiceId: string,
      npi: string,
      e: {
        lastName: string;
        firstName?: string;
        organization?: string;
        phone?: string;
        fax?: string;
        address?: AddressColumn;
        active?: boolean;
      },
    ): Promise<ReferrerEntry> {
      const values = {
        practiceId,
        npi,
        lastName: e.lastName.toUpperCase(),
        firstName: e.firstName?.toUpperCase() ?? null,
        organization: e.organization ?? null,
        phone: e.phone ?? null,
        fax: e.fax ?? null,
        address: e.address ?? null,
        source: 'admin' as const,
        active: e.active ?? true,
        updatedAt: new Date(),
      };
      const [row] = await db
        .insert(referringProviders)
        .values(values)
        .onConflictDoUpdate({ target: [referringProviders.practiceId, referringProviders.npi], set: values })
        .returning();
      return view(row!);
    },

    /** Providers the EMR names (referral orders, Practitioner resources) → the directory; admin rows stay. */
    async syncFromEmr(
      practiceId: string,
      entries: readonly { npi: string; lastName: string; firstName?: string; emrPractitionerId?: string }[],
    ): Promise<number> {
      let written = 0;
      for (const e of entries) {
        const values = {
          practiceId,
          npi: e.npi,
          lastName: e.lastName.toUpperCase(),
          firstName: e.firstName?.toUpperCase() ?? null,
          emrPractitionerId: e.emrPractitionerId ?? null,
          source: 'emr' as const,
          updatedAt: new Date(),
        };
        const out = await db
          .insert(referringProviders)
          .values(values)
          .onConflictDoUpdate({
            target: [referringProviders.practiceId, referringProviders.npi],
            set: values,
            setWhere: sql`${referringProviders.source} = 'emr'`,
          })
          .returning({ npi: referringProviders.npi });
        written += out.length;
      }
      return written;
    },
  };
}
