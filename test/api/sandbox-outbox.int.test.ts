// The sandbox outbox through the API: what the sandbox provider recorded, masked, per practice, audited.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { createAddressHasher } from '../../connectors/messaging/recipient.js';
import { SandboxTransport } from '../../connectors/messaging/sandbox/outbox.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient } from '../helpers/temporal.js';

let db: TestDatabase;
let app: FastifyInstance;
let temporal: Awaited<ReturnType<typeof devServerClient>>;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  temporal = await devServerClient();
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    cursorKey: Buffer.alloc(32, 2),
    readiness: {},
  });
  const sms = new SandboxTransport('sms', db.db, createAddressHasher(randomBytes(32)));
  await sms.send({
    idempotencyKey: 'onboarding:demo:intake-link',
    practiceId: DEMO_PRACTICE_ID,
    to: '+15555550123',
    template: 'intake_link',
    language: 'en',
    text: 'Riverside PT: please complete your intake forms: https://forms.example/i/abc',
  });
});
afterAll(async () => {
  await app?.close();
  await temporal?.close();
  await db?.drop();
});

describe('GET /v1/sandbox/outbox', () => {
  it('lists the practice outbox with masked recipients, audits the read, and keeps other roles out', async () => {
    const desk = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'd' });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/sandbox/outbox',
      headers: { authorization: `Bearer ${desk.key}` },
    });
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: { recipient: string; template: string }[] };
    expect(data).toHaveLength(1);
    expect(data[0]?.template).toBe('intake_link');
    expect(data[0]?.recipient).not.toContain('5555550123');
    const audit =
      await db.sql`select count(*)::int as n from audit_events where resource_type = 'sandbox_outbox'`;
    expect(audit[0]?.n).toBe(1);
    const biller = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'biller', label: 'b' });
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/sandbox/outbox',
          headers: { authorization: `Bearer ${biller.key}` },
        })
      ).statusCode,
    ).toBe(403);
  });
});
