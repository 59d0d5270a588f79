// The per-request shortcuts of the process routes keep their guarantees (issue #6): a status read whose tenancy
// is remembered still answers 503 with nothing in it when the audit log is down, and so does a start; a
// remembered owner never lets another practice in; API keys revoked by another process stop working once the
// key cache lapses (immediately with the cache off).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { practices } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const OTHER = '00000000-0000-4000-8000-0000000000ee';
let db: TestDatabase;
let app: FastifyInstance;
let uncached: FastifyInstance;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
const auth: Record<string, { authorization: string }> = {};

const pendingPayer: AuthorizationPayerPort = {
  submit: async () => ({ outcome: 'pended' }),
  status: async () => ({ outcome: 'pended' }),
};

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await db.db.insert(practices).values({ id: OTHER, name: 'Other', npi: '1234567893', timezone: 'UTC' });
  temporal = await devServerClient();
  const taskQueue = uniqueTaskQueue();
  worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer: pendingPayer }));
  const deps = {
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 1),
    readiness: {},
  };
  app = await buildApp(deps);
  uncached = await buildApp({ ...deps, apiKeyCacheTtlMs: 0 });
  for (const [name, practiceId] of [
    ['desk', DEMO_PRACTICE_ID],
    ['foreign', OTHER],
  ] as const) {
    auth[name] = {
      authorization: `Bearer ${(await createApiKey(db.db, { practiceId, role: 'front_desk', label: name })).key}`,
    };
  }
});
afterAll(async () => {
  await app?.close();
  await uncached?.close();
  await worker?.close();
  await temporal?.close();
  await db?.drop();
});

const startBody = () => ({
  patientId: randomUUID(),
  coverageId: randomUUID(),
  payerId: 'ma-fastlane',
  requestedVisits: 12,
  startDate: localDate(new Date(), 'America/Chicago'),
});

async function pendingAuthorization(): Promise<string> {
  const start = await app.inject({
    method: 'POST',
    url: '/v1/authorizations',
    headers: auth.desk,
    payload: startBody(),
  });
  expect(start.statusCode).toBe(202);
  const { id } = start.json() as { id: string };
  let status = '';
  for (let i = 0; i < 50 && status !== 'pending'; i++) {
    const res = await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.desk });
    status = (res.json() as { status: string }).status;
    if (status !== 'pending') await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe('pending');
  return id;
}

async function withAuditDown(run: () => Promise<void>): Promise<void> {
  await db.sql.unsafe(`
    create or replace function test_audit_down() returns trigger language plpgsql as $$
    begin raise exception 'audit down'; end $$;
    create trigger test_audit_down before insert on audit_events for each row execute function test_audit_down();`);
  try {
    await run();
  } finally {
    await db.sql.unsafe('drop trigger test_audit_down on audit_events');
  }
}

describe('process routes with remembered tenancy', () => {
  it('a status read answers 503 and nothing of the process while the audit log is down, 200 once it is back', async () => {
    const id = await pendingAuthorization(); // the owner is remembered from here on
    await withAuditDown(async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.desk });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).not.toContain('pending');
      expect(res.body).not.toContain(id);
    });
    const back = await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.desk });
    expect(back.statusCode).toBe(200);
    expect((back.json() as { status: string }).status).toBe('pending');
  });

  it('a start answers 503 without the new id while the audit log is down', async () => {
    await withAuditDown(async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: auth.desk,
        payload: startBody(),
      });
      expect(res.statusCode).toBe(503);
      expect(Object.keys(res.json() as object)).not.toContain('id');
    });
  });

  it('another practice gets 404 for a process whose owner is remembered, and no read is audited for it', async () => {
    const id = await pendingAuthorization();
    const before =
      await db.sql`select count(*)::int as n from audit_events where resource_id = ${id} and action = 'R'`;
    const foreign = await app.inject({
      method: 'GET',
      url: `/v1/authorizations/${id}`,
      headers: auth.foreign,
    });
    expect(foreign.statusCode).toBe(404);
    const after =
      await db.sql`select count(*)::int as n from audit_events where resource_id = ${id} and action = 'R'`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('API keys', () => {
  it('a key revoked by another process is refused at once when the cache is off', async () => {
    const key = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'x' });
    const headers = { authorization: `Bearer ${key.key}` };
    expect((await uncached.inject({ method: 'GET', url: '/v1/tasks', headers })).statusCode).toBe(200);
    // Straight in the database, as the CLI of another process does: no in-process invalidation.
    await db.sql`update api_keys set revoked_at = now() where prefix = ${key.prefix}`;
    expect((await uncached.inject({ method: 'GET', url: '/v1/tasks', headers })).statusCode).toBe(401);
  });
});
