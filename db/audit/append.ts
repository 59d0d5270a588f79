// appendAudit: add one event to the hash chain. The chain is serialised by a transaction-scoped advisory lock:
// inside it the row id is taken from the sequence, the tip's hash is read and the new row inserted, so ids,
// chain order and prev_hash links always agree even with many API and worker processes writing at once.
// Called inside a caller's transaction, the lock is held until that transaction ends (and the audit row
// commits or rolls back with the data access it records). appendAuditGrouped is the same append for callers
// outside a transaction, committed in groups (AuditGroupCommit).
import { sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { auditEvents } from '../schema.js';
import { auditHash, GENESIS_HASH } from './chain.js';
import { auditEventSchema, type AuditEventInput, type AuditRow } from './event.js';

/** Advisory-lock key of the audit chain (7233001 is the migrator's). */
export const AUDIT_CHAIN_LOCK = 7233002;

/** The element at `index`, or an error naming what was missing (the chain is never written with a gap). */
function nth<T>(items: readonly T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new Error(`audit append: no ${what} at ${index}`);
  return item;
}

function parseEvent(event: AuditEventInput) {
  const parsed = auditEventSchema.safeParse(event);
  if (!parsed.success) {
    // Field paths and rule messages only: the rejected value may be the very PHI we keep out of the log.
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid audit event: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'rejected'}`,
    );
  }
  return parsed.data;
}
type ParsedEvent = ReturnType<typeof parseEvent>;

/**
 * Appends events to the chain in the given order, inside the given transaction: one lock, one read of the tip,
 * one id per event from the sequence (in order: the lock serialises every taker), one multi-row insert.
 */
async function appendInTransaction(
  tx: Database,
  events: readonly ParsedEvent[],
): Promise<{ id: number; hash: string }[]> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const heads = (await tx.execute(sql`
    select nextval(pg_get_serial_sequence('audit_events', 'id'))::bigint::text as id,
           date_trunc('milliseconds', clock_timestamp()) as now,
           (select hash from audit_events order by id desc limit 1) as prev
    from generate_series(1, ${events.length})`)) as unknown as {
    id: string;
    now: Date | string;
    prev: string | null;
  }[];
  if (heads.length !== events.length) throw new Error('audit ids not reserved');
  const ids = heads.map((h) => Number(h.id)).sort((a, b) => a - b);
  const head = nth(heads, 0, 'reserved id');
  const recordedAt = new Date(head.now);
  let prevHash = head.prev ?? GENESIS_HASH;
  const rows: (typeof auditEvents.$inferInsert)[] = [];
  const out: { id: number; hash: string }[] = [];
  events.forEach((e, i) => {
    const row: Omit<AuditRow, 'prevHash' | 'hash'> = {
      id: nth(ids, i, 'reserved id'),
      recordedAt,
      actorId: e.actorId,
      actorType: e.actorType,
      actorRole: e.actorRole ?? null,
      sourceIp: e.sourceIp ?? null,
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId ?? null,
      patientRef: e.patientRef ?? null,
      purposeOfUse: e.purposeOfUse ?? null,
      outcome: e.outcome,
      requestId: e.requestId ?? null,
      workflowId: e.workflowId ?? null,
      fieldsDisclosed: e.fieldsDisclosed ?? null,
    };
    const hash = auditHash(prevHash, row);
    rows.push({ ...row, actorType: e.actorType, action: e.action, outcome: e.outcome, prevHash, hash });
    out.push({ id: row.id, hash });
    prevHash = hash;
  });
  await tx.insert(auditEvents).values(rows);
  return out;
}

export async function appendAudit(
  db: Database,
  event: AuditEventInput,
): Promise<{ id: number; hash: string }> {
  const e = parseEvent(event);
  return db.transaction(async (tx) =>
    nth(await appendInTransaction(tx as unknown as Database, [e]), 0, 'written event'),
  );
}

/**
 * Adds several events to the chain at once, in the given order, in one transaction (a worker activity's PHI
 * reads are written this way, not a round trip per row). All or none are recorded.
 */
export async function appendAuditBatch(
  db: Database,
  events: readonly AuditEventInput[],
): Promise<{ id: number; hash: string }[]> {
  if (events.length === 0) return [];
  const parsed = events.map(parseEvent);
  return db.transaction(async (tx) => appendInTransaction(tx as unknown as Database, parsed));
}

/** Most events one group commit writes; the rest wait for the next transaction. */
export const AUDIT_BATCH_MAX = 256;

/** One caller's events: written together, in order, in the same transaction (never split across two). */
interface Pending {
  events: ParsedEvent[];
  resolve: (r: { id: number; hash: string }[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of the audit chain for callers that are not inside a transaction of their own (the API's
 * per-request entries). Each call enqueues its event; one writer per database handle takes everything waiting
 * (in arrival order, up to AUDIT_BATCH_MAX) and appends it in one transaction — one lock, one tip read, one
 * insert — while new events queue for the next one. A call resolves only after the transaction holding its row
 * has committed, so an answer sent after it never outruns its audit row; if that transaction fails, every call
 * in it rejects (fail closed: the requests answer 503, nothing was written, the chain is unchanged). A process
 * killed mid-batch leaves either the whole batch or none of it, and none of its requests has been answered.
 */
export class AuditGroupCommit {
  private queue: Pending[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  append(event: AuditEventInput): Promise<{ id: number; hash: string }> {
    return this.appendAll([event]).then((written) => nth(written, 0, 'written event'));
  }

  /**
   * Several events of one caller (a worker activity's PHI reads): contiguous and in order in the chain, in one
   * transaction with whatever else waits — all of them or none, like appendAuditBatch.
   */
  appendAll(events: readonly AuditEventInput[]): Promise<{ id: number; hash: string }[]> {
    if (events.length === 0) return Promise.resolve([]);
    let parsed: ParsedEvent[];
    try {
      parsed = events.map(parseEvent);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ events: parsed, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Callers waiting, oldest first, up to AUDIT_BATCH_MAX events (at least one caller, however many it has). */
  private nextBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    for (const pending of this.queue) {
      if (batch.length > 0 && count + pending.events.length > AUDIT_BATCH_MAX) break;
      batch.push(pending);
      count += pending.events.length;
    }
    this.queue.splice(0, batch.length);
    return batch;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.nextBatch();
        try {
          const written = await this.db.transaction((tx) =>
            appendInTransaction(
              tx as unknown as Database,
              batch.flatMap((p) => p.events),
            ),
          );
          let offset = 0;
          for (const p of batch) {
            p.resolve(written.slice(offset, offset + p.events.length));
            offset += p.events.length;
          }
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

const writers = new WeakMap<Database, AuditGroupCommit>();

function writerOf(db: Database): AuditGroupCommit {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new AuditGroupCommit(db)));
  return w;
}

/** Appends through the database handle's group commit (see AuditGroupCommit); not for use inside a transaction. */
export function appendAuditGrouped(
  db: Database,
  event: AuditEventInput,
): Promise<{ id: number; hash: string }> {
  return writerOf(db).append(event);
}

/**
 * appendAuditBatch through the group commit: the events stay together and in order, all or none, and share the
 * transaction (one chain lock) with everything else waiting. Not for use inside a transaction.
 */
export function appendAuditGroupedBatch(
  db: Database,
  events: readonly AuditEventInput[],
): Promise<{ id: number; hash: string }[]> {
  return writerOf(db).appendAll(events);
}
