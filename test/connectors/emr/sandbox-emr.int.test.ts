// The sandbox EMR on the real test Postgres: seed, free slots, booking (double booking → SlotUnavailable),
// check-in, signed note, and signed webhooks delivered to a local receiver that verifies them with the same
// verifier the API uses and parses them with the API's event schema.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locations as coreLocations, therapists as coreTherapists } from '../../../db/schema.js';
import { seedDemoPractice, DEMO_PRACTICE_ID } from '../../../db/seed.js';
import { SandboxEmr } from '../../../connectors/emr/sandbox/sandbox-emr.js';
import {
  SANDBOX_PATIENTS,
  SANDBOX_THERAPISTS,
  seedSandboxEmr,
} from '../../../connectors/emr/sandbox/seed.js';
import { webhookDeliveries } from '../../../connectors/emr/sandbox/schema.js';
import { SlotUnavailable } from '../../../connectors/emr/types.js';
import { parseEmrEvent, type EmrEvent } from '../../../connectors/webhooks/emr-events.js';
import { generateWebhookSecret, verifyWebhook } from '../../../connectors/webhooks/standard-webhooks.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let receiver: http.Server;
let emr: SandboxEmr;
const secret = generateWebhookSecret();
const received: EmrEvent[] = [];
const rejected: string[] = [];
let failNext = 0;
const clock = { now: new Date('2030-01-06T12:00:00Z') }; // a Sunday

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, clock.now);
  await seedSandboxEmr(db.sql, clock.now); // idempotent
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      try {
        verifyWebhook({
          headers: req.headers,
          rawBody: raw,
          secrets: [secret],
          nowSeconds: Math.floor(clock.now.getTime() / 1000),
        });
        const parsed = parseEmrEvent(raw);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
        received.push(parsed.event);
        res.writeHead(204).end();
      } catch (err) {
        rejected.push((err as Error).message);
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  emr = new SandboxEmr(db.sql, {
    practiceId: DEMO_PRACTICE_ID,
    target: {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/emr/sandbox`,
      secrets: [secret],
    },
    now: () => clock.now,
    retryScheduleMs: [1_000, 2_000],
  });
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await db?.drop();
});

describe('sandbox EMR', () => {
  it('agrees with ptflow on locations and therapists', async () => {
    const [sbxTherapists, coreT, coreL] = await Promise.all([
      db.sql`select id, npi from sandbox_emr.therapists order by id`,
      db.db
        .select({ id: coreTherapists.id, npi: coreTherapists.npi })
        .from(coreTherapists)
        .orderBy(coreTherapists.id),
      db.db.select({ id: coreLocations.id }).from(coreLocations).orderBy(coreLocations.id),
    ]);
    expect(sbxTherapists.map((r) => ({ id: r.id, npi: r.npi }))).toEqual(coreT);
    const sbxLocations = await db.sql`select id from sandbox_emr.locations order by id`;
    expect(sbxLocations.map((r) => r.id)).toEqual(coreL.map((l) => l.id));
  });

  it('searches free slots by therapist, specialty and location in the clinic time zone', async () => {
    const slots = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      specialty: 'vestibular',
    });
    // Ortega, Monday at Northside 09:00–18:00 America/Chicago (UTC-6) → 15:00Z … 23:00Z, nine one-hour slots.
    expect(slots).toHaveLength(9);
    expect(slots[0]).toMatchObject({
      therapistId: SANDBOX_THERAPISTS.ortega,
      start: '2030-01-07T15:00:00.000Z',
      therapistNpi: '1456789019',
    });
    const downtown = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      locationId: '00000000-0000-4000-8000-000000000101',
    });
    expect(new Set(downtown.map((s) => s.therapistId))).toEqual(
      new Set([SANDBOX_THERAPISTS.whitfield, SANDBOX_THERAPISTS.nguyen]),
    );
  });

  it('books, refuses a double booking, checks in, signs the note and delivers verified webhooks', async () => {
    const [slot] = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      therapistId: SANDBOX_THERAPISTS.whitfield,
    });
    if (!slot) throw new Error('no slot');
    const appointmentId = randomUUID();
    const booked = await emr.bookAppointment({
      appointmentId,
      slotId: slot.slotId,
      emrPatientId: SANDBOX_PATIENTS.rivera,
      kind: 'evaluation',
    });
    expect(booked).toMatchObject({ status: 'booked', appointmentId, start: slot.start });
    expect(
      (
        await emr.bookAppointment({
          appointmentId,
          slotId: slot.slotId,
          emrPatientId: SANDBOX_PATIENTS.rivera,
          kind: 'evaluation',
        })
      ).emrAppointmentId,
    ).toBe(booked.emrAppointmentId);
    await expect(
      emr.bookAppointment({
        appointmentId: randomUUID(),
        slotId: slot.slotId,
        emrPatientId: SANDBOX_PATIENTS.okafor,
        kind: 'evaluation',
      }),
    ).rejects.toBeInstanceOf(SlotUnavailable);
    // Concurrent bookings of one slot: exactly one wins.
    const [other] = await emr.searchFreeSlots({
      from: '2030-01-08T00:00:00Z',
      to: '2030-01-09T00:00:00Z',
      therapistId: SANDBOX_THERAPISTS.whitfield,
    });
    const race = await Promise.allSettled(
      [SANDBOX_PATIENTS.okafor, SANDBOX_PATIENTS.lindqvist].map((p) =>
        emr.bookAppointment({
          appointmentId: randomUUID(),
          slotId: other!.slotId,
          emrPatientId: p,
          kind: 'treatment',
        }),
      ),
    );
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const after = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      therapistId: SANDBOX_THERAPISTS.whitfield,
    });
    expect(after.map((s) => s.slotId)).not.toContain(slot.slotId);

    expect((await emr.checkIn(booked.emrAppointmentId)).status).toBe('arrived');
    const visit = await emr.signNote(booked.emrAppointmentId, [
      { code: '97161', minutes: 30, furnishedBy: 'PT' },
      { code: '97110', minutes: 15, furnishedBy: 'PT' },
    ]);
    expect(visit).toMatchObject({
      therapistNpi: '1987654328',
      dateOfService: '2030-01-07',
      totalTreatmentMinutes: 45,
    });
    expect(
      (await emr.signNote(booked.emrAppointmentId, [{ code: '97110', minutes: 15, furnishedBy: 'PT' }]))
        .visitId,
    ).toBe(visit.visitId);
    expect(await emr.getSignedVisit(visit.visitId)).toEqual(visit);

    // The first delivery attempt meets an outage: retried with backoff, then delivered.
    failNext = 1;
    const first = await emr.webhooks.deliverDue();
    expect(first.retrying).toBe(1);
    clock.now = new Date(clock.now.getTime() + 1_000);
    await emr.webhooks.deliverDue();
    expect(rejected).toEqual([]);
    // Webhooks promise no ordering: the retried delivery arrives after the later events.
    const types = received.map((e) => e.type).sort();
    expect(types).toEqual([
      'appointment.booked',
      'appointment.booked',
      'appointment.checked_in',
      'note.signed',
    ]);
    const note = received.find((e) => e.type === 'note.signed');
    expect(note?.type === 'note.signed' && note.data).toMatchObject({
      visitId: visit.visitId,
      emrAppointmentId: booked.emrAppointmentId,
      therapistNpi: '1987654328',
      interventions: [
        { code: '97161', minutes: 30, furnishedBy: 'PT' },
        { code: '97110', minutes: 15, furnishedBy: 'PT' },
      ],
    });
    // Thin payloads: no demographics anywhere.
    expect(JSON.stringify(received)).not.toMatch(/Rivera|1968-03-14|SBX-1001/);
    const log = await db.db.select().from(webhookDeliveries);
    expect(log.every((d) => d.status === 'delivered')).toBe(true);
    expect(log.find((d) => d.attempts === 2)?.lastStatus).toBe(204);
  });

  it('emits patient.created, referral.received, cancelled and no_show; gives up after the retry schedule', async () => {
    received.length = 0;
    const { emrId, created } = await emr.upsertPatient({
      patientId: randomUUID(),
      demographics: { given: ['Test'], family: 'ZZCANARY-4', birthDate: '1990-01-01', sex: 'other' },
    });
    expect(created).toBe(true);
    await emr.receiveReferral(emrId, '1234567893', ['M25.561']);
    const slots = await emr.searchFreeSlots({
      from: '2030-01-09T00:00:00Z',
      to: '2030-01-10T00:00:00Z',
      therapistId: SANDBOX_THERAPISTS.nguyen,
    });
    const a = await emr.bookAppointment({
      appointmentId: randomUUID(),
      slotId: slots[0]!.slotId,
      emrPatientId: emrId,
      kind: 'treatment',
    });
    const b = await emr.bookAppointment({
      appointmentId: randomUUID(),
      slotId: slots[1]!.slotId,
      emrPatientId: emrId,
      kind: 'treatment',
    });
    expect((await emr.cancelAppointment(a.emrAppointmentId, 'weather')).status).toBe('cancelled');
    expect((await emr.cancelAppointment(a.emrAppointmentId, 'weather')).status).toBe('cancelled');
    expect((await emr.markNoShow(b.emrAppointmentId)).status).toBe('noshow');
    await emr.webhooks.deliverDue();
    expect(received.map((e) => e.type)).toEqual([
      'patient.created',
      'referral.received',
      'appointment.booked',
      'appointment.booked',
      'appointment.cancelled',
      'appointment.no_show',
    ]);
    expect(JSON.stringify(received)).not.toContain('ZZCANARY');

    await emr.registerPatient({ given: ['Walk'], family: 'In', birthDate: '2000-02-02', sex: 'unknown' });
    failNext = 3;
    for (let i = 0; i < 3; i++) {
      await emr.webhooks.deliverDue();
      clock.now = new Date(clock.now.getTime() + 2_000);
    }
    const [failed] =
      await db.sql`select status, attempts, last_status from sandbox_emr.webhook_deliveries where event_type = 'patient.created' and status <> 'delivered'`;
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, last_status: 503 });
  });
});
