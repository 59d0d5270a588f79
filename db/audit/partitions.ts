// The audit log's monthly partitions (kept six years or more, migration 0007): list them with their bounds,
// and create the coming months' ahead of time. Creation goes through the migration's SQL function, so the
// migration and this job make identical partitions (owner-only, TRUNCATE rejected). Runs as the table owner,
// never as ptflow_app.
import { sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { monthStart } from '../../domain/records/retention.js';
import type { IsoDate } from '../../domain/core/dates.js';

export interface AuditPartition {
  name: string;
  /** First day (UTC) of the partition's month; null for the default partition. */
  from: IsoDate | null;
  /** First day of the following month (exclusive upper bound); null for the default partition. */
  to: IsoDate | null;
}

const BOUND = /FROM \('(\d{4}-\d{2}-\d{2})[^']*'\) TO \('(\d{4}-\d{2}-\d{2})[^']*'\)/;

/** The SQLSTATE of a postgres.js error, also when drizzle wraps it (DrizzleQueryError.cause). */
export function pgErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : e.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The partitions of audit_events, oldest first, the default partition last. */
export async function listAuditPartitions(db: Database): Promise<AuditPartition[]> {
  // Bounds are rendered in the session's time zone; UTC makes them the month starts they were created as.
  const rows = (await db.transaction(async (tx) => {
    await tx.execute(sql`set local time zone 'UTC'`);
    return tx.execute(sql`
      select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'audit_events'::regclass`);
  })) as unknown as { name: string; bound: string }[];
  const partitions = rows.map((r): AuditPartition => {
    const m = BOUND.exec(r.bound);
    return { name: r.name, from: m?.[1] ?? null, to: m?.[2] ?? null };
  });
  return partitions.sort((a, b) =>
    a.from === null ? 1 : b.from === null ? -1 : a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
  );
}

/**
 * Creates the partitions of this month and the next `monthsAhead` months that do not exist yet; returns the
 * names it created. A month whose rows already sit in the default partition cannot get its own partition
 * (PostgreSQL refuses); it is reported in `skipped` and its rows stay in the default partition, which
 * retention never drops.
 */
export async function ensureAuditPartitions(
  db: Database,
  opts: { today: IsoDate; monthsAhead: number },
): Promise<{ created: string[]; skipped: IsoDate[] }> {
  const existing = new Set((await listAuditPartitions(db)).map((p) => p.from));
  const created: string[] = [];
  const skipped: IsoDate[] = [];
  for (let i = 0; i <= opts.monthsAhead; i++) {
    const month = monthStart(opts.today, i);
    if (existing.has(month)) continue;
    try {
      const [row] = (await db.execute(
        sql`select audit_events_create_partition(${month}::date) as name`,
      )) as unknown as { name: string }[];
      created.push(row!.name);
    } catch (err) {
      // 23514: "updated partition constraint for default partition would be violated".
      if (pgErrorCode(err) !== '23514') throw err;
      skipped.push(month);
    }
  }
  return { created, skipped };
}
