// GET /metrics behind a bearer token (METRICS_TOKEN): the practice gauges are business figures (denial and
// collection rates). Over real HTTP on loopback with a real database: no token, a wrong token and a staff API key
// → 401 problem+json with a Bearer challenge and no metric text; the token → 200 with the gauges. Without a
// token configured (development) the endpoint stays open.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient } from '../helpers/temporal.js';

const token = randomBytes(32).toString('base64');
let db: TestDatabase;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let guarded: FastifyInstance;
let open: FastifyInstance;
let guardedUrl = '';
let openUrl = '';

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db, generateKeyring('d1'));
  temporal = await devServerClient();
  const build = (metricsToken?: string) =>
    buildApp({
      logLevel: 'silent',
      db: db.db,
      temporal: temporal.client,
      cursorKey: Buffer.alloc(32, 9),
      readiness: {},
      ...(metricsToken ? { metricsToken } : {}),
    });
  guarded = await build(token);
  open = await build();
  guardedUrl = `${await guarded.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
  openUrl = `${await open.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
}, 120_000);
afterAll(async () => {
  await guarded?.close();
  await open?.close();
  await temporal?.close();
  await db?.drop();
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('answers 401 problem+json without the token, with a wrong one, and with a staff API key', async () => {
    const { key } = await createApiKey(db.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'admin',
      label: 'metrics',
    });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${randomBytes(32).toString('base64')}` },
      { authorization: `Bearer ${key}` },
      { authorization: `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}` },
      { authorization: `Bearer ${token.slice(0, -1)}` },
    ];
    for (const headers of attempts) {
      const res = await fetch(guardedUrl, { headers });
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(body).not.toContain('ptflow_');
      expect(body).not.toContain(token);
    }
  });

  it('answers 200 with the metrics, practice gauges included, to the token', async () => {
    const res = await fetch(guardedUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toContain('ptflow_http_request_duration_seconds');
    expect(body).toContain('ptflow_practice_late_cancel_ratio');
    // The refused scrapes are counted like any request (route pattern and status only).
    expect(body).toMatch(
      /ptflow_http_request_duration_seconds_count\{[^}]*route="\/metrics"[^}]*status_code="401"/,
    );
  });

  it('stays open without a token configured (development)', async () => {
    const res = await fetch(openUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('ptflow_http_request_duration_seconds');
  });
});
