// ptflow deployed on the multi-service cluster the way production scales it out: TWO ptflow workers (separate OS
// processes, test/helpers/worker-entry.ts: the `ptflow worker` composition plus the sandbox EMR and messaging)
// and TWO API instances (separate `ptflow api` processes) behind a round-robin balancer, one ptflow database,
// the sandbox payer behind a latency proxy (payer calls take long enough to be killed mid-way). The chaos
// journeys and checks (test/chaos/) drive and judge it; this file only builds and tears down.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApiKey } from '../../api/auth/api-keys.js';
import { loadConfig } from '../../cli/config.js';
import { payloadKeyring } from '../../cli/keyrings.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { spawnLogged, type ManagedChild } from '../../devtools/child-process.js';
import { freePort, waitFor } from '../../devtools/ports.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import type { JourneyStack } from '../chaos/journeys.js';
import { SUBMITTER } from '../chaos/harness.js';
import { startFaultProxy, type FaultProxy } from '../chaos/fault-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import type { ClusterHandle } from './cluster.js';

const root = path.resolve(import.meta.dirname, '../..');
const credentials = { username: 'ptflow', password: 'cluster-secret', submitterId: SUBMITTER };

export interface StackOptions {
  cluster: ClusterHandle;
  workers?: number;
  apis?: number;
  /** Payer latency range (ms), so claim and eligibility activities are in flight long enough to be killed. */
  payerLatencyMs?: [number, number];
}

interface ApiInstance {
  url: string;
  process: ManagedChild;
}

export class ClusterStack implements JourneyStack {
  db!: TestDatabase;
  temporal!: TemporalClientHandle;
  /** The balancer in front of the API instances (journeys call `api.url`). */
  api!: { url: string };
  apis: ApiInstance[] = [];
  keys!: { desk: string; biller: string; therapist: string };
  emr!: SandboxEmr;
  workers: WorkerProcess[] = [];
  /** Requests the balancer sent to each API instance (both must have served). */
  readonly servedBy: number[] = [];
  readonly events: { at: number; what: string; detail?: Record<string, unknown> }[] = [];
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-cluster-stack-'));
  readonly taskQueue = 'ptflow-cluster';
  private payer?: SandboxServer;
  private proxy?: FaultProxy;
  private balancer?: http.Server;
  private readonly started = Date.now();
  private workerStarts = 0;
  private readonly cursorSecret = randomBytes(32).toString('base64');

  constructor(private readonly o: StackOptions) {}

  get payerSql(): TestDatabase['sql'] {
    return this.db.sql;
  }

  log(what: string, detail?: Record<string, unknown>): void {
    const e = { at: Math.round((Date.now() - this.started) / 100) / 10, what, ...(detail ? { detail } : {}) };
    this.events.push(e);
    process.stderr.write(`[cluster-stack +${e.at}s] ${what}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`);
  }

  private baseEnv(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      // One data directory: the development payload and data keys ptflow keeps there are shared by all.
      PTFLOW_DATA_DIR: this.dir,
      TEMPORAL_ADDRESS: this.o.cluster.address,
      TEMPORAL_NAMESPACE: this.o.cluster.namespace,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      PTFLOW_CURSOR_SECRET: this.cursorSecret,
    };
  }

  async start(): Promise<void> {
    this.db = await createTestDatabase();
    await seedDemoPractice(this.db.db);
    this.emr = new SandboxEmr(this.db.sql, { practiceId: DEMO_PRACTICE_ID });
    this.payer = await startSandboxPayer({ sql: this.db.sql, credentials });
    this.proxy = await startFaultProxy({
      targetUrl: this.payer.url,
      rate: 0,
      seed: 1,
      latencyMs: this.o.payerLatencyMs ?? [300, 900],
    });
    const config = loadConfig({ ...this.baseEnv() });
    this.temporal = await connectClient({
      address: this.o.cluster.address,
      namespace: this.o.cluster.namespace,
      dataConverter: dataConverterFor(payloadKeyring(config)),
    });
    const key = async (role: 'front_desk' | 'biller' | 'therapist') =>
      (await createApiKey(this.db.db, { practiceId: DEMO_PRACTICE_ID, role, label: `cluster ${role}` })).key;
    this.keys = {
      desk: await key('front_desk'),
      biller: await key('biller'),
      therapist: await key('therapist'),
    };
    const apis = this.o.apis ?? 2;
    await Promise.all([
      ...Array.from({ length: apis }, (_, i) => this.startApi(i)),
      ...Array.from({ length: this.o.workers ?? 2 }, () => this.startWorker()),
    ]);
    this.apis.sort((a, b) => a.url.localeCompare(b.url));
    this.api = { url: await this.startBalancer() };
  }

  /** `ptflow api` as its own process (cli/main.ts through tsx, as `npm run api` runs it). */
  private async startApi(i: number): Promise<void> {
    const port = await freePort();
    const proc = spawnLogged(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'cli', 'main.ts'), 'api'],
      {
        cwd: root,
        logFile: path.join(this.dir, `api-${i}.log`),
        env: {
          ...this.baseEnv(),
          DATABASE_URL: this.db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          CLAIM_POLL_MINUTES: '0.05',
          RATE_LIMIT_PER_MINUTE: '100000',
        },
      },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/healthz`)).ok,
      {
        timeoutMs: 180_000,
        what: `API instance ${i} on ${url}`,
      },
      () =>
        proc.hasExited() ? new Error(`API instance ${i} exited; see ${this.dir}/api-${i}.log`) : undefined,
    );
    this.apis.push({ url, process: proc });
    this.log('API instance ready', { i, pid: proc.pid, url });
  }

  /** Round-robin over the API instances, like the load balancer in front of a scaled-out API. */
  private async startBalancer(): Promise<string> {
    let next = 0;
    this.servedBy.push(...this.apis.map(() => 0));
    this.balancer = http.createServer((req, res) => {
      const i = next++ % this.apis.length;
      this.servedBy[i]!++;
      const target = new URL(req.url ?? '/', this.apis[i]!.url);
      const upstream = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.balancer!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.balancer.address() as AddressInfo).port}`;
  }

  async startWorker(): Promise<WorkerProcess> {
    const n = ++this.workerStarts;
    const worker = await startWorkerProcess({
      env: {
        ...this.baseEnv(),
        PTFLOW_TEST_DATABASE_URL: this.db.url,
        PTFLOW_TEST_ONBOARDING: '1',
        CLEARINGHOUSE_URL: this.proxy!.url,
        CLEARINGHOUSE_USERNAME: credentials.username,
        CLEARINGHOUSE_PASSWORD: credentials.password,
        CLEARINGHOUSE_SUBMITTER_ID: SUBMITTER,
        WORKER_SHUTDOWN_GRACE_SECONDS: '5',
      },
      logFile: path.join(this.dir, `worker-${n}.log`),
      readyTimeoutMs: 300_000,
    });
    this.workers.push(worker);
    void worker.exited.then(() => {
      this.workers = this.workers.filter((w) => w !== worker);
    });
    this.log('ptflow worker ready', { n, pid: worker.pid });
    return worker;
  }

  /** Activities STARTED on a live ptflow worker right now: `{ pid, workflowType.activityType }` per attempt. */
  async activitiesInFlight(): Promise<{ pid: number; activity: string }[]> {
    const live = new Set(this.workers.map((w) => w.pid));
    const out: { pid: number; activity: string }[] = [];
    const running: { workflowId: string; runId: string; type: string }[] = [];
    for await (const wf of this.temporal.client.workflow.list({
      query: `ExecutionStatus = "Running" AND TaskQueue = "${this.taskQueue}"`,
    }))
      running.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
    await Promise.all(
      running.map(async (wf) => {
        const d = await this.temporal.client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .describe()
          .catch(() => undefined);
        for (const a of d?.raw.pendingActivities ?? []) {
          const pid = Number((a.lastWorkerIdentity ?? '').split('@')[0]);
          // PENDING_ACTIVITY_STATE_STARTED = 2
          if (a.state === 2 && live.has(pid))
            out.push({ pid, activity: `${wf.type}.${a.activityType?.name ?? '?'}` });
        }
      }),
    );
    return out;
  }

  /**
   * Waits until an activity of one of `kinds` (workflow types) runs on one of the workers, SIGKILLs THAT worker
   * (the other keeps polling) and starts a replacement. Returns what the killed worker had in flight.
   */
  async killWorkerMidActivity(
    kinds: string[],
    timeoutMs = 120_000,
  ): Promise<{ pid: number; activity: string }[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const inFlight = await this.activitiesInFlight();
      const hit = inFlight.find((a) => kinds.some((k) => a.activity.startsWith(`${k}.`)));
      if (hit) {
        const victim = this.workers.find((w) => w.pid === hit.pid)!;
        await victim.kill();
        const lost = inFlight.filter((a) => a.pid === hit.pid);
        this.log('ptflow worker SIGKILLed mid-activity', { pid: hit.pid, inFlight: lost });
        await this.startWorker();
        return lost;
      }
      if (Date.now() > deadline)
        throw new Error(`no ${kinds.join('|')} activity ran on a worker within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Until every live worker polls the task queue for workflow and activity tasks. */
  async waitForWorkersPolling(timeoutMs = 180_000): Promise<void> {
    const polls = async (taskQueueType: 1 | 2) => {
      const res = await this.temporal.client.workflowService.describeTaskQueue({
        namespace: this.o.cluster.namespace,
        taskQueue: { name: this.taskQueue, kind: 1 },
        taskQueueType,
      });
      const ids = new Set((res.pollers ?? []).map((p) => Number((p.identity ?? '').split('@')[0])));
      return this.workers.every((w) => ids.has(w.pid));
    };
    await waitFor(async () => (await polls(1)) && (await polls(2)), {
      timeoutMs,
      intervalMs: 500,
      what: `ptflow workers ${this.workers.map((w) => w.pid).join(', ')} polling`,
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop().catch(() => undefined)));
    await Promise.all(this.apis.map((a) => a.process.stop({ signal: 'SIGTERM', timeoutMs: 10_000 })));
    await new Promise<void>((resolve) => {
      if (!this.balancer) return resolve();
      this.balancer.closeAllConnections();
      this.balancer.close(() => resolve());
    });
    await this.temporal?.close().catch(() => undefined);
    await this.proxy?.close().catch(() => undefined);
    await this.payer?.close().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (process.env.PTFLOW_CLUSTER_KEEP !== '1') fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
