// appendAudit: add one event to the hash chain. The chain is serialised by a transaction-scoped advisory lock:
// inside it the row id is taken from the sequence, the tip's hash is read and the new row inserted, so ids,
// chain order and prev_hash links always agree even with many API and worker processes writing at once.
// Called inside a caller's transaction, the lock is held until that transaction ends (and the audit row
// commits or rolls back with the data access it records).
import { sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { auditEvents } from '../schema.js';
import { auditHash, GENESIS_HASH } from './chain.js';
import { auditEventSchema, type AuditEventInput, type AuditRow } from './event.js';

/** Advisory-lock key of the audit chain (7233001 is the migrator's). */
export const AUDIT_CHAIN_LOCK = 7233002;

export async function appendAudit(
  db: Database,
  event: AuditEventInput,
): Promise<{ id: number; hash: string }> {
  const [first] = await appendAuditBatch(db, [event]);
  return first!;
}

/**
 * Adds several events to the chain at once, in the given order: one transaction, one statement for their ids
 * and the tip, one multi-row insert (a worker activity's PHI reads are written this way, not a round trip per
 * row). All or none are recorded.
 */
export async function appendAuditBatch(
  db: Database,
  events: readonly AuditEventInput[],
): Promise<{ id: number; hash: string }[]> {
  if (events.length === 0) return [];
  const parsedEvents = events.map((event) => {
    const parsed = auditEventSchema.safeParse(event);
    if (!parsed.success) {
      // Field paths and rule messages only: the rejected value may be the very PHI we keep out of the log.
      const issue = parsed.error.issues[0]!;
      throw new Error(`invalid audit event: ${issue.path.join('.')} ${issue.message}`);
    }
    return parsed.data;
  });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const heads = (await tx.execute(sql`
      select nextval(pg_get_serial_sequence('audit_events', 'id'))::bigint::text as id,
             date_trunc('milliseconds', clock_timestamp()) as now,
             (select hash from audit_events order by id desc limit 1) as prev
      from generate_series(1, ${parsedEvents.length}::int)`)) as unknown as {
      id: string;
      now: Date | string;
      prev: string | null;
    }[];
    // Ids ascend in chain order (the lock makes this transaction the only one taking them now).
    const ids = heads.map((h) => Number(h.id)).sort((a, b) => a - b);
    const recordedAt = new Date(heads[0]!.now);
    let prevHash = heads[0]!.prev ?? GENESIS_HASH;
    const rows = parsedEvents.map((e, i) => {
      const row: Omit<AuditRow, 'prevHash' | 'hash'> = {
        id: ids[i]!,
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
      const stored = { ...row, actorType: e.actorType, action: e.action, outcome: e.outcome, prevHash, hash };
      prevHash = hash;
      return stored;
    });
    await tx.insert(auditEvents).values(rows);
    return rows.map((r) => ({ id: r.id, hash: r.hash }));
  });
}
