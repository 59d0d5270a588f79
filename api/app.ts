// Fastify app factory. Everything external comes in through `deps`, so tests build the app around real or
// fake dependencies and `ptflow api` / `ptflow dev` build it around the real ones.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loggerOptions } from './logger.js';
import { RequestValidationError } from './problem.js';
import { answerFrameworkError, registerProblemAnswers } from './problem-answers.js';
import { DatabaseOutageTracker } from './database-outage.js';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { appendAuditGrouped } from '../db/audit/append.js';
import { codecRoutes } from './routes/codec.js';
import type { Principal } from './auth/principal.js';
import type { Database } from '../db/connection.js';
import type { Keyring } from '../db/crypto/keyring.js';
import './auth/principal.js';
import { authPlugin, type AuthDeps } from './auth/plugin.js';
import type { OidcVerifier } from './auth/oidc.js';
import { createStaffOidc, type StaffOidcSettings } from './auth/oidc-sign-in.js';
import {
  DEFAULT_SESSION_ABSOLUTE_MS,
  DEFAULT_SESSION_IDLE_MS,
  SessionStore,
  type StaffSessions,
} from './auth/session.js';
import { consoleWorklistRoutes } from './routes/console-worklist.js';
import { staffAuthRoutes, type SignInAuditEvent } from './routes/staff-auth.js';
import { consoleProcessRoutes } from './routes/console-processes.js';
import { consoleSetupRoutes } from './routes/console-setup.js';
import { consoleSeriesRoutes } from './routes/console-series.js';
import { createMetrics, registerMetrics, type ApiMetrics } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerRateLimit, type RateLimitSettings } from './plugins/rate-limit.js';
import { registerTraceRoutes } from './plugins/trace-route.js';
import { healthRoutes, type ReadinessAdvisory, type ReadinessCheck } from './routes/health.js';
import { taskRoutes } from './routes/tasks.js';
import { authorizationRoutes } from './routes/authorizations.js';
import { claimRoutes } from './routes/claims.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { onboardingRoutes } from './routes/onboardings.js';
import { planOfCareRoutes } from './routes/plans-of-care.js';
import { processRoutes } from './routes/processes.js';
import { breakGlassRoutes } from './routes/break-glass.js';
import { practiceRoutes } from './routes/practice.js';
import { equipmentRoutes } from './routes/equipment.js';
import { roomRoutes } from './routes/rooms.js';
import { practitionerRoutes } from './routes/practitioners.js';
import { waitlistRoutes } from './routes/waitlist.js';
import { billingRoutes } from './routes/billing.js';
import { practiceMetricsRoutes } from './routes/practice-metrics.js';
import { consoleMetricsRoutes } from './routes/console-metrics.js';
import { consoleWaitlistRoutes } from './routes/console-waitlist.js';
import { registerPracticeGauges } from './plugins/practice-gauges.js';
import type { WaitlistFillsSource } from '../db/repositories/practice-metrics.js';
import { waitlistFills } from '../db/repositories/visits.js';
import type { BillingExportDeps } from './billing-export.js';
import { idempotencyPlugin, type IdempotencyDeps } from './idempotency/plugin.js';
import { responseShapingPlugin } from './response-shaping/plugin.js';
import { webhookRoutes, type WebhookRouteDeps } from './routes/webhooks.js';
import { createProcessReplyRouter } from './webhooks/process-replies.js';

export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
  /** Roles the route admits (config.roles); absent on public routes. */
  roles?: readonly string[];
  /** The route takes an Idempotency-Key (config.idempotent). */
  idempotent: boolean;
  /** The route has a body schema (or parses a raw body: webhooks). */
  body: boolean;
  /** A server-rendered HTML page for people (sign-in, console): not an API operation, not in OpenAPI. */
  page: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
    /** Task queue processes are started on. */
    taskQueue: string;
  }
}

export interface AppDeps {
  logLevel?: string;
  /** Named readiness checks (e.g. temporal, database) answered by /readyz. */
  readiness: Record<string, ReadinessCheck>;
  /** Reported by /readyz without deciding readiness (e.g. whether any worker polls the task queue). */
  readinessAdvisories?: Record<string, ReadinessAdvisory>;
  /** Replace the logger (tests capture lines to check for PHI). */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  db: Database;
  temporal: Client;
  /** Task queue the worker polls (TEMPORAL_TASK_QUEUE). */
  taskQueue?: string;
  /** How often a claim process asks the payer mailbox for its 277CA/835 (CLAIM_POLL_MINUTES). */
  claimPollMinutes?: number;
  /** OIDC access-token verifier; without it only API keys authenticate. */
  oidc?: OidcVerifier;
  /** HMAC key of pagination cursors (shared by every API instance). */
  cursorKey: Buffer;
  rateLimit?: RateLimitSettings;
  metrics?: ApiMetrics;
  /** Bearer token `GET /metrics` requires (METRICS_TOKEN); unset → open (development only, see cli/services.ts). */
  metricsToken?: string;
  onDenied?: AuthDeps['onDenied'];
  /** How long API-key rows are reused before the database is read again (ms, default 10 s; 0 = off). */
  apiKeyCacheTtlMs?: number;
  /** Codec server for the Temporal Web UI (decrypts payloads for authorised staff; every call audited). */
  codec?: { codec: PayloadCodec; allowedOrigin: string };
  /** Idempotency-Key handling for routes with `config.idempotent` (the keyring encrypts stored answers). */
  idempotency?: Omit<IdempotencyDeps, 'db'>;
  /** Signed inbound webhooks (/v1/webhooks/…); mounted only when configured. */
  webhooks?: Omit<WebhookRouteDeps, 'db'>;
  /** Clock break-glass grants are dated and expire against (tests pass a fake one). */
  now?: () => Date;
  /**
   * The data keyring (the column-encryption ring) that encrypts break-glass reasons. Without it the routes
   * stay registered but opening a grant answers 503: a reason is never stored in clear.
   */
  breakGlass?: { keyring: Keyring };
  /** Staff sign-in and sessions (/auth, /console). Without it sessions still work with a random secret. */
  staffAuth?: StaffAuthDeps;
  /** The charge export's 837P parts (data keys, payer directory, submitter); CSV works without them. */
  billingExport?: BillingExportDeps;
  /** Tracing is on (cli/tracing.ts): name HTTP server spans by route template. */
  traceRoutes?: boolean;
  /**
   * The practice's numbers (issue 18): the waitlist feature's fill counter (not wired: the figure reads "not
   * available") and how long the /metrics gauges reuse a computation (default 5 min).
   */
  practiceMetrics?: { waitlistFills?: WaitlistFillsSource; gaugeTtlMs?: number };
}

/** Staff sign-in settings (STAFF_SESSION_* and OIDC_CLIENT_* in the CLI's configuration). */
export interface StaffAuthDeps {
  /** Signs the session cookie; CSRF tokens are derived from it. ≥ 32 bytes, shared by every API instance. */
  cookieSecret: Buffer;
  /** Idle timeout (default 15 min) and absolute lifetime (default 12 h) of a session. */
  idleMs?: number;
  absoluteMs?: number;
  /** How stale `last_seen_at` may get before a request rewrites it (default 30 s). */
  touchEveryMs?: number;
  /** The demo staff sign-in of `ptflow dev` (never in production: the CLI refuses that configuration). */
  devSignIn?: boolean;
  /** The practice's identity provider (authorization code + PKCE). */
  oidc?: StaffOidcSettings;
}

/** The audit event of a sign-in, a sign-out or a failed attempt (no token, code, name or claim value). */
function signInAuditRow(e: SignInAuditEvent) {
  return {
    actorId: e.principal?.id ?? 'anonymous',
    actorType: 'user' as const,
    actorRole: e.principal?.role ?? null,
    sourceIp: e.ip,
    action: 'E' as const,
    resourceType: e.kind === 'sign_in' ? 'staff_sign_in' : 'staff_sign_out',
    resourceId: e.sessionId ? `session:${e.sessionId}` : `failure:${e.failure ?? 'unknown'}`,
    outcome: e.outcome,
    requestId: e.requestId,
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.loggerInstance
      ? { loggerInstance: deps.loggerInstance }
      : { logger: loggerOptions(deps.logLevel ?? 'info') }),
    genReqId: (req) => {
      // Accept a caller's request id only if it is an opaque token; never reflect arbitrary input.
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();

  // Route table (method, pattern, public?) for the deny-by-default walk in the tests and the OpenAPI check.
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      const roles = r.config?.roles;
      routeTable.push({
        method,
        url: r.url,
        public: Boolean(r.config?.public) || r.url.startsWith('/docs'),
        ...(roles ? { roles } : {}),
        idempotent: Boolean(r.config?.idempotent),
        body: Boolean(r.schema?.body) || r.url.startsWith('/v1/webhooks/'),
        page: Boolean(r.config?.page),
      });
    }
  });

  // Zod validation that keeps each issue's path and schema facts (expected type, allowed values, bounds, unknown
  // keys) for the problem answer; Fastify tags the error with the request part (body, querystring, params).
  // No request string may carry U+0000: PostgreSQL's text and jsonb cannot store it, so it is refused here by
  // name for every route rather than failing later as a 500.
  app.setValidatorCompiler<z.ZodType>(({ schema }) => (data) => {
    const nul = pathOfNul(data);
    if (nul)
      return {
        error: new RequestValidationError([
          { code: 'custom', path: nul, message: 'Must not contain the NUL character (U+0000)' },
        ]),
      };
    const result = schema.safeParse(data);
    return result.success
      ? { value: result.data }
      : { error: new RequestValidationError(result.error.issues) };
  });
  app.setSerializerCompiler(serializerCompiler);
  // Bodies are JSON (webhooks keep their raw-body parsers): text/plain is a 415, not a string that then fails
  // the schema.
  app.removeContentTypeParser('text/plain');
  // An authenticated route without query parameters refuses any, naming the unknown one, like routes with some.
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith('/v1/') && !r.config?.public && !r.schema?.querystring) {
      r.schema = { ...(r.schema ?? {}), querystring: z.strictObject({}) };
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('cache-control', 'no-store');
  });

  // A database that is down or full: 503 + Retry-After for the request, and /readyz says so until it recovers.
  const outages = new DatabaseOutageTracker();
  app.decorate('databaseOutages', outages);
  registerProblemAnswers(app, outages);
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && req.routeOptions.url !== undefined && reply.statusCode < 400)
      outages.writeSucceeded();
  });

  if (deps.traceRoutes) registerTraceRoutes(app);
  const limits = deps.rateLimit ?? { perMinute: 600, authFailuresPerMinute: 60 };
  await registerRateLimit(app, limits);
  const apiMetrics = deps.metrics ?? createMetrics();
  registerMetrics(app, apiMetrics, deps.metricsToken);
  const practiceMetricsDeps = {
    db: deps.db,
    now: deps.now ?? (() => new Date()),
    // Slots filled from the waitlist (db/repositories/visits.ts) unless a test gives its own counter.
    waitlistFills: deps.practiceMetrics?.waitlistFills ?? ((q) => waitlistFills(deps.db, q)),
  };
  registerPracticeGauges(apiMetrics.registry, {
    ...practiceMetricsDeps,
    ...(deps.practiceMetrics?.gaugeTtlMs !== undefined ? { ttlMs: deps.practiceMetrics.gaugeTtlMs } : {}),
  });
  const now = deps.now ?? (() => new Date());
  const staffAuth = deps.staffAuth;
  const cookieSecret = staffAuth?.cookieSecret ?? randomBytes(32);
  await app.register(cookie, { secret: cookieSecret, hook: 'onRequest' });
  const staffSessions: StaffSessions = {
    store: new SessionStore(deps.db, {
      idleMs: staffAuth?.idleMs ?? DEFAULT_SESSION_IDLE_MS,
      absoluteMs: staffAuth?.absoluteMs ?? DEFAULT_SESSION_ABSOLUTE_MS,
      ...(staffAuth?.touchEveryMs !== undefined ? { touchEveryMs: staffAuth.touchEveryMs } : {}),
      now,
    }),
    csrfKey: createHmac('sha256', cookieSecret).update('ptflow csrf key').digest(),
  };
  app.decorate('staffSessions', staffSessions);
  await app.register(authPlugin, {
    db: deps.db,
    oidc: deps.oidc,
    failuresPerMinute: limits.authFailuresPerMinute,
    onDenied: deps.onDenied,
    ...(deps.apiKeyCacheTtlMs !== undefined ? { apiKeyCacheTtlMs: deps.apiKeyCacheTtlMs } : {}),
  });
  if (deps.idempotency) await app.register(idempotencyPlugin, { db: deps.db, ...deps.idempotency });
  await registerOpenApi(app);
  // Per-role response views (minimum necessary): registered before the routes so its onRoute hook sees them all.
  await app.register(responseShapingPlugin, { db: deps.db, now });

  await app.register(healthRoutes(deps.readiness, deps.readinessAdvisories, outages));
  await app.register(taskRoutes({ db: deps.db, temporal: deps.temporal, cursorKey: deps.cursorKey }));
  app.decorate('taskQueue', deps.taskQueue ?? 'ptflow');
  await app.register(authorizationRoutes({ db: deps.db, temporal: deps.temporal }));
  await app.register(sandboxRoutes({ db: deps.db, temporal: deps.temporal }));
  await app.register(onboardingRoutes({ db: deps.db, temporal: deps.temporal }));
  await app.register(planOfCareRoutes({ db: deps.db, temporal: deps.temporal }));
  await app.register(processRoutes({ temporal: deps.temporal, cursorKey: deps.cursorKey }));
  await app.register(practitionerRoutes({ db: deps.db }));
  await app.register(waitlistRoutes({ db: deps.db }));
  await app.register(billingRoutes({ db: deps.db, now, ...deps.billingExport }));
  await app.register(practiceMetricsRoutes(practiceMetricsDeps));
  await app.register(consoleMetricsRoutes(practiceMetricsDeps));
  await app.register(consoleWaitlistRoutes({ db: deps.db }));
  // Practice setup (issue 17): the tax id is encrypted under the data keyring (the break-glass reasons' ring).
  await app.register(
    practiceRoutes({
      db: deps.db,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue ?? 'ptflow',
      keyring: deps.breakGlass?.keyring,
    }),
  );
  await app.register(equipmentRoutes({ db: deps.db }));
  await app.register(roomRoutes({ db: deps.db }));
  await app.register(breakGlassRoutes({ db: deps.db, now, keyring: deps.breakGlass?.keyring }));
  await app.register(
    claimRoutes({
      db: deps.db,
      temporal: deps.temporal,
      ...(deps.claimPollMinutes !== undefined ? { pollEveryMinutes: deps.claimPollMinutes } : {}),
    }),
  );
  await app.register(
    staffAuthRoutes({
      db: deps.db,
      devSignIn: staffAuth?.devSignIn ?? false,
      ...(staffAuth?.oidc ? { oidc: createStaffOidc(deps.db, staffAuth.oidc) } : {}),
      audit: async (e) => {
        await appendAuditGrouped(deps.db, signInAuditRow(e));
      },
    }),
  );
  await app.register(consoleWorklistRoutes({ db: deps.db, temporal: deps.temporal, now }));
  // Console process pages and daily lists; the Temporal UI link goes to the codec's UI origin (TEMPORAL_UI_ORIGIN).
  await app.register(
    consoleProcessRoutes({
      db: deps.db,
      temporal: deps.temporal,
      now,
      temporalUiOrigin: deps.codec?.allowedOrigin ?? 'http://127.0.0.1:8233',
    }),
  );
  // Console series booking (front desk) and equipment (admins) pages, through the REST routes' code.
  await app.register(
    consoleSeriesRoutes({
      db: deps.db,
      temporal: deps.temporal,
      now,
      temporalUiOrigin: deps.codec?.allowedOrigin ?? 'http://127.0.0.1:8233',
    }),
  );
  // Console first-run setup wizard (admins): the practice profile, step by step, through the practice service.
  await app.register(
    consoleSetupRoutes({
      db: deps.db,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue ?? 'ptflow',
      keyring: deps.breakGlass?.keyring,
    }),
  );
  if (deps.webhooks)
    await app.register(
      webhookRoutes({ db: deps.db, replies: createProcessReplyRouter(deps.temporal), ...deps.webhooks }),
    );
  if (deps.codec) {
    const db = deps.db;
    await app.register(
      codecRoutes<Principal>({
        codec: deps.codec.codec,
        allowedOrigin: deps.codec.allowedOrigin,
        roles: ['admin', 'front_desk', 'therapist', 'biller'],
        authorize: async (req) => req.principal,
        // The Temporal UI's "Include cross-origin credentials" sends the staff session cookie.
        cookieAuthenticated: (req) => req.staffSession !== undefined,
        audit: async (e) => {
          await appendAuditGrouped(db, {
            actorId: e.principal.id,
            actorType: e.principal.type,
            actorRole: e.principal.role,
            action: e.operation === 'decode' ? 'R' : 'E',
            resourceType: 'temporal_payload',
            outcome: e.outcome,
            requestId: e.requestId,
          });
        },
      }),
    );
  }
  return app;
}

/** The path of the first string (value or key) holding U+0000 in parsed request data, if any. */
export function pathOfNul(data: unknown, path: PropertyKey[] = [], depth = 0): PropertyKey[] | undefined {
  if (typeof data === 'string') return data.includes('\u0000') ? path : undefined;
  if (data === null || typeof data !== 'object' || depth > 64) return undefined;
  for (const [key, value] of Object.entries(data)) {
    const at = [...path, Array.isArray(data) ? Number(key) : key];
    if (key.includes('\u0000')) return at;
    const found = pathOfNul(value, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}
