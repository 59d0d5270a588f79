// Where an API request spends its time beside the direct client's call (issue 15): the API scenario's set-up
// (bench/api.ts: 20 onboardings waiting for their forms on the bench worker, the app with the production
// plugins, autocannon in a child), then, alternating, the direct closed loop and the HTTP route at the same
// concurrency, each with this process's CPU time per request (user and system: the server, the client and the
// bench worker share the process, as in the scenario), the event loop's utilisation and how long the Temporal
// call (query or start) took inside the route.
//   TMPDIR=… node --import tsx bench/api-probe.ts [connections] [seconds] [rounds]
//   PROBE_ROUTE=post: POST /v1/onboardings against the direct start (default: GET /v1/onboardings/:id);
//   PROBE_ONLY=http|direct: that side alone (under `node --cpu-prof`, a profile of one side).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { buildApp } from '../api/app.js';
import { createApiKey } from '../api/auth/api-keys.js';
import { dataKeys, payloadKeyring } from '../cli/keyrings.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { localDate } from '../domain/core/zoned.js';
import { workflowId } from '../domain/ids.js';
import { connectClient } from '../temporal/client.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import {
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type PatientOnboardingWorkflow,
} from '../workflows/onboarding/messages.js';
import { PatientId, PracticeId, ProcessKind } from '../workflows/shared/search-attributes.js';
import { onboardingBody } from './api.js';
import { CLINIC_TZ, until } from './drivers.js';
import { Cleanup, startInfra } from './infra.js';
import { percentile } from './stats.js';
import { startBenchWorker } from './worker.js';

const run = promisify(execFile);
const log = (line: string) => process.stdout.write(`${line}\n`);
const connections = Number(process.argv[2] ?? 16);
const seconds = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 3);
/** PROBE_ROUTE=post: POST /v1/onboardings against the direct start instead of the GET. */
const post = process.env.PROBE_ROUTE === 'post';

/** Times every status query and start made through `client` (the app's own calls). */
function timedQueries(client: Client, into: number[]): Client {
  const start = client.workflow.start.bind(client.workflow);
  client.workflow.start = (async (...args: Parameters<typeof start>) => {
    const t = performance.now();
    try {
      return await start(...args);
    } finally {
      into.push(performance.now() - t);
    }
  }) as typeof client.workflow.start;
  const getHandle = client.workflow.getHandle.bind(client.workflow);
  client.workflow.getHandle = ((id: string) => {
    const h = getHandle(id);
    const query = h.query.bind(h);
    return Object.assign(Object.create(Object.getPrototypeOf(h) as object) as object, h, {
      query: async (...args: Parameters<typeof query>) => {
        const t = performance.now();
        try {
          return await query(...args);
        } finally {
          into.push(performance.now() - t);
        }
      },
    });
  }) as typeof client.workflow.getHandle;
  return client;
}

async function main(cleanup: Cleanup) {
  const infra = await startInfra(cleanup, log);
  const worker = await startBenchWorker(infra, cleanup, 'bench-api-probe', () =>
    localDate(new Date(), CLINIC_TZ),
  );
  const temporal = await connectClient({
    address: infra.temporalAddress,
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(infra.config)),
  });
  cleanup.add('client', () => temporal.close());
  const appQueries: number[] = [];
  const appClient = await connectClient({
    address: infra.temporalAddress,
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(infra.config)),
  });
  cleanup.add('app client', () => appClient.close());
  const app = await buildApp({
    logLevel: 'silent',
    db: worker.db.db,
    temporal: timedQueries(appClient.client, appQueries),
    taskQueue: 'bench-api-start-only',
    cursorKey: randomBytes(32),
    rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
    idempotency: { keyring: dataKeys(infra.config).keyring },
    readiness: {},
  });
  cleanup.add('app', () => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const key = await createApiKey(worker.db.db, {
    practiceId: DEMO_PRACTICE_ID,
    role: 'front_desk',
    label: 'probe',
  });
  const headers = { authorization: `Bearer ${key.key}` };
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
      taskQueue: 'bench-api-start-only',
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

  const measure = async (what: () => Promise<{ n: number; lat: number[] }>) => {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const { n, lat } = await what();
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    return {
      perSecond: n / seconds,
      cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / n,
      sysMsPerRequest: cpu.system / 1000 / n,
      elu: elu.utilization,
      p50: percentile(lat, 50),
    };
  };
  const direct = () =>
    measure(async () => {
      const lat: number[] = [];
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < end) {
            const t = performance.now();
            await (post ? directStart() : directQuery());
            lat.push(performance.now() - t);
          }
        }),
      );
      return { n: lat.length, lat };
    });
  const http = () =>
    measure(async () => {
      appQueries.length = 0;
      const script = fileURLToPath(new URL('./api-load.ts', import.meta.url));
      const spec = post
        ? {
            url,
            headers: { ...headers, 'content-type': 'application/json' },
            method: 'POST',
            body: JSON.stringify(body),
            paths: ['/v1/onboardings'],
            idempotencyKeys: true,
            connections,
            seconds,
          }
        : {
            url,
            headers,
            method: 'GET',
            paths: targets.map((t) => `/v1/onboardings/${t}`),
            idempotencyKeys: false,
            connections,
            seconds,
          };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        maxBuffer: 1 << 20,
      });
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        total: number;
        p50: number;
        non2xx: number;
      };
      if (r.non2xx > 0) log(`  ${r.non2xx} non-2xx`);
      log(
        `  inside the route: Temporal call p50 ${percentile(appQueries, 50).toFixed(1)} ms over ${appQueries.length} (autocannon p50 ${r.p50} ms)`,
      );
      return { n: r.total, lat: [r.p50] };
    });
  // PROBE_ONLY=http or direct: that variant alone (for a CPU profile of one side).
  const only = process.env.PROBE_ONLY;
  if (only === 'http' || only === 'direct') {
    const fn = only === 'http' ? http : direct;
    await fn();
    for (let i = 0; i < rounds; i++) {
      const r = await fn();
      log(
        `${only} ${r.perSecond.toFixed(0)}/s, CPU ${r.cpuMsPerRequest.toFixed(2)} ms/request (system ${r.sysMsPerRequest.toFixed(2)})`,
      );
    }
    return;
  }
  await direct();
  await http();
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of i % 2
      ? ([
          ['http', http],
          ['direct', direct],
        ] as const)
      : ([
          ['direct', direct],
          ['http', http],
        ] as const)) {
      const r = await fn();
      log(
        `round ${i + 1} ${name.padEnd(6)} ${r.perSecond.toFixed(0)}/s p50 ${r.p50.toFixed(1)} ms, CPU ${r.cpuMsPerRequest.toFixed(2)} ms/request (system ${r.sysMsPerRequest.toFixed(2)}), event loop ${(r.elu * 100).toFixed(0)} %`,
      );
    }
  }
}

const cleanup = new Cleanup();
try {
  await main(cleanup);
} finally {
  await cleanup.run(log);
}
process.exit();
