// Audit entries the API writes itself: denied access (the audit log records denials as well as accesses) and
// a staff member's change to practice setup data. PHI reads are audited by the routes that serve them. Entries
// hold opaque ids, route patterns and field names only.
import { appendAudit, appendAuditGrouped } from '../db/audit/append.js';
import type { Database } from '../db/connection.js';
import type { Principal } from './auth/principal.js';

export async function auditDenied(
  db: Database,
  e: { principal?: Principal; route: string; status: 401 | 403; requestId: string; ip: string },
): Promise<void> {
  await appendAuditGrouped(db, {
    actorId: e.principal?.id ?? 'anonymous',
    actorType: e.principal?.type ?? 'user',
    actorRole: e.principal?.role,
    sourceIp: e.ip,
    action: 'E',
    resourceType: 'api_route',
    // The route pattern (never the raw URL), in the audit log's opaque-id alphabet.
    resourceId: e.route.replace(/[^A-Za-z0-9:._|-]/g, '.'),
    outcome: 'denied',
    requestId: e.requestId,
  });
}

/** Who made a change, as the audit log records it. */
export interface AuditActor {
  principal: Principal;
  requestId: string;
  ip: string;
}

/** Records a successful create, update or delete by `actor`, naming the fields it disclosed (names, never values). */
export async function auditChange(
  db: Database,
  actor: AuditActor,
  e: { action: 'C' | 'U' | 'D'; resourceType: string; resourceId: string; fields: string[] },
): Promise<void> {
  await appendAudit(db, {
    actorId: actor.principal.id,
    actorType: actor.principal.type,
    actorRole: actor.principal.role,
    sourceIp: actor.ip,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    outcome: 'success',
    requestId: actor.requestId,
    fieldsDisclosed: e.fields,
  });
}
