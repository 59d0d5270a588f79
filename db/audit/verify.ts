// verifyAuditChain: walk the log in id order, recompute every hash and check every link, and name the first
// row that does not hold. An edited row fails its own hash; a deleted or inserted row breaks the next link.
// The walk spans all monthly partitions (it reads the parent table). After retention dropped old partitions
// (db/audit/retention.ts) it starts from the newest retention anchor: the last id and hash that were dropped.
import { asc, gt, lte, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { auditEvents } from '../schema.js';
import { auditHash, GENESIS_HASH } from './chain.js';

export type AuditVerification =
  | {
      ok: true;
      checked: number;
      lastId: number | null;
      lastHash: string;
      /** Set when retention dropped the start of the log: the chain was verified from after this id. */
      resumedAfterId?: number;
    }
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
  const [anchor] = (await db.execute(sql`
    select last_id::text as "lastId", last_hash as "lastHash" from audit_retention_anchors
    order by last_id desc limit 1`)) as unknown as { lastId: string; lastHash: string }[];
  let prev = anchor?.lastHash ?? GENESIS_HASH;
  let lastId: number | null = anchor ? Number(anchor.lastId) : null;
  let checked = 0;
  if (lastId !== null) {
    // Rows at or before the anchor should have gone with their partition: one that is still here was not
    // covered by the anchor's hash, so the chain cannot vouch for it.
    const [stray] = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(lte(auditEvents.id, lastId))
      .orderBy(asc(auditEvents.id))
      .limit(1);
    if (stray) return { ok: false, checked, firstBrokenId: stray.id, reason: 'chain_break' };
  }
  const resumed = lastId === null ? {} : { resumedAfterId: lastId };
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(lastId === null ? undefined : gt(auditEvents.id, lastId))
      .orderBy(asc(auditEvents.id))
      .limit(batchSize);
    if (rows.length === 0) return { ok: true, checked, lastId, lastHash: prev, ...resumed };
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
