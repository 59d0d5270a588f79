// The practices we serve (table `practices`) and their profile: name, NPI and the time zone every practice-local
// date is computed in (deadlines, digests, "today" of the schedules), plus what a claim names the practice with —
// legal name, tax id (stored only encrypted under the data keyring), taxonomy, phone, service and pay-to
// addresses. Rows are written by `ptflow practice create`, POST /v1/practices and the seed.
import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { missingProfileFields, type ClaimProfileField } from '../../domain/practice/profile.js';
import { maskEin, normalizeEin } from '../../domain/practice/validators.js';
import type { Database } from '../connection.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptFieldText, encryptField } from '../crypto/field-encryption.js';
import type { Keyring } from '../crypto/keyring.js';
import { practices, type AddressColumn } from '../schema.js';

export type Practice = typeof practices.$inferSelect;

/** The profile as staff see it: the tax id masked, and exactly what a claim still needs from it. */
export interface PracticeProfileView {
  id: string;
  name: string;
  legalName: string | null;
  npi: string;
  /** Last four digits only (`•••••6789`); null when none is on file. */
  taxId: string | null;
  taxonomy: string | null;
  phone: string | null;
  timezone: string;
  serviceAddress: AddressColumn | null;
  payToAddress: AddressColumn | null;
  /** Profile fields a claim needs that are not on file yet (empty: claims can name the practice). */
  missing: ClaimProfileField[];
  updatedAt: string;
}

/** The practice as the 837P names it (2010AA billing provider, 2010AB pay-to, 1000A submitter contact). */
export interface PracticeClaimIdentity {
  legalName: string;
  npi: string;
  taxId: string;
  taxonomy?: string;
  phone: string;
  serviceAddress: AddressColumn;
  payToAddress?: AddressColumn;
}

export interface PracticeProfileWrite {
  name?: string;
  legalName?: string;
  npi?: string;
  taxId?: string;
  taxonomy?: string | null;
  phone?: string;
  timezone?: string;
  serviceAddress?: AddressColumn;
  payToAddress?: AddressColumn | null;
}

const taxIdContext = (practiceId: string) =>
  fieldContext('practices', 'tax_id_enc', { tenant: practiceId, rowId: practiceId });

/** Upper case for the X12 name and address elements (payers match on it). */
const upper = (a: AddressColumn): AddressColumn => ({
  line1: a.line1.toUpperCase(),
  ...(a.line2 ? { line2: a.line2.toUpperCase() } : {}),
  city: a.city.toUpperCase(),
  state: a.state,
  postalCode: a.postalCode,
});

export function createPracticeRepository(db: Database, keyring?: Keyring) {
  const needKeyring = (): Keyring => {
    if (!keyring) throw new Error('the data keyring is needed for the practice tax id');
    return keyring;
  };
  const taxIdOf = (row: Practice): string | undefined =>
    row.taxIdEnc ? decryptFieldText(row.taxIdEnc, taxIdContext(row.id), needKeyring()) : undefined;
  const columns = (id: string, p: PracticeProfileWrite) => {
    const enc =
      p.taxId !== undefined
        ? encryptField(normalizeEin(p.taxId) ?? p.taxId, taxIdContext(id), needKeyring())
        : undefined;
    return {
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.legalName !== undefined ? { legalName: p.legalName.toUpperCase() } : {}),
      ...(p.npi !== undefined ? { npi: p.npi } : {}),
      ...(enc ? { taxIdEnc: enc.data, keyId: enc.keyId } : {}),
      ...(p.taxonomy !== undefined ? { taxonomy: p.taxonomy } : {}),
      ...(p.phone !== undefined ? { phone: p.phone } : {}),
      ...(p.timezone !== undefined ? { timezone: p.timezone } : {}),
      ...(p.serviceAddress !== undefined ? { serviceAddress: upper(p.serviceAddress) } : {}),
      ...(p.payToAddress !== undefined
        ? { payToAddress: p.payToAddress ? upper(p.payToAddress) : null }
        : {}),
    };
  };

  const repo = {
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

    /** A new practice (name, NPI and time zone at least); returns its id. */
    async create(
      p: PracticeProfileWrite & { name: string; npi: string; timezone: string },
      id = randomUUID(),
    ) {
      await db
        .insert(practices)
        .values({ id, ...columns(id, p), name: p.name, npi: p.npi, timezone: p.timezone });
      return id;
    },

    /** Changes the given profile fields; false when there is no such practice. */
    async update(practiceId: string, p: PracticeProfileWrite): Promise<boolean> {
      const set = columns(practiceId, p);
      const rows = await db
        .update(practices)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(practices.id, practiceId))
        .returning({ id: practices.id });
      return rows.length > 0;
    },

    /** The profile as staff see it (tax id masked), or nothing. */
    async profile(practiceId: string): Promise<PracticeProfileView | undefined> {
      const row = await repo.get(practiceId);
      if (!row) return undefined;
      const taxId = taxIdOf(row);
      return {
        id: row.id,
        name: row.name,
        legalName: row.legalName,
        npi: row.npi,
        taxId: taxId ? maskEin(taxId) : null,
        taxonomy: row.taxonomy,
        phone: row.phone,
        timezone: row.timezone,
        serviceAddress: row.serviceAddress,
        payToAddress: row.payToAddress,
        missing: missingOf(row),
        updatedAt: row.updatedAt.toISOString(),
      };
    },

    /**
     * The practice as a claim names it, or what is missing for that (exactly the profile fields). Undefined
     * when there is no such practice.
     */
    async claimIdentity(
      practiceId: string,
    ): Promise<{ identity: PracticeClaimIdentity } | { missing: ClaimProfileField[] } | undefined> {
      const row = await repo.get(practiceId);
      if (!row) return undefined;
      const missing = missingOf(row);
      if (missing.length > 0) return { missing };
      return {
        identity: {
          legalName: row.legalName!,
          npi: row.npi,
          taxId: taxIdOf(row)!,
          ...(row.taxonomy ? { taxonomy: row.taxonomy } : {}),
          phone: row.phone!,
          serviceAddress: row.serviceAddress!,
          ...(row.payToAddress ? { payToAddress: row.payToAddress } : {}),
        },
      };
    },
  };
  return repo;
}

function missingOf(row: Practice): ClaimProfileField[] {
  return missingProfileFields({
    legalName: row.legalName,
    npi: row.npi,
    hasTaxId: row.taxIdEnc !== null,
    phone: row.phone,
    serviceAddress: row.serviceAddress,
  });
}
