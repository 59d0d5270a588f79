// API-ERR-2 (issue #19 item 3): errors that say what to fix. Real HTTP through the production-shaped app against
// real PostgreSQL (API keys, Idempotency-Key store): a 400 names every bad, missing or unknown field by JSON
// pointer with the expected type, allowed values or bounds; an unknown query parameter is named; a wrong
// Content-Type is a 415; broken JSON says so; nothing echoes a submitted value (every one carries ZZCANARY).
// No request here reaches Temporal — each is refused before a handler runs — so the client is a lazy one that
// never connects (as in api/openapi-document.ts).
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import type { FieldError } from '../../api/problem.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { authorizationBody, claimBody } from './stack.js';

let db: TestDatabase;
let app: FastifyInstance;
let auth: { authorization: string };

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: new Client(),
    cursorKey: Buffer.alloc(32, 3),
    readiness: {},
    rateLimit: { perMinute: 10_000, authFailuresPerMinute: 1000 },
    idempotency: { keyring: generateKeyring('problem-details') },
  });
  await app.ready();
  const key = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'admin', label: 'errors' });
  auth = { authorization: `Bearer ${key.key}` };
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const CANARY = 'ZZCANARY-secret-value';

function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const raw = typeof payload === 'string';
  return app.inject({
    method: 'POST',
    url,
    headers: {
      ...auth,
      'idempotency-key': randomUUID(),
      ...(raw ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    payload: raw ? payload : JSON.stringify(payload),
  });
}

/** A problem+json 400 whose every error names where and which field, and that quotes no submitted value. */
function fieldErrorsOf(res: LightMyRequestResponse): FieldError[] {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).not.toContain('ZZCANARY');
  const body = res.json<{ status: number; detail: string; errors: FieldError[] }>();
  expect(body.status).toBe(400);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const e of body.errors) {
    expect(['body', 'query', 'path', 'header']).toContain(e.in);
    expect(e.pointer).toMatch(/^(\/.*)?$/);
    expect(e.detail.length).toBeGreaterThan(3);
  }
  return body.errors;
}

describe('validation problems name the field', () => {
  it('names an unknown body key by name and pointer, top-level and nested', async () => {
    const top = fieldErrorsOf(await post('/v1/authorizations', { ...authorizationBody(), zzExtra: CANARY }));
    expect(top).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/zzExtra', code: 'unrecognized_keys', key: 'zzExtra' }),
    ]);
    const claim = claimBody();
    const nested = fieldErrorsOf(
      await post('/v1/claims', { ...claim, visit: { ...claim.visit, kx: true, notes: CANARY } }),
    );
    expect(nested.map((e) => [e.pointer, e.key])).toEqual([
      ['/visit/kx', 'kx'],
      ['/visit/notes', 'notes'],
    ]);
    const res = await post('/v1/claims', { ...claim, visit: { ...claim.visit, kx: true } });
    expect(res.json<{ detail: string }>().detail).toContain('/visit/kx');
  });

  it('names the expected type, the allowed values, the bounds and a missing field', async () => {
    const { patientId: _missing, ...rest } = authorizationBody();
    const errors = fieldErrorsOf(
      await post('/v1/authorizations', {
        ...rest,
        requestedVisits: CANARY,
        urgency: CANARY,
        payerId: `${CANARY}!`,
        diagnosisCodes: [],
      }),
    );
    const at = (pointer: string) => errors.find((e) => e.pointer === pointer);
    expect(at('/patientId')).toMatchObject({ in: 'body', code: 'invalid_type', expected: 'string' });
    expect(at('/patientId')?.detail).toMatch(/^Required/);
    expect(at('/requestedVisits')).toMatchObject({ code: 'invalid_type', expected: 'number' });
    expect(at('/urgency')).toMatchObject({ code: 'invalid_value', allowed: ['standard', 'urgent'] });
    expect(at('/payerId')).toMatchObject({ code: 'invalid_format', pattern: '^[a-z0-9-]{2,64}$' });
    expect(at('/diagnosisCodes')).toMatchObject({ code: 'too_small', minimum: 1 });
  });

  it('names the discriminator of a union with its allowed values', async () => {
    const errors = fieldErrorsOf(
      await post(`/v1/authorizations/${randomUUID()}/resolution`, { action: CANARY }),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        in: 'body',
        pointer: '/action',
        code: 'invalid_value',
        allowed: ['resubmit', 'not_required', 'cancel'],
      }),
    ]);
  });

  it('names path parameters and query parameters, including unknown ones', async () => {
    const path = fieldErrorsOf(
      await app.inject({ method: 'GET', url: `/v1/authorizations/${CANARY}`, headers: auth }),
    );
    expect(path).toEqual([expect.objectContaining({ in: 'path', pointer: '/id', format: 'uuid' })]);

    const unknown = fieldErrorsOf(
      await app.inject({ method: 'GET', url: `/v1/tasks?zzExtra=${CANARY}&limit=5`, headers: auth }),
    );
    expect(unknown).toEqual([
      expect.objectContaining({
        in: 'query',
        pointer: '/zzExtra',
        code: 'unrecognized_keys',
        key: 'zzExtra',
      }),
    ]);
    // A route that takes no query parameters at all refuses them the same way.
    const none = fieldErrorsOf(
      await app.inject({ method: 'GET', url: `/v1/break-glass?verbose=${CANARY}`, headers: auth }),
    );
    expect(none).toEqual([expect.objectContaining({ in: 'query', pointer: '/verbose', key: 'verbose' })]);

    const limit = fieldErrorsOf(
      await app.inject({ method: 'GET', url: `/v1/tasks?limit=${CANARY}`, headers: auth }),
    );
    expect(limit).toEqual([expect.objectContaining({ in: 'query', pointer: '/limit', expected: 'number' })]);
    const tooMany = fieldErrorsOf(
      await app.inject({ method: 'GET', url: '/v1/tasks?limit=101', headers: auth }),
    );
    expect(tooMany).toEqual([expect.objectContaining({ pointer: '/limit', code: 'too_big', maximum: 100 })]);
  });

  it('names a key that is not a plain name without repeating it', async () => {
    const odd = `${CANARY}/é"`;
    const errors = fieldErrorsOf(await post('/v1/authorizations', { ...authorizationBody(), [odd]: 1 }));
    expect(errors).toEqual([expect.objectContaining({ in: 'body', pointer: '', code: 'unrecognized_keys' })]);
    expect(errors[0]).not.toHaveProperty('key');
  });

  it('names the header of a missing or malformed Idempotency-Key and a tampered cursor', async () => {
    const missing = fieldErrorsOf(
      await app.inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify(authorizationBody()),
      }),
    );
    expect(missing).toEqual([
      expect.objectContaining({ in: 'header', pointer: '/idempotency-key', code: 'missing' }),
    ]);
    const cursor = fieldErrorsOf(
      await app.inject({ method: 'GET', url: `/v1/tasks?cursor=${CANARY}.abc`, headers: auth }),
    );
    expect(cursor).toEqual([
      expect.objectContaining({ in: 'query', pointer: '/cursor', code: 'invalid_cursor' }),
    ]);
  });
});

describe('content type and JSON syntax', () => {
  it('answers 415 problem+json for a body that is not application/json', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await post('/v1/authorizations', `${CANARY}=1`, { 'content-type': type });
      expect(res.statusCode, type).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        status: 415,
        title: 'Unsupported Media Type',
        accept: ['application/json'],
      });
      expect(res.json<{ detail: string }>().detail).toContain('application/json');
      expect(res.body).not.toContain('ZZCANARY');
    }
    const untyped = await app.inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      payload: Buffer.from(JSON.stringify(authorizationBody())),
    });
    expect(untyped.statusCode).toBe(415);
  });

  it('says the body is not valid JSON (not that it fails the schema), and that an empty body is empty', async () => {
    for (const raw of [
      `{"patientId": "${CANARY}", `,
      `{'single': 'quotes'}`,
      `{"__proto__": {"x": "${CANARY}"}}`,
    ]) {
      const res = await post('/v1/authorizations', raw, { 'content-type': 'application/json' });
      const errors = fieldErrorsOf(res);
      expect(errors).toEqual([expect.objectContaining({ in: 'body', pointer: '', code: 'invalid_json' })]);
      expect(res.json<{ detail: string }>().detail).toBe('The request body is not valid JSON.');
      expect(res.body).not.toMatch(/schema/i);
    }
    const empty = fieldErrorsOf(await post('/v1/authorizations', '', { 'content-type': 'application/json' }));
    expect(empty).toEqual([expect.objectContaining({ in: 'body', pointer: '', code: 'empty_body' })]);
  });
});
