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
  const parsed = auditEventSchema.safeParse(event);
  if (!parsed.success) {
    // Field paths and rule messages only: the rejected value may be the very PHI we keep out of the log.
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid audit event: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [head] = (await tx.execute(sql`
      select nextval(pg_get_serial_sequence('audit_events', 'id'))::bigint::text as id,
             date_trunc('milliseconds', clock_timestamp()) as now,
             (select hash from audit_events order by id desc limit 1) as prev`)) as unknown as {
      id: string;
      now: Date | string;
      prev: string | null;
    }[];
    const row: Omit<AuditRow, 'prevHash' | 'hash'> = {
      id: Number(head!.id),
      recordedAt: new Date(head!.now),
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
    const prevHash = head!.prev ?? GENESIS_HASH;
    const hash = auditHash(prevHash, row);
    await tx.insert(auditEvents).values({
      ...row,
      actorType: e.actorType,
      action: e.action,
      outcome: e.outcome,
      prevHash,
      hash,
    });
    return { id: row.id, hash };
  });
}
