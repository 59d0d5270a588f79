// The waitlist over the real stack (issue 18 §2; dev server, PostgreSQL, sandbox EMR): POST honours the
// Idempotency-Key (same key and body: the same entry; same key, other body: 422), a patient waits once per
// location and therapist (409 naming the waiting entry), DELETE takes an entry off (audited, repeatable, 409 once
// it got a slot, 404 for an unknown id or another practice's), and a patient waitlisted in the EMR arrives as a
// signed `appointment.waitlisted` webhook → one entry with source `emr`, however often it is delivered.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { webhookDeliveries } from '../../connectors/emr/sandbox/schema.js';
import { signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createWaitlistRepository } from '../../db/repositories/visits.js';
import { auditEvents, waitlistEntries } from '../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { EventRouteResult } from '../../workflows/emr-events/messages.js';
import { startApiStack, type ApiStack } from './stack.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const NORTHSIDE = '00000000-0000-4000-8000-000000000102';
const DANA = '00000000-0000-4000-8000-000000000201';
let stack: ApiStack;

beforeAll(async () => {
  stack = await startApiStack({ emrWebhooks: true });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

/** A synthetic patient of the demo practice: in the sandbox EMR (carrying our id) and in our mirror. */
async function patient(): Promise<{ patientId: string; emrPatientId: string }> {
  const patientId = randomUUID();
  const demographics = {
    given: ['Pat'],
    family: 'Synthetic',
    birthDate: '1961-05-06',
    sex: 'female' as const,
    preferredLanguage: 'en' as const,
  };
  const { emrId } = await stack.emr.upsertPatient({ patientId, demographics });
  await createPatientRepository(stack.db.db, stack.repositoryKeys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
  return { patientId, emrPatientId: emrId };
}

function add(body: object, key: string = randomUUID(), side: 'own' | 'other' = 'own') {
  return stack.app.inject({
    method: 'POST',
    url: '/v1/waitlist',
    headers: { ...stack.auth[side].front_desk, 'idempotency-key': key },
    payload: body,
  });
}

function remove(id: string, side: 'own' | 'other' = 'own') {
  return stack.app.inject({
    method: 'DELETE',
    url: `/v1/waitlist/${id}`,
    headers: stack.auth[side].front_desk,
  });
}

describe('POST /v1/waitlist', () => {
  it('answers a retry with the same key and body with the same entry; another body under that key is 422', async () => {
    const { patientId } = await patient();
    const key = randomUUID();
    const body = { patientId, locationId: DOWNTOWN, acuity: 2, minutes: 45 };
    const first = await add(body, key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await add(body, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await add({ ...body, acuity: 3 }, key);
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    const rows = await stack.db.db
      .select()
      .from(waitlistEntries)
      .where(eq(waitlistEntries.patientId, patientId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'api', acuity: 2, status: 'waiting' });
    // The creation is audited: who, what, which fields (names, never values).
    const audit = await stack.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.resourceType, 'waitlist_entry'), eq(auditEvents.resourceId, rows[0]!.id)));
    expect(audit).toEqual([
      expect.objectContaining({ action: 'C', outcome: 'success', actorRole: 'front_desk' }),
    ]);
    expect(audit[0]!.fieldsDisclosed?.sort()).toEqual(['acuity', 'locationId', 'minutes', 'patientId']);
  });

  it('needs an Idempotency-Key (400 naming the header)', async () => {
    const { patientId } = await patient();
    const res = await stack.app.inject({
      method: 'POST',
      url: '/v1/waitlist',
      headers: stack.auth.own.front_desk,
      payload: { patientId, locationId: DOWNTOWN },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      errors: [expect.objectContaining({ in: 'header', pointer: '/idempotency-key', code: 'missing' })],
    });
  });

  it('refuses a second waiting entry for the same patient, location and therapist: 409 naming the first', async () => {
    const { patientId } = await patient();
    const first = await add({ patientId, locationId: DOWNTOWN });
    expect(first.statusCode).toBe(201);
    const firstId = (first.json() as { id: string }).id;
    const dup = await add({ patientId, locationId: DOWNTOWN, acuity: 3 });
    expect(dup.statusCode).toBe(409);
    expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dup.json()).toMatchObject({ reason: 'AlreadyWaiting', existingEntryId: firstId });
    // Another therapist, or another location, is another wish: both are added.
    expect((await add({ patientId, locationId: DOWNTOWN, therapistId: DANA })).statusCode).toBe(201);
    expect((await add({ patientId, locationId: NORTHSIDE })).statusCode).toBe(201);
    // Once the first is removed, the patient may be waitlisted there again (a new entry).
    expect((await remove(firstId)).statusCode).toBe(200);
    const readded = await add({ patientId, locationId: DOWNTOWN });
    expect(readded.statusCode).toBe(201);
    expect((readded.json() as { id: string }).id).not.toBe(firstId);
  });

  it("names the field of another practice's therapist (422)", async () => {
    const { patientId } = await patient();
    const res = await add({ patientId, locationId: DOWNTOWN, therapistId: randomUUID() });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ errors: [expect.objectContaining({ pointer: '/therapistId' })] });
  });
});

describe('DELETE /v1/waitlist/{id}', () => {
  it('removes a waiting entry (audited once), answers a repeat the same, and leaves it off the list', async () => {
    const { patientId } = await patient();
    const created = await add({ patientId, locationId: DOWNTOWN });
    const id = (created.json() as { id: string }).id;
    const removed = await remove(id);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ id, status: 'removed' });
    const repeat = await remove(id);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual(removed.json());
    const audit = await stack.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.resourceType, 'waitlist_entry'), eq(auditEvents.resourceId, id)));
    expect(audit.map((a) => [a.action, a.fieldsDisclosed])).toEqual([
      ['C', expect.any(Array)],
      ['U', ['status']],
    ]);
    const list = await stack.app.inject({
      method: 'GET',
      url: `/v1/waitlist?locationId=${DOWNTOWN}`,
      headers: stack.auth.own.front_desk,
    });
    expect((list.json() as { items: { id: string }[] }).items.map((i) => i.id)).not.toContain(id);
  });

  it("answers 404 problem+json for an unknown id and for another practice's entry", async () => {
    const { patientId } = await patient();
    const id = ((await add({ patientId, locationId: DOWNTOWN })).json() as { id: string }).id;
    for (const res of [await remove(randomUUID()), await remove(id, 'other')]) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).not.toContain(patientId);
    }
    // The other practice's attempt changed nothing.
    const [row] = await stack.db.db.select().from(waitlistEntries).where(eq(waitlistEntries.id, id));
    expect(row?.status).toBe('waiting');
  });

  it('refuses to remove an entry that got a slot (409 naming why)', async () => {
    const { patientId } = await patient();
    const id = ((await add({ patientId, locationId: DOWNTOWN })).json() as { id: string }).id;
    await createWaitlistRepository(stack.db.db).markFilled({
      practiceId: DEMO_PRACTICE_ID,
      entryId: id,
      emrAppointmentId: randomUUID(),
      slotStart: new Date(Date.now() + 86_400_000),
      workflowId: 'waitfill:test',
      at: new Date(),
    });
    const res = await remove(id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ reason: 'AlreadyFilled' });
    expect((res.json() as { detail: string }).detail).toMatch(/already got a freed slot/);
  });
});

describe('appointment.waitlisted from the EMR', () => {
  const deliver = (webhookId: string, payload: string) =>
    stack.app.inject({
      method: 'POST',
      url: '/v1/webhooks/emr/own',
      headers: {
        'content-type': 'application/json',
        ...signedWebhookHeaders({ id: webhookId, timestamp: Math.floor(Date.now() / 1000), body: payload }, [
          stack.webhookSecrets.own,
        ]),
      },
      payload,
    });
  const routed = (webhookId: string) =>
    stack.temporal.client.workflow
      .getHandle(
        workflowId('event', eventWorkflowUuid(deliveryDedupeKey(DEMO_PRACTICE_ID, 'emr:own', webhookId))),
      )
      .result() as Promise<EventRouteResult>;
  const newWebhookId = () => `msg_${randomUUID().replace(/-/g, '')}`;

  it('adds one entry with source emr; a redelivery (even under a new webhook id) adds nothing', async () => {
    const { patientId, emrPatientId } = await patient();
    // The front desk waitlists the patient in the (sandbox) EMR, which queues the signed webhook.
    const { emrAppointmentId } = await stack.emr.waitlistPatient({
      emrPatientId,
      locationId: DOWNTOWN,
      minutes: 60,
      acuity: 3,
    });
    const body = (
      await stack.emr.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.eventType, 'appointment.waitlisted'))
    ).find((d) => d.body.includes(emrAppointmentId))?.body;
    expect(body).toBeDefined();
    expect(JSON.parse(body!)).toMatchObject({
      type: 'appointment.waitlisted',
      data: {
        emrAppointmentId,
        emrPatientId,
        locationId: DOWNTOWN,
        therapistId: null,
        minutes: 60,
        acuity: 3,
      },
    });

    const first = newWebhookId();
    expect((await deliver(first, body!)).statusCode).toBe(202);
    expect(await routed(first)).toMatchObject({ outcome: 'routed', patientId, steps: ['waitlist:added'] });
    // The same delivery again (the EMR retrying), and the same fact under a new webhook id.
    expect((await deliver(first, body!)).statusCode).toBeLessThan(300);
    const second = newWebhookId();
    expect((await deliver(second, body!)).statusCode).toBe(202);
    expect(await routed(second)).toMatchObject({ outcome: 'routed', steps: ['waitlist:already_recorded'] });

    const rows = await stack.db.db
      .select()
      .from(waitlistEntries)
      .where(eq(waitlistEntries.patientId, patientId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: 'emr',
      status: 'waiting',
      locationId: DOWNTOWN,
      therapistId: null,
      minutes: 60,
      acuity: 3,
    });
    // The front desk sees it in the list like any other.
    const list = await stack.app.inject({
      method: 'GET',
      url: `/v1/waitlist?locationId=${DOWNTOWN}`,
      headers: stack.auth.own.front_desk,
    });
    expect((list.json() as { items: { id: string }[] }).items.map((i) => i.id)).toContain(rows[0]!.id);
  }, 60_000);

  it('an unknown EMR patient adds nothing (unknown_patient)', async () => {
    const webhookId = newWebhookId();
    const payload = JSON.stringify({
      type: 'appointment.waitlisted',
      timestamp: new Date().toISOString(),
      data: {
        practiceId: DEMO_PRACTICE_ID,
        emrAppointmentId: randomUUID(),
        emrPatientId: randomUUID(),
        locationId: DOWNTOWN,
        therapistId: null,
        minutes: 45,
        requestedAt: new Date().toISOString(),
      },
    });
    expect((await deliver(webhookId, payload)).statusCode).toBe(202);
    expect(await routed(webhookId)).toMatchObject({ outcome: 'unknown_patient', steps: [] });
  }, 60_000);

  it('names the field of a malformed event (400, nothing routed)', async () => {
    const payload = JSON.stringify({
      type: 'appointment.waitlisted',
      timestamp: new Date().toISOString(),
      data: {
        practiceId: DEMO_PRACTICE_ID,
        emrAppointmentId: 'A1',
        emrPatientId: 'P1',
        locationId: DOWNTOWN,
        therapistId: null,
        minutes: 5,
        requestedAt: new Date().toISOString(),
      },
    });
    const res = await deliver(newWebhookId(), payload);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('minutes');
  });
});
