// The hash chain of the audit log: hash = sha256(prev_hash ‖ canonical row). The canonical form is a JSON
// array in a fixed field order (no object-key ordering questions), with the row id and a millisecond UTC
// timestamp, so renumbering, re-dating or editing any field of any row changes its hash.
import { createHash } from 'node:crypto';
import type { AuditRow } from './event.js';

export const GENESIS_HASH = '0'.repeat(64);
const FORMAT = 'ptflow-audit-v1';

export function canonicalAuditRow(row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    FORMAT,
    String(row.id),
    row.recordedAt.toISOString(),
    row.actorId,
    row.actorType,
    row.actorRole,
    row.sourceIp,
    row.action,
    row.resourceType,
    row.resourceId,
    row.patientRef,
    row.purposeOfUse,
    row.outcome,
    row.requestId,
    row.workflowId,
    row.fieldsDisclosed,
  ]);
}

export function auditHash(prevHash: string, row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalAuditRow(row), 'utf8').digest('hex');
}
