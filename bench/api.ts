// Scenario 3 (issue #6): what ptflow's API costs on top of Temporal. Same concurrency, same duration, same
// start and status calls, side by side in every run:
//   - ptflow: the real app (api/app.ts) with API-key auth, Idempotency-Key, tenancy check, audit log;
//   - the Temporal client called directly (the same client and data converter, no HTTP) — the rate ptflow aims
//     to reach 90 % of;
//   - a bare Fastify route answering a constant (the HTTP ceiling of this machine).
// `POST /v1/onboardings` starts onboardings on a task queue no worker polls (the start path alone, not the
// onboarding's work); `GET /v1/onboardings/:id` queries onboardings that are running on the bench worker.
// autocannon runs in a child process (bench/api-load.ts); the server and the direct client share this one.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { buildApp } from '../api/app.js';
import { createApiKey } from '../api/auth/api-keys.js';
import { dataKeys, payloadKeyring } from '../cli/keyrings.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { workflowId } from '../domain/ids.js';
import { connectClient } from '../temporal/client.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import {
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type PatientOnboardingWorkflow,
} from '../workflows/onboarding/messages.js';
import { PatientId, PracticeId, ProcessKind } from '../workflows/shared/search-attributes.js';
import { CLINIC_TZ, daytimeZone, until } from './drivers.js';
import type { BenchInfra, Cleanup } from './infra.js';
import type { BenchOptions } from './options.js';
import { nowMs, percentile, round1, spread, type Spread } from './stats.js';
import type { BenchWorker } from './worker.js';

const run = promisify(execFile);
const IDLE_QUEUE = 'bench-api-start-only';

export interface ApiFigures {
  requestsPerSecond: Spread;
  /** Medians over runs of each run's p50 / p99 (ms). */
  p50: Spread;
  p99: Spread;
  failed: number;
}

export interface ApiRoute {
  route: string;
  ptflow: ApiFigures;
  direct: ApiFigures;
  bare: ApiFigures;
  /** Per run: ptflow req/s ÷ direct-client calls/s. */
  ratio: Spread;
}

export interface ApiBenchmark {
  runs: number;
  seconds: number;
  connections: number;
  routes: ApiRoute[];
}

interface Sample {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

/** The onboarding request the API scenarios send (a synthetic patient; a fresh coverage id each call). */
export const onboardingBody = (patientId: string) => ({
  patientId,
  clinicTimeZone: CLINIC_TZ,
  patientTimeZone: daytimeZone(),
  demographics: {
    given: ['Bench'],
    family: 'Patient',
    birthDate: '1961-02-03',
    sex: 'female',
    phone: '(312) 555-0177',
  },
  preferredChannel: 'sms',
  messagingConsent: true,
  coverages: [
    { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-PR3-BENCHAPI', priority: 1 },
  ],
  evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
  intakeFormLink: 'https://forms.riverside.example/i/bench',
  insuranceUpdateLink: 'https://forms.riverside.example/ins/bench',
});

async function autocannon(cleanup: Cleanup, spec: object): Promise<Sample> {
  const script = fileURLToPath(new URL('./api-load.ts', import.meta.url));
  const loading = run(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], {
    maxBuffer: 1024 * 1024,
    // `--import tsx` resolves from the working directory: the repository root.
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeout: 10 * 60_000,
  });
  cleanup.add('autocannon', () => void loading.child.kill());
  const { stdout } = await loading;
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample & { non2xx: number; errors: number };
  return { requestsPerSecond: r.requestsPerSecond, p50: r.p50, p99: r.p99, failed: r.non2xx + r.errors };
}

/** The direct-client baseline: `connections` callers in a closed loop for `seconds`. */
async function closedLoop(
  connections: number,
  seconds: number,
  call: () => Promise<unknown>,
): Promise<Sample> {
  const latencies: number[] = [];
  let failed = 0;
  const end = nowMs() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (nowMs() < end) {
        const t = nowMs();
        try {
          await call();
          latencies.push(nowMs() - t);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  return {
    requestsPerSecond: latencies.length / seconds,
    p50: round1(percentile(latencies, 50)),
    p99: round1(percentile(latencies, 99)),
    failed,
  };
}

const figures = (s: Sample[]): ApiFigures => ({
  requestsPerSecond: spread(s.map((x) => round1(x.requestsPerSecond))),
  p50: spread(s.map((x) => x.p50)),
  p99: spread(s.map((x) => x.p99)),
  failed: s.reduce((n, x) => n + x.failed, 0),
});

export async function runApiBenchmark(
  infra: BenchInfra,
  worker: BenchWorker,
  cleanup: Cleanup,
  opts: Pick<BenchOptions, 'runs' | 'apiSeconds' | 'apiConnections'>,
  log: (line: string) => void,
): Promise<ApiBenchmark> {
  const temporal = await connectClient({
    address: infra.temporalAddress,
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(infra.config)),
  });
  cleanup.add('API client', () => temporal.close());
  const app = await buildApp({
    logLevel: 'silent',
    db: worker.db.db,
    temporal: temporal.client,
    taskQueue: IDLE_QUEUE,
    cursorKey: randomBytes(32),
    // Limits sized for a load test from one key; everything else is the production configuration.
    rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
    idempotency: { keyring: dataKeys(infra.config).keyring },
    readiness: {},
  });
  cleanup.add('ptflow API', () => app.close());
  const ptflowUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const bare = Fastify({ logger: false });
  bare.post('/v1/onboardings', async (_req, reply) =>
    reply.code(202).send({ id: randomUUID(), status: 'started' }),
  );
  bare.get('/v1/onboardings/:id', async () => ({ state: 'awaiting_forms' }));
  cleanup.add('bare Fastify', () => bare.close());
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const key = await createApiKey(worker.db.db, {
    practiceId: DEMO_PRACTICE_ID,
    role: 'front_desk',
    label: 'bench',
  });
  const headers = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };

  // Onboardings the status route reads: started the way the API starts them, running on the bench worker.
  const targets = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const id = randomUUID();
      const patientId = randomUUID();
      const handle = await temporal.client.workflow.start<PatientOnboardingWorkflow>(
        ONBOARDING_WORKFLOW_TYPE,
        {
          taskQueue: worker.taskQueue,
          workflowId: workflowId('onboarding', id),
          typedSearchAttributes: [
            { key: ProcessKind, value: 'onboarding' },
            { key: PracticeId, value: DEMO_PRACTICE_ID },
            { key: PatientId, value: patientId },
          ],
          args: [
            { ...onboardingBody(patientId), onboardingId: id, practiceId: DEMO_PRACTICE_ID },
          ] as Parameters<PatientOnboardingWorkflow>,
        },
      );
      await until(
        () => handle.query(onboardingStatusQuery),
        (s) => s.forms.state === 'sent',
      );
      return id;
    }),
  );

  const body = onboardingBody(randomUUID());
  const directStart = () => {
    const id = randomUUID();
    return temporal.client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
      taskQueue: IDLE_QUEUE,
      workflowId: workflowId('onboarding', id),
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: ProcessKind, value: 'onboarding' },
        { key: PracticeId, value: DEMO_PRACTICE_ID },
        { key: PatientId, value: body.patientId },
      ],
      args: [
        { ...body, onboardingId: id, practiceId: DEMO_PRACTICE_ID },
      ] as Parameters<PatientOnboardingWorkflow>,
    });
  };
  let g = 0;
  const directQuery = () =>
    temporal.client.workflow
      .getHandle(workflowId('onboarding', targets[g++ % targets.length]!))
      .query(onboardingStatusQuery);

  const load = { connections: opts.apiConnections, seconds: opts.apiSeconds };
  const post = { method: 'POST', body: JSON.stringify(body), paths: ['/v1/onboardings'], ...load };
  const get = {
    method: 'GET',
    paths: targets.map((t) => `/v1/onboardings/${t}`),
    idempotencyKeys: false,
    ...load,
  };
  const variants = {
    post: {
      ptflow: () => autocannon(cleanup, { url: ptflowUrl, headers, idempotencyKeys: true, ...post }),
      direct: () => closedLoop(load.connections, load.seconds, directStart),
      bare: () => autocannon(cleanup, { url: bareUrl, headers, idempotencyKeys: true, ...post }),
    },
    get: {
      ptflow: () => autocannon(cleanup, { url: ptflowUrl, headers, ...get }),
      direct: () => closedLoop(load.connections, load.seconds, directQuery),
      bare: () => autocannon(cleanup, { url: bareUrl, headers, ...get }),
    },
  };
  // Warm-up: JIT, connection pools, the idempotency and audit tables' first pages.
  await closedLoop(2, 1, directStart);
  await autocannon(cleanup, {
    url: ptflowUrl,
    headers,
    idempotencyKeys: true,
    ...post,
    seconds: 1,
    connections: 2,
  });

  const routes: ApiRoute[] = [];
  for (const [name, v] of Object.entries(variants)) {
    const samples: Record<'ptflow' | 'direct' | 'bare', Sample[]> = { ptflow: [], direct: [], bare: [] };
    for (let r = 0; r < opts.runs; r++) {
      for (const side of ['ptflow', 'direct', 'bare'] as const) samples[side].push(await v[side]());
      log(
        `bench: ${name} run ${r + 1}/${opts.runs}: ptflow ${Math.round(samples.ptflow.at(-1)!.requestsPerSecond)}/s, ` +
          `direct ${Math.round(samples.direct.at(-1)!.requestsPerSecond)}/s, bare ${Math.round(samples.bare.at(-1)!.requestsPerSecond)}/s`,
      );
    }
    routes.push({
      route: name === 'post' ? 'POST /v1/onboardings' : 'GET /v1/onboardings/:id',
      ptflow: figures(samples.ptflow),
      direct: figures(samples.direct),
      bare: figures(samples.bare),
      ratio: spread(
        samples.ptflow.map(
          (p, i) => Math.round((p.requestsPerSecond / samples.direct[i]!.requestsPerSecond) * 100) / 100,
        ),
      ),
    });
  }
  return { runs: opts.runs, seconds: opts.apiSeconds, connections: opts.apiConnections, routes };
}
