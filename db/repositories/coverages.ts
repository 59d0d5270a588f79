// Coverages of our patients: the member id encrypted (bound to row and practice) and hashed per
// payer for lookups; the verification status the onboarding keeps current. Upsert is idempotent on our id.
import { and, eq } from 'drizzle-orm';
import { recordPhiRead } from '../audit/phi-reads.js';
import type { Database } from '../connection.js';
import { memberIdHash } from '../crypto/blind-index.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptFieldText, encryptField } from '../crypto/field-encryption.js';
import { coverages } from '../schema.js';
import type { RepositoryKeys } from './keys.js';
import { idsByHash, ownedRow } from './owned-rows.js';

export type CoverageStatus = (typeof coverages.$inferSelect)['status'];

export interface CoverageRecord {
  coverageId: string;
  practiceId: string;
  patientId: string;
  payerId: string;
  priority: number;
  memberId: string;
  status: CoverageStatus;
}

const ctx = (practiceId: string, coverageId: string) =>
  fieldContext('coverages', 'member_id_enc', { tenant: practiceId, rowId: coverageId });

export function createCoverageRepository(db: Database, keys: RepositoryKeys) {
  return {
    /**
     * Insert or update by our id. A changed member id or payer (the patient sent new insurance) resets the
     * status to unverified; the same values again leave the status alone.
     */
    async upsert(c: Omit<CoverageRecord, 'status'>): Promise<void> {
      const hash = memberIdHash(keys.blindIndexKey, c.payerId, c.memberId);
      const [existing] = await db
        .select({ hash: coverages.memberIdHash, practiceId: coverages.practiceId })
        .from(coverages)
        .where(eq(coverages.id, c.coverageId));
      if (existing && existing.practiceId !== c.practiceId) {
        throw new Error('coverage id belongs to another practice');
      }
      if (existing && existing.hash === hash) return;
      const enc = encryptField(c.memberId, ctx(c.practiceId, c.coverageId), keys.keyring);
      const values = {
        payerId: c.payerId,
        priority: c.priority,
        memberIdEnc: enc.data,
        memberIdHash: hash,
        keyId: enc.keyId,
        status: 'unverified' as const,
      };
      await db
        .insert(coverages)
        .values({ id: c.coverageId, practiceId: c.practiceId, patientId: c.patientId, ...values })
        .onConflictDoUpdate({
          target: coverages.id,
          set: { ...values, updatedAt: new Date() },
          setWhere: eq(coverages.practiceId, c.practiceId),
        });
    },

    async setStatus(practiceId: string, coverageId: string, status: CoverageStatus): Promise<void> {
      await db
        .update(coverages)
        .set({ status, updatedAt: new Date() })
        .where(and(eq(coverages.id, coverageId), eq(coverages.practiceId, practiceId)));
    },

    async get(practiceId: string, coverageId: string): Promise<CoverageRecord | undefined> {
      const row = await ownedRow(db, coverages, practiceId, coverageId);
      if (!row) return undefined;
      const memberId = decryptFieldText(row.memberIdEnc, ctx(practiceId, coverageId), keys.keyring);
      recordPhiRead({
        table: 'coverages',
        rowId: coverageId,
        patientRef: row.patientId,
        fields: ['memberId'],
      });
      return {
        coverageId,
        practiceId,
        patientId: row.patientId,
        payerId: row.payerId,
        priority: row.priority,
        memberId,
        status: row.status,
      };
    },

    /** Our coverage ids holding this member id at this payer. */
    async findByMemberId(practiceId: string, payerId: string, memberId: string): Promise<string[]> {
      const hash = memberIdHash(keys.blindIndexKey, payerId, memberId);
      return idsByHash(db, coverages, practiceId, coverages.memberIdHash, hash);
    },
  };
}

export type CoverageRepository = ReturnType<typeof createCoverageRepository>;
