// `ptflow worker`, `ptflow api`, `ptflow migrate`, `ptflow seed`: the production-shaped single services.
import { connectDb } from '../../db/connection.js';
import { runMigrations } from '../../db/migrate.js';
import { seedDemoPractice } from '../../db/seed.js';
import type { Config } from '../config.js';
import { startDatabase } from '../database.js';
import { installTemporalRuntime, startApiService, startWorkerService } from '../services.js';

export async function runWorker(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  // The Temporal runtime handles SIGINT/SIGTERM for a standalone worker: stop polling, drain, resolve run().
  installTemporalRuntime(false);
  const worker = await startWorkerService(config, db.url);
  log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.temporalAddress}`);
  await worker.running;
  await db.stop();
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
    await runMigrations(db.url);
    log('migrations applied');
  } finally {
    await db.stop();
  }
}

export async function runSeed(config: Config, log: (l: string) => void): Promise<void> {
  const db = await startDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    await runMigrations(db.url);
    const { practiceId } = await seedDemoPractice(handle.db);
    log(`demo practice seeded: ${practiceId}`);
  } finally {
    await handle.close();
    await db.stop();
  }
}
