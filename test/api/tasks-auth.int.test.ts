// The API's security envelope and the worklist, against the real database and Temporal dev server: deny by
// default on every route, API keys and OIDC tokens, roles and practice tenancy, problem+json everywhere, and a
// task completed through the API resuming the workflow that waits for it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, createLocalJWKSet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { buildApp } from '../../api/app.js';
import { createApiKey, revokeApiKey } from '../../api/auth/api-keys.js';
import { createOidcVerifier } from '../../api/auth/oidc.js';
import { auditDenied } from '../../api/audit.js';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec.js';
import { practices } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const OTHER_PRACTICE_ID = '00000000-0000-4000-8000-0000000000ff';
let db: TestDatabase;
let app: FastifyInstance;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let signer: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let publicJwk: JWK;

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'ptflow-api';

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await db.db
    .insert(practices)
    .values({ id: OTHER_PRACTICE_ID, name: 'Other practice', npi: '1234567893', timezone: 'UTC' });
  temporal = await devServerClient();
  const pair = await generateKeyPair('RS256');
  signer = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    cursorKey: Buffer.alloc(32, 7),
    oidc: createOidcVerifier(
      { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.test/jwks' },
      createLocalJWKSet({ keys: [publicJwk] }),
    ),
    rateLimit: { perMinute: 1000, authFailuresPerMinute: 1000 },
    readiness: { database: async () => true },
    onDenied: (e) => auditDenied(db.db, e),
    codec: { codec: new EncryptionCodec(generateKeyring('test1')), allowedOrigin: 'http://127.0.0.1:8233' },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await temporal?.close();
  await db?.drop();
});

async function token(claims: Record<string, unknown>, opts: { exp?: string; aud?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject('staff-42')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '10m')
    .sign(signer);
}

function expectProblem(res: { headers: Record<string, unknown>; json(): unknown }, status: number) {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status, title: expect.any(String), instance: expect.any(String) });
}

describe('deny by default', () => {
  it('answers 401 problem+json on every non-public route without credentials', async () => {
    const closed = app.routeTable.filter((r) => !r.public);
    expect(closed.length).toBeGreaterThan(0);
    for (const r of closed) {
      const url = r.url.replace(/:(\w+)/g, () => randomUUID());
      const res = await app.inject({
        method: r.method as 'GET',
        url,
        payload: r.method === 'GET' ? undefined : {},
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expectProblem(res, 401);
    }
  });

  it('audits denied access by route pattern, and serves the codec only to authenticated staff (audited)', async () => {
    await app.inject({ method: 'GET', url: '/v1/tasks' });
    const denied =
      await db.sql`select actor_id, resource_id, outcome from audit_events where outcome = 'denied'`;
    expect(denied).toContainEqual({ actor_id: 'anonymous', resource_id: '.v1.tasks', outcome: 'denied' });

    const payloads = {
      payloads: [
        {
          metadata: { encoding: Buffer.from('json/plain').toString('base64') },
          data: Buffer.from('"ZZCANARY-2"').toString('base64'),
        },
      ],
    };
    const anonymous = await app.inject({ method: 'POST', url: '/codec/encode', payload: payloads });
    expect(anonymous.statusCode).toBe(401);
    const key = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'therapist', label: 'pt' });
    const auth = { authorization: `Bearer ${key.key}`, origin: 'http://127.0.0.1:8233' };
    const encoded = await app.inject({
      method: 'POST',
      url: '/codec/encode',
      headers: auth,
      payload: payloads,
    });
    expect(encoded.statusCode).toBe(200);
    expect(encoded.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    expect(encoded.body).not.toContain(Buffer.from('"ZZCANARY-2"').toString('base64'));
    const decoded = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: auth,
      payload: encoded.json(),
    });
    expect(decoded.json()).toEqual(payloads);
    const audited =
      await db.sql`select action, resource_type from audit_events where actor_id = ${`apikey:${key.prefix}`}`;
    expect(audited).toEqual(
      expect.arrayContaining([
        { action: 'E', resource_type: 'temporal_payload' },
        { action: 'R', resource_type: 'temporal_payload' },
      ]),
    );
    const foreignOrigin = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreignOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps health, metrics and docs public and sends strict security headers', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    expect(health.headers['content-security-policy']).toContain("default-src 'none'");
    expect(health.headers['strict-transport-security']).toContain('max-age=');
    expect(health.headers['x-powered-by']).toBeUndefined();
    expect(health.headers['x-request-id']).toEqual(expect.any(String));
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'ptflow_http_request_duration_seconds',
    );
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/tasks', '/v1/tasks/{id}/complete']));
    expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('answers unknown routes and malformed input with problem+json that echoes nothing', async () => {
    const missing = await app.inject({ method: 'GET', url: '/v1/ZZCANARY-9' });
    expect(missing.statusCode).toBe(404);
    expectProblem(missing, 404);
    expect(missing.body).not.toContain('ZZCANARY');
  });
});

describe('authentication', () => {
  it('accepts a practice API key, rejects it once revoked, and never stores it in clear', async () => {
    const key = await createApiKey(db.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'front_desk',
      label: 'desk',
    });
    const ok = await app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(ok.statusCode).toBe(200);
    const stored = await db.sql`select hash from api_keys where prefix = ${key.prefix}`;
    expect(JSON.stringify(stored)).not.toContain(key.key.slice(`ptf_${key.prefix}_`.length));
    await revokeApiKey(db.db, key.prefix);
    const revoked = await app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(revoked.statusCode).toBe(401);
    const inQuery = await app.inject({ method: 'GET', url: `/v1/tasks?access_token=${key.key}` });
    expect(inQuery.statusCode).toBe(401);
  });

  it('verifies OIDC tokens: signature, issuer, audience, expiry and algorithm', async () => {
    const claims = { role: 'biller', practice_id: DEMO_PRACTICE_ID };
    const call = (t: string) =>
      app.inject({ method: 'GET', url: '/v1/tasks', headers: { authorization: `Bearer ${t}` } });
    expect((await call(await token(claims))).statusCode).toBe(200);
    expect((await call(await token(claims, { aud: 'someone-else' }))).statusCode).toBe(401);
    expect((await call(await token(claims, { exp: '-1m' }))).statusCode).toBe(401);
    expect((await call(await token({ role: 'superuser', practice_id: DEMO_PRACTICE_ID }))).statusCode).toBe(
      401,
    );
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        ...claims,
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'x',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url')}.`;
    expect((await call(unsigned)).statusCode).toBe(401);
    // HS256 "signed" with the public key as the HMAC secret: the classic algorithm-confusion forgery.
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect((await call(hs)).statusCode).toBe(401);
  });

  it('answers 403 to a role the route does not allow', async () => {
    const key = await createApiKey(db.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'integration',
      label: 'emr',
    });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(res.statusCode).toBe(403);
    expectProblem(res, 403);
  });
});

describe('worklist', () => {
  it('lists a task raised by a workflow and completing it through the API resumes the workflow', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(
      taskQueue,
      createActivities({ db: db.db, dataKeyring: generateKeyring('tasks-auth') }),
    );
    try {
      const taskId = randomUUID();
      const handle = await temporal.client.workflow.start(humanTask, {
        taskQueue,
        workflowId: workflowId('task', taskId),
        args: [
          {
            taskId,
            practiceId: DEMO_PRACTICE_ID,
            kind: 'call_payer',
            assigneeRole: 'front_desk',
            title: 'Call the payer about a pended authorization',
            dueAt: new Date(Date.now() + 86_400_000).toISOString(),
            parentWorkflowId: workflowId('auth', randomUUID()),
            processKind: 'priorAuthorization',
          },
        ],
      });
      const desk = await createApiKey(db.db, {
        practiceId: DEMO_PRACTICE_ID,
        role: 'front_desk',
        label: 'desk',
      });
      const auth = { authorization: `Bearer ${desk.key}` };
      let listed: { data: { id: string }[] } = { data: [] };
      for (let i = 0; i < 50 && !listed.data.some((t) => t.id === taskId); i++) {
        listed = (await app.inject({ method: 'GET', url: '/v1/tasks', headers: auth })).json();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(listed.data.map((t) => t.id)).toContain(taskId);

      // Another practice cannot see or complete it (404, not 403).
      const other = await createApiKey(db.db, {
        practiceId: OTHER_PRACTICE_ID,
        role: 'admin',
        label: 'other',
      });
      const foreign = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${taskId}/complete`,
        headers: { authorization: `Bearer ${other.key}` },
        payload: { outcome: {} },
      });
      expect(foreign.statusCode).toBe(404);
      // A biller may not complete a front-desk task.
      const biller = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'biller', label: 'b' });
      const wrongRole = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${taskId}/complete`,
        headers: { authorization: `Bearer ${biller.key}` },
        payload: { outcome: {} },
      });
      expect(wrongRole.statusCode).toBe(403);
      // Unknown fields are refused (no mass assignment).
      const extra = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${taskId}/complete`,
        headers: auth,
        payload: { outcome: {}, practiceId: OTHER_PRACTICE_ID },
      });
      expect(extra.statusCode).toBe(400);
      expectProblem(extra, 400);

      const done = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${taskId}/complete`,
        headers: auth,
        payload: { outcome: { reached: true } },
      });
      expect(done.statusCode).toBe(202);
      const result = await handle.result();
      expect(result).toMatchObject({
        state: 'completed',
        completion: { completedBy: `apikey:${desk.prefix}`, outcome: { reached: true } },
      });
      const again = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${taskId}/complete`,
        headers: auth,
        payload: { outcome: {} },
      });
      expect(again.statusCode).toBe(409);
    } finally {
      await worker.close();
    }
  });

  it('paginates with signed cursors bound to the practice and refuses out-of-range limits', async () => {
    const admin = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'admin', label: 'a' });
    const auth = { authorization: `Bearer ${admin.key}` };
    expect((await app.inject({ method: 'GET', url: '/v1/tasks?limit=0', headers: auth })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ method: 'GET', url: '/v1/tasks?limit=101', headers: auth })).statusCode).toBe(
      400,
    );
    const tampered = await app.inject({
      method: 'GET',
      url: '/v1/tasks?cursor=eyJwIjoxfQ.AAAA',
      headers: auth,
    });
    expect(tampered.statusCode).toBe(400);
    expectProblem(tampered, 400);
  });
});
