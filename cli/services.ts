// The two long-running services of ptflow, composed from configuration: the worker and the API. `ptflow dev`
// runs both in one process; production runs them as separate processes (`ptflow worker`, `ptflow api`).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createOidcVerifier } from '../api/auth/oidc.js';
import { Runtime, type Worker } from '@temporalio/worker';
import { PinoTemporalLogger } from '../temporal/logger.js';
import { createLogger } from './logger.js';
import { createActivities } from '../activities/index.js';
import type { OnboardingConnectorDeps } from '../activities/onboarding/index.js';
import type { PhysicianDelivery } from '../connectors/physician-delivery/types.js';
import { buildApp, type StaffAuthDeps } from '../api/app.js';
import { connectDb, isDbReachable, type DbHandle } from '../db/connection.js';
import { createWorkerStartRefusals } from '../db/repositories/worker-start-refusals.js';
import {
  connectClient,
  hasWorkflowPollers,
  isTemporalReachable,
  type TemporalClientHandle,
} from '../temporal/client.js';
import { createWorker } from '../temporal/worker.js';
import type { TemporalConnectionOptions } from '../temporal/connection-config.js';
import { ensureSchedules, type EnsureOutcome, type ScheduleSettings } from '../temporal/schedules.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import { apiProductionProblems, ConfigError, type Config } from './config.js';
import { dataKeys, payloadKeyring } from './keyrings.js';
import {
  authorizationPayerPort,
  clearinghouseConnector,
  clearinghouseFromConfig,
  type ClearinghouseSettings,
} from './payer.js';
import { loadWebhookSettings, WebhookConfigError, type WebhookSettings } from '../api/webhooks/config.js';
import { createEmrEventRouter } from '../api/webhooks/emr-router.js';
import { messagingWebhookSink } from './messaging-sink.js';
import type { EventRoutingDeps } from '../activities/emr-events/index.js';
import { EncryptionCodec } from '../temporal/codec/encryption-codec.js';
import { auditDenied } from '../api/audit.js';
import { sandboxPayerDirectory } from '../connectors/payer/sandbox/plans.js';
import { startTracing, type Tracing } from './tracing.js';
import { describeRuleGaps, ruleDataGaps, RULE_HORIZON_DAYS } from '../domain/rules/horizon.js';

let runtimeInstalled = false;
/**
 * Install the Temporal runtime once; `ownSignals` leaves SIGINT/SIGTERM to us (dev shuts down in order).
 * `metricsAddress` (host:port) serves the SDK's worker metrics for Prometheus at http://<address>/metrics.
 */
export function installTemporalRuntime(
  ownSignals: boolean,
  logLevel = 'warn',
  metricsAddress?: string,
): void {
  if (runtimeInstalled) return;
  Runtime.install({
    // Worker and workflow logs go through pino with PHI redaction (failure texts are reduced to their type).
    logger: new PinoTemporalLogger(createLogger(logLevel === 'info' ? 'warn' : logLevel, 'temporal')),
    ...(ownSignals ? { shutdownSignals: [] } : {}),
    // Labels are namespace, task queue, workflow and activity types: no ids, no PHI.
    ...(metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }
      : {}),
  });
  runtimeInstalled = true;
}

/** TLS, API key and headers of the configured connection (`ptflow dev` clears them: its dev server is local). */
export function temporalConnectionOptions(config: Config): TemporalConnectionOptions {
  const { tls, apiKey, metadata } = config.temporal;
  return {
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

/**
 * A Temporal client for this configuration: its address and namespace, payloads through the encryption codec,
 * and the trace context in workflow headers when tracing is on.
 */
export function connectConfiguredClient(config: Config, tracing?: Tracing): Promise<TemporalClientHandle> {
  return connectClient({
    address: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    connection: temporalConnectionOptions(config),
    dataConverter: dataConverterFor(payloadKeyring(config)),
    ...(tracing ? { interceptors: tracing.clientInterceptors } : {}),
  });
}

export interface WorkerService {
  worker: Worker;
  /** What ensuring the Temporal Schedules did (absent with PTFLOW_SCHEDULES=off). */
  schedules?: Record<string, EnsureOutcome>;
  /** Resolves when the worker has stopped polling and drained. */
  running: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerService(
  config: Config,
  databaseUrl: string,
  opts: {
    clearinghouse?: ClearinghouseSettings;
    onboarding?: OnboardingConnectorDeps;
    /** Plans of care to the referring physician (the fax/Direct gateway; the sandbox under `ptflow dev`). */
    physicianDelivery?: PhysicianDelivery;
    /** Pre-built workflow bundle (tests bundle once per run, with the same failure converter). */
    workflowBundle?: { code: string };
    /** The EMR event router's practice profiles (billing provider, intake links); without them events raise tasks. */
    practiceProfile?: EventRoutingDeps['practiceProfile'];
  } = {},
): Promise<WorkerService> {
  // Before anything connects: the activities' client and fetch calls are traced from the start (off → undefined).
  const tracing = await startTracing(config, 'worker');
  const db: DbHandle = connectDb(databaseUrl);
  const clearinghouse = opts.clearinghouse ?? clearinghouseFromConfig(config);
  let temporal: TemporalClientHandle | undefined;
  try {
    // Activities that read other processes' state (the claim reads its plan of care) use their own client.
    temporal = await connectConfiguredClient(config, tracing);
    const client = temporal;
    const payerConnector = clearinghouse ? clearinghouseConnector(clearinghouse, db.sql) : undefined;
    // Every worker makes the schedules match this configuration (idempotent: unchanged ones are not rewritten).
    const schedules =
      config.PTFLOW_SCHEDULES === 'off'
        ? undefined
        : await ensureSchedules(temporal.client, scheduleSettings(config));
    const { worker, connection } = await createWorker({
      address: config.temporalAddress,
      namespace: config.TEMPORAL_NAMESPACE,
      connection: temporalConnectionOptions(config),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: createActivities({
        db: db.db,
        temporal: temporal.client,
        dataKeyring: dataKeys(config).keyring,
        ...(payerConnector
          ? {
              payerConnector,
              // Prior authorizations are 278s through the same connector (the sandbox payer under `ptflow dev`).
              payer: authorizationPayerPort(payerConnector, db.db, dataKeys(config)),
            }
          : {}),
        ...(opts.onboarding ? { onboarding: opts.onboarding } : {}),
        ...(opts.physicianDelivery ? { physicianDelivery: opts.physicianDelivery } : {}),
        eventRouting: {
          claimPollMinutes: config.CLAIM_POLL_MINUTES,
          ...(opts.practiceProfile ? { practiceProfile: opts.practiceProfile } : {}),
        },
        schedules: {
          recipients: config.PTFLOW_STAFF_DIGEST_RECIPIENTS ?? {},
          link: (practiceId) => attentionLink(config, practiceId),
        },
      }),
      shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      dataConverter: dataConverterFor(payloadKeyring(config)),
      // A pre-built bundle lacks the tracing workflow interceptors: with tracing on the worker bundles itself.
      ...(opts.workflowBundle && !tracing ? { workflowBundle: opts.workflowBundle } : {}),
      ...(tracing ? { overrides: tracing.workerOptions } : {}),
    });
    const running = worker.run().finally(async () => {
      await connection.close();
      await client.close();
      await db.close();
    });
    return {
      worker,
      running,
      ...(schedules ? { schedules } : {}),
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
  } catch (err) {
    await temporal?.close();
    await db.close();
    throw err;
  }
}

export function scheduleSettings(config: Config): ScheduleSettings {
  return {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    timeZone: config.PTFLOW_SCHEDULE_TIMEZONE,
    paused: config.PTFLOW_SCHEDULES === 'paused',
  };
}

/** The staff digest's link: the Temporal Web UI filtered to the practice's processes needing attention. */
function attentionLink(config: Config, practiceId: string): string {
  const query = `PracticeId = "${practiceId}" AND NeedsAttention = true`;
  return `${config.temporalUiOrigin}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows?query=${encodeURIComponent(query)}`;
}

/** Staff sign-in and sessions from the configuration (see cli/config.ts, STAFF_SESSION_* and OIDC_CLIENT_*). */
export function staffAuthSettings(config: Config, devSignIn: boolean): StaffAuthDeps {
  return {
    cookieSecret: config.STAFF_SESSION_SECRET
      ? Buffer.from(config.STAFF_SESSION_SECRET, 'base64')
      : devSignIn
        ? devSessionSecret(config)
        : // Without a secret (production requires one with OIDC): sessions last as long as the process.
          randomBytes(32),
    idleMs: config.STAFF_SESSION_IDLE_MINUTES * 60_000,
    absoluteMs: config.STAFF_SESSION_MAX_HOURS * 3_600_000,
    devSignIn,
    ...(config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_REDIRECT_URI
      ? {
          oidc: {
            issuer: config.OIDC_ISSUER,
            clientId: config.OIDC_CLIENT_ID,
            ...(config.OIDC_CLIENT_SECRET ? { clientSecret: config.OIDC_CLIENT_SECRET } : {}),
            redirectUri: config.OIDC_REDIRECT_URI,
            scope: config.OIDC_SCOPE,
            allowHttp: config.NODE_ENV !== 'production' && config.OIDC_ISSUER.startsWith('http://'),
          },
        }
      : {}),
  };
}

/**
 * `ptflow dev`'s session-cookie secret, generated once into <dataDir>/keys/ (like its other development keys) so
 * a signed-in browser stays signed in across restarts.
 */
function devSessionSecret(config: Pick<Config, 'dataDir'>): Buffer {
  const file = path.join(config.dataDir, 'keys', 'staff-session-secret');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
}

export interface ApiService {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

/** Webhook sources from PTFLOW_WEBHOOK_SOURCES (api/webhooks/config.ts), reported like any config error. */
export function webhookSettings(): ReturnType<typeof loadWebhookSettings> {
  try {
    return loadWebhookSettings(process.env);
  } catch (err) {
    if (err instanceof WebhookConfigError) throw new ConfigError(err.variable, err.reason);
    throw err;
  }
}

export async function startApiService(
  config: Config,
  databaseUrl: string,
  opts: {
    webhooks?: WebhookSettings;
    devSignIn?: boolean;
    /** The practice profiles (billing provider of the charge export's 837P); the worker's router gets the same. */
    practiceProfile?: EventRoutingDeps['practiceProfile'];
  } = {},
): Promise<ApiService> {
  if (opts.devSignIn && config.NODE_ENV === 'production') {
    throw new ConfigError(
      'NODE_ENV',
      'is production: the demo staff sign-in of `ptflow dev` is refused there',
    );
  }
  const [missing] = apiProductionProblems(config);
  if (missing) {
    throw new ConfigError(
      missing,
      'is required in production: GET /metrics (practice figures) answers only a bearer token',
    );
  }
  const webhooks = opts.webhooks ?? webhookSettings();
  // Before the app is built: its HTTP server is instrumented when tracing is on.
  const tracing = await startTracing(config, 'api');
  const db = connectDb(databaseUrl);
  let temporal: TemporalClientHandle | undefined;
  try {
    temporal = await connectConfiguredClient(config, tracing);
    const connected = temporal;
    const keyring = payloadKeyring(config);
    const refusals = createWorkerStartRefusals(db.db);
    const app = await buildApp({
      logLevel: config.LOG_LEVEL,
      traceRoutes: tracing !== undefined,
      db: db.db,
      temporal: connected.client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      claimPollMinutes: config.CLAIM_POLL_MINUTES,
      ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
      cursorKey: config.PTFLOW_CURSOR_SECRET
        ? Buffer.from(config.PTFLOW_CURSOR_SECRET, 'base64')
        : // Development only (production requires the variable): cursors then last as long as the process.
          randomBytes(32),
      oidc:
        config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL
          ? createOidcVerifier({
              issuer: config.OIDC_ISSUER,
              audience: config.OIDC_AUDIENCE,
              jwksUrl: config.OIDC_JWKS_URL,
            })
          : undefined,
      rateLimit: {
        perMinute: config.RATE_LIMIT_PER_MINUTE,
        authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
      },
      codec: { codec: new EncryptionCodec(keyring), allowedOrigin: config.temporalUiOrigin },
      onDenied: (e) => auditDenied(db.db, e),
      staffAuth: staffAuthSettings(config, opts.devSignIn ?? false),
      apiKeyCacheTtlMs: config.API_KEY_CACHE_SECONDS * 1000,
      idempotency: { keyring: dataKeys(config).keyring },
      // Break-glass reasons are PHI columns like the others: same data keyring.
      breakGlass: { keyring: dataKeys(config).keyring },
      // The charge export (GET /v1/billing/charges): the 837P decrypts the subscriber, names the payer as the
      // claim pipeline does (the worker's payer directory) and the billing provider from the practice profile.
      billingExport: {
        keys: dataKeys(config),
        payers: sandboxPayerDirectory(),
        // ptflow as the batch's submitter: the same identity and contact the clearinghouse submission uses.
        submitter: {
          name: 'PTFLOW BILLING',
          id: config.CLEARINGHOUSE_SUBMITTER_ID,
          contactName: 'BILLING',
          phone: '5555550100',
        },
      },
      // Verified EMR events start an `emrEventRouter` workflow each (the worker resolves and routes them);
      // Twilio callbacks go to the messaging service's inbound/status recording (no transport needed here).
      ...(webhooks
        ? {
            webhooks: {
              settings: webhooks,
              router: createEmrEventRouter({
                temporal: connected.client,
                taskQueue: config.TEMPORAL_TASK_QUEUE,
              }),
              messaging: messagingWebhookSink(config, db.db),
            },
          }
        : {}),
      readiness: {
        temporal: () => isTemporalReachable(connected.connection),
        database: () => isDbReachable(db.sql),
      },
      // The API cannot see a worker's configuration; it can see whether any worker polls (docs: README).
      readinessAdvisories: {
        worker: {
          check: () => hasWorkflowPollers(connected.client, config.TEMPORAL_TASK_QUEUE),
          hint:
            'no worker polls the task queue: work is accepted and waits in Temporal. In production a worker ' +
            'refuses to start while a connector setting (EMR_*, TWILIO_*, SMTP_*, CLEARINGHOUSE_*, PHYSICIAN_DELIVERY_*) is missing ' +
            'or it cannot reach Temporal (TEMPORAL_ADDRESS, TEMPORAL_TLS_*), and names the variable in one line ' +
            'of its log (docker compose logs worker)',
        },
        // Dated rule data that runs out within the horizon (domain/rules/horizon.ts): a data release is due.
        ruleData: {
          check: async () =>
            ruleDataGaps(new Date().toISOString().slice(0, 10), RULE_HORIZON_DAYS).length === 0,
          hint: `rule data (e.g. the KX threshold) runs out within ${RULE_HORIZON_DAYS} days`,
          explain: async () => {
            const gaps = ruleDataGaps(new Date().toISOString().slice(0, 10), RULE_HORIZON_DAYS);
            return gaps.length > 0 ? describeRuleGaps(gaps) : undefined;
          },
        },
        // A worker whose configuration stopped it recorded why (servers.ts): say it here, names only.
        workerStart: {
          check: async () => {
            try {
              return (await refusals.latest(config.TEMPORAL_TASK_QUEUE)) === undefined;
            } catch {
              return true; // Unreadable (the database check reports that): claim no refusal we cannot see.
            }
          },
          hint: 'a worker refused to start because of its configuration (docker compose logs worker)',
          explain: async () => {
            const r = await refusals.latest(config.TEMPORAL_TASK_QUEUE);
            return r
              ? `a worker of task queue ${r.taskQueue} refused to start at ${r.refusedAt.toISOString()}: ` +
                  `${r.variables} ${r.reason}. Fix the worker's environment and start it again; a worker that ` +
                  'starts clears this'
              : undefined;
          },
        },
      },
    });
    await app.listen({ host: config.HOST, port: config.PORT });
    return {
      app,
      url: `http://${config.HOST}:${config.PORT}`,
      async stop() {
        await app.close();
        await connected.close();
        await db.close();
      },
    };
  } catch (err) {
    await temporal?.close();
    await db.close();
    throw err;
  }
}
