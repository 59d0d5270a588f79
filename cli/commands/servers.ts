// `ptflow worker`, `ptflow api`, `ptflow migrate`, `ptflow seed`: the production-shaped single services.
import { connectDb } from '../../db/connection.js';
import { migrationSets, runMigrations } from '../../db/migrate.js';
import { seedDemoPractice } from '../../db/seed.js';
import { createWorkerStartRefusals } from '../../db/repositories/worker-start-refusals.js';
import { ConfigError, resolveFileVariables, type Config } from '../config.js';
import { startDatabase } from '../database.js';
import { dataKeys } from '../keyrings.js';
import { describeTemporalConnection } from '../../temporal/connection-config.js';
import { describeRuleGaps, ruleDataGaps, RULE_HORIZON_DAYS } from '../../domain/rules/horizon.js';
import { installTemporalRuntime, startApiService, startWorkerService } from '../services.js';
import { startTracing } from '../tracing.js';
import {
  missingWorkerConnectorVariables,
  productionConnectors,
  productionPhysicianDelivery,
  workerConnectorError,
} from '../worker-connectors.js';

/**
 * `ptflow worker`: loads the configuration and runs the worker. When the configuration stops it (ConfigError:
 * a missing key, a connector variable, an unreadable NAME_FILE …), the variable names and the reason — never a
 * value — are recorded for the API's /readyz (worker_start_refusals) before the one-line error and exit 2.
 */
export async function runWorkerCommand(
  load: () => Config,
  log: (l: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  let config: Config | undefined;
  try {
    config = load();
    await runWorker(config, log, env);
  } catch (err) {
    if (err instanceof ConfigError) await recordRefusal(config, env, err);
    throw err;
  }
}

/** Runs `fn` on a one-connection pool to `url`, giving up after 5 s (a refusal record must not hang the exit). */
async function withRefusals(
  url: string,
  fn: (r: ReturnType<typeof createWorkerStartRefusals>) => Promise<void>,
): Promise<void> {
  const handle = connectDb(url, { max: 1 });
  try {
    await Promise.race([
      fn(createWorkerStartRefusals(handle.db)),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000).unref()),
    ]);
  } finally {
    await handle.close();
  }
}

async function recordRefusal(
  config: Config | undefined,
  env: NodeJS.ProcessEnv,
  err: ConfigError,
): Promise<void> {
  let url: string | undefined;
  let queue = 'ptflow';
  try {
    const vars = resolveFileVariables(env);
    url = config ? config.DATABASE_URL : vars.DATABASE_URL;
    const named = config?.TEMPORAL_TASK_QUEUE ?? vars.TEMPORAL_TASK_QUEUE;
    if (named && /^[a-z0-9-]+$/.test(named)) queue = named;
  } catch {
    return; // The environment itself cannot be read (e.g. an unreadable DATABASE_URL_FILE): nowhere to write.
  }
  // Without DATABASE_URL the database is the embedded development one: no separate API reads it.
  if (!url) return;
  try {
    await withRefusals(url, (r) => r.record(queue, err.variable, err.reason));
  } catch {
    // Database not reachable: the refusal stays the one line of the log; /readyz keeps its generic worker hint.
  }
}

export async function runWorker(
  config: Config,
  log: (l: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  // Checked before anything starts: a worker without a connector its processes need would fail them.
  const missing = missingWorkerConnectorVariables(config, new Set(Object.keys(resolveFileVariables(env))));
  if (missing.length > 0 && config.NODE_ENV === 'production') throw workerConnectorError(missing);
  if (missing.length > 0) {
    log(
      `worker: connectors incomplete (${config.NODE_ENV}): ${missing.join(', ')} unset; a process that needs one waits on an admin task (onboarding) or fails that step`,
    );
  }
  const db = await startDatabase(config, log);
  // The Temporal runtime handles SIGINT/SIGTERM for a standalone worker: stop polling, drain, resolve run().
  // With PTFLOW_WORKER_METRICS_ADDRESS it also serves the SDK's Prometheus metrics there.
  installTemporalRuntime(false, 'warn', config.PTFLOW_WORKER_METRICS_ADDRESS);
  const emrComplete = !missing.some((m) => m.startsWith('EMR_'));
  const handle = emrComplete ? connectDb(db.url, { max: 5 }) : undefined;
  const deliveryComplete = !missing.some((m) => m.startsWith('PHYSICIAN_DELIVERY_'));
  const worker = await startWorkerService(config, db.url, {
    ...(handle ? { onboarding: await productionConnectors(config, handle.db) } : {}),
    ...(deliveryComplete ? { physicianDelivery: productionPhysicianDelivery(config) } : {}),
  });

  // A worker of this queue runs: an earlier refusal (another replica, or this one before a fix) is over.
  await withRefusals(db.url, (r) => r.clear(config.TEMPORAL_TASK_QUEUE)).catch(() =>
    log('worker: could not clear an earlier start refusal for /readyz'),
  );
  log(
    `worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${describeTemporalConnection(config.temporal)}`,
  );
  // Rule data that runs out soon (e.g. next year's KX threshold): a deployment task, said weeks ahead.
  const gaps = ruleDataGaps(new Date().toISOString().slice(0, 10), RULE_HORIZON_DAYS);
  if (gaps.length > 0)
    log(`worker: rule data runs out within ${RULE_HORIZON_DAYS} days: ${describeRuleGaps(gaps)}`);
  try {
    await worker.running;
  } finally {
    await (await startTracing(config, 'worker'))?.shutdown();
    await handle?.close();
    await db.stop();
  }
}

export async function runApi(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  const api = await startApiService(config, db.url);
  log(`API listening on ${api.url}`);
  await new Promise<void>((resolve) => {
    const stop = () =>
      void api
        .stop()
        .then(db.stop)
        .then(async () => (await startTracing(config, 'api'))?.shutdown())
        .then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function runMigrate(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  try {
    await runMigrations(db.url, migrationSets, { dataKeyring: dataKeys(config).keyring });
    log('migrations applied');
  } finally {
    await db.stop();
  }
}

export async function runSeed(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    await runMigrations(db.url, migrationSets, { dataKeyring: dataKeys(config).keyring });
    const { practiceId } = await seedDemoPractice(handle.db, dataKeys(config).keyring);
    log(`demo practice seeded: ${practiceId}`);
  } finally {
    await handle.close();
    await db.stop();
  }
}
