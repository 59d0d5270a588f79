// `ptflow worker`, `ptflow api`, `ptflow migrate`, `ptflow seed`: the production-shaped single services.
import { connectDb } from '../../db/connection.js';
import { migrationSets, runMigrations } from '../../db/migrate.js';
import { seedDemoPractice } from '../../db/seed.js';
import { resolveFileVariables, type Config } from '../config.js';
import { startDatabase } from '../database.js';
import { dataKeys } from '../keyrings.js';
import { describeTemporalConnection } from '../../temporal/connection-config.js';
import { installTemporalRuntime, startApiService, startWorkerService } from '../services.js';
import {
  missingWorkerConnectorVariables,
  productionConnectors,
  productionPhysicianDelivery,
  workerConnectorError,
} from '../worker-connectors.js';

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
  installTemporalRuntime(false);
  const emrComplete = !missing.some((m) => m.startsWith('EMR_'));
  const handle = emrComplete ? connectDb(db.url, { max: 5 }) : undefined;
  const deliveryComplete = !missing.some((m) => m.startsWith('PHYSICIAN_DELIVERY_'));
  const worker = await startWorkerService(config, db.url, {
    ...(handle ? { onboarding: await productionConnectors(config, handle.db) } : {}),
    ...(deliveryComplete ? { physicianDelivery: productionPhysicianDelivery(config) } : {}),
  });

  log(
    `worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${describeTemporalConnection(config.temporal)}`,
  );
  try {
    await worker.running;
  } finally {
    await handle?.close();
    await db.stop();
  }
}

export async function runApi(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  const api = await startApiService(config, db.url);
  log(`API listening on ${api.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => void api.stop().then(db.stop).then(resolve);
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
