// Authentication and role checks for every route, deny by default: a route is reachable only if it declares
// `config.public` (health, metrics, docs) or lists the roles allowed in `config.roles`. Tokens are read from
// the Authorization header only — never from the query string (where it would end up in logs). A request
// without an Authorization header may instead carry a signed-in person's `ptflow_session` cookie (session.ts):
// it yields the same Principal; its state-changing requests must also carry the session's CSRF token.
import fp from 'fastify-plugin';
import type { Database } from '../../db/connection.js';
import { HttpProblem, problem } from '../problem.js';
import { apiKeyCacheFor, authenticateApiKey, looksLikeApiKey, releaseApiKeyCache } from './api-keys.js';
import { DEFAULT_API_KEY_CACHE_TTL_MS } from './key-cache.js';
import type { OidcVerifier } from './oidc.js';
import { sendPage } from './pages.js';
import type { Principal } from './principal.js';
import {
  clearSessionCookie,
  CSRF_FIELD,
  CSRF_HEADER,
  csrfTokenMatches,
  resolveSessionPrincipal,
  SESSION_COOKIE,
} from './session.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A browser navigating (it asks for HTML), as opposed to a script or API client. */
function wantsHtml(accept: string | undefined): boolean {
  return typeof accept === 'string' && /\btext\/html\b/.test(accept);
}

export interface AuthDeps {
  db: Database;
  /** Failed authentications allowed per minute per IP; more answer 429 (needs @fastify/rate-limit first). */
  failuresPerMinute: number;
  /**
   * How long an API key's row is reused without reading the database again (ms; 0 = every request). A key
   * revoked by another process keeps working here for at most this long (deprovisioning allows 15 min).
   * Default 10 s.
   */
  apiKeyCacheTtlMs?: number;
  oidc?: OidcVerifier;
  /** Called for every denied attempt (the audit log records denials as well as accesses). */
  onDenied?: (event: {
    principal?: Principal;
    route: string;
    status: 401 | 403;
    requestId: string;
    ip: string;
  }) => Promise<void>;
}

export const authPlugin = fp<AuthDeps>(
  async (app, deps) => {
    app.decorateRequest('principal', undefined);
    const keyCache = apiKeyCacheFor(deps.db, deps.apiKeyCacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS);
    app.addHook('onClose', async () => releaseApiKeyCache(deps.db, keyCache));
    const failureLimit = app.createRateLimit({
      max: deps.failuresPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => `auth-failure:${req.ip}`,
    });
    app.addHook('onRequest', async (req, reply) => {
      const route = req.routeOptions.url;
      // Unmatched URLs fall through to the not-found handler (a plain 404, nothing disclosed).
      if (route === undefined) return;
      const config = req.routeOptions.config;
      if (config.public) return;

      const deny = async (status: 401 | 403, principal?: Principal, session?: 'ended' | 'forged') => {
        await deps.onDenied?.({ principal, route, status, requestId: req.id, ip: req.ip });
        if (session) clearSessionCookie(req, reply);
        if (status === 401 && session === 'forged' && config.page && wantsHtml(req.headers.accept)) {
          // A cookie that is not ours: 401, as a page with the way to sign in (the cookie is dropped).
          return sendPage(
            reply,
            401,
            'Sign in',
            '<p class="notice" role="alert">Your sign-in is not valid here.</p>' +
              '<p><a class="button" href="/auth/sign-in">Sign in</a></p>',
          );
        }
        if (status === 401 && config.page && wantsHtml(req.headers.accept)) {
          // A person's browser: to the sign-in page, coming back to the page afterwards (its path holds opaque
          // ids only; the query string is not carried over).
          const back = req.method === 'GET' ? (req.url.split('?')[0] ?? '') : '';
          const query = back ? `?returnTo=${encodeURIComponent(back)}` : '';
          return reply.redirect(`/auth/sign-in${query}`, 303);
        }
        if (status === 401) {
          const limit = await failureLimit(req);
          if (!limit.isAllowed && limit.isExceeded) {
            reply.header('retry-after', Math.ceil(limit.ttlInSeconds ?? 60));
            throw new HttpProblem(problem(429, 'Too many failed authentication attempts; retry later.'));
          }
          reply.header('www-authenticate', 'Bearer');
        }
        throw new HttpProblem(
          problem(
            status,
            status === 401 ? 'Valid credentials are required.' : 'Your role may not use this route.',
          ),
        );
      };

      const header = req.headers.authorization;
      if (header === undefined && req.cookies?.[SESSION_COOKIE] !== undefined) {
        const found = await resolveSessionPrincipal(req);
        // Forged, unknown, expired or revoked: the same 401 (or sign-in redirect); the reason is not disclosed.
        if (!found.ok) return deny(401, undefined, found.reason === 'forged' ? 'forged' : 'ended');
        if (!config.roles?.includes(found.principal.role)) return deny(403, found.principal);
        req.principal = found.principal;
        req.staffSession = found.session;
        return;
      }
      const token =
        typeof header === 'string' && /^Bearer [^\s]+$/.test(header) ? header.slice(7) : undefined;
      if (!token) return deny(401);
      const principal = looksLikeApiKey(token)
        ? await authenticateApiKey(deps.db, token, keyCache)
        : deps.oidc
          ? await deps.oidc(token)
          : undefined;
      if (!principal) return deny(401);
      if (!config.roles?.includes(principal.role)) return deny(403, principal);
      req.principal = principal;
    });
    // CSRF: after the body is parsed (a form's `_csrf` field), before validation (which would reject the
    // unknown field) and before any handler runs.
    app.addHook('preValidation', async (req) => {
      const session = req.staffSession;
      if (!session || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrfExempt) return;
      const body = req.body as Record<string, unknown> | null | undefined;
      const fromBody =
        body && typeof body === 'object' && !Array.isArray(body) && CSRF_FIELD in body
          ? body[CSRF_FIELD]
          : undefined;
      if (fromBody !== undefined) delete body![CSRF_FIELD];
      const given = req.headers[CSRF_HEADER] ?? fromBody;
      if (!csrfTokenMatches(app.staffSessions.csrfKey, session.id, given)) {
        await deps.onDenied?.({
          principal: req.principal,
          route: req.routeOptions.url ?? '',
          status: 403,
          requestId: req.id,
          ip: req.ip,
        });
        throw new HttpProblem(problem(403, 'A valid CSRF token is required for this request.'));
      }
    });
  },
  { name: 'ptflow-auth', dependencies: ['@fastify/rate-limit', '@fastify/cookie'] },
);

/** The authenticated principal of a route handler (the hook guarantees it on non-public routes). */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new HttpProblem(problem(401, 'Valid credentials are required.'));
  return req.principal;
}
