// Starts ONE Temporal dev server (through the same launcher as `ptflow dev`, headless) and ONE PostgreSQL
// (embedded, migrated into a template database) per test run, bundles the workflow code once, and hands the
// addresses to the test files. Nothing is downloaded here: a missing Temporal CLI or test server fails with the
// command that provisions it.
//
// PTFLOW_TEST_TEMPORAL_ADDRESS=host:port runs the tests against that Temporal instead of a dev server (plaintext,
// namespace `default` with ptflow's search attributes; missing ones are added). `npm run test:cluster` sets it
// to its multi-service cluster (test/cluster/). Deliberately not TEMPORAL_ADDRESS: a developer's shell pointed
// at a real deployment must never make the test suite write into it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { defaultCacheDir } from '../../cli/config.js';
import { ensureDatabase, withDatabase } from '../../db/connection.js';
import { startEmbeddedPostgres } from '../../devtools/embedded-postgres.js';
import { runMigrations } from '../../db/migrate.js';
import { resolveTemporalCli, TemporalCliUnavailableError } from '../../devtools/cli-provision.js';
import { ensureSearchAttributes, isTemporalReady, startDevServer } from '../../devtools/dev-server.js';
import { freePort, waitFor } from '../../devtools/ports.js';
import { failureConverterPath } from '../../temporal/codec/data-converter.js';
import { workflowsPath } from '../../temporal/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    /** Superuser URL of the test PostgreSQL (database `postgres`). */
    postgresAdminUrl: string;
    /** Migrated database that each test file clones (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
    workflowBundlePath: string;
    runDir: string;
  }
}

export const TEMPLATE_DATABASE = 'ptflow_template';

export default async function setup(project: TestProject) {
  const cli = resolveTemporalCli(process.env, defaultCacheDir());
  if (!cli) {
    throw new TemporalCliUnavailableError(
      'The tests need the Temporal CLI (no download happens at test time); run `npm run setup` first.',
    );
  }
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-test-'));
  fs.chmodSync(runDir, 0o755);
  const [temporalPort, pgPort] = [await freePort(), await freePort()];

  const external = process.env.PTFLOW_TEST_TEMPORAL_ADDRESS;
  const started = await Promise.allSettled([
    external
      ? externalTemporal(external)
      : startDevServer({
          cliPath: cli.path,
          port: temporalPort,
          dbFile: path.join(runDir, 'temporal.sqlite'),
          logFile: path.join(runDir, 'temporal.log'),
          fastSqlite: true,
          logLevel: 'error',
          readyTimeoutMs: 120_000,
        }),
    startEmbeddedPostgres({
      dataDir: path.join(runDir, 'pg'),
      port: pgPort,
      logFile: path.join(runDir, 'postgres.log'),
      password: 'ptflow-test',
    }),
    // The failure converter is part of the sandbox code: a pre-built bundle must carry it (SEC-ENC-3).
    bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      failureConverterPath: failureConverterPath(),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    // Never leave a half-started run behind: stop whatever did start, then report the first failure.
    await Promise.all(
      started.map((r) => (r.status === 'fulfilled' && 'stop' in r.value ? r.value.stop() : undefined)),
    );
    fs.rmSync(runDir, { recursive: true, force: true });
    throw failed.reason;
  }
  const [temporal, pg, bundle] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof startDevServer>> | Awaited<ReturnType<typeof externalTemporal>>,
    Awaited<ReturnType<typeof startEmbeddedPostgres>>,
    Awaited<ReturnType<typeof bundleWorkflowCode>>,
  ];

  // Ctrl-C or SIGTERM may end vitest before its teardown runs: stop both servers first (each is its own
  // process group; PostgreSQL's fast shutdown is SIGINT), then let the signal do what it would have done. If
  // vitest dies harder than that, each server's owner watchdog (devtools/child-process.ts) stops it.
  const onSignal = (signal: NodeJS.Signals) => {
    for (const [child, stopSignal] of [
      [temporal.process, 'SIGTERM'],
      [pg.process, 'SIGINT'],
    ] as const) {
      try {
        if (child && !child.hasExited()) process.kill(child.pid, stopSignal);
      } catch {
        // already gone
      }
    }
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await ensureDatabase(pg.url, TEMPLATE_DATABASE);
  await runMigrations(withDatabase(pg.url, TEMPLATE_DATABASE));
  const workflowBundlePath = path.join(runDir, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalCliPath', cli.path);
  project.provide('postgresAdminUrl', pg.url);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('runDir', runDir);

  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await temporal.stop();
    await pg.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}

/** A Temporal someone else runs (PTFLOW_TEST_TEMPORAL_ADDRESS): checked, given ptflow's search attributes, never stopped. */
async function externalTemporal(address: string) {
  await waitFor(() => isTemporalReady(address), {
    timeoutMs: 60_000,
    what: `Temporal at ${address} (PTFLOW_TEST_TEMPORAL_ADDRESS, namespace default)`,
  });
  await ensureSearchAttributes(address);
  return { address, process: undefined, stop: async () => undefined };
}
