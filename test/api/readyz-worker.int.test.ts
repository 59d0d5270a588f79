// /readyz and the worker (issue #14): the API cannot read a worker's configuration, but it can see whether
// any worker polls its task queue on the real dev server. No poller → still ready (work is accepted and waits
// in Temporal) with a `worker` warning saying where to look; a polling worker → no warning.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { buildApp } from '../../api/app.js';
import { isDbReachable } from '../../db/connection.js';
import { hasWorkflowPollers } from '../../temporal/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

let db: TestDatabase;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let app: FastifyInstance;
const taskQueue = uniqueTaskQueue('readyz');

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = await devServerClient();
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 5),
    readiness: { database: () => isDbReachable(db.sql) },
    readinessAdvisories: {
      worker: { check: () => hasWorkflowPollers(temporal.client, taskQueue), hint: 'no worker polls' },
    },
  });
});
afterAll(async () => {
  await app?.close();
  await temporal?.close();
  await db?.drop();
});

describe('/readyz worker advisory', { timeout: 120_000 }, () => {
  it('reports a task queue without pollers as a warning, not as unready; a polling worker clears it', async () => {
    const idle = await app.inject({ method: 'GET', url: '/readyz' });
    expect(idle.statusCode).toBe(200);
    expect(idle.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', worker: 'unavailable' },
      warnings: [{ check: 'worker', hint: 'no worker polls' }],
    });

    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db }));
    try {
      await expect
        .poll(async () => (await app.inject({ method: 'GET', url: '/readyz' })).json(), { timeout: 30_000 })
        .toEqual({ status: 'ready', checks: { database: 'ok', worker: 'ok' } });
    } finally {
      await worker.close();
    }
  });
});
