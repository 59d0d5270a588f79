// Audit retention (at least six years; no partition younger than 72 months is ever dropped): whole monthly
// partitions are dropped once even their newest possible row is older than the retention period of
// domain/records/retention.ts (72 months); anything younger is refused, whatever the caller asks. Before a
// partition with rows goes, an anchor row records the last id and hash it held, so `ptflow audit verify`
// resumes the hash chain there (the first remaining row links to that hash). Partitions go oldest first and
// only as a prefix of the chain: a partition whose ids are not all below every remaining row's (rows in the
// default partition, a clock that ran backwards) is refused rather than leave a hole.
import { sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import type { IsoDate } from '../../domain/core/dates.js';
import { mayDestroy } from '../../domain/records/retention.js';
import { AUDIT_CHAIN_LOCK } from './append.js';
import { listAuditPartitions, type AuditPartition } from './partitions.js';

export class AuditRetentionRefused extends Error {
  constructor(
    readonly partition: string,
    readonly reason: 'too_young' | 'not_a_partition' | 'default_partition' | 'not_a_prefix',
    detail: string,
  ) {
    super(`refusing to drop ${partition}: ${detail}`);
    this.name = 'AuditRetentionRefused';
  }
}

export interface DroppedPartition {
  name: string;
  rows: number;
  lastId: number | null;
}

/** Drops one partition if the retention rule allows it on `today`; throws AuditRetentionRefused otherwise. */
export async function dropAuditPartition(
  db: Database,
  name: string,
  today: IsoDate,
): Promise<DroppedPartition> {
  const partition = (await listAuditPartitions(db)).find((p) => p.name === name);
  if (!partition) throw new AuditRetentionRefused(name, 'not_a_partition', 'not a partition of audit_events');
  if (partition.from === null || partition.to === null) {
    throw new AuditRetentionRefused(name, 'default_partition', 'the default partition is never dropped');
  }
  const verdict = mayDestroy('audit_event', partition.to, today);
  if (!verdict.destroy) {
    throw new AuditRetentionRefused(
      name,
      'too_young',
      `its newest rows are ${verdict.ageMonths} months old; the audit log is kept ${verdict.minimumMonths} months`,
    );
  }
  return dropChecked(db, partition as AuditPartition & { from: IsoDate; to: IsoDate });
}

async function dropChecked(
  db: Database,
  p: AuditPartition & { from: IsoDate; to: IsoDate },
): Promise<DroppedPartition> {
  return db.transaction(async (tx) => {
    // No appends while the chain's tail end moves.
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const table = sql.identifier(p.name);
    const [stats] = (await tx.execute(sql`
      select count(*)::int as rows, min(id)::text as first_id, max(id)::text as last_id
      from ${table}`)) as unknown as { rows: number; first_id: string | null; last_id: string | null }[];
    if (stats!.rows > 0) {
      // Every row left behind must come after this partition's rows in the chain.
      const [outside] = (await tx.execute(sql`
        select count(*)::int as n from audit_events
        where tableoid <> ${p.name}::regclass and id < ${stats!.last_id}::bigint`)) as unknown as {
        n: number;
      }[];
      if (outside!.n > 0) {
        throw new AuditRetentionRefused(
          p.name,
          'not_a_prefix',
          `${outside!.n} rows outside it come earlier in the chain; dropping it would leave a hole`,
        );
      }
      const [last] = (await tx.execute(sql`
        select hash from ${table} where id = ${stats!.last_id}::bigint`)) as unknown as { hash: string }[];
      await tx.execute(sql`
        insert into audit_retention_anchors
          (partition_name, range_from, range_to, row_count, first_id, last_id, last_hash)
        values (${p.name}, ${`${p.from} 00:00:00+00`}::timestamptz, ${`${p.to} 00:00:00+00`}::timestamptz,
                ${stats!.rows}, ${stats!.first_id}::bigint, ${stats!.last_id}::bigint, ${last!.hash})`);
    }
    await tx.execute(sql`alter table audit_events detach partition ${table}`);
    await tx.execute(sql`drop table ${table}`);
    return {
      name: p.name,
      rows: stats!.rows,
      lastId: stats!.last_id === null ? null : Number(stats!.last_id),
    };
  });
}

export interface RetentionReport {
  dropped: DroppedPartition[];
  /** Partitions kept because they are younger than the retention period (the rest of the log). */
  kept: number;
}

/**
 * The retention job: drops every expired monthly partition, oldest first, and stops at the first one that
 * may not go. With `dryRun`, lists what would be dropped without touching anything.
 */
export async function runAuditRetention(
  db: Database,
  opts: { today: IsoDate; dryRun?: boolean },
): Promise<RetentionReport & { wouldDrop: string[] }> {
  const monthly = (await listAuditPartitions(db)).filter((p) => p.to !== null);
  const dropped: DroppedPartition[] = [];
  const wouldDrop: string[] = [];
  for (const p of monthly) {
    if (!mayDestroy('audit_event', p.to!, opts.today).destroy) break;
    if (opts.dryRun) wouldDrop.push(p.name);
    else dropped.push(await dropAuditPartition(db, p.name, opts.today));
  }
  return { dropped, wouldDrop, kept: monthly.length - dropped.length - wouldDrop.length };
}
