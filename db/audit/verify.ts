// verifyAuditChain: walk the log in id order, recompute every hash and check every link, and name the first
// row that does not hold. An edited row fails its own hash; a deleted or inserted row breaks the next link.
import { asc, gt } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { auditEvents } from '../schema.js';
import { auditHash, GENESIS_HASH } from './chain.js';

export type AuditVerification =
  | { ok: true; checked: number; lastId: number | null; lastHash: string }
  | {
      ok: false;
      checked: number;
      firstBrokenId: number;
      /** `hash_mismatch`: the row's content no longer matches its hash; `chain_break`: prev_hash ≠ previous hash. */
      reason: 'hash_mismatch' | 'chain_break';
    };

export async function verifyAuditChain(
  db: Database,
  opts: { batchSize?: number } = {},
): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 1000;
  let prev = GENESIS_HASH;
  let lastId: number | null = null;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(lastId === null ? undefined : gt(auditEvents.id, lastId))
      .orderBy(asc(auditEvents.id))
      .limit(batchSize);
    if (rows.length === 0) return { ok: true, checked, lastId, lastHash: prev };
    for (const row of rows) {
      if (row.prevHash !== prev) return { ok: false, checked, firstBrokenId: row.id, reason: 'chain_break' };
      if (auditHash(row.prevHash, row) !== row.hash) {
        return { ok: false, checked, firstBrokenId: row.id, reason: 'hash_mismatch' };
      }
      prev = row.hash;
      lastId = row.id;
      checked++;
    }
  }
}
