// Every ptflow metric the Grafana dashboard (temporal-docker/observability) queries is one ptflow really exposes:
// checked against real scrapes — the worker's /metrics as `ptflow worker` serves it (installTemporalRuntime with
// PTFLOW_WORKER_METRICS_ADDRESS, the Temporal SDK's Prometheus exporter) after a workflow with a retried activity
// ran on the dev server, and the API's /metrics after requests. Temporal server names are checked against
// the server-source fixture in test/temporal-docker/observability.unit.test.ts.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { installTemporalRuntime } from '../../cli/services.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { dashboardQueries, exposedNames, loadDashboard, metricNames } from './dashboard.js';

const taskQueue = uniqueTaskQueue('metrics');
let metricsUrl = '';
let workerScrape = '';
let apiScrape = '';
let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  const port = await freePort();
  // First in this process: the runtime `ptflow worker` installs, with its metrics endpoint.
  installTemporalRuntime(true, 'warn', `127.0.0.1:${port}`);
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  let failedOnce = false;
  const worker = await devServerWorker(taskQueue, {
    listDigestPractices: async () => [randomUUID()],
    // The first attempt fails (activity failure metrics), the retry succeeds.
    countStaffDigest: async () => {
      if (!failedOnce) {
        failedOnce = true;
        throw new Error('database busy');
      }
      return { practiceId: randomUUID(), byRole: [], attention: 0 };
    },
    deliverStaffDigest: async () => ({ sent: 1, skipped: 0 }),
  });
  const temporal = await devServerClient();
  try {
    await temporal.client.workflow.execute('sendStaffDigest', {
      taskQueue,
      workflowId: `metrics-${randomUUID()}`,
      args: [],
    });
  } finally {
    await temporal.close();
  }
  // The SDK exports on its own schedule: scrape until the workflow's completion is counted.
  for (let i = 0; i < 60; i++) {
    workerScrape = await (await fetch(metricsUrl)).text();
    if (workerScrape.includes('temporal_workflow_completed')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await worker.close();

  db = await createTestDatabase();
  const client = await devServerClient();
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: client.client,
    cursorKey: Buffer.alloc(32, 3),
    readiness: {},
  });
  app.addHook('onClose', () => client.close());
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.inject({ method: 'GET', url: `/v1/claims/${randomUUID()}` });
  apiScrape = (await app.inject({ method: 'GET', url: '/metrics' })).body;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('metrics the dashboard queries', () => {
  it('the worker serves the SDK metrics at PTFLOW_WORKER_METRICS_ADDRESS', () => {
    expect(workerScrape).toContain('temporal_workflow_completed');
    expect(workerScrape).toContain(`task_queue="${taskQueue}"`);
    // Labels are types and queues, never workflow ids.
    expect(workerScrape).not.toMatch(/workflow_id=/);
  });

  it('every ptflow_* and temporal_* (SDK) metric of the dashboard is in a real scrape', () => {
    const worker = exposedNames(workerScrape);
    const api = exposedNames(apiScrape);
    if (process.env.PTFLOW_PRINT_METRICS) console.log([...worker, ...api].sort().join('\n'));
    const queried = dashboardQueries(loadDashboard()).flatMap((q) =>
      metricNames(q.expr).map((name) => ({ ...q, name })),
    );
    const ours = queried.filter((q) => q.name.startsWith('ptflow_') || q.name.startsWith('temporal_'));
    expect(ours.length).toBeGreaterThanOrEqual(10);
    const missing = ours.filter((q) => !(q.name.startsWith('ptflow_') ? api : worker).has(q.name));
    expect(missing.map((q) => `${q.panel}: ${q.name}`)).toEqual([]);
  });
});
