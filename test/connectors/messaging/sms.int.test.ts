// The SMS adapter against a real local HTTP server speaking the Twilio Messages API, with the real Messaging
// service over a real Postgres: form fields and auth, idempotent retries, 429/400 classification, STOP → no
// further SMS, CONFIRM/CANCEL routing, status callbacks, quiet hours with an injected clock, and the PHI canary.
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessageRepository } from '../../../db/repositories/messages.js';
import { messageConsents, messages } from '../../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../../db/seed.js';
import {
  computeTwilioSignature,
  createMessaging,
  MessagingContractViolation,
  MessagingOutcomeUnknown,
  MessagingRejected,
  MessagingTransportError,
  parseInboundWebhook,
  TwilioSmsTransport,
  twimlReply,
  type Messaging,
  type SendRequest,
} from '../../../connectors/messaging/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  CANARY,
  captureLogger,
  hashAddress,
  practiceContact,
  seedPatient,
  startFakeTwilio,
} from './fixtures.js';

let db: TestDatabase;
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
const logger = captureLogger();
let clock = new Date('2026-05-04T15:00:00Z'); // 10:00 in Chicago
const errors: string[] = [];

function messaging(opts: { honour?: boolean } = {}): Messaging {
  return createMessaging({
    store: createMessageRepository(db.db),
    hashAddress,
    logger,
    practiceContact,
    now: () => clock,
    transports: {
      sms: new TwilioSmsTransport({
        baseUrl: twilio.baseUrl,
        accountSid: ACCOUNT_SID,
        password: AUTH_TOKEN,
        from: '+15555550100',
        statusCallbackUrl: 'https://ptflow.example/v1/webhooks/messaging/twilio',
        timeoutMs: 2_000,
        providerHonoursIdempotencyKey: opts.honour ?? false,
        now: () => clock,
      }),
    },
  });
}

function request(patientId: string, over: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: `onboarding:${randomUUID()}:reminder-24h`,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    channel: 'sms',
    to: '+1 (312) 555-0142',
    template: 'appointment_reminder',
    language: 'en',
    params: {
      practiceName: 'Riverside PT',
      practicePhone: '+1 555 555 0100',
      firstName: `${CANARY}`.slice(0, 10),
      startsAt: '2026-05-05T14:30:00Z',
      timeZone: 'America/Chicago',
      locationName: 'Downtown',
    },
    timeZone: 'America/Chicago',
    context: { appointmentId: randomUUID(), workflowId: 'onboarding:' + randomUUID() },
    ...over,
  };
}

async function expectError<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  errors.push((err as Error).message);
  return err as T;
}

async function grant(m: Messaging, patientId: string) {
  await m.recordConsent({
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    channel: 'sms',
    status: 'granted',
    source: 'intake',
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await twilio?.close();
  await db?.drop();
});
beforeEach(() => {
  clock = new Date('2026-05-04T15:00:00Z');
  twilio.script.length = 0;
});

describe('SMS over a Twilio-compatible API', () => {
  it('posts the form fields with Basic auth and marks the message sent', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const before = twilio.requests.length;
    const req = request(patientId);
    const res = await m.send(req);
    expect(res).toMatchObject({ status: 'sent', duplicate: false });
    const r = twilio.requests[before]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(r.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.headers['idempotency-key']).toBe(req.messageId);
    expect(r.form.get('To')).toBe('+13125550142');
    expect(r.form.get('From')).toBe('+15555550100');
    expect(r.form.get('StatusCallback')).toBe('https://ptflow.example/v1/webhooks/messaging/twilio');
    expect(r.form.get('Body')).toContain('Reply CONFIRM to confirm or CANCEL to cancel');
    const [row] = await db.db.select().from(messages).where(eq(messages.dedupeKey, req.messageId));
    expect(row).toMatchObject({ status: 'sent', recipientMasked: '+1******0142', attempts: 1 });
    expect(row!.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(JSON.stringify(row)).not.toContain('3125550142');
  });

  it('sends once when the same message id is retried', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const req = request(patientId);
    const before = twilio.delivered.length;
    const first = await m.send(req);
    const second = await m.send(req);
    const third = await m.send(req);
    expect(twilio.delivered.length - before).toBe(1);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(third).toEqual({ ...first, duplicate: true });
  });

  it('429 with Retry-After is a retryable error carrying the delay; the retry then sends once', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const req = request(patientId);
    twilio.script.push({
      status: 429,
      headers: { 'retry-after': '17' },
      body: '{"code":20429,"status":429}',
    });
    const err = await expectError(m.send(req), MessagingTransportError);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(17_000);
    const before = twilio.delivered.length;
    await expect(m.send(req)).resolves.toMatchObject({ status: 'sent', duplicate: false });
    expect(twilio.delivered.length - before).toBe(1);
  });

  it('400 (invalid number) is non-retryable and recorded as failed', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const req = request(patientId);
    twilio.script.push({
      status: 400,
      body: JSON.stringify({
        code: 21211,
        message: `The 'To' number +13125550142 (${CANARY}) is not valid.`,
        status: 400,
      }),
    });
    const err = await expectError(m.send(req), MessagingRejected);
    expect(err.retryable).toBe(false);
    expect(err.providerCode).toBe('21211');
    expect(err.message).not.toContain('3125550142');
    await expect(m.send(req)).resolves.toEqual({
      status: 'failed',
      messageId: req.messageId,
      errorCode: '21211',
    });
  });

  it('malformed and oversized provider answers are contract violations', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    twilio.script.push({ status: 201, body: JSON.stringify({ sid: 'nope', status: 'queued' }) });
    const e1 = await expectError(m.send(request(patientId)), MessagingContractViolation);
    expect(e1.retryable).toBe(false);
    twilio.script.push({
      status: 201,
      body: JSON.stringify({ sid: 'SM' + '0'.repeat(32), status: 'queued', pad: 'x'.repeat(100_000) }),
    });
    await expectError(m.send(request(patientId)), MessagingContractViolation);
  });

  it('an attempt with an unknown outcome is not resent blindly, but is with provider idempotency', async () => {
    const patientId = await seedPatient(db.db);
    await grant(messaging(), patientId);
    // A 201 we cannot read: the provider probably has the message.
    const req = request(patientId);
    twilio.script.push({ status: 201, body: 'not json' });
    await expectError(messaging().send(req), MessagingContractViolation);
    await expectError(messaging().send(req), MessagingOutcomeUnknown);

    const req2 = request(patientId);
    twilio.script.push({ status: 201, body: 'not json' });
    await expectError(messaging({ honour: true }).send(req2), MessagingContractViolation);
    await expect(messaging({ honour: true }).send(req2)).resolves.toMatchObject({ status: 'sent' });
  });

  it('no consent → blocked and recorded, nothing sent', async () => {
    const patientId = await seedPatient(db.db);
    const before = twilio.requests.length;
    const req = request(patientId);
    await expect(messaging().send(req)).resolves.toEqual({
      status: 'blocked_no_consent',
      messageId: req.messageId,
    });
    expect(twilio.requests.length).toBe(before);
    const [row] = await db.db.select().from(messages).where(eq(messages.dedupeKey, req.messageId));
    expect(row).toMatchObject({ status: 'blocked_no_consent', errorCode: 'no_consent' });
  });

  it('inbound STOP (signed webhook) revokes consent: the next send is blocked and recorded', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    await m.send(request(patientId));

    const webhookUrl = 'https://ptflow.example/v1/webhooks/messaging/twilio/inbound';
    const params = new URLSearchParams({
      MessageSid: 'SM' + randomBytes(16).toString('hex'),
      AccountSid: ACCOUNT_SID,
      From: '+13125550142',
      To: '+15555550100',
      Body: 'Stop',
    });
    const signature = computeTwilioSignature(AUTH_TOKEN, webhookUrl, params);
    const inbound = parseInboundWebhook(AUTH_TOKEN, { url: webhookUrl, signature, params }, DEMO_PRACTICE_ID);
    const result = await m.recordInbound(inbound);
    expect(result.kind).toBe('opted_out');
    expect(result.kind === 'opted_out' && result.patientIds).toContain(patientId);
    expect(twimlReply(result.reply)).toContain('<Message>Riverside PT: you will no longer receive');
    // Webhook retries are deduplicated on the MessageSid.
    await expect(m.recordInbound(inbound)).resolves.toEqual({ kind: 'duplicate' });

    const before = twilio.requests.length;
    const req = request(patientId);
    await expect(m.send(req)).resolves.toMatchObject({ status: 'blocked_no_consent' });
    expect(twilio.requests.length).toBe(before);
    const [row] = await db.db.select().from(messages).where(eq(messages.dedupeKey, req.messageId));
    expect(row?.status).toBe('blocked_no_consent');
    const consents = await db.db
      .select()
      .from(messageConsents)
      .where(eq(messageConsents.patientId, patientId));
    expect(consents.map((c) => `${c.status}:${c.source}`).sort()).toEqual([
      'granted:intake',
      'revoked:keyword',
    ]);

    // START grants again.
    const start = await m.recordInbound({
      ...inbound,
      body: 'START',
      providerMessageId: 'SM' + randomBytes(16).toString('hex'),
    });
    expect(start.kind).toBe('opted_in');
    await expect(m.send(request(patientId))).resolves.toMatchObject({ status: 'sent' });
  });

  it('a tampered inbound webhook is refused', () => {
    const url = 'https://ptflow.example/v1/webhooks/messaging/twilio/inbound';
    const params = new URLSearchParams({
      MessageSid: 'SM' + '1'.repeat(32),
      AccountSid: ACCOUNT_SID,
      From: '+1',
      To: '+1',
      Body: 'STOP',
    });
    const signature = computeTwilioSignature(AUTH_TOKEN, url, params);
    params.set('Body', 'STOq');
    expect(() => parseInboundWebhook(AUTH_TOKEN, { url, signature, params }, DEMO_PRACTICE_ID)).toThrow(
      /signature/,
    );
  });

  it('CANCEL after a reminder cancels the appointment (not an opt-out); CONFIRM confirms', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const req = request(patientId, { to: '+13125550199', language: 'es' });
    await m.send(req);
    const base = { practiceId: DEMO_PRACTICE_ID, channel: 'sms' as const, from: '+13125550199' };
    const cancel = await m.recordInbound({
      ...base,
      body: 'cancelar',
      providerMessageId: 'SM' + randomBytes(16).toString('hex'),
    });
    expect(cancel).toMatchObject({
      kind: 'appointment_reply',
      action: 'cancel',
      patientId,
      appointmentId: req.context?.appointmentId,
      workflowId: req.context?.workflowId,
    });
    expect(cancel.reply).toContain('recibimos su cancelación');
    await expect(m.consent({ practiceId: DEMO_PRACTICE_ID, patientId, channel: 'sms' })).resolves.toEqual({
      allowed: true,
    });
    const confirm = await m.recordInbound({
      ...base,
      body: 'CONFIRM',
      providerMessageId: 'SM' + randomBytes(16).toString('hex'),
    });
    expect(confirm).toMatchObject({ kind: 'appointment_reply', action: 'confirm' });
    const other = await m.recordInbound({
      ...base,
      body: 'Can I come at 3?',
      providerMessageId: 'SM' + randomBytes(16).toString('hex'),
    });
    expect(other.kind).toBe('free_text');
    const unknown = await m.recordInbound({
      ...base,
      from: '+13125559999',
      body: 'STOP',
      providerMessageId: 'SM' + randomBytes(16).toString('hex'),
    });
    expect(unknown.kind).toBe('unknown_sender');
  });

  it('status callbacks move the status forward only', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    const sent = await m.send(request(patientId));
    if (sent.status !== 'sent') throw new Error('expected sent');
    await expect(
      m.recordStatus({ providerMessageId: sent.providerMessageId, status: 'delivered' }),
    ).resolves.toMatchObject({
      updated: true,
      status: 'delivered',
    });
    await expect(
      m.recordStatus({ providerMessageId: sent.providerMessageId, status: 'sent' }),
    ).resolves.toEqual({ updated: false });
    await expect(
      m.recordStatus({ providerMessageId: sent.providerMessageId, status: 'failed', errorCode: '30003' }),
    ).resolves.toEqual({
      updated: false,
    });
    await expect(
      m.recordStatus({ providerMessageId: 'SM' + '9'.repeat(32), status: 'delivered' }),
    ).resolves.toEqual({ updated: false });
  });

  it('a message due at 22:30 patient-local time is deferred to 08:00 and goes out then', async () => {
    const patientId = await seedPatient(db.db);
    const m = messaging();
    await grant(m, patientId);
    clock = new Date('2026-05-05T03:30:00Z'); // 22:30 CDT on May 4
    const req = request(patientId);
    const before = twilio.requests.length;
    await expect(m.send(req)).resolves.toEqual({
      status: 'deferred',
      messageId: req.messageId,
      deferredUntil: '2026-05-05T13:00:00.000Z',
    });
    expect(twilio.requests.length).toBe(before);
    clock = new Date('2026-05-05T13:00:00Z'); // the workflow wakes up and calls again
    await expect(m.send(req)).resolves.toMatchObject({ status: 'sent', duplicate: false });
    expect(twilio.requests.length).toBe(before + 1);
  });

  it('never logs or throws the PHI canary', () => {
    expect(logger.lines.length).toBeGreaterThan(10);
    for (const line of [...logger.lines, ...errors]) {
      expect(line).not.toContain(CANARY);
      expect(line).not.toContain('3125550142');
    }
  });
});
