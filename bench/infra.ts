// The servers a benchmark run needs, started the way `ptflow dev` and the test harness start them: the
// Temporal dev server (headless, SQLite file so its disk use can be measured) and an embedded PostgreSQL,
// migrated and seeded with the demo practice, plus the workflow bundle. Everything lives in one temporary
// directory; `Cleanup` stops it all in reverse order on success, failure or Ctrl-C, and pid files let the next
// run reap servers a killed run left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { defaultCacheDir, loadConfig, type Config } from '../cli/config.js';
import { connectDb } from '../db/connection.js';
import { startEmbeddedPostgres } from '../devtools/embedded-postgres.js';
import { runMigrations } from '../db/migrate.js';
import { seedDemoPractice } from '../db/seed.js';
import { failureConverterPath } from '../temporal/codec/data-converter.js';
import { isAlive, reapOrphan, writePidFile } from '../devtools/child-process.js';
import { resolveTemporalCli, TemporalCliUnavailableError } from '../devtools/cli-provision.js';
import { startDevServer } from '../devtools/dev-server.js';
import { freePort } from '../devtools/ports.js';

/** Stops what was started, newest first; safe to call more than once. */
export class Cleanup {
  private readonly steps: { name: string; stop: () => Promise<void> | void }[] = [];
  private readonly starting: Promise<unknown>[] = [];
  private running: Promise<void> | undefined;

  add(name: string, stop: () => Promise<void> | void): void {
    this.steps.push({ name, stop });
  }

  /** A server still starting when Ctrl-C arrives registers its stop when it is up: wait for that first. */
  track<T>(starting: Promise<T>): Promise<T> {
    this.starting.push(starting.catch(() => undefined));
    return starting;
  }

  run(log: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= (async () => {
      await Promise.all(this.starting);
      for (const s of this.steps.reverse()) {
        try {
          await s.stop();
        } catch (err) {
          log(`bench: ${s.name} did not stop cleanly: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

export interface BenchInfra {
  runDir: string;
  temporalAddress: string;
  temporalCliVersion: string;
  sqliteFile: string;
  databaseUrl: string;
  bundlePath: string;
  config: Config;
}

/** Where pid files of the servers of the current run live, so a killed run's servers can be reaped. */
const PID_DIR = path.join(os.tmpdir(), 'ptflow-bench-pids');

export function benchWorkflowsPath(): string {
  return fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
}

function cliVersion(cli: string): string {
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^temporal version /, '');
  } catch {
    return 'unknown';
  }
}

export async function startInfra(cleanup: Cleanup, log: (line: string) => void): Promise<BenchInfra> {
  const cli = resolveTemporalCli(process.env, defaultCacheDir());
  if (!cli)
    throw new TemporalCliUnavailableError('The benchmark needs the Temporal CLI; run `npm run setup` first.');
  // A run killed outright (SIGKILL) could not stop its servers: reap them and remove its directory now.
  const temporalPid = path.join(PID_DIR, 'temporal.pid');
  const postgresPid = path.join(PID_DIR, 'postgres.pid');
  const lastRunDir = path.join(PID_DIR, 'run-dir');
  if (await reapOrphan(temporalPid, 'start-dev'))
    log('bench: stopped a Temporal dev server left by a killed run');
  if (await reapOrphan(postgresPid, 'ptflow-bench-', 'SIGINT'))
    log('bench: stopped a PostgreSQL left by a killed run');
  // The last run's directory, unless that run is still going (a benchmark of another checkout at the same time).
  const [stale = '', staleOwner] = fs.existsSync(lastRunDir)
    ? fs.readFileSync(lastRunDir, 'utf8').trim().split('\n')
    : [];
  const ownerAlive = staleOwner !== undefined && isAlive(Number.parseInt(staleOwner, 10));
  if (!ownerAlive && stale.startsWith(path.join(os.tmpdir(), 'ptflow-bench-')))
    fs.rmSync(stale, { recursive: true, force: true });

  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-bench-'));
  fs.chmodSync(runDir, 0o755);
  fs.mkdirSync(PID_DIR, { recursive: true });
  fs.writeFileSync(lastRunDir, `${runDir}\n${process.pid}\n`);
  cleanup.add('run directory', () => {
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.rmSync(lastRunDir, { force: true });
  });
  const [temporalPort, pgPort] = [await freePort(), await freePort()];
  const sqliteFile = path.join(runDir, 'temporal.sqlite');

  log('bench: starting Temporal dev server and PostgreSQL, bundling workflows…');
  const pgStarting = cleanup.track(
    startEmbeddedPostgres({
      // A fixed, reusable data directory would survive a killed run; a fresh one per run keeps runs comparable.
      dataDir: path.join(runDir, 'pg'),
      port: pgPort,
      logFile: path.join(runDir, 'postgres.log'),
      password: 'ptflow-bench',
      log,
    }).then((pg) => {
      writePidFile(postgresPid, pg.process.pid, process.pid);
      cleanup.add('PostgreSQL', async () => {
        await pg.stop();
        fs.rmSync(postgresPid, { force: true });
      });
      if (pg.dataDir !== path.join(runDir, 'pg'))
        cleanup.add('PostgreSQL data', () => fs.rmSync(pg.dataDir, { recursive: true, force: true }));
      return pg;
    }),
  );
  const temporalStarting = cleanup.track(
    startDevServer({
      cliPath: cli.path,
      port: temporalPort,
      dbFile: sqliteFile,
      logFile: path.join(runDir, 'temporal.log'),
      // Same durability trade-off as the test harness: the benchmark measures ptflow, not fsync.
      fastSqlite: true,
      logLevel: 'error',
      readyTimeoutMs: 120_000,
    }).then((t) => {
      writePidFile(temporalPid, t.process.pid, process.pid);
      cleanup.add('Temporal dev server', async () => {
        await t.stop();
        fs.rmSync(temporalPid, { force: true });
      });
      return t;
    }),
  );
  const [pg, temporal] = await Promise.allSettled([pgStarting, temporalStarting]);
  if (pg.status === 'rejected') throw pg.reason;
  if (temporal.status === 'rejected') throw temporal.reason;

  await runMigrations(pg.value.url);
  const handle = connectDb(pg.value.url, { max: 1 });
  try {
    await seedDemoPractice(handle.db);
  } finally {
    await handle.close();
  }

  const bundle = await bundleWorkflowCode({
    workflowsPath: benchWorkflowsPath(),
    failureConverterPath: failureConverterPath(),
    logger: new DefaultLogger('WARN'),
  });
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  // Development keyrings are generated into the run directory (synthetic data only).
  const config = loadConfig({
    PTFLOW_DATA_DIR: runDir,
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: temporal.value.address,
  });
  return {
    runDir,
    temporalAddress: temporal.value.address,
    temporalCliVersion: cliVersion(cli.path),
    sqliteFile,
    databaseUrl: pg.value.url,
    bundlePath,
    config,
  };
}

/** Bytes the dev server's SQLite database takes on disk (main file plus write-ahead log). */
export function sqliteBytes(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      total += fs.statSync(f).size;
    } catch {
      // absent
    }
  }
  return total;
}
