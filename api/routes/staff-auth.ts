// Over 350 lines: sign-in page, dev sign-in, OIDC start/callback, sign-out and landing share one cookie setup.
// Staff sign-in and sign-out (HTML, for people in a browser; machines use API keys):
//   GET  /auth/sign-in          the sign-in page: "Sign in with <IdP>" when OIDC is configured, and in
//                               `ptflow dev` one button per demo staff member ("Sign in as <Name> (<role>)")
//   POST /auth/dev/sign-in      the demo sign-in (`ptflow dev` only; refused and audited otherwise)
//   GET  /auth/oidc/start       to the IdP (authorization code + PKCE)
//   GET  /auth/oidc/callback    back from the IdP: a new session, then the console (or a safe `returnTo`)
//   POST /auth/sign-out         revokes the session server-side (CSRF token required)
//   GET  /auth/style.css        the pages' stylesheet
//   GET  /console               who is signed in, and a sign-out button (the console's landing page)
// Every sign-in, sign-out and failed attempt is an audit event (resource `staff_sign_in` / `staff_sign_out`,
// resource id `session:<uuid>` or `failure:<reason>`): no token, code, name or claim value is ever written.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import { asc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { practices, staffMembers } from '../../db/schema.js';
import { principalOf } from '../auth/plugin.js';
import type { Principal } from '../auth/principal.js';
import { SignInError, type PendingSignIn, type SignInFailure, type StaffOidc } from '../auth/oidc-sign-in.js';
import { csrfField, esc, sendPage, STYLESHEET } from '../auth/pages.js';
import { CONSOLE_NAV } from '../console/layout.js';
import { setupProgress } from '../console/setup-steps.js';
import {
  clearSessionCookie,
  csrfTokenFor,
  isLoopbackRequest,
  sessionTokenOf,
  setSessionCookie,
  staffRoles,
  type NewSession,
} from '../auth/session.js';

/** Cookie of a sign-in in progress (state, nonce, PKCE verifier, returnTo): signed, HttpOnly, 10 minutes. */
export const OIDC_PENDING_COOKIE = 'ptflow_oidc';
/** Cookie of the sign-in page's anti-forgery token (a sign-in form posted from elsewhere is refused). */
export const SIGN_IN_CSRF_COOKIE = 'ptflow_signin';

export interface SignInAuditEvent {
  kind: 'sign_in' | 'sign_out';
  outcome: 'success' | 'denied';
  principal?: Principal;
  sessionId?: string;
  failure?: SignInFailure;
  requestId: string;
  ip: string;
}

export interface StaffAuthRouteDeps {
  db: Database;
  /** `ptflow dev` only: the demo staff sign-in (refused, and audited, when false). */
  devSignIn: boolean;
  oidc?: StaffOidc;
  /** Writes the audit event (fail closed: a sign-in whose audit event fails is not completed). */
  audit: (event: SignInAuditEvent) => Promise<void>;
}

const RETURN_TO = /^\/(?!\/)[A-Za-z0-9/_.~-]{0,300}$/;

/** A same-origin path to go to after sign-in; anything else (other hosts, `//x`, `/auth/…`) → /console. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !RETURN_TO.test(value) || value.startsWith('/auth/')) return '/console';
  return value;
}

function sameToken(a: string, b: unknown): boolean {
  if (typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const pageCookie = (req: FastifyRequest, path: string, maxAge: number) => ({
  path,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: !isLoopbackRequest(req),
  signed: true,
  maxAge,
});

const ROLE_NAMES: Record<string, string> = {
  admin: 'Administrator',
  front_desk: 'Front desk',
  therapist: 'Therapist',
  biller: 'Biller',
};

/** The sign-in and console routes; `formbody` is registered for these routes only (the API stays JSON). */
export function staffAuthRoutes(deps: StaffAuthRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 8 * 1024 });
    const { store } = app.staffSessions;

    /** Ends the browser's previous session (rotation: a sign-in never reuses or keeps the old id). */
    const rotate = async (req: FastifyRequest) => {
      const { token } = sessionTokenOf(req);
      if (token) await store.revokeToken(token);
    };

    const completeSignIn = async (
      req: FastifyRequest,
      reply: FastifyReply,
      person: NewSession,
      returnTo: string,
    ) => {
      await rotate(req);
      const { token, session } = await store.create(person);
      try {
        await deps.audit({
          kind: 'sign_in',
          outcome: 'success',
          principal: {
            id: session.actorId,
            type: 'user',
            role: session.role,
            practiceId: session.practiceId,
            amr: session.amr,
          },
          sessionId: session.id,
          requestId: req.id,
          ip: req.ip,
        });
      } catch (err) {
        await store.revoke(session.id);
        throw err;
      }
      setSessionCookie(req, reply, token);
      return reply.redirect(safeReturnTo(returnTo), 303);
    };

    const failSignIn = async (
      req: FastifyRequest,
      reply: FastifyReply,
      failure: SignInFailure,
      status: number,
    ) => {
      await deps.audit({ kind: 'sign_in', outcome: 'denied', failure, requestId: req.id, ip: req.ip });
      return sendPage(
        reply,
        status,
        'Sign-in failed',
        `<p class="notice" role="alert">Sign-in did not succeed. Please try again; if it keeps failing, ` +
          `give your administrator this reference: <code>${esc(req.id)}</code>.</p>` +
          `<p><a class="button" href="/auth/sign-in">Back to sign-in</a></p>`,
      );
    };

    app.get(
      '/auth/style.css',
      { config: { public: true, page: true }, schema: { hide: true } },
      async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET),
    );

    app.get<{ Querystring: { returnTo?: string } }>(
      '/auth/sign-in',
      { config: { public: true, page: true }, schema: { hide: true } },
      async (req, reply) => {
        const returnTo = safeReturnTo(req.query.returnTo);
        const formToken = randomBytes(24).toString('base64url');
        reply.setCookie(SIGN_IN_CSRF_COOKIE, formToken, pageCookie(req, '/auth', 3600));
        const parts: string[] = [];
        if (deps.oidc) {
          parts.push(
            `<h2>Staff of the practice</h2>` +
              `<p><a class="button" href="/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}">` +
              `Sign in with your organisation account</a></p>`,
          );
        }
        if (deps.devSignIn) {
          const staff = await deps.db
            .select({
              id: staffMembers.id,
              name: staffMembers.displayName,
              role: staffMembers.role,
              practice: practices.name,
            })
            .from(staffMembers)
            .innerJoin(practices, eq(practices.id, staffMembers.practiceId))
            .where(isNull(staffMembers.disabledAt))
            .orderBy(asc(practices.name), asc(staffMembers.role), asc(staffMembers.displayName));
          const byPractice = new Map<string, typeof staff>();
          for (const s of staff) byPractice.set(s.practice, [...(byPractice.get(s.practice) ?? []), s]);
          const lists = [...byPractice]
            .map(
              ([practice, people]) =>
                `<h3>${esc(practice)}</h3><ul class="choices">` +
                people
                  .map(
                    (s) =>
                      `<li><form method="post" action="/auth/dev/sign-in" class="inline">` +
                      csrfField(formToken) +
                      `<input type="hidden" name="staffId" value="${esc(s.id)}">` +
                      `<input type="hidden" name="returnTo" value="${esc(returnTo)}">` +
                      `<button type="submit">Sign in as ${esc(s.name)} (${esc(s.role)})</button>` +
                      `</form> <span class="note">${esc(ROLE_NAMES[s.role] ?? s.role)}</span></li>`,
                  )
                  .join('') +
                `</ul>`,
            )
            .join('');
          parts.push(
            `<h2>Demo staff (ptflow dev)</h2>` +
              `<p class="note">Local sign-in for trying ptflow without an identity provider. ` +
              `It exists only in <code>ptflow dev</code>; production uses the practice's identity provider.</p>` +
              (lists || '<p>No demo staff: run <code>ptflow seed</code>.</p>'),
          );
        }
        if (parts.length === 0) {
          parts.push(
            `<p class="notice">Staff sign-in is not configured. An administrator sets the ` +
              `<code>OIDC_CLIENT_ID</code> and related variables (see the README).</p>`,
          );
        }
        return sendPage(reply, 200, 'Sign in', parts.join('\n'));
      },
    );

    app.post<{ Body: { staffId?: unknown; returnTo?: unknown; _csrf?: unknown } }>(
      '/auth/dev/sign-in',
      { config: { public: true, page: true }, schema: { hide: true } },
      async (req, reply) => {
        if (!deps.devSignIn) return failSignIn(req, reply, 'dev_sign_in_disabled', 404);
        const body = (req.body ?? {}) as { staffId?: unknown; returnTo?: unknown; _csrf?: unknown };
        const cookie = req.cookies[SIGN_IN_CSRF_COOKIE];
        const unsigned = cookie === undefined ? undefined : req.unsignCookie(cookie);
        if (!unsigned?.valid || !unsigned.value || !sameToken(unsigned.value, body._csrf)) {
          return failSignIn(req, reply, 'bad_csrf', 403);
        }
        const staffId = typeof body.staffId === 'string' ? body.staffId : '';
        const [row] = /^[0-9a-f-]{36}$/.test(staffId)
          ? await deps.db.select().from(staffMembers).where(eq(staffMembers.id, staffId)).limit(1)
          : [];
        if (!row) return failSignIn(req, reply, 'unknown_user', 400);
        if (row.disabledAt) return failSignIn(req, reply, 'staff_disabled', 403);
        return completeSignIn(
          req,
          reply,
          {
            practiceId: row.practiceId,
            role: row.role,
            actorId: `user:${row.id}`,
            staffId: row.id,
            displayName: row.displayName,
            method: 'dev',
            // No second factor was used: break-glass (which needs one) stays closed to a demo sign-in.
            amr: ['dev'],
            authTime: store.settings.now(),
          },
          safeReturnTo(body.returnTo),
        );
      },
    );

    app.get<{ Querystring: { returnTo?: string } }>(
      '/auth/oidc/start',
      { config: { public: true, page: true }, schema: { hide: true } },
      async (req, reply) => {
        if (!deps.oidc) return failSignIn(req, reply, 'oidc_not_configured', 404);
        let started: Awaited<ReturnType<StaffOidc['start']>>;
        try {
          started = await deps.oidc.start(safeReturnTo(req.query.returnTo));
        } catch (err) {
          if (err instanceof SignInError) return failSignIn(req, reply, err.reason, 502);
          throw err;
        }
        reply.setCookie(
          OIDC_PENDING_COOKIE,
          JSON.stringify(started.pending),
          pageCookie(req, '/auth/oidc', 600),
        );
        return reply.redirect(started.url, 302);
      },
    );

    app.get(
      '/auth/oidc/callback',
      { config: { public: true, page: true }, schema: { hide: true } },
      async (req, reply) => {
        if (!deps.oidc) return failSignIn(req, reply, 'oidc_not_configured', 404);
        const raw = req.cookies[OIDC_PENDING_COOKIE];
        reply.clearCookie(OIDC_PENDING_COOKIE, { path: '/auth/oidc' });
        const unsigned = raw === undefined ? undefined : req.unsignCookie(raw);
        let pending: PendingSignIn | undefined;
        try {
          pending =
            unsigned?.valid && unsigned.value ? (JSON.parse(unsigned.value) as PendingSignIn) : undefined;
        } catch {
          pending = undefined;
        }
        if (!pending || typeof pending.state !== 'string') return failSignIn(req, reply, 'bad_state', 400);
        const callbackUrl = new URL(deps.oidc.settings.redirectUri);
        callbackUrl.search = new URL(req.url, 'http://callback.invalid').search;
        let person: NewSession;
        try {
          person = await deps.oidc.finish(callbackUrl, pending);
        } catch (err) {
          if (err instanceof SignInError) {
            return failSignIn(req, reply, err.reason, err.reason === 'idp_error' ? 502 : 400);
          }
          throw err;
        }
        return completeSignIn(req, reply, person, pending.returnTo);
      },
    );

    app.post(
      '/auth/sign-out',
      { config: { roles: staffRoles, page: true }, schema: { hide: true } },
      async (req, reply) => {
        const session = req.staffSession;
        if (session) {
          await store.revoke(session.id);
          await deps.audit({
            kind: 'sign_out',
            outcome: 'success',
            principal: principalOf(req),
            sessionId: session.id,
            requestId: req.id,
            ip: req.ip,
          });
        }
        clearSessionCookie(req, reply);
        return reply.redirect('/auth/sign-in', 303);
      },
    );

    app.get(
      '/console',
      { config: { roles: staffRoles, page: true }, schema: { hide: true } },
      async (req, reply) => {
        const principal = principalOf(req);
        const session = req.staffSession;
        const [practice] = await deps.db
          .select({ name: practices.name })
          .from(practices)
          .where(eq(practices.id, principal.practiceId))
          .limit(1);
        const who = session?.displayName ?? principal.id;
        // An admin of a practice whose first-run setup is unfinished is sent to the wizard from here.
        const setup =
          principal.role === 'admin' ? await setupProgress(deps, principal.practiceId) : undefined;
        const setupNotice =
          setup && setup.done < setup.total
            ? `<p class="notice">Practice setup: ${setup.done} of ${setup.total} steps done. ` +
              `<a href="/console/setup">Continue the setup</a></p>`
            : '';
        const rows: [string, string][] = [
          ['Name', who],
          ['Role', ROLE_NAMES[principal.role] ?? principal.role],
          ['Practice', practice?.name ?? principal.practiceId],
        ];
        if (session) {
          rows.push([
            'Signed in with',
            session.method === 'dev' ? 'ptflow dev demo sign-in' : 'identity provider',
          ]);
          rows.push([
            'Session ends by',
            `${session.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          ]);
        }
        const signOut = session
          ? `<form method="post" action="/auth/sign-out">${csrfField(csrfTokenFor(app.staffSessions.csrfKey, session.id))}` +
            `<button type="submit">Sign out</button></form>`
          : `<p class="note">Authenticated with an API key or bearer token (no session to sign out of).</p>`;
        return sendPage(
          reply,
          200,
          'Staff console',
          `<p>Signed in as <strong>${esc(who)}</strong> (${esc(principal.role)}).</p>` +
            `<dl class="who">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
            setupNotice +
            `<nav aria-label="Console"><ul class="choices">${CONSOLE_NAV.map((n) => `<li><a class="button" href="${n.href}">${esc(n.label)}</a></li>`).join('')}</ul></nav>` +
            `<h2>Session</h2>${signOut}`,
        );
      },
    );
  };
}
