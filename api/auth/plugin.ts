// Authentication and role checks for every route, deny by default: a route is reachable only if it declares
// `config.public` (health, metrics, docs) or lists the roles allowed in `config.roles`. Tokens are read from
// the Authorization header only — never from the query string (where it would end up in logs).
import fp from 'fastify-plugin';
import type { Database } from '../../db/connection.js';
import { HttpProblem, problem } from '../problem.js';
import { apiKeyCacheFor, authenticateApiKey, looksLikeApiKey, releaseApiKeyCache } from './api-keys.js';
import { DEFAULT_API_KEY_CACHE_TTL_MS } from './key-cache.js';
import type { OidcVerifier } from './oidc.js';
import type { Principal } from './principal.js';

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

      const deny = async (status: 401 | 403, principal?: Principal) => {
        await deps.onDenied?.({ principal, route, status, requestId: req.id, ip: req.ip });
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
  },
  { name: 'ptflow-auth', dependencies: ['@fastify/rate-limit'] },
);

/** The authenticated principal of a route handler (the hook guarantees it on non-public routes). */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new HttpProblem(problem(401, 'Valid credentials are required.'));
  return req.principal;
}
