// Scenario 4: one worker (its own process, bench/scale-worker.ts) holding N open priorAuthorization workflows,
// each approved and waiting on its end-date timer. Measured: how long starting them took, the worker's RSS
// (resident memory, /proc), the dev server's SQLite size, and the latency of `recordVisit` updates sent to
// random open authorizations while all of them are held — in several rounds for min/median/max.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { localDate } from '../domain/core/zoned.js';
import { workflowId } from '../domain/ids.js';
import { connectClient } from '../temporal/client.js';
import { payloadKeyring } from '../cli/keyrings.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import {
  recordVisitUpdate,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../workflows/prior-authorization/messages.js';
import { CLINIC_TZ } from './sandbox-ports.js';
import { sqliteBytes, type BenchInfra, type Cleanup } from './infra.js';
import type { BenchOptions } from './options.js';
import { latency, nowMs, percentile, pool, round1, spread, type Latency, type Spread } from './stats.js';

const QUEUE = 'bench-scale';

export interface ScaleBenchmark {
  workflows: number;
  /** Wall time from the first start request until the server had accepted them all (s). */
  startRequestsSeconds: number;
  /** Wall time from the first start request until every authorization was approved and waiting (s). */
  startSeconds: number;
  startedPerSecond: number;
  /** The worker's workflow cache (BENCH_SCALE_CACHE), and what the SDK would have chosen on this machine. */
  maxCachedWorkflows: number;
  sdkDefaultCache: number;
  /**
   * (RSS holding − idle RSS) ÷ workflows when they all fit in the cache: what one cached workflow costs (MiB).
   * Undefined when some were evicted: their memory is not handed back to the OS, so the quotient would mislead.
   */
  mibPerCachedWorkflow?: number;
  /** Worker resident memory when ready and idle (MiB): what the figures below add to. */
  workerIdleRssMiB: number;
  /** Worker resident memory while holding them, per round (MiB), and the peak the kernel recorded. */
  workerRssMiB: Spread;
  workerPeakRssMiB: number;
  /** Dev-server SQLite (file + WAL) before and after (MiB). */
  sqliteMiBBefore: number;
  sqliteMiBAfter: number;
  updates: number;
  /** recordVisit update latency per round (ms) and over all updates. */
  updateP50: Spread;
  updateP99: Spread;
  updateLatencyMs: Latency;
}

const mib = (bytes: number) => round1(bytes / 1024 ** 2);

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export async function runScaleBenchmark(
  infra: BenchInfra,
  cleanup: Cleanup,
  opts: Pick<BenchOptions, 'runs' | 'scaleWorkflows' | 'scaleUpdates' | 'scaleCache'>,
  log: (line: string) => void,
): Promise<ScaleBenchmark> {
  const n = opts.scaleWorkflows;
  const script = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      JSON.stringify({
        address: infra.temporalAddress,
        taskQueue: QUEUE,
        bundlePath: infra.bundlePath,
        databaseUrl: infra.databaseUrl,
        dataDir: infra.runDir,
        maxCachedWorkflows: opts.scaleCache,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.add('scale worker', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  let sdkDefaultCache = 0;
  const maxCachedWorkflows = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue; // anything else the worker prints is not ours to parse
        const m = JSON.parse(line) as {
          ready?: boolean;
          maxCachedWorkflows?: number;
          sdkDefaultCache?: number;
        };
        sdkDefaultCache = m.sdkDefaultCache ?? sdkDefaultCache;
        if (m.ready) resolve(m.maxCachedWorkflows ?? 0);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`bench: the scale worker exited (${code}) before it was ready`)),
    );
  });
  const pid = child.pid!;
  // Let start-up allocations settle before reading the idle footprint.
  await new Promise((r) => setTimeout(r, 2_000));
  const workerIdleRssMiB = mib(procStatusKiB(pid, 'VmRSS') * 1024);

  const temporal = await connectClient({
    address: infra.temporalAddress,
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(infra.config)),
  });
  cleanup.add('scale client', () => temporal.close());
  const client = temporal.client;
  const sqliteBefore = sqliteBytes(infra.sqliteFile);
  const today = localDate(new Date(), CLINIC_TZ);
  const ids = Array.from({ length: n }, () => randomUUID());

  const t0 = nowMs();
  let started = 0;
  await pool(ids, 64, async (authorizationId) => {
    // A busy dev server now and then fails a call with a transient gRPC error; the start is retried under the
    // same id (USE_EXISTING), so a retry never opens a second authorization.
    await transientRetry(() =>
      client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, {
        taskQueue: QUEUE,
        workflowId: workflowId('auth', authorizationId),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [
          {
            authorizationId,
            practiceId: DEMO_PRACTICE_ID,
            patientId: randomUUID(),
            coverageId: randomUUID(),
            payerId: 'ma-fastlane',
            timezone: CLINIC_TZ,
            requestedVisits: 30,
            startDate: today,
            urgency: 'standard',
            planOfCareContinues: true,
          },
        ],
      }),
    );
    started += 1;
    if (started % 2000 === 0) log(`bench: scale: ${started}/${n} start requests accepted`);
  });
  const requestsSeconds = round1((nowMs() - t0) / 1000);
  log(`bench: scale: ${n} start requests accepted after ${requestsSeconds} s`);
  // Every one approved and waiting on its timers (visibility answers from the ProcessStatus search attribute).
  const deadline = Date.now() + Math.max(15 * 60_000, n * 200);
  let lastLog = Date.now();
  for (;;) {
    const { count } = await transientRetry(() =>
      client.workflow.count(`TaskQueue = '${QUEUE}' AND ProcessStatus = 'approved'`),
    );
    if (count >= n) break;
    if (Date.now() > deadline)
      throw new Error(`bench: scale: only ${count} of ${n} authorizations were approved in time`);
    if (Date.now() - lastLog > 15_000) {
      log(`bench: scale: ${count}/${n} approved and waiting`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const startSeconds = round1((nowMs() - t0) / 1000);
  log(`bench: scale: ${n} authorizations open and approved after ${startSeconds} s`);

  const rounds = Math.max(1, opts.runs);
  const perRound = Math.max(1, Math.ceil(opts.scaleUpdates / rounds));
  const rss: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const values: number[] = [];
    for (let i = 0; i < perRound; i++) {
      const target = ids[Math.floor(Math.random() * ids.length)]!;
      const t = nowMs();
      await client.workflow.getHandle(workflowId('auth', target)).executeUpdate(recordVisitUpdate, {
        args: [{ visitId: `bench-${randomUUID()}`, dos: today, units: 2 }],
      });
      values.push(nowMs() - t);
    }
    rss.push(mib(procStatusKiB(pid, 'VmRSS') * 1024));
    p50s.push(round1(percentile(values, 50)));
    p99s.push(round1(percentile(values, 99)));
    all.push(...values);
  }
  const result: ScaleBenchmark = {
    workflows: n,
    startRequestsSeconds: requestsSeconds,
    startSeconds,
    startedPerSecond: round1(n / startSeconds),
    maxCachedWorkflows,
    sdkDefaultCache,
    workerIdleRssMiB,
    ...(n <= maxCachedWorkflows
      ? { mibPerCachedWorkflow: Math.round(((spread(rss).median - workerIdleRssMiB) / n) * 1000) / 1000 }
      : {}),
    workerRssMiB: spread(rss),
    workerPeakRssMiB: mib(procStatusKiB(pid, 'VmHWM') * 1024),
    sqliteMiBBefore: mib(sqliteBefore),
    sqliteMiBAfter: mib(sqliteBytes(infra.sqliteFile)),
    updates: all.length,
    updateP50: spread(p50s),
    updateP99: spread(p99s),
    updateLatencyMs: latency(all.map(round1)),
  };
  return result;
}

/** Retries a Temporal call a few times with a short back-off (bench only: measuring, not proving). */
async function transientRetry<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}
