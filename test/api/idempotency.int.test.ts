// Idempotency-Key (security.md §4) against the real database: header required, replay of the same answer,
// 422 on a changed body, 409 while in progress (10 parallel requests → one side effect), 4xx not stored, 5xx
// stored, per-principal scope, 24 h expiry and the sweeper, encrypted storage, and POST /v1/tasks/:id/complete.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { IDEMPOTENCY_PROBLEM_TYPE } from '../../api/idempotency/plugin.js';
import { requestFingerprint } from '../../api/idempotency/fingerprint.js';
import { sweepExpiredIdempotencyKeys } from '../../api/idempotency/store.js';
import { fieldContext } from '../../db/crypto/encrypted-tables.js';
import { encryptField } from '../../db/crypto/field-encryption.js';
import { HttpProblem, problem } from '../../api/problem.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let app: FastifyInstance;
let clock = new Date('2030-01-07T12:00:00Z');
let effects = 0;
const signals: unknown[] = [];
let auth: { authorization: string };
let otherAuth: { authorization: string };
let adminPrefix: string;
const keyring = generateKeyring('idem1');

// A Temporal client stand-in: the complete route only signals, and the test counts the signals.
const temporal = {
  workflow: {
    getHandle: () => ({
      signal: async (_def: unknown, arg: unknown) => {
        signals.push(arg);
      },
    }),
  },
} as unknown as Client;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal,
    cursorKey: Buffer.alloc(32, 7),
    rateLimit: { perMinute: 10_000, authFailuresPerMinute: 1000 },
    readiness: {},
    idempotency: { keyring, now: () => clock },
  });
  // A route with a visible side effect and controllable outcomes.
  app.withTypeProvider<ZodTypeProvider>().post(
    '/test/idempotent/:thing',
    {
      config: { roles: ['admin', 'front_desk'], idempotent: true },
      schema: {
        params: z.object({ thing: z.string() }),
        body: z.strictObject({
          n: z.number(),
          mode: z.enum(['ok', 'conflict', 'crash']).default('ok'),
          delayMs: z.number().default(0),
        }),
      },
    },
    async (req, reply) => {
      await new Promise((r) => setTimeout(r, req.body.delayMs));
      if (req.body.mode === 'conflict') throw new HttpProblem(problem(409, 'Not now.'));
      effects++;
      if (req.body.mode === 'crash') throw new Error('downstream failed after the effect');
      return reply
        .code(201)
        .send({ effect: effects, recordId: req.idempotencyRecordId, note: 'ZZCANARY-IDEM' });
    },
  );
  await app.ready();
  const admin = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'admin', label: 'a' });
  const desk = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'd' });
  auth = { authorization: `Bearer ${admin.key}` };
  adminPrefix = admin.prefix;
  otherAuth = { authorization: `Bearer ${desk.key}` };
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (key: string | undefined, body: Record<string, unknown>, headers = auth, thing = 'a') =>
  app.inject({
    method: 'POST',
    url: `/test/idempotent/${thing}`,
    headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body,
  });

describe('Idempotency-Key', () => {
  it('API-IDEM-1: requires the header; missing or malformed → 400 problem+json pointing at the docs', async () => {
    const before = effects;
    for (const key of [undefined, 'x'.repeat(256), '"unterminated', 'two words']) {
      const res = await post(key, { n: 1 });
      expect(res.statusCode, String(key)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, type: IDEMPOTENCY_PROBLEM_TYPE });
    }
    expect(effects).toBe(before);
  });

  it('API-IDEM-3: a retry after completion replays the same status and body; one side effect', async () => {
    const key = `"${randomUUID()}"`;
    const before = effects;
    const first = await post(key, { n: 1 });
    const second = await post(key, { delayMs: 0, n: 1 }); // same body, other key order and defaults
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(effects).toBe(before + 1);
    // The record id handed to the route is the stored record's id (start routes derive workflow ids from it).
    const recordId = first.json<{ recordId: string }>().recordId;
    const rows =
      await db.sql`select id, state, status_code, response_enc from idempotency_records where id = ${recordId}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'complete', status_code: 201 });
    // Stored encrypted (SEC-ENC-1): the response text is not in the row.
    expect(Buffer.from(rows[0]!.response_enc as Uint8Array).toString('latin1')).not.toContain(
      'ZZCANARY-IDEM',
    );
    // The sf-string and the bare token name the same key.
    const bare = await post(key.slice(1, -1), { n: 1 });
    expect(bare.headers['idempotent-replayed']).toBe('true');
  });

  it('API-IDEM-4: the same key with a different body or path → 422', async () => {
    const key = randomUUID();
    expect((await post(key, { n: 1 })).statusCode).toBe(201);
    const changed = await post(key, { n: 2 });
    expect(changed.statusCode).toBe(422);
    expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await post(key, { n: 1 }, auth, 'b')).statusCode).toBe(422);
  });

  it('API-IDEM-5: 10 parallel identical requests → one side effect; the rest 409 or a replay', async () => {
    const key = randomUUID();
    const before = effects;
    const results = await Promise.all(Array.from({ length: 10 }, () => post(key, { n: 5, delayMs: 300 })));
    expect(effects).toBe(before + 1);
    const fresh = results.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']);
    expect(fresh).toHaveLength(1);
    for (const r of results) {
      if (r.statusCode === 409) {
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      } else {
        expect(r.statusCode).toBe(201);
        expect(r.body).toBe(fresh[0]!.body);
      }
    }
    expect(results.filter((r) => r.statusCode === 409).length).toBeGreaterThan(0);
  });

  it('does not store 4xx (the client may fix and retry); stores a 5xx once execution began', async () => {
    const key = randomUUID();
    const conflict = await post(key, { n: 1, mode: 'conflict' });
    expect(conflict.statusCode).toBe(409);
    // Same key, fixed request: processed, not a 422 against the failed attempt.
    expect((await post(key, { n: 1 })).statusCode).toBe(201);

    const crashKey = randomUUID();
    const before = effects;
    const crash = await post(crashKey, { n: 1, mode: 'crash' });
    expect(crash.statusCode).toBe(500);
    const again = await post(crashKey, { n: 1, mode: 'crash' });
    expect(again.statusCode).toBe(500);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(crash.json());
    expect(effects).toBe(before + 1);
  });

  it('API-IDEM-2: the same key from another principal is processed independently', async () => {
    const key = randomUUID();
    const before = effects;
    await post(key, { n: 1 });
    const other = await post(key, { n: 1 }, otherAuth);
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(effects).toBe(before + 2);
  });

  it('API-IDEM-2: a record an API key owned before records were scoped by practice replays until it expires', async () => {
    // Written the way records were before: owned by the bare API-key id, encrypted under that owner.
    const legacyOwner = `apikey:${adminPrefix}`;
    const legacyRecord = async (key: string, over: { body?: unknown; expiresAt?: Date } = {}) => {
      const id = randomUUID();
      const fingerprint = requestFingerprint({
        params: { thing: 'a' },
        body: over.body ?? { n: 1, mode: 'ok', delayMs: 0 },
      });
      const enc = encryptField(
        JSON.stringify({ contentType: 'application/json; charset=utf-8', body: '{"legacy":true}' }),
        fieldContext('idempotency_records', 'response_enc', { tenant: legacyOwner, rowId: id }),
        keyring,
      );
      await db.sql`insert into idempotency_records
        (id, principal_id, method, route, key, fingerprint, state, status_code, response_enc, key_id, created_at, expires_at)
        values (${id}, ${legacyOwner}, 'POST', '/test/idempotent/:thing', ${key}, ${fingerprint}, 'complete', 201,
          ${enc.data}, ${enc.keyId}, ${clock.toISOString()}::timestamptz,
          ${(over.expiresAt ?? new Date(clock.getTime() + 60_000)).toISOString()}::timestamptz)`;
    };
    const before = effects;
    const replayedKey = randomUUID();
    await legacyRecord(replayedKey);
    const replay = await post(replayedKey, { n: 1 });
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe('{"legacy":true}');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // No claim of the key was made beside the legacy record.
    expect(
      await db.sql`select 1 from idempotency_records where key = ${replayedKey} and principal_id <> ${legacyOwner}`,
    ).toHaveLength(0);
    // The same key with another body → 422, as for any record.
    const mismatchKey = randomUUID();
    await legacyRecord(mismatchKey, { body: { n: 2, mode: 'ok', delayMs: 0 } });
    expect((await post(mismatchKey, { n: 1 })).statusCode).toBe(422);
    expect(effects).toBe(before);
    // An expired legacy record is no record: the key is claimed anew and the request runs.
    const expiredKey = randomUUID();
    await legacyRecord(expiredKey, { expiresAt: new Date(clock.getTime() - 1000) });
    const fresh = await post(expiredKey, { n: 1 });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(effects).toBe(before + 1);
    // Another key of the practice never sees the admin key's legacy records.
    const other = await post(replayedKey, { n: 1 }, otherAuth);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(effects).toBe(before + 2);
  });

  it('API-IDEM-7: after 24 h + 1 s the key is new; the sweeper deletes expired records', async () => {
    const key = randomUUID();
    const start = clock;
    const before = effects;
    await post(key, { n: 1 });
    try {
      clock = new Date(start.getTime() + 24 * 3_600_000 - 1_000);
      expect((await post(key, { n: 1 })).headers['idempotent-replayed']).toBe('true');
      clock = new Date(start.getTime() + 24 * 3_600_000 + 1_000);
      const fresh = await post(key, { n: 2 }); // even a different body: the old record no longer counts
      expect(fresh.statusCode).toBe(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(effects).toBe(before + 2);

      const [{ count: total } = { count: 0 }] =
        await db.sql`select count(*)::int as count from idempotency_records`;
      const swept = await sweepExpiredIdempotencyKeys(
        db.db,
        new Date(start.getTime() + 48 * 3_600_000 + 2_000),
      );
      expect(swept).toBe(total);
      const [{ count: left } = { count: -1 }] =
        await db.sql`select count(*)::int as count from idempotency_records`;
      expect(left).toBe(0);
    } finally {
      clock = start;
    }
  });

  it('POST /v1/tasks/:id/complete: requires a key and signals the workflow once per key', async () => {
    const taskId = randomUUID();
    await db.db.insert(tasks).values({
      id: taskId,
      practiceId: DEMO_PRACTICE_ID,
      dedupeKey: `idem-test:${taskId}`,
      kind: 'call_patient',
      assigneeRole: 'front_desk',
      title: 'Call the patient',
      dueAt: new Date('2030-01-08T12:00:00Z'),
      workflowId: `task-${taskId}`,
      processKind: 'onboarding',
    });
    const url = `/v1/tasks/${taskId}/complete`;
    const payload = { outcome: { reached: true } };
    const missing = await app.inject({ method: 'POST', url, headers: otherAuth, payload });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ type: IDEMPOTENCY_PROBLEM_TYPE });

    const key = randomUUID();
    const before = signals.length;
    const headers = { ...otherAuth, 'idempotency-key': key };
    const first = await app.inject({ method: 'POST', url, headers, payload });
    const retry = await app.inject({ method: 'POST', url, headers, payload });
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(signals.length).toBe(before + 1);
  });
});
