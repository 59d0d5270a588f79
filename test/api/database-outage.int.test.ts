// The API without its database (issue 20 item 5): with PostgreSQL really stopped, and with the disk under the
// app's tables really full (a tmpfs tablespace filled to the last byte: SQLSTATE 53100), every route that needs
// the database answers 503 problem+json with Retry-After (never a 500 with an error id), /readyz says
// `database: unavailable`, and once the server is back or the disk has room the same app answers again without
// a restart. A start refused mid-way is retried with the same Idempotency-Key and reaches the one process.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { isDbReachable } from '../../db/connection.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import {
  claimIdempotencyKey,
  IDEMPOTENCY_LEASE_MS,
  letGoIdempotencyKey,
} from '../../api/idempotency/store.js';
import { localDate } from '../../domain/core/zoned.js';
import { devServerClient, uniqueTaskQueue } from '../helpers/temporal.js';
import {
  canMountTmpfs,
  SMALL_TABLESPACE,
  startStoppablePostgres,
  type StoppablePostgres,
} from '../helpers/stoppable-postgres.js';

const mountable = canMountTmpfs();
let pg: StoppablePostgres;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let app: FastifyInstance;
let auth: { authorization: string };
const taskQueue = uniqueTaskQueue('db-outage');
const startedWorkflows: string[] = [];

beforeAll(async () => {
  pg = await startStoppablePostgres({
    database: 'ptflow_outage',
    ...(mountable ? { smallDiskMb: 24 } : {}),
  });
  await seedDemoPractice(pg.database.db);
  const key = await createApiKey(pg.database.db, {
    practiceId: DEMO_PRACTICE_ID,
    role: 'therapist',
    label: 'outage test',
  });
  auth = { authorization: `Bearer ${key.key}` };
  temporal = await devServerClient();
  app = await buildApp({
    logLevel: 'silent',
    db: pg.database.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 7),
    readiness: { database: () => isDbReachable(pg.database.sql) },
    idempotency: { keyring: generateKeyring('outage') },
    rateLimit: { perMinute: 100_000, authFailuresPerMinute: 100_000 },
    // Every request reads the key's row: the outage is met at once, not after the cache's 10 s.
    apiKeyCacheTtlMs: 0,
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  for (const id of startedWorkflows)
    await temporal?.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await temporal?.close();
  await pg?.database.drop();
  await pg?.close();
});

const startBody = () => ({
  patientId: randomUUID(),
  referringPractitionerId: randomUUID(),
  firstTreatmentDate: localDate(new Date(), 'America/Chicago'),
});

const startEpisode = (body: object, idempotencyKey: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/plans-of-care',
    headers: { ...auth, 'idempotency-key': idempotencyKey },
    payload: body,
  });

/** The shape every database-unavailable answer has. */
function expectUnavailable(res: Awaited<ReturnType<FastifyInstance['inject']>>, reason: string) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toBe('5');
  const body = res.json<Record<string, unknown>>();
  expect(body).toMatchObject({ status: 503, title: 'Service Unavailable', reason });
  // No internals: no stack, no error id of an unexpected fault, no SQL.
  expect(body).not.toHaveProperty('stack');
  expect(body).not.toHaveProperty('errorId');
  expect(res.body).not.toMatch(/select|insert|ECONN|postgres/i);
}

type Answer = Awaited<ReturnType<FastifyInstance['inject']>>;

async function untilStatus(run: () => Promise<Answer>, status: number, ms = 30_000) {
  const deadline = Date.now() + ms;
  let attempts = 0;
  for (;;) {
    attempts++;
    const res = await run();
    if (res.statusCode === status || Date.now() > deadline) return { res, attempts };
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the API without its database', { timeout: 180_000 }, () => {
  it('PostgreSQL stopped: 503 + Retry-After everywhere, /readyz unready; back by itself when it returns', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);

    await pg.stop();
    try {
      expectUnavailable(await app.inject({ method: 'GET', url: '/v1/tasks', headers: auth }), 'unreachable');
      const key = randomUUID();
      expectUnavailable(await startEpisode(startBody(), key), 'unreachable');
      const readyz = await app.inject({ method: 'GET', url: '/readyz' });
      expect(readyz.statusCode).toBe(503);
      expect(readyz.headers['retry-after']).toBe('5');
      expect(readyz.json()).toMatchObject({ checks: { database: 'unavailable' } });
    } finally {
      await pg.start();
    }

    // Same app, same pool: it reconnects on its own.
    const { res: tasks } = await untilStatus(
      () => app.inject({ method: 'GET', url: '/v1/tasks', headers: auth }),
      200,
    );
    expect(tasks.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const started = await startEpisode(startBody(), randomUUID());
    expect(started.statusCode).toBe(202);
    startedWorkflows.push(`poc:${started.json<{ id: string }>().id}`);
  });

  it.skipIf(!mountable)(
    'disk full (53100): 503 + Retry-After, nothing half-done; the same key completes once there is room',
    async () => {
      const sql = pg.database.sql;
      await sql.unsafe(`create table disk_probe (b text) tablespace ${SMALL_TABLESPACE}`);
      const ballast = pg.fillDisk();
      expect(ballast).toBeGreaterThan(0);
      expect(pg.diskFree()).toBe(0);
      try {
        // A write that needs a new page is refused with disk_full, as on a full volume.
        await expect(sql`insert into disk_probe values (${'x'.repeat(100)})`).rejects.toMatchObject({
          code: '53100',
        });
        // Starts (idempotency record, audit row) until the app's own pages are full too; each gets its own key.
        let refused: Awaited<ReturnType<typeof startEpisode>> | undefined;
        let refusedKey = '';
        let refusedBody: object = {};
        for (let i = 0; i < 400 && !refused; i++) {
          const body = startBody();
          const key = randomUUID();
          const res = await startEpisode(body, key);
          if (res.statusCode === 202) startedWorkflows.push(`poc:${res.json<{ id: string }>().id}`);
          else if (res.statusCode === 503) [refused, refusedKey, refusedBody] = [res, key, body];
          else throw new Error(`unexpected ${res.statusCode}: ${res.body}`);
        }
        expect(refused).toBeDefined();
        expectUnavailable(refused!, 'storage_full');
        // Whether the refused attempt got as far as starting its process (its audit row then failed) or was
        // refused at its idempotency record: both must end in one process below.
        const pid = (refusedBody as { patientId: string }).patientId;
        await new Promise((r) => setTimeout(r, 1_000));
        let startedBeforeRefusal = 0;
        for await (const _ of temporal.client.workflow.list({ query: `PatientId = "${pid}"` }))
          startedBeforeRefusal++;
        process.stderr.write(`disk full: refused start had started ${startedBeforeRefusal} process(es)\n`);
        // Reads still work on a full disk, but readiness remembers the refused write.
        const readyz = await app.inject({ method: 'GET', url: '/readyz' });
        expect(readyz.statusCode).toBe(503);
        expect(readyz.json()).toMatchObject({ checks: { database: 'unavailable' } });

        pg.freeDisk();
        expect(pg.diskFree()).toBeGreaterThan(0);
        // The same key after the Retry-After: the request runs again under the same record, so whatever the
        // refused attempt started is the one process the retry answers with.
        const { res: retried } = await untilStatus(() => startEpisode(refusedBody, refusedKey), 202);
        expect(retried.statusCode).toBe(202);
        const id = retried.json<{ id: string }>().id;
        startedWorkflows.push(`poc:${id}`);
        const patientId = (refusedBody as { patientId: string }).patientId;
        const runsOf = async () => {
          const runs: string[] = [];
          for await (const wf of temporal.client.workflow.list({ query: `PatientId = "${patientId}"` }))
            runs.push(wf.workflowId);
          return runs;
        };
        // Visibility indexes a start a moment later: wait for it, then once more for any second one.
        await expect.poll(runsOf, { timeout: 15_000 }).toEqual([`poc:${id}`]);
        await new Promise((r) => setTimeout(r, 2_000));
        expect(await runsOf()).toEqual([`poc:${id}`]);
        // One audit entry of the creation for the request that succeeded; none claims the refused one did.
        const audit = await sql<{ n: number }[]>`
          select count(*)::int as n from audit_events
          where resource_id = ${id} and action = 'C' and outcome = 'success'`;
        expect(audit[0]!.n).toBe(1);
        expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      } finally {
        pg.freeDisk();
      }
    },
  );

  it('an abandoned or let-go claim is taken over by the same request under the same record id', async () => {
    const db = pg.database.db;
    const keyring = generateKeyring('lease');
    const k = {
      principalId: `${DEMO_PRACTICE_ID}/lease-test`,
      method: 'POST',
      route: '/v1/x',
      key: randomUUID(),
    };
    const t0 = new Date();
    const first = await claimIdempotencyKey(db, keyring, k, 'fp', t0);
    expect(first.kind).toBe('claimed');
    const recordId = (first as { recordId: string }).recordId;
    // Still held: a concurrent retry waits (409).
    expect(await claimIdempotencyKey(db, keyring, k, 'fp', new Date(t0.getTime() + 1_000))).toEqual({
      kind: 'in_progress',
    });
    // A different request under the key is refused, held or not.
    expect((await claimIdempotencyKey(db, keyring, k, 'other', t0)).kind).toBe('mismatch');
    // Let go (the request answered 503 + Retry-After): the retry takes the same record over at once…
    await letGoIdempotencyKey(db, recordId);
    expect(await claimIdempotencyKey(db, keyring, k, 'fp', new Date(t0.getTime() + 2_000))).toEqual({
      kind: 'claimed',
      recordId,
    });
    // …and a claim whose request died is taken over once its lease has run out, not before.
    const held = new Date(t0.getTime() + 2_000 + IDEMPOTENCY_LEASE_MS - 1_000);
    expect((await claimIdempotencyKey(db, keyring, k, 'fp', held)).kind).toBe('in_progress');
    const expired = new Date(t0.getTime() + 2_000 + IDEMPOTENCY_LEASE_MS + 1);
    expect(await claimIdempotencyKey(db, keyring, k, 'fp', expired)).toEqual({ kind: 'claimed', recordId });
  });
});
