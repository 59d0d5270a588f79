// Signed inbound webhooks (security.md §3, WH-1..WH-7, WH-9) against the real database through app.inject:
// raw-byte signatures, tampering, the ±300 s window, dedupe (sequential, 6 days later, 20 in parallel),
// rotation, size/header/rate errors as problem+json, routing failures, Twilio callbacks, and a PHI canary
// that never reaches a response or a log line.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { WebhookSettings } from '../../api/webhooks/config.js';
import type { MessagingWebhookSink, VerifiedWebhookEvent } from '../../api/webhooks/types.js';
import { computeTwilioSignature } from '../../connectors/messaging/sms/twilio-signature.js';
import type { InboundMessage, StatusUpdate } from '../../connectors/messaging/types.js';
import type { EmrEvent } from '../../connectors/webhooks/emr-events.js';
import { generateWebhookSecret, signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CANARY = 'ZZCANARY-6';
const OTHER_PRACTICE_ID = '00000000-0000-4000-8000-0000000000ff';
const oldSecret = generateWebhookSecret();
const newSecret = generateWebhookSecret();
const strangerSecret = generateWebhookSecret();
const AUTH_TOKEN = 'twilio-test-auth-token-0123456789';
const TWILIO_URL = 'https://api.example.test/v1/webhooks/messaging/twilio';

let db: TestDatabase;
let app: FastifyInstance;
let clock = new Date('2030-01-07T12:00:00Z');
const logLines: string[] = [];
const routed: VerifiedWebhookEvent[] = [];
let routeFailures = 0;
const inbound: InboundMessage[] = [];
const statuses: StatusUpdate[] = [];

const settings = (perMinute: number): WebhookSettings => ({
  perMinute,
  sources: {
    emr: {
      sandbox: {
        tenant: DEMO_PRACTICE_ID,
        // Rotation overlap: the previous secret is accepted for one more hour.
        secrets: [newSecret, { secret: oldSecret, notAfter: '2030-01-07T13:00:00Z' }],
      },
    },
    payer: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [newSecret] } },
    messaging: { twilio: { tenant: DEMO_PRACTICE_ID, authToken: AUTH_TOKEN, publicUrl: TWILIO_URL } },
  },
});

const messaging: MessagingWebhookSink = {
  recordInbound: async (msg) => {
    inbound.push(msg);
    return { kind: 'help', patientIds: [], reply: 'Reply STOP to opt out & <save>' };
  },
  recordStatus: async (u) => {
    statuses.push(u);
    return { updated: false };
  },
};

const noTemporal = {} as Client;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  app = await buildApp({
    loggerInstance: pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) }),
    db: db.db,
    temporal: noTemporal,
    cursorKey: Buffer.alloc(32, 7),
    rateLimit: { perMinute: 10_000, authFailuresPerMinute: 1000 },
    readiness: {},
    webhooks: {
      settings: settings(10_000),
      now: () => clock,
      messaging,
      router: {
        route: async (event) => {
          if (routeFailures > 0) {
            routeFailures--;
            throw new Error(`temporal unavailable ${CANARY}`);
          }
          // Slow enough that parallel deliveries overlap.
          await new Promise((r) => setTimeout(r, 50));
          routed.push(event);
        },
      },
    },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const nowSeconds = () => Math.floor(clock.getTime() / 1000);

function patientCreated(emrPatientId = `emr-${randomUUID()}`, practiceId = DEMO_PRACTICE_ID): EmrEvent {
  return {
    type: 'patient.created',
    timestamp: clock.toISOString(),
    data: { practiceId, emrPatientId, patientId: null },
  };
}

function deliver(
  body: string | Buffer,
  headers: Record<string, string>,
  opts: { kind?: 'emr' | 'payer'; source?: string; target?: FastifyInstance } = {},
) {
  return (opts.target ?? app).inject({
    method: 'POST',
    url: `/v1/webhooks/${opts.kind ?? 'emr'}/${opts.source ?? 'sandbox'}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

function signed(body: string, opts: { id?: string; at?: number; secrets?: string[] } = {}) {
  return signedWebhookHeaders(
    { id: opts.id ?? `msg_${randomUUID().replace(/-/g, '')}`, timestamp: opts.at ?? nowSeconds(), body },
    opts.secrets ?? [newSecret],
  );
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(res.body)).toMatchObject({
    status,
    title: expect.any(String),
    instance: expect.any(String),
  });
}

/** A Twilio-shaped SID (two letters, 32 hex digits). */
const sid = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '')}`;

const routedIds = (id: string) => routed.filter((e) => e.webhookId === id).length;

describe('EMR webhooks', () => {
  it('accepts a sandbox-EMR-signed event end to end: 202, inbox row, routed once, marked processed', async () => {
    const event: EmrEvent = {
      type: 'note.signed',
      timestamp: clock.toISOString(),
      data: {
        practiceId: DEMO_PRACTICE_ID,
        visitId: `enc-${randomUUID()}`,
        emrAppointmentId: null,
        emrPatientId: 'emr-1',
        therapistId: 'th-1',
        therapistNpi: '1234567893',
        dateOfService: '2030-01-07',
        signedAt: clock.toISOString(),
        interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
        totalTreatmentMinutes: 30,
      },
    };
    const body = JSON.stringify(event);
    const headers = signed(body);
    const res = await deliver(body, headers);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true });
    const calls = routed.filter((e) => e.webhookId === headers['webhook-id']);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'emr', source: 'sandbox', tenant: DEMO_PRACTICE_ID, event });
    expect(calls[0]!.dedupeKey).toMatch(new RegExp(`^${DEMO_PRACTICE_ID}:emr:sandbox:[0-9a-f]{64}$`));
    const rows =
      await db.sql`select source, tenant, body_sha256, processed_at from webhook_events where event_id = ${headers['webhook-id']}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'emr:sandbox', tenant: DEMO_PRACTICE_ID });
    expect(rows[0]!.body_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.processed_at).not.toBeNull();
  });

  it('WH-1: the same JSON re-serialized with other whitespace → 401', async () => {
    const event = patientCreated();
    const compact = JSON.stringify(event);
    const res = await deliver(JSON.stringify(event, null, 2), signed(compact));
    expectProblem(res, 401);
  });

  it('WH-2: one byte changed → 401; signed with a secret we do not hold → 401', async () => {
    const body = JSON.stringify(patientCreated());
    const headers = signed(body);
    const tampered = Buffer.from(body);
    const at = tampered.length - 3;
    tampered[at] = tampered[at]! ^ 0x01;
    expectProblem(await deliver(tampered, headers), 401);
    expectProblem(await deliver(body, signed(body, { secrets: [strangerSecret] })), 401);
  });

  it('WH-3: −301 s and +301 s → 401; non-integer timestamp → 401; ±300 s accepted', async () => {
    const body = JSON.stringify(patientCreated());
    expectProblem(await deliver(body, signed(body, { at: nowSeconds() - 301 })), 401);
    expectProblem(await deliver(body, signed(body, { at: nowSeconds() + 301 })), 401);
    const h = signed(body);
    expectProblem(await deliver(body, { ...h, 'webhook-timestamp': `${h['webhook-timestamp']}.5` }), 401);
    expect((await deliver(body, signed(body, { at: nowSeconds() - 300 }))).statusCode).toBe(202);
    const later = JSON.stringify(patientCreated());
    expect((await deliver(later, signed(later, { at: nowSeconds() + 300 }))).statusCode).toBe(202);
  });

  it('WH-4: the same id again → 200 duplicate; 6 days later with a fresh signature → duplicate; routed once', async () => {
    const body = JSON.stringify(patientCreated());
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    expect((await deliver(body, signed(body, { id }))).statusCode).toBe(202);
    const again = await deliver(body, signed(body, { id }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ duplicate: true });
    const start = clock;
    try {
      clock = new Date(start.getTime() + 6 * 86_400_000);
      const late = await deliver(body, signed(body, { id }));
      expect(late.statusCode).toBe(200);
      expect(late.json()).toEqual({ duplicate: true });
    } finally {
      clock = start;
    }
    expect(routedIds(id)).toBe(1);
  });

  it('WH-4: 20 parallel deliveries of one id → one inbox row, one route call', async () => {
    const body = JSON.stringify(patientCreated());
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => deliver(body, signed(body, { id }))));
    expect(results.filter((r) => r.statusCode === 202)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(19);
    const rows = await db.sql`select id from webhook_events where event_id = ${id}`;
    expect(rows).toHaveLength(1);
    expect(routedIds(id)).toBe(1);
  });

  it('WH-5: old+new signatures accepted; either alone during the overlap; old alone after it → 401; only v2 → 401', async () => {
    const both = JSON.stringify(patientCreated());
    expect((await deliver(both, signed(both, { secrets: [oldSecret, newSecret] }))).statusCode).toBe(202);
    const oldOnly = JSON.stringify(patientCreated());
    expect((await deliver(oldOnly, signed(oldOnly, { secrets: [oldSecret] }))).statusCode).toBe(202);

    const start = clock;
    try {
      clock = new Date('2030-01-07T13:00:01Z'); // past the old secret's notAfter
      const after = JSON.stringify(patientCreated());
      expectProblem(await deliver(after, signed(after, { secrets: [oldSecret] })), 401);
      expect((await deliver(after, signed(after, { secrets: [oldSecret, newSecret] }))).statusCode).toBe(202);
    } finally {
      clock = start;
    }

    const v2 = JSON.stringify(patientCreated());
    const h = signed(v2);
    const sig = h['webhook-signature'].slice(3);
    expectProblem(await deliver(v2, { ...h, 'webhook-signature': `v2,${sig}` }), 401);
  });

  it('WH-7: missing header → 400; body over 256 KiB → 413; bad schema → 400; other practice → 403; unknown source → 404', async () => {
    const body = JSON.stringify(patientCreated());
    const h = signed(body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = h;
      const missing = await deliver(body, rest);
      expectProblem(missing, 400);
      expect(missing.json().errors).toEqual([
        expect.objectContaining({ in: 'header', pointer: `/${name}`, code: 'missing' }),
      ]);
    }
    const big = JSON.stringify({ ...patientCreated(), pad: 'x'.repeat(256 * 1024) });
    expectProblem(await deliver(big, signed(big)), 413);
    const bad = JSON.stringify({ ...patientCreated(), extra: true });
    const badRes = await deliver(bad, signed(bad));
    expectProblem(badRes, 400);
    expect(badRes.json().errors).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/extra', code: 'unrecognized_keys', key: 'extra' }),
    ]);
    const foreign = JSON.stringify(patientCreated(undefined, OTHER_PRACTICE_ID));
    expectProblem(await deliver(foreign, signed(foreign)), 403);
    expectProblem(await deliver(body, signed(body), { source: 'nosuch' }), 404);
    const text = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/emr/sandbox',
      headers: { ...h, 'content-type': 'text/plain' },
      payload: body,
    });
    expectProblem(text, 415);
  });

  it('a routing failure still answers 202, leaves the row unprocessed, and a redelivery after the lease re-routes', async () => {
    const body = JSON.stringify(patientCreated());
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    routeFailures = 1;
    expect((await deliver(body, signed(body, { id }))).statusCode).toBe(202);
    const [row] = await db.sql`select processed_at from webhook_events where event_id = ${id}`;
    expect(row!.processed_at).toBeNull();
    // Within the lease: a plain duplicate (the first delivery might still be routing).
    expect((await deliver(body, signed(body, { id }))).statusCode).toBe(200);
    const start = clock;
    try {
      clock = new Date(start.getTime() + 61_000);
      expect((await deliver(body, signed(body, { id }))).statusCode).toBe(202);
    } finally {
      clock = start;
    }
    expect(routedIds(id)).toBe(1);
    const [after] = await db.sql`select processed_at from webhook_events where event_id = ${id}`;
    expect(after!.processed_at).not.toBeNull();
  });

  it('payer events: verified, deduped and routed with the parsed object', async () => {
    const body = JSON.stringify({ type: 'authorization.decided', authorizationId: 'pa-1' });
    const headers = signed(body);
    const res = await deliver(body, headers, { kind: 'payer' });
    expect(res.statusCode).toBe(202);
    expect(routed.find((e) => e.webhookId === headers['webhook-id'])).toMatchObject({
      kind: 'payer',
      payload: { authorizationId: 'pa-1' },
    });
    expect((await deliver(body, headers, { kind: 'payer' })).statusCode).toBe(200);
    const notObject = '[1,2]';
    expectProblem(await deliver(notObject, signed(notObject), { kind: 'payer' }), 400);
  });

  it('documents the webhook routes in the OpenAPI spec', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/webhooks/emr/{source}',
        '/v1/webhooks/payer/{source}',
        '/v1/webhooks/messaging/{provider}',
      ]),
    );
  });

  it('counts outcomes by source in /metrics', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /ptflow_webhook_events_total\{source="emr:sandbox",outcome="accepted"\} \d+/,
    );
    expect(metrics.body).toMatch(/outcome="duplicate"/);
    expect(metrics.body).toMatch(/outcome="no_matching_signature"/);
    expect(metrics.body).toMatch(/source="emr:unknown",outcome="unknown_source"/);
  });
});

describe('limits without a router', () => {
  it('WH-9: N+1 deliveries in the window → 429 problem+json with retry-after; no router → 503, no inbox row', async () => {
    const small = await buildApp({
      logLevel: 'silent',
      db: db.db,
      temporal: noTemporal,
      cursorKey: Buffer.alloc(32, 7),
      rateLimit: { perMinute: 10_000, authFailuresPerMinute: 1000 },
      readiness: {},
      webhooks: { settings: settings(3), now: () => clock },
    });
    try {
      const body = JSON.stringify(patientCreated());
      const headers = signed(body);
      for (let i = 0; i < 3; i++) {
        const res = await deliver(body, headers, { target: small });
        expectProblem(res, 503);
        expect(res.headers['retry-after']).toBeDefined();
      }
      const limited = await deliver(body, headers, { target: small });
      expectProblem(limited, 429);
      expect(limited.headers['retry-after']).toBeDefined();
      const rows = await db.sql`select id from webhook_events where event_id = ${headers['webhook-id']}`;
      expect(rows).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});

describe('Twilio messaging webhooks', () => {
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const twilio = (params: Record<string, string>, signature?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/webhooks/messaging/twilio',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
      },
      payload: form(params),
    });

  it('records a signed inbound message and answers TwiML; bad signature → 401; missing → 400', async () => {
    const params = {
      MessageSid: sid('SM'),
      AccountSid: sid('AC'),
      From: '+15555550123',
      To: '+15555550100',
      Body: 'HELP',
    };
    const ok = await twilio(params, computeTwilioSignature(AUTH_TOKEN, TWILIO_URL, params));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/xml/);
    expect(ok.body).toContain('<Message>Reply STOP to opt out &amp; &lt;save&gt;</Message>');
    expect(inbound.at(-1)).toMatchObject({
      practiceId: DEMO_PRACTICE_ID,
      providerMessageId: params.MessageSid,
    });

    const wrongUrl = computeTwilioSignature(
      AUTH_TOKEN,
      'https://attacker.example/v1/webhooks/messaging/twilio',
      params,
    );
    expectProblem(await twilio(params, wrongUrl), 401);
    expectProblem(
      await twilio({ ...params, Body: 'STOP' }, computeTwilioSignature(AUTH_TOKEN, TWILIO_URL, params)),
      401,
    );
    expectProblem(await twilio(params), 400);
  });

  it('records a signed status callback', async () => {
    const params = { MessageSid: sid('SM'), AccountSid: sid('AC'), MessageStatus: 'delivered' };
    const res = await twilio(params, computeTwilioSignature(AUTH_TOKEN, TWILIO_URL, params));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Response/>');
    expect(statuses.at(-1)).toEqual({ providerMessageId: params.MessageSid, status: 'delivered' });
  });
});

describe('PHI canary', () => {
  it(`${CANARY} in webhook bodies never appears in responses or logs`, async () => {
    const responses: string[] = [];
    const keep = (r: { body: string; headers: Record<string, unknown> }) => {
      responses.push(r.body, JSON.stringify(r.headers));
      return r;
    };
    const valid = JSON.stringify(patientCreated(`emr-${CANARY}`));
    const h = signed(valid);
    keep(await deliver(valid, h)); // accepted
    keep(await deliver(valid, h)); // duplicate
    keep(await deliver(`${valid} `, h)); // tampered
    const extra = JSON.stringify({ ...patientCreated(), [CANARY]: CANARY });
    keep(await deliver(extra, signed(extra))); // schema violation (unknown key named like the canary)
    const broken = `{"type": "${CANARY}`;
    keep(await deliver(broken, signed(broken))); // invalid JSON
    const big = JSON.stringify({ ...patientCreated(), pad: CANARY.repeat(30_000) });
    keep(await deliver(big, signed(big))); // 413
    routeFailures = 1;
    const failing = JSON.stringify(patientCreated(`emr-${CANARY}-2`));
    keep(await deliver(failing, signed(failing))); // routing failure (the error message carries the canary)
    const params = {
      MessageSid: sid('SM'),
      AccountSid: sid('AC'),
      From: '+15555550123',
      To: '+15555550100',
      Body: CANARY,
    };
    keep(
      await app.inject({
        method: 'POST',
        url: '/v1/webhooks/messaging/twilio',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bad' },
        payload: new URLSearchParams(params).toString(),
      }),
    );
    expect(responses.length).toBeGreaterThan(0);
    for (const r of responses) expect(r).not.toContain(CANARY);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(CANARY);
  });
});
