// The sandbox messaging provider records what it "sends" in sandbox.sandbox_outbox, and listOutbox shows it
// (masked recipient, newest first, paginated) for the API and CLI. The full service runs in front of it, so
// consent and idempotency behave exactly as with the real adapters.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxOutbox } from '../../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../../db/seed.js';
import { createSandboxMessaging, listOutbox, type Messaging } from '../../../connectors/messaging/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { CANARY, captureLogger, hashAddress, practiceContact, seedPatient } from './fixtures.js';

let db: TestDatabase;
let m: Messaging;
let clock = new Date('2026-05-04T15:00:00Z');
const logger = captureLogger();

beforeAll(async () => {
  db = await createTestDatabase();
  m = createSandboxMessaging({ db: db.db, hashAddress, logger, practiceContact, now: () => clock });
});
afterAll(async () => {
  await db?.drop();
});

const params = {
  practiceName: 'Riverside PT',
  practicePhone: '+1 555 555 0100',
  firstName: CANARY,
  link: 'https://forms.riverside.example/i/xyz',
};

describe('sandbox messaging', () => {
  it('records sends in the outbox once per message id and lists them masked, newest first', async () => {
    const patientId = await seedPatient(db.db);
    for (const channel of ['sms', 'email'] as const) {
      await m.recordConsent({
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        channel,
        status: 'granted',
        source: 'intake',
      });
    }
    const smsId = `onboarding:${randomUUID()}:intake`;
    const sms = {
      messageId: smsId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      channel: 'sms' as const,
      to: '+13125550177',
      template: 'intake_link' as const,
      language: 'en' as const,
      params,
      timeZone: 'America/Chicago',
    };
    await expect(m.send(sms)).resolves.toMatchObject({ status: 'sent', duplicate: false });
    await expect(m.send(sms)).resolves.toMatchObject({ status: 'sent', duplicate: true });
    clock = new Date('2026-05-04T15:01:00Z');
    await m.send({
      ...sms,
      messageId: `${smsId}:email`,
      channel: 'email',
      to: 'ana@example.com',
      template: 'statement',
    });

    const rows = await db.db.select().from(sandboxOutbox);
    expect(rows).toHaveLength(2);

    const page = await listOutbox(db.db, { practiceId: DEMO_PRACTICE_ID });
    expect(page.map((e) => [e.channel, e.template, e.recipient])).toEqual([
      ['email', 'statement', 'a***@e***.com'],
      ['sms', 'intake_link', '+1******0177'],
    ]);
    expect(page[0]!.subject).toBe('New statement from Riverside PT');
    expect(page[1]!.subject).toBeNull();
    expect(page[1]!.body).toContain('https://forms.riverside.example/i/xyz');
    expect(JSON.stringify(page)).not.toContain('3125550177');
    expect(JSON.stringify(page)).not.toContain('ana@example.com');

    const older = await listOutbox(db.db, {
      practiceId: DEMO_PRACTICE_ID,
      limit: 1,
      before: page[0]!.createdAt,
    });
    expect(older.map((e) => e.channel)).toEqual(['sms']);
    await expect(listOutbox(db.db, { practiceId: DEMO_PRACTICE_ID, channel: 'email' })).resolves.toHaveLength(
      1,
    );
    await expect(listOutbox(db.db, { practiceId: randomUUID() })).resolves.toEqual([]);
  });

  it('a blocked send never reaches the outbox', async () => {
    const patientId = await seedPatient(db.db);
    const before = (await db.db.select().from(sandboxOutbox)).length;
    const res = await m.send({
      messageId: `onboarding:${randomUUID()}:intake`,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      channel: 'sms',
      to: '+13125550178',
      template: 'form_reminder',
      language: 'es',
      params,
      timeZone: 'America/Chicago',
    });
    expect(res.status).toBe('blocked_no_consent');
    expect((await db.db.select().from(sandboxOutbox)).length).toBe(before);
  });

  it('logs ids, template, channel and status only', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) {
      expect(line).not.toContain(CANARY);
      expect(line).not.toContain('3125550177');
      expect(Object.keys(JSON.parse(line) as object).sort()).toEqual(
        expect.arrayContaining(['channel', 'status', 'template', 'msg']),
      );
    }
  });
});
