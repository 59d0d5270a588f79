// Audit entries the API writes itself: denied access (the audit log records denials as well as accesses).
// PHI reads are audited by the routes that serve them. Entries hold opaque ids and route patterns only.
import { appendAuditGrouped } from '../db/audit/append.js';
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
