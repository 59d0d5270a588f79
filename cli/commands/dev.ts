// `ptflow dev`: the whole stack in one terminal. Order of start: Temporal CLI present → PostgreSQL → migrations
// → demo seed → Temporal dev server (UI, persisted SQLite) → worker → API. Order of stop on Ctrl-C/SIGTERM is
// the reverse: the API stops accepting, the worker drains, then the servers stop. A lock file in the data
// directory makes a second `ptflow dev` on the same data fail cleanly instead of touching the first one's files.
import fs from 'node:fs';
import path from 'node:path';
import { migrationSets, runMigrations } from '../../db/migrate.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { connectDb } from '../../db/connection.js';
import { ensureTemporalCli } from '../../devtools/cli-provision.js';
import { isAlive, readPid, reapOrphan, writePidFile } from '../../devtools/child-process.js';
import { startDevServer } from '../../devtools/dev-server.js';
import { assertPortFree } from '../../devtools/ports.js';
import type { Config } from '../config.js';
import { embeddedDatabaseUrl, startDatabase } from '../database.js';
import { dataKeys } from '../keyrings.js';
import { teeLogsToFile } from '../log-files.js';
import { clearinghouseFromConfig, startDevSandboxPayer } from '../payer.js';
import {
  devOnboardingConnectors,
  devPhysicianDelivery,
  seedDevReferrer,
  devPracticeProfile,
  devWebhookSetup,
  pumpSandboxWebhooks,
} from '../dev-sandboxes.js';
import { installTemporalRuntime, startApiService, startWorkerService, webhookSettings } from '../services.js';
import { startTracing } from '../tracing.js';

type Stopper = { name: string; stop: () => Promise<void> };

export class AlreadyRunningError extends Error {}

function acquireLock(lockFile: string): void {
  const owner = readPid(lockFile);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new AlreadyRunningError(
      `ptflow dev is already running (pid ${owner}) on this data directory; its ports are in use. ` +
        `Stop it first, or use another PTFLOW_DATA_DIR and other ports.`,
    );
  }
  writePidFile(lockFile, process.pid);
}

export async function runDev(config: Config, log: (line: string) => void): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const lockFile = path.join(config.dataDir, 'dev.lock');
  const temporalPidFile = path.join(config.dataDir, 'temporal.pid');
  acquireLock(lockFile);
  // API, worker and connector logs: the terminal as before, and .data/logs/ptflow.log (same redacted lines).
  const logFile = path.join(config.dataDir, 'logs', 'ptflow.log');
  const logs = teeLogsToFile(logFile);
  const stoppers: Stopper[] = [{ name: 'log file', stop: logs.close }];
  let stopping: Promise<void> | undefined;

  const shutdown = (why: string) => {
    stopping ??= (async () => {
      log(`\nShutting down (${why})…`);
      for (const s of stoppers.reverse()) {
        try {
          await s.stop();
          log(`  stopped ${s.name}`);
        } catch (err) {
          log(`  ${s.name} did not stop cleanly: ${(err as Error).message}`);
        }
      }
      fs.rmSync(lockFile, { force: true });
    })();
    return stopping;
  };
  // A Ctrl-C reaches every process of the terminal's group, and npm/tsx relay it too, so one keypress can
  // arrive two or three times within milliseconds: only a signal well after the first one forces an exit.
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (Date.now() - firstSignalAt < 3_000) return;
      log('Second signal: exiting now without waiting.');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // A Temporal server orphaned by a killed `ptflow dev` would hold the ports and the SQLite file.
    if (await reapOrphan(temporalPidFile, 'start-dev')) log('Stopped an orphaned Temporal dev server.');
    // Fail fast, before anything starts, if a port is taken.
    await assertPortFree(config.PORT, 'ptflow API', 'PORT');
    await assertPortFree(config.TEMPORAL_PORT, 'Temporal frontend', 'TEMPORAL_PORT');
    await assertPortFree(config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
    await assertPortFree(config.SANDBOX_PAYER_PORT, 'sandbox payer', 'SANDBOX_PAYER_PORT');
    if (!config.PHYSICIAN_DELIVERY_URL)
      await assertPortFree(
        config.SANDBOX_PHYSICIAN_GATEWAY_PORT,
        'sandbox fax/Direct gateway',
        'SANDBOX_PHYSICIAN_GATEWAY_PORT',
      );

    const cli = await ensureTemporalCli(process.env, config.cacheDir, log);
    log(`Temporal CLI: ${cli.path} (${cli.source})`);

    const db = await startDatabase(config, log);
    stoppers.push({ name: 'PostgreSQL', stop: db.stop });
    // The data keyring encrypts what a data step moves out of clear columns (tasks.outcome, migration 0011).
    await runMigrations(db.url, migrationSets, { dataKeyring: dataKeys(config).keyring });
    if (config.PTFLOW_DEV_SEED) {
      const handle = connectDb(db.url, { max: 1 });
      try {
        // With the data keyring the demo practice gets its whole profile (tax id encrypted).
        await seedDemoPractice(handle.db, dataKeys(config).keyring);
        // Its referring physician with a fax number, so a plan of care goes out through the sandbox gateway.
        await seedDevReferrer(handle.db);
      } finally {
        await handle.close();
      }
    }
    log(
      `PostgreSQL ready (${db.embedded ? `embedded, port ${config.PG_PORT}` : 'DATABASE_URL'}); migrated and seeded.`,
    );

    const temporal = await startDevServer({
      cliPath: cli.path,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
      namespace: config.TEMPORAL_NAMESPACE,
      // The Web UI asks ptflow's codec server to decrypt payloads; it answers staff signed in at /auth/sign-in
      // (their session cookie, once the browser's Codec Server setting includes credentials: the dev server's UI
      // has no flag for that) and everyone else sees ciphertext.
      uiCodecEndpoint: `http://127.0.0.1:${config.PORT}/codec`,
      portVariables: { port: 'TEMPORAL_PORT', uiPort: 'TEMPORAL_UI_PORT' },
    });
    writePidFile(temporalPidFile, temporal.process.pid);
    stoppers.push({
      name: 'Temporal dev server',
      stop: async () => {
        await temporal.stop();
        fs.rmSync(temporalPidFile, { force: true });
      },
    });

    // The sandbox payer answers X12 at once, so claims may poll every minute unless told otherwise.
    const sandboxPayer = await startDevSandboxPayer(config, db.url);
    stoppers.push({ name: 'sandbox payer', stop: sandboxPayer.stop });
    // Plans of care go to the referring office through the sandbox fax/Direct gateway (its test hooks play the
    // office: POST /sandbox/deliveries/:id/sign), unless PHYSICIAN_DELIVERY_* names a real one.
    const gateway = await devPhysicianDelivery(config);
    if (gateway.stop) stoppers.push({ name: 'sandbox fax/Direct gateway', stop: gateway.stop });

    installTemporalRuntime(true);
    // One tracer provider for the worker and the API of this process, named `ptflow` (off unless configured).
    const tracing = await startTracing(config, 'dev');
    if (tracing) stoppers.push({ name: 'tracing (flushing spans)', stop: tracing.shutdown });
    const devConfig = {
      ...config,
      temporalAddress: temporal.address,
      // The local dev server: plaintext, no API key (a temporal.toml profile for a cluster does not apply).
      temporal: { address: temporal.address, namespace: config.TEMPORAL_NAMESPACE },
      CLAIM_POLL_MINUTES: process.env.CLAIM_POLL_MINUTES ? config.CLAIM_POLL_MINUTES : 1,
      // The demo practice's digest lands in the sandbox outbox (`ptflow sandbox messages --channel email`).
      PTFLOW_STAFF_DIGEST_RECIPIENTS: config.PTFLOW_STAFF_DIGEST_RECIPIENTS ?? {
        [DEMO_PRACTICE_ID]: ['staff@riverside-pt.example'],
      },
    };
    const dbHandle = connectDb(db.url, { max: 5 });
    stoppers.push({ name: 'database pool', stop: dbHandle.close });
    // The sandbox EMR signs its webhooks for the API's `emr/sandbox` source; they flow into the event router.
    const webhooks = devWebhookSetup(config, webhookSettings());
    const sandboxes = await devOnboardingConnectors(config, db.url, dbHandle.db, {
      webhookTarget: webhooks.target,
    });
    stoppers.push({ name: 'sandbox EMR and messaging', stop: sandboxes.stop });
    const worker = await startWorkerService(devConfig, db.url, {
      clearinghouse: clearinghouseFromConfig(config) ?? sandboxPayer.settings,
      onboarding: sandboxes.deps,
      physicianDelivery: gateway.delivery,
      practiceProfile: devPracticeProfile,
    });
    stoppers.push({ name: 'worker', stop: worker.stop });
    // Staff sign in at /auth/sign-in as one of the demo staff (one per role) — `ptflow dev` only.
    const api = await startApiService(devConfig, db.url, {
      webhooks: webhooks.settings,
      devSignIn: true,
      practiceProfile: devPracticeProfile,
    });
    stoppers.push({ name: 'API', stop: api.stop });
    // Also delivers what `ptflow sandbox emr …` queues from another terminal (same sandbox schema).
    const pump = pumpSandboxWebhooks(sandboxes.emr);
    stoppers.push({ name: 'sandbox EMR webhooks', stop: pump.stop });

    log(
      [
        '',
        'ptflow is running:',
        `  API              ${api.url}   (health: ${api.url}/healthz, readiness: ${api.url}/readyz)`,
        `  Staff sign-in    ${api.url}/auth/sign-in   (demo staff, one per role; then ${api.url}/console)`,
        `  Temporal UI      ${temporal.uiUrl}   (127.0.0.1 only; payloads decode for signed-in staff once the UI's`,
        `                   Codec Server panel has "Use my browser setting", ${api.url}/codec and "Include`,
        `                   cross-origin credentials" on: README, "Reading decoded payloads")`,
        `  Temporal gRPC    ${temporal.address}   (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
        `  Sandbox payer    ${sandboxPayer.url}   (X12 clearinghouse API; scenario triggers in connectors/payer/sandbox/README.md)`,
        `  Fax/Direct       ${gateway.url}   (${gateway.stop ? 'sandbox gateway; the office signs: POST /sandbox/deliveries/<id>/sign' : 'PHYSICIAN_DELIVERY_URL'})`,
        `  PostgreSQL       ${db.embedded ? `${embeddedDatabaseUrl(config)}   (embedded, data in ${path.join(config.dataDir, 'pg')}; ptflow db url)` : 'DATABASE_URL'}`,
        `  Logs             ${path.join(config.dataDir, 'logs')}   (ptflow.log: API and worker; temporal.log; postgres.log)`,
        `  Schedules        ${worker.schedules ? `${Object.keys(worker.schedules).join(', ')} (${config.PTFLOW_SCHEDULES === 'paused' ? 'paused; ' : ''}${config.PTFLOW_SCHEDULE_TIMEZONE}; run one now: ptflow schedules trigger <name>)` : 'off (PTFLOW_SCHEDULES=off)'}`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
    // Keep running until a signal arrives or a server dies under us.
    const died = await Promise.race([
      temporal.process.exited.then(() => 'the Temporal dev server exited'),
      worker.running.then(
        () => 'the worker stopped',
        () => 'the worker failed',
      ),
    ]);
    if (!stopping) {
      await shutdown(died);
      process.exitCode = 1;
    }
  } catch (err) {
    await shutdown('start-up failed');
    throw err;
  }
}
