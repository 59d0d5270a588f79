// Over 350 lines: provisioning, config, start order, service control and teardown of one cluster, one API.
// A real multi-service Temporal cluster for tests (issue #14 item 3), nothing in Docker: the official server of
// the release temporal-docker/ deploys (scripts/ensure-temporal-server.sh) with its four services — frontend,
// history, matching, worker — each a SEPARATE OS process with its own gRPC and membership ports on 127.0.0.1,
// all started from ONE rendered config and finding each other through ringpop membership (seeded from the
// cluster_membership table in PostgreSQL, as in a real deployment); PostgreSQL from the embedded binaries;
// temporal-docker/scripts/temporal-schema.sh and temporal-setup.sh run unmodified with the environment compose
// gives them; the dynamic config is temporal-docker/dynamicconfig/production.yaml.
//
//   const cluster = await startCluster();            // address, namespace ('default'), …
//   await cluster.killService('history');            // SIGKILL its process group
//   await cluster.restartService('history');         // same ports and config; resolves once it serves again
//   await cluster.stop();                            // everything, process groups included
//
// Every process is spawned detached (its own process group) with an owner watchdog (devtools/child-process.ts):
// if the process that started the cluster dies in any way, the cluster's processes die with it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import postgresClient from 'postgres';
import { defaultCacheDir } from '../../cli/config.js';
import { withDatabase } from '../../db/connection.js';
import { spawnLogged, type ManagedChild } from '../../devtools/child-process.js';
import { resolveTemporalCli } from '../../devtools/cli-provision.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../devtools/embedded-postgres.js';
import { freePort, isPortFree, waitFor } from '../../devtools/ports.js';
import { ptflowSearchAttributes } from '../../workflows/shared/search-attributes.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterOptions {
  /** Scratch directory (config, logs, PostgreSQL data); default a fresh temp dir, removed by stop(). */
  dir?: string;
  /** The namespace temporal-setup.sh creates (PTFLOW_NAMESPACE). Default `default`, what the test suite uses. */
  namespace?: string;
  /** persistence.numHistoryShards (compose: 512). Default 16: start-up stays short on two cores. */
  numHistoryShards?: number;
  /** Server log level (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Progress lines (default: stderr with a `[cluster]` prefix). */
  log?: (line: string) => void;
  /** Keep the scratch directory (logs) after stop(); also PTFLOW_CLUSTER_KEEP=1. */
  keep?: boolean;
}

export interface ServiceState {
  pid: number | undefined;
  running: boolean;
  grpcPort: number;
  membershipPort: number;
  logFile: string;
}

/** What a test needs from a running cluster; also what the control channel (control.ts) offers to test files. */
export interface ClusterHandle {
  /** The frontend, host:port. */
  readonly address: string;
  readonly namespace: string;
  /** Where config and logs are. */
  readonly dir: string;
  services(): Promise<Record<ClusterService, ServiceState>>;
  /** Signals the service's process group (default SIGKILL) and waits until it is gone. */
  killService(name: ClusterService, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped or killed service again (same ports, same config); resolves once the cluster serves. */
  startService(name: ClusterService): Promise<void>;
  /** killService (SIGKILL unless told) then startService. */
  restartService(name: ClusterService, opts?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
}

export interface TemporalCluster extends ClusterHandle {
  readonly postgres: EmbeddedPostgres;
  readonly binaries: ClusterBinaries;
  /** Stops every service, then PostgreSQL; removes the scratch directory unless kept. Idempotent. */
  stop(): Promise<void>;
}

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  schemaRoot: string;
  temporalCli: string;
  version: string;
}

async function lastLine(script: string): Promise<string> {
  const out = await run('bash', [path.join(root, 'scripts', script)], {
    cwd: root,
    timeout: 40 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return out.stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * The server binary, temporal-sql-tool with its schema files, and the Temporal CLI (temporal-setup.sh calls
 * `temporal`). The two Go builds come from scripts/ensure-*.sh: a no-op when cached (~/.cache/ptflow), a build
 * of many minutes otherwise (`npm run setup` does them up front). The CLI must be provisioned already.
 */
export async function provisionCluster(): Promise<ClusterBinaries> {
  const [server, sqlTool] = await Promise.all([
    lastLine('ensure-temporal-server.sh'),
    lastLine('ensure-temporal-sql-tool.sh'),
  ]);
  const cli = resolveTemporalCli(process.env, defaultCacheDir());
  if (!cli) throw new Error('the Temporal CLI is not provisioned: run `npm run setup` first');
  const version = path.basename(path.dirname(server));
  const schemaRoot = path.join(path.dirname(sqlTool), 'schema', 'postgresql', 'v12');
  for (const f of [server, sqlTool, schemaRoot])
    if (!fs.existsSync(f)) throw new Error(`cluster provisioning: ${f} is missing`);
  return { server, sqlTool, schemaRoot, temporalCli: cli.path, version };
}

interface Ports {
  grpc: Record<ClusterService, number>;
  membership: Record<ClusterService, number>;
  http: number;
}

/** One config for all four processes (each reads only its own `services.<name>` block). */
export function renderServerConfig(o: {
  ports: Ports;
  postgresPort: number;
  postgresUser: string;
  postgresPassword: string;
  numHistoryShards: number;
  logLevel: string;
  dynamicConfigFile: string;
}): string {
  const store = (db: string, maxConns: number, maxIdle: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: 127.0.0.1:${o.postgresPort}
        connectProtocol: tcp
        user: ${o.postgresUser}
        password: ${JSON.stringify(o.postgresPassword)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxIdle}
        maxConnLifetime: 1h`;
  const service = (name: ClusterService) => `
  ${name}:
    rpc:
      grpcPort: ${o.ports.grpc[name]}
      membershipPort: ${o.ports.membership[name]}
      bindOnIP: 127.0.0.1${name === 'frontend' ? `\n      httpPort: ${o.ports.http}` : ''}`;
  // The compose file's values (SQL_MAX_CONNS 20 / 10, SQL_VIS_MAX_CONNS 10 / 5), per service process.
  return `log:
  stdout: true
  level: ${o.logLevel}
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${o.numHistoryShards}
  datastores:
    default:${store('temporal', 20, 10)}
    visibility:${store('temporal_visibility', 10, 5)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:${CLUSTER_SERVICES.map(service).join('')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${o.ports.grpc.frontend}
      httpAddress: 127.0.0.1:${o.ports.http}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${o.dynamicConfigFile}
  pollInterval: 60s
`;
}

function sh(
  script: string,
  env: Record<string, string>,
  logFile: string,
  timeoutMs: number,
): Promise<{ stdout: string }> {
  return run('sh', [path.join(root, 'temporal-docker', 'scripts', script)], {
    env,
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => {
      fs.appendFileSync(logFile, r.stdout + r.stderr);
      return { stdout: r.stdout };
    },
    (err: { stdout?: string; stderr?: string; message: string }) => {
      fs.appendFileSync(logFile, `${err.stdout ?? ''}${err.stderr ?? ''}`);
      throw new Error(`temporal-docker/scripts/${script} failed: ${(err.stderr ?? err.message).trim()}`, {
        cause: err,
      });
    },
  );
}

/**
 * Until the cluster really takes work: a workflow start must be persisted by a history shard (the frontend
 * answering is not enough after a history restart). The probe workflow has no worker and is terminated at once.
 */
async function waitUntilServing(
  address: string,
  namespace: string,
  timeoutMs: number,
  abort: () => Error | undefined,
) {
  let n = 0;
  await waitFor(
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        const client = new Client({ connection, namespace });
        const handle = await client.workflow.start('clusterProbe', {
          taskQueue: 'ptflow-cluster-probe',
          workflowId: `cluster-probe-${process.pid}-${Date.now()}-${n++}`,
          workflowExecutionTimeout: '1 minute',
        });
        await handle.terminate('cluster readiness probe');
        return true;
      } finally {
        await connection.close();
      }
    },
    { timeoutMs, intervalMs: 500, what: `Temporal cluster at ${address} (namespace ${namespace})` },
    abort,
  );
}

/** Starts PostgreSQL, applies Temporal's schemas, starts the four services, creates the namespace. */
export async function startCluster(opts: ClusterOptions = {}): Promise<TemporalCluster> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[cluster] ${line}\n`));
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const binaries = await provisionCluster();
  log(`Temporal server ${binaries.version} and temporal-sql-tool ready (${since()})`);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-cluster-'));
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  fs.chmodSync(dir, 0o755);
  const namespace = opts.namespace ?? 'default';
  const keep = opts.keep ?? process.env.PTFLOW_CLUSTER_KEEP === '1';
  const password = `cluster-${Math.random().toString(36).slice(2)}`;
  const children = new Map<ClusterService, ManagedChild>();
  let postgres: EmbeddedPostgres | undefined;
  let stopped = false;

  const killAllNow = () => {
    for (const child of children.values()) {
      try {
        if (!child.hasExited()) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      if (postgres && !postgres.process.hasExited()) process.kill(postgres.process.pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  // Ctrl-C / SIGTERM may end this process before stop() runs; the owner watchdogs cover harder deaths.
  const onSignal = (signal: NodeJS.Signals) => {
    killAllNow();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', killAllNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killAllNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Frontend first (no new work), then the rest together.
    await children.get('frontend')?.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
    await Promise.all([...children.values()].map((c) => c.stop({ signal: 'SIGTERM', timeoutMs: 10_000 })));
    for (const c of children.values()) {
      try {
        process.kill(-c.pid, 'SIGKILL'); // anything left in a service's process group
      } catch {
        // none
      }
    }
    await postgres?.stop();
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`logs kept in ${dir}`);
  };

  try {
    const all = [...(await lowPorts(9)), await freePort()];
    const ports: Ports = {
      grpc: { frontend: all[0]!, history: all[1]!, matching: all[2]!, worker: all[3]! },
      membership: { frontend: all[4]!, history: all[5]!, matching: all[6]!, worker: all[7]! },
      http: all[8]!,
    };
    const postgresPort = all[9]!;
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: postgresPort,
      logFile: path.join(dir, 'postgres.log'),
      password,
    });
    log(`PostgreSQL on 127.0.0.1:${postgresPort} (${since()})`);

    // The admin-tools image calls the tools by name; so do the scripts.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(binaries.sqlTool, path.join(bin, 'temporal-sql-tool'));
    fs.symlinkSync(binaries.temporalCli, path.join(bin, 'temporal'));
    const PATH = `${bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`;
    const scriptsLog = path.join(dir, 'scripts.log');
    // temporal-schema service of docker-compose.yml.
    await sh(
      'temporal-schema.sh',
      {
        PATH,
        SQL_PLUGIN: 'postgres12',
        SQL_HOST: '127.0.0.1',
        SQL_PORT: String(postgresPort),
        SQL_USER: 'postgres',
        SQL_PASSWORD: password,
        TEMPORAL_DBNAME: 'temporal',
        TEMPORAL_VISIBILITY_DBNAME: 'temporal_visibility',
        TEMPORAL_SCHEMA_ROOT: binaries.schemaRoot,
      },
      scriptsLog,
      180_000,
    );
    log(`schemas applied by temporal-schema.sh (${since()})`);

    fs.writeFileSync(
      path.join(dir, 'config', 'cluster.yaml'),
      renderServerConfig({
        ports,
        postgresPort,
        postgresUser: 'postgres',
        postgresPassword: password,
        numHistoryShards: opts.numHistoryShards ?? 16,
        logLevel: opts.logLevel ?? 'warn',
        dynamicConfigFile: path.join(root, 'temporal-docker', 'dynamicconfig', 'production.yaml'),
      }),
    );

    const address = `127.0.0.1:${ports.grpc.frontend}`;
    const startProcess = (name: ClusterService) => {
      const child = spawnLogged(
        binaries.server,
        [
          '--root',
          dir,
          '--config',
          'config',
          '--env',
          'cluster',
          '--allow-no-auth',
          'start',
          '--service',
          name,
        ],
        {
          logFile: path.join(dir, `${name}.log`),
          cwd: dir,
          env: { PATH, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
        },
      );
      children.set(name, child);
      return child;
    };
    const deadAbort = () => {
      for (const [name, c] of children)
        if (c.hasExited())
          return new Error(
            `Temporal ${name} service exited during start-up:\n${tail(path.join(dir, `${name}.log`))}`,
          );
      return undefined;
    };
    // The first process on a new database writes the cluster metadata; several doing it at once race, and the
    // losers exit ("failed to initialize current cluster metadata", seen under load). A deployment that starts
    // every role together lives with crash-restarts; here the frontend goes first and the rest follow once the
    // metadata row exists.
    startProcess('frontend');
    await waitForClusterMetadata(withDatabase(postgres.url, 'temporal'), deadAbort);
    for (const name of CLUSTER_SERVICES) if (name !== 'frontend') startProcess(name);

    // temporal-setup service of docker-compose.yml (waits for the frontend itself).
    await sh(
      'temporal-setup.sh',
      {
        PATH,
        HOME: dir,
        PTFLOW_TEMPORAL_ADDRESS: address,
        PTFLOW_NAMESPACE: namespace,
        PTFLOW_NAMESPACE_RETENTION: '1d',
      },
      scriptsLog,
      300_000,
    );
    log(`namespace ${namespace} and search attributes set up by temporal-setup.sh (${since()})`);
    await checkSearchAttributes(address, namespace);
    await waitUntilServing(address, namespace, 180_000, deadAbort);
    log(
      `cluster serving at ${address}: ${CLUSTER_SERVICES.map((s) => `${s} pid ${children.get(s)?.pid}`).join(', ')} (${since()})`,
    );

    const handle: TemporalCluster = {
      address,
      namespace,
      dir,
      postgres,
      binaries,
      stop,
      async services() {
        return Object.fromEntries(
          CLUSTER_SERVICES.map((name) => {
            const c = children.get(name);
            return [
              name,
              {
                pid: c?.pid,
                running: c !== undefined && !c.hasExited(),
                grpcPort: ports.grpc[name],
                membershipPort: ports.membership[name],
                logFile: path.join(dir, `${name}.log`),
              },
            ];
          }),
        ) as Record<ClusterService, ServiceState>;
      },
      async killService(name, signal = 'SIGKILL') {
        const c = children.get(name);
        if (!c || c.hasExited()) return;
        try {
          process.kill(-c.pid, signal);
        } catch {
          // gone already
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-c.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }, 15_000);
        await c.exited;
        clearTimeout(timer);
        log(`${name} (pid ${c.pid}) stopped with ${signal}`);
      },
      async startService(name) {
        const c = children.get(name);
        if (c && !c.hasExited()) throw new Error(`the ${name} service is still running (pid ${c.pid})`);
        const started = Date.now();
        const child = startProcess(name);
        await waitUntilServing(address, namespace, 180_000, () =>
          child.hasExited()
            ? new Error(`Temporal ${name} exited again:\n${tail(path.join(dir, `${name}.log`))}`)
            : undefined,
        );
        log(
          `${name} started again (pid ${child.pid}), cluster serving after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      },
      async restartService(name, o = {}) {
        await handle.killService(name, o.signal ?? 'SIGKILL');
        if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
        await handle.startService(name);
      },
    };
    return handle;
  } catch (err) {
    log(`start-up failed; logs in ${dir}`);
    const wasKeep = keep;
    await stop().catch(() => undefined);
    if (!wasKeep) log('(removed; set PTFLOW_CLUSTER_KEEP=1 to keep them)');
    throw err;
  }
}

/**
 * Free ports below 32768 for the services: the PostgreSQL schema keeps a member's port in a SMALLINT
 * (cluster_membership.rpc_port), so a membership port from the ephemeral range (32768–60999) makes every
 * service die at start ("value … is out of range for type smallint").
 */
async function lowPorts(count: number): Promise<number[]> {
  const picked: number[] = [];
  while (picked.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!picked.includes(port) && (await isPortFree(port))) picked.push(port);
  }
  return picked;
}

/** Until the first service has written the cluster metadata (table cluster_metadata_info). */
async function waitForClusterMetadata(url: string, abort: () => Error | undefined): Promise<void> {
  const sql = postgresClient(url, { max: 1, onnotice: () => undefined });
  try {
    await waitFor(
      async () => (await sql`select count(*)::int as n from cluster_metadata_info`)[0]?.n > 0,
      { timeoutMs: 120_000, intervalMs: 200, what: 'the cluster metadata written by the frontend' },
      abort,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}

/** temporal-setup.sh's list must cover every search attribute the code defines (workflows/shared/search-attributes.ts). */
async function checkSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    const have = new Set(Object.keys(listed.customAttributes ?? {}));
    const missing = ptflowSearchAttributes.map((k) => k.name).filter((n) => !have.has(n));
    if (missing.length > 0)
      throw new Error(
        `temporal-docker/scripts/temporal-setup.sh did not register ${missing.join(', ')} (defined in workflows/shared/search-attributes.ts)`,
      );
  } finally {
    await connection.close();
  }
}
