// Eligibility results: the normalized summary in clear (amounts and flags, no identifiers) and
// the payer's 271 — which names the member — encrypted, bound to its coverage. Idempotent on the check id
// the workflow chose, so a retried activity records one row.
import { eq } from 'drizzle-orm';
import { recordPhiRead } from '../audit/phi-reads.js';
import type { Database } from '../connection.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptFieldText, encryptField } from '../crypto/field-encryption.js';
import { eligibilityChecks } from '../schema.js';
import type { EligibilitySummary } from '../../domain/onboarding/eligibility.js';
import type { RepositoryKeys } from './keys.js';

export interface EligibilityCheckRecord {
  checkId: string;
  coverageId: string;
  checkedAt: Date;
  summary: EligibilitySummary;
  /** The parsed 271 as the connector returned it (JSON), or undefined when the payer never answered. */
  raw271?: string;
}

const ctx = (coverageId: string, checkId: string) =>
  fieldContext('eligibility_checks', 'raw_271_enc', { tenant: coverageId, rowId: checkId });

/** The table's outcome column knows "error" where onboarding says "unreachable". */
const outcomeColumn = (o: EligibilitySummary['outcome']) => (o === 'unreachable' ? 'error' : o);

export function createEligibilityCheckRepository(db: Database, keys: RepositoryKeys) {
  return {
    async record(c: EligibilityCheckRecord): Promise<void> {
      const enc = c.raw271 ? encryptField(c.raw271, ctx(c.coverageId, c.checkId), keys.keyring) : undefined;
      await db
        .insert(eligibilityChecks)
        .values({
          id: c.checkId,
          coverageId: c.coverageId,
          checkedAt: c.checkedAt,
          outcome: outcomeColumn(c.summary.outcome),
          summary: c.summary,
          raw271Enc: enc?.data ?? null,
          keyId: enc?.keyId ?? null,
        })
        .onConflictDoNothing();
    },

    async get(checkId: string): Promise<EligibilityCheckRecord | undefined> {
      const [row] = await db.select().from(eligibilityChecks).where(eq(eligibilityChecks.id, checkId));
      if (!row) return undefined;
      const raw271 = row.raw271Enc
        ? decryptFieldText(row.raw271Enc, ctx(row.coverageId, checkId), keys.keyring)
        : undefined;
      if (raw271 !== undefined)
        recordPhiRead({ table: 'eligibility_checks', rowId: checkId, fields: ['raw271'] });
      return {
        checkId,
        coverageId: row.coverageId,
        checkedAt: row.checkedAt,
        summary: row.summary as EligibilitySummary,
        ...(raw271 !== undefined ? { raw271 } : {}),
      };
    },
  };
}
