// Staff sessions (SEC-AC-4): people sign in (OIDC, or the `ptflow dev` demo sign-in) and get a server-side
// session; the browser holds a random 32-byte token in the signed, HttpOnly `ptflow_session` cookie and the
// table `staff_sessions` holds only its SHA-256. A session ends at its idle timeout (no request for `idleMs`),
// its absolute lifetime (`absoluteMs` after sign-in), or when revoked (sign-out, `ptflow staff revoke`, a
// disabled staff member). Every sign-in issues a new token (rotation) and revokes the browser's previous one.
// A session yields the same Principal an API key or a bearer token does, so every route, role check, tenancy
// check and audit row treats a signed-in person exactly like the other callers.
//
// CSRF: a state-changing request authenticated by the cookie must carry the session's synchronizer token
// (form field `_csrf` or header `x-csrf-token`): HMAC-SHA256(csrf key, session id), bound to the session row,
// compared in constant time. Bearer-authenticated requests are not affected (a browser never adds a bearer
// header on its own).
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { staffMembers, staffSessions } from '../../db/schema.js';
import type { Principal } from './principal.js';

/** Name of the session cookie (a contract: browser tests and the Temporal UI codec path rely on it). */
export const SESSION_COOKIE = 'ptflow_session';
/** Form field and header that carry the CSRF token of a cookie-authenticated state-changing request. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Idle timeout (SEC-AC-4: ≤ 15 min) and absolute lifetime (≤ 12 h) by default. */
export const DEFAULT_SESSION_IDLE_MS = 15 * 60_000;
export const DEFAULT_SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** `last_seen_at` is written at most this often per session (not a database write on every request). */
export const DEFAULT_SESSION_TOUCH_MS = 30_000;

export type StaffRole = 'admin' | 'front_desk' | 'therapist' | 'biller';
export const staffRoles: readonly StaffRole[] = ['admin', 'front_desk', 'therapist', 'biller'];

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
  /** How stale `last_seen_at` may get before a request rewrites it (default 30 s; bounded by idleMs / 4). */
  touchEveryMs?: number;
  now: () => Date;
}

export interface StaffSession {
  id: string;
  practiceId: string;
  role: StaffRole;
  actorId: string;
  staffId: string | null;
  displayName: string | null;
  method: 'oidc' | 'dev';
  amr: string[];
  authTime: Date | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export type SessionFailure = 'absent' | 'forged' | 'unknown' | 'expired' | 'revoked';
export type SessionLookup =
  { ok: true; session: StaffSession; principal: Principal } | { ok: false; reason: SessionFailure };

export interface NewSession {
  practiceId: string;
  role: StaffRole;
  actorId: string;
  staffId?: string | null;
  displayName?: string | null;
  method: 'oidc' | 'dev';
  amr: string[];
  authTime?: Date | null;
}

/** SHA-256 of a session token (hex): the only form a token is stored in. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The principal a session acts as: the same shape API keys and bearer tokens yield. */
export function principalOfSession(s: StaffSession): Principal {
  return {
    id: s.actorId,
    type: 'user',
    role: s.role,
    practiceId: s.practiceId,
    amr: [...s.amr],
    ...(s.authTime ? { authTime: Math.floor(s.authTime.getTime() / 1000) } : {}),
    sessionId: s.id,
  };
}

/** Reads, creates, touches and revokes sessions in `staff_sessions`. */
export class SessionStore {
  constructor(
    private readonly db: Database,
    readonly settings: SessionSettings,
  ) {}

  /** A new session with a fresh random token (returned once; only its hash is stored). */
  async create(input: NewSession): Promise<{ token: string; session: StaffSession }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.settings.now();
    const session: StaffSession = {
      id: randomUUID(),
      practiceId: input.practiceId,
      role: input.role,
      actorId: input.actorId,
      staffId: input.staffId ?? null,
      displayName: input.displayName ?? null,
      method: input.method,
      amr: input.amr,
      authTime: input.authTime ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.settings.absoluteMs),
    };
    await this.db.insert(staffSessions).values({ ...session, tokenHash: hashSessionToken(token) });
    return { token, session };
  }

  /** The live session of a token, or why there is none. Refreshes `last_seen_at` (throttled). */
  async lookup(token: string): Promise<SessionLookup> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'unknown' };
    // The staff row comes along: a person disabled in `staff_members` loses every session at once, even one the
    // revocation that normally accompanies disabling (ptflow staff disable) missed.
    const [found] = await this.db
      .select({ session: staffSessions, staffDisabledAt: staffMembers.disabledAt })
      .from(staffSessions)
      .leftJoin(staffMembers, eq(staffMembers.id, staffSessions.staffId))
      .where(eq(staffSessions.tokenHash, hashSessionToken(token)))
      .limit(1);
    if (!found) return { ok: false, reason: 'unknown' };
    const row = found.session;
    if (row.revokedAt || found.staffDisabledAt) return { ok: false, reason: 'revoked' };
    const now = this.settings.now();
    if (now >= row.expiresAt || now.getTime() - row.lastSeenAt.getTime() > this.settings.idleMs) {
      return { ok: false, reason: 'expired' };
    }
    const touchEvery = Math.min(
      this.settings.touchEveryMs ?? DEFAULT_SESSION_TOUCH_MS,
      this.settings.idleMs / 4,
    );
    let lastSeenAt = row.lastSeenAt;
    if (now.getTime() - row.lastSeenAt.getTime() >= touchEvery) {
      await this.db
        .update(staffSessions)
        .set({ lastSeenAt: now })
        .where(and(eq(staffSessions.id, row.id), isNull(staffSessions.revokedAt)));
      lastSeenAt = now;
    }
    const session: StaffSession = {
      id: row.id,
      practiceId: row.practiceId,
      role: row.role,
      actorId: row.actorId,
      staffId: row.staffId,
      displayName: row.displayName,
      method: row.method,
      amr: row.amr,
      authTime: row.authTime,
      createdAt: row.createdAt,
      lastSeenAt,
      expiresAt: row.expiresAt,
    };
    return { ok: true, session, principal: principalOfSession(session) };
  }

  /** Revokes one session by the token the browser holds (rotation, sign-out). True if it was live. */
  async revokeToken(token: string): Promise<string | undefined> {
    const rows = await this.db
      .update(staffSessions)
      .set({ revokedAt: this.settings.now() })
      .where(and(eq(staffSessions.tokenHash, hashSessionToken(token)), isNull(staffSessions.revokedAt)))
      .returning({ id: staffSessions.id });
    return rows[0]?.id;
  }

  /** Revokes one session by id. True if it was live. */
  async revoke(id: string): Promise<boolean> {
    return (await revokeSessions(this.db, { sessionId: id }, this.settings.now())) > 0;
  }
}

/**
 * Revokes live sessions server-side: one (`sessionId`), or every session of a person (`actorId`, optionally
 * within one practice), or of a staff member (`staffId`). Returns how many were live. Used by sign-out, the
 * `ptflow staff revoke` command and deprovisioning.
 */
export async function revokeSessions(
  db: Database,
  which: { sessionId?: string; actorId?: string; staffId?: string; practiceId?: string },
  now: Date = new Date(),
): Promise<number> {
  const conds = [isNull(staffSessions.revokedAt)];
  if (which.sessionId) conds.push(eq(staffSessions.id, which.sessionId));
  if (which.actorId) conds.push(eq(staffSessions.actorId, which.actorId));
  if (which.staffId) conds.push(eq(staffSessions.staffId, which.staffId));
  if (which.practiceId) conds.push(eq(staffSessions.practiceId, which.practiceId));
  if (conds.length === 1) throw new Error('revokeSessions: name a session, a person or a staff member');
  const rows = await db
    .update(staffSessions)
    .set({ revokedAt: now })
    .where(and(...conds))
    .returning({ id: staffSessions.id });
  return rows.length;
}

/** Number of live (unrevoked, unexpired) sessions of a person, for the CLI's report. */
export async function countLiveSessions(db: Database, actorId: string, now = new Date()): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(staffSessions)
    .where(
      and(
        eq(staffSessions.actorId, actorId),
        isNull(staffSessions.revokedAt),
        sql`${staffSessions.expiresAt} > ${now}`,
      ),
    );
  return row?.n ?? 0;
}

/** The CSRF token of a session: HMAC-SHA256(csrf key, session id), base64url. */
export function csrfTokenFor(csrfKey: Buffer, sessionId: string): string {
  return createHmac('sha256', csrfKey).update(`csrf|${sessionId}`).digest('base64url');
}

/** Constant-time check of a presented CSRF token against the session's. */
export function csrfTokenMatches(csrfKey: Buffer, sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(csrfKey, sessionId));
  const presented = Buffer.from(given);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Everything the auth plugin and the sign-in routes share about sessions (decorated on the app). */
export interface StaffSessions {
  store: SessionStore;
  /** Key of the CSRF tokens (derived from the cookie secret). */
  csrfKey: Buffer;
}

declare module 'fastify' {
  interface FastifyInstance {
    staffSessions: StaffSessions;
  }
  interface FastifyRequest {
    /** The live staff session that authenticated this request (absent for API keys and bearer tokens). */
    staffSession?: StaffSession;
  }
}

/** True when the request was addressed to this machine (the only place a cookie may go without Secure). */
export function isLoopbackRequest(req: FastifyRequest): boolean {
  const host = req.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Cookie options of the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure unless on loopback. */
export function sessionCookieOptions(req: FastifyRequest) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: !isLoopbackRequest(req),
    signed: true,
  };
}

/** Sets the session cookie for a new session token. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(req));
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  const { signed: _signed, ...opts } = sessionCookieOptions(req);
  reply.clearCookie(SESSION_COOKIE, opts);
}

/** The raw (verified) session token of the request's cookie; `forged` when the signature does not verify. */
export function sessionTokenOf(req: FastifyRequest): { token?: string; forged: boolean } {
  const raw = req.cookies[SESSION_COOKIE];
  if (raw === undefined) return { forged: false };
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return { forged: true };
  return { token: unsigned.value, forged: false };
}

/**
 * The staff session principal of a request: the live session its `ptflow_session` cookie names, or why there is
 * none (`absent` no cookie, `forged` bad signature, `unknown`/`expired`/`revoked`). The one function other
 * parts (the console, the codec routes) call to authenticate a browser; the auth plugin uses it for every route.
 */
export async function resolveSessionPrincipal(req: FastifyRequest): Promise<SessionLookup> {
  const { token, forged } = sessionTokenOf(req);
  if (forged) return { ok: false, reason: 'forged' };
  if (token === undefined) return { ok: false, reason: 'absent' };
  return req.server.staffSessions.store.lookup(token);
}
