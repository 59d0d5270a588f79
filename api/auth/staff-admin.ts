// Administration of staff people and their sessions (the `ptflow staff` commands): add a person (optionally
// mapped to an IdP subject), list them, revoke a person's sessions, disable a person (deprovisioning: no more
// sign-ins, every session revoked at once). Each change is an audit event (`staff_member` /
// `staff_session_revoke`) by the operator `cli:operator`, with ids only — never a name.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../db/audit/append.js';
import type { Database } from '../../db/connection.js';
import { staffMembers } from '../../db/schema.js';
import { revokeSessions, type StaffRole } from './session.js';

const OPERATOR = 'cli:operator';

export interface StaffRow {
  id: string;
  practiceId: string;
  displayName: string;
  role: StaffRole;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  disabledAt: Date | null;
}

/** Adds a staff member; with `oidc`, IdP sign-ins of that issuer + subject become this person. */
export async function addStaffMember(
  db: Database,
  input: {
    practiceId: string;
    displayName: string;
    role: StaffRole;
    oidc?: { issuer: string; subject: string };
  },
): Promise<string> {
  const id = randomUUID();
  await db.insert(staffMembers).values({
    id,
    practiceId: input.practiceId,
    displayName: input.displayName,
    role: input.role,
    oidcIssuer: input.oidc?.issuer ?? null,
    oidcSubject: input.oidc?.subject ?? null,
  });
  await appendAudit(db, {
    actorId: OPERATOR,
    actorType: 'system',
    action: 'C',
    resourceType: 'staff_member',
    resourceId: id,
    outcome: 'success',
  });
  return id;
}

/** The staff of a practice (or of every practice), by name. */
export async function listStaffMembers(db: Database, practiceId?: string): Promise<StaffRow[]> {
  return db
    .select({
      id: staffMembers.id,
      practiceId: staffMembers.practiceId,
      displayName: staffMembers.displayName,
      role: staffMembers.role,
      oidcIssuer: staffMembers.oidcIssuer,
      oidcSubject: staffMembers.oidcSubject,
      disabledAt: staffMembers.disabledAt,
    })
    .from(staffMembers)
    .where(practiceId ? eq(staffMembers.practiceId, practiceId) : undefined)
    .orderBy(asc(staffMembers.practiceId), asc(staffMembers.displayName));
}

/**
 * Revokes every live session of a person, named by staff id (UUID) or principal id (`user:<sub>`). Returns how
 * many were live; audited either way.
 */
export async function revokePersonSessions(db: Database, who: string, now = new Date()): Promise<number> {
  const byStaff = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(who);
  const n = byStaff
    ? (await revokeSessions(db, { staffId: who }, now)) +
      (await revokeSessions(db, { actorId: `user:${who}` }, now))
    : await revokeSessions(db, { actorId: who }, now);
  await appendAudit(db, {
    actorId: OPERATOR,
    actorType: 'system',
    action: 'U',
    resourceType: 'staff_session_revoke',
    resourceId: who,
    outcome: 'success',
  });
  return n;
}

/** Disables a staff member (no sign-in from now on) and revokes their sessions. False if unknown/already off. */
export async function disableStaffMember(
  db: Database,
  staffId: string,
  now = new Date(),
): Promise<{ disabled: boolean; sessionsRevoked: number }> {
  const rows = await db
    .update(staffMembers)
    .set({ disabledAt: now })
    .where(and(eq(staffMembers.id, staffId), isNull(staffMembers.disabledAt)))
    .returning({ id: staffMembers.id, subject: staffMembers.oidcSubject });
  const row = rows[0];
  if (!row) return { disabled: false, sessionsRevoked: 0 };
  await appendAudit(db, {
    actorId: OPERATOR,
    actorType: 'system',
    action: 'U',
    resourceType: 'staff_member',
    resourceId: staffId,
    outcome: 'success',
  });
  let n = await revokePersonSessions(db, staffId, now);
  if (row.subject) n += await revokeSessions(db, { actorId: `user:${row.subject}` }, now);
  return { disabled: true, sessionsRevoked: n };
}
