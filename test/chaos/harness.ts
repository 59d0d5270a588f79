// The stack a chaos run tortures, every part a real process or server: its own Temporal dev server on a
// persisted SQLite file (so it can be stopped and started again), PostgreSQL from the test global setup, the
// sandbox payer behind a seeded fault proxy, the API in this process, and the worker as a separate OS process
// (test/helpers/worker-entry.ts) wired to the sandbox EMR and messaging behind seeded fault injection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { inject } from 'vitest';
import { createApiKey } from '../../api/auth/api-keys.js';
import { loadConfig } from '../../cli/config.js';
import { payloadKeyring } from '../../cli/keyrings.js';
import { startApiService, type ApiService } from '../../cli/services.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { therapists as emrTherapists } from '../../connectors/emr/sandbox/schema.js';
import { SANDBOX_LOCATIONS } from '../../connectors/emr/sandbox/seed.js';
import { therapists } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { npiCheckDigit } from '../../domain/codes/npi.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import { startDevServer, type DevServer } from '../../devtools/dev-server.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { killAllWorkerProcesses, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { setOutage, type FaultCounts } from './connector-faults.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

export const SUBMITTER = 'PTFLOWCHAOS';
const credentials = { username: 'ptflow', password: 'chaos-secret', submitterId: SUBMITTER };
const TASK_QUEUE = 'ptflow-chaos';

export interface HarnessOptions {
  faultRate: number;
  seed: number;
  /**
   * PTs added to the demo practice (in ptflow and in the sandbox EMR, same ids), weekdays 08:00–17:00: a
   * practice large enough for the load's evaluations (the demo practice has two evaluating PTs).
   */
  extraEvaluators?: number;
  /** Payer latency range (ms): keeps activities in flight long enough to be killed mid-way. */
  payerLatencyMs?: [number, number];
  apiRateLimitPerMinute?: number;
  /** The app database, when the run owns its server (database.chaos.test.ts stops it); else a clone per run. */
  database?: TestDatabase;
  /** The sandbox payer's own database (an outside system: it stays up when the app database goes away). */
  payerDatabase?: TestDatabase;
}

export interface ChaosEvent {
  at: number;
  what: string;
  detail?: Record<string, unknown>;
}

export class ChaosHarness {
  db!: TestDatabase;
  temporal!: TemporalClientHandle;
  api!: ApiService;
  keys!: { desk: string; biller: string; therapist: string };
  /** The sandbox EMR as the practice's staff use it (the front desk books there when ptflow finds no slot). */
  emr!: SandboxEmr;
  readonly events: ChaosEvent[] = [];
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-chaos-'));
  private readonly emrOutageFile = path.join(this.dataDir, 'emr-outage');
  private server?: DevServer;
  private temporalPort = 0;
  private payer?: SandboxServer;
  private payerPort = 0;
  private proxy?: FaultProxy;
  private worker?: WorkerProcess;
  private workerStarts = 0;
  private readonly started = Date.now();
  private ownerWatch?: NodeJS.Timeout;

  constructor(private readonly o: HarnessOptions) {}

  log(what: string, detail?: Record<string, unknown>): void {
    const e = { at: Math.round((Date.now() - this.started) / 100) / 10, what, ...(detail ? { detail } : {}) };
    this.events.push(e);
    process.stderr.write(`[chaos +${e.at}s] ${what}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`);
  }

  get logDir(): string {
    return this.dataDir;
  }

  /** Where the sandbox payer keeps its claims (the app database unless the run gave it its own). */
  get payerSql(): TestDatabase['sql'] {
    return (this.o.payerDatabase ?? this.db).sql;
  }

  get proxyCounts(): FaultProxy['counts'] | undefined {
    return this.proxy?.counts;
  }

  /** Faults injected around the EMR and messaging, summed over every worker life (written by the workers). */
  connectorFaultCounts(): Record<'emr' | 'messaging', FaultCounts> {
    const sum = { emr: { before: 0, after: 0, outage: 0 }, messaging: { before: 0, after: 0, outage: 0 } };
    for (const f of fs.readdirSync(this.dataDir).filter((n) => /^faults-\d+\.json$/.test(n))) {
      const c = JSON.parse(fs.readFileSync(path.join(this.dataDir, f), 'utf8')) as typeof sum;
      for (const k of ['emr', 'messaging'] as const)
        for (const m of ['before', 'after', 'outage'] as const) sum[k][m] += c[k][m];
    }
    return sum;
  }

  async start(): Promise<void> {
    // This runs in a vitest fork: if vitest itself dies (a SIGINT that reached only npm, a SIGKILL), the fork
    // would go on alone with the run's servers. Then it ends too, and takes the Temporal server with it (the
    // worker processes and the server's owner watchdog follow this process).
    const owner = process.ppid;
    this.ownerWatch = setInterval(() => {
      if (process.ppid === owner) return;
      this.killServer();
      process.kill(process.pid, 'SIGKILL');
    }, 1_000);
    this.ownerWatch.unref();
    this.db = this.o.database ?? (await createTestDatabase());
    await seedDemoPractice(this.db.db);
    this.emr = new SandboxEmr(this.db.sql, { practiceId: DEMO_PRACTICE_ID });
    await this.addEvaluators(this.o.extraEvaluators ?? 0);
    this.temporalPort = await freePort();
    process.once('exit', this.killServer);
    process.once('SIGTERM', this.onSignal);
    process.once('SIGINT', this.onSignal);
    await this.startTemporal();
    this.payer = await startSandboxPayer({ sql: this.payerSql, credentials });
    this.payerPort = this.payer.port;
    this.proxy = await startFaultProxy({
      targetUrl: this.payer.url,
      rate: this.o.faultRate,
      seed: this.o.seed,
      forceFirstFaults: this.o.faultRate > 0,
      ...(this.o.payerLatencyMs ? { latencyMs: this.o.payerLatencyMs } : {}),
    });
    const apiPort = await freePort();
    const config = loadConfig({
      PTFLOW_DATA_DIR: this.dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.temporalPort}`,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      PORT: String(apiPort),
      LOG_LEVEL: 'silent',
      CLAIM_POLL_MINUTES: '0.05',
      RATE_LIMIT_PER_MINUTE: String(this.o.apiRateLimitPerMinute ?? 100_000),
    });
    this.api = await startApiService(config, this.db.url);
    this.temporal = await connectClient({
      address: `127.0.0.1:${this.temporalPort}`,
      namespace: 'default',
      dataConverter: dataConverterFor(payloadKeyring(config)),
    });
    const key = async (role: 'front_desk' | 'biller' | 'therapist') =>
      (await createApiKey(this.db.db, { practiceId: DEMO_PRACTICE_ID, role, label: `chaos ${role}` })).key;
    this.keys = {
      desk: await key('front_desk'),
      biller: await key('biller'),
      therapist: await key('therapist'),
    };
    await this.startWorker();
  }

  private async addEvaluators(count: number): Promise<void> {
    if (count === 0) return;
    const rows = Array.from({ length: count }, (_, i) => {
      const first9 = String(170_000_000 + i);
      const id = `00000000-0000-4000-8000-${String(900_000_000_000 + i)}`;
      const locationId = i % 2 === 0 ? SANDBOX_LOCATIONS.downtown : SANDBOX_LOCATIONS.northside;
      return {
        id,
        practiceId: DEMO_PRACTICE_ID,
        name: `Load Therapist ${i + 1}, PT`,
        npi: `${first9}${npiCheckDigit(first9)}`,
        discipline: 'PT' as const,
        specialties: ['orthopedic'],
        weeklyAvailability: [1, 2, 3, 4, 5].map((weekday) => ({
          weekday,
          start: '08:00',
          end: '17:00',
          locationId,
        })),
      };
    });
    await this.db.db.insert(therapists).values(rows);
    // The sandbox EMR's tables exist from the migrations; the worker seeds its demo rows (not these) at start.
    await drizzle(this.db.sql).insert(emrTherapists).values(rows);
  }

  /** The dev server is detached (own process group): kill it if this process ends without teardown. */
  private readonly killServer = () => {
    try {
      if (this.server && !this.server.process.hasExited()) process.kill(this.server.process.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killServer();
    // Then die of the signal as if nobody had listened (unless someone else handles it).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  private async startTemporal(): Promise<void> {
    this.server = await startDevServer({
      cliPath: inject('temporalCliPath'),
      port: this.temporalPort,
      dbFile: path.join(this.dataDir, 'temporal.sqlite'),
      logFile: path.join(this.dataDir, 'temporal.log'),
      logLevel: 'error',
      readyTimeoutMs: 120_000,
    });
  }

  private workerEnv(): Record<string, string> {
    return {
      PTFLOW_TEST_DATABASE_URL: this.db.url,
      PTFLOW_TEST_ONBOARDING: '1',
      PTFLOW_CHAOS_FAULT_RATE: String(this.o.faultRate),
      // A different fault sequence per worker life, the same for the same run seed.
      PTFLOW_CHAOS_SEED: String(this.o.seed + 1000 * this.workerStarts),
      // The first life injects both kinds of fault up front (counted at once); forcing them in every life would
      // add two faults per EMR attempt spanning the kills, and a booking's 8 attempts ran out that way.
      PTFLOW_CHAOS_FORCE_FIRST: this.workerStarts === 1 ? '1' : '0',
      PTFLOW_CHAOS_EMR_OUTAGE: this.emrOutageFile,
      PTFLOW_CHAOS_COUNTS_FILE: path.join(this.dataDir, `faults-${this.workerStarts}.json`),
      PTFLOW_DATA_DIR: this.dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.temporalPort}`,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      CLEARINGHOUSE_URL: this.proxy!.url,
      CLEARINGHOUSE_USERNAME: credentials.username,
      CLEARINGHOUSE_PASSWORD: credentials.password,
      CLEARINGHOUSE_SUBMITTER_ID: SUBMITTER,
      WORKER_SHUTDOWN_GRACE_SECONDS: '5',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
    };
  }

  async startWorker(): Promise<void> {
    this.workerStarts++;
    this.worker = await startWorkerProcess({
      env: this.workerEnv(),
      logFile: path.join(this.dataDir, 'worker.log'),
      readyTimeoutMs: 240_000,
    });
    this.log('worker ready', { pid: this.worker.pid, start: this.workerStarts });
  }

  /**
   * Activities running on the current worker process right now, by workflow and activity type (what a SIGKILL
   * interrupts). Attempts still marked started on a worker killed earlier are not counted.
   */
  async activitiesInFlight(): Promise<Record<string, number>> {
    const identity = `${this.worker?.pid ?? -1}@`;
    const out: Record<string, number> = {};
    const running: { workflowId: string; runId: string; type: string }[] = [];
    for await (const wf of this.temporal.client.workflow.list({ query: 'ExecutionStatus = "Running"' }))
      running.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
    // Described eight at a time: one by one, a scan over the many open tasks of a long run takes seconds and
    // misses the short activities it is looking for.
    for (let i = 0; i < running.length; i += 8) {
      await Promise.all(
        running.slice(i, i + 8).map(async (wf) => {
          const d = await this.temporal.client.workflow
            .getHandle(wf.workflowId, wf.runId)
            .describe()
            .catch(() => undefined);
          for (const a of d?.raw.pendingActivities ?? []) {
            // PENDING_ACTIVITY_STATE_STARTED = 2
            if (a.state === 2 && (a.lastWorkerIdentity ?? '').startsWith(identity)) {
              const name = `${wf.type}.${a.activityType?.name ?? '?'}`;
              out[name] = (out[name] ?? 0) + 1;
            }
          }
        }),
      );
    }
    return out;
  }

  /**
   * Waits (up to `timeoutMs`) until an activity of a workflow whose type starts with one of `kinds` is running,
   * then SIGKILLs the worker and starts a fresh one. Returns what was in flight at the kill.
   */
  async killWorkerDuring(kinds: string[], timeoutMs = 60_000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    let inFlight = await this.activitiesInFlight();
    const hit = () => Object.keys(inFlight).some((k) => kinds.some((kind) => k.startsWith(`${kind}.`)));
    while (!hit() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      inFlight = await this.activitiesInFlight();
    }
    // The target's activities can be too quick to catch (a plan of care's are in-process): then any running
    // activity will do, so that every kill interrupts work.
    const fallback = Date.now() + 60_000;
    while (Object.keys(inFlight).length === 0 && Date.now() < fallback) {
      await new Promise((r) => setTimeout(r, 100));
      inFlight = await this.activitiesInFlight();
    }
    await this.worker?.kill();
    this.log('worker SIGKILLed', { target: kinds.join('|'), inFlight });
    await this.startWorker();
    return inFlight;
  }

  /** SIGKILL the worker (no drain) and start a fresh one. */
  async killWorker(opts: { snapshot?: boolean } = {}): Promise<Record<string, number>> {
    const inFlight = opts.snapshot === false ? {} : await this.activitiesInFlight();
    await this.worker?.kill();
    this.log('worker SIGKILLed', { inFlight });
    await this.startWorker();
    return inFlight;
  }

  /**
   * Stop the Temporal dev server (SIGTERM) and start it again on the same port and SQLite file; returns once
   * the running worker polls it again (the next fault must find a working worker, not one still reconnecting).
   */
  async restartTemporal(downMs = 2_000): Promise<void> {
    await this.server?.stop();
    this.log('temporal server stopped');
    await new Promise((r) => setTimeout(r, downMs));
    await this.startTemporal();
    this.log('temporal server started again');
    await this.waitForWorkerPolling();
  }

  /**
   * Until the current worker process polls for workflow and for activity tasks (a restarted server knows no
   * pollers until they come back). Throws, naming the worker, when it does not reconnect within `timeoutMs`:
   * a worker that stays away after a server restart is a defect, not something to wait out.
   */
  async waitForWorkerPolling(timeoutMs = 120_000): Promise<number> {
    const t0 = Date.now();
    const pid = this.worker?.pid ?? -1;
    const polls = async (taskQueueType: 1 | 2) => {
      try {
        const res = await this.temporal.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: TASK_QUEUE, kind: 1 /* NORMAL */ },
          taskQueueType /* 1 workflow, 2 activity */,
        });
        return (res.pollers ?? []).some((p) => (p.identity ?? '').startsWith(`${pid}@`));
      } catch {
        return false;
      }
    };
    for (;;) {
      const [workflowTasks, activityTasks] = await Promise.all([polls(1), polls(2)]);
      if (workflowTasks && activityTasks) {
        const ms = Date.now() - t0;
        this.log('worker polling again', { pid, seconds: ms / 1000 });
        return ms;
      }
      if (Date.now() - t0 > timeoutMs)
        throw new Error(
          `worker ${pid} did not poll the restarted Temporal server within ${timeoutMs / 1000} s ` +
            `(workflow tasks: ${workflowTasks}, activity tasks: ${activityTasks}); see ${this.dataDir}/worker.log`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The sandbox payer really down (its port closed) and the EMR failing every call, for `ms`. */
  async outage(ms: number): Promise<void> {
    setOutage(this.emrOutageFile, Date.now() + ms);
    await this.payer?.close();
    this.log('payer and EMR down', { seconds: ms / 1000 });
    await new Promise((r) => setTimeout(r, ms));
    this.payer = await startSandboxPayer({ sql: this.payerSql, credentials, port: this.payerPort });
    this.log('payer and EMR back');
  }

  async close(): Promise<void> {
    clearInterval(this.ownerWatch);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    await killAllWorkerProcesses();
    await this.api?.stop().catch(() => undefined);
    await this.temporal?.close().catch(() => undefined);
    await this.proxy?.close().catch(() => undefined);
    await this.payer?.close().catch(() => undefined);
    await this.server?.stop().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (process.env.CHAOS_KEEP_LOGS !== '1') fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
