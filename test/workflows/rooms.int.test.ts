// Rooms as a scheduling resource (issue 18 part 3) on the shared dev server, real PostgreSQL and the sandbox EMR:
// evaluations (patientOnboarding) booked concurrently at a clinic with one private treatment room never share
// the room, although three therapists there are free at the same times; a cancelled onboarding frees its room;
// and a plan of care's series (bookCareSeries) avoids the time another patient's booking holds the room of
// capacity 1, holds the room at each visit it books, and says in its explanation that rooms shaped the plan.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { roomBooking } from '../../activities/equipment/rooms.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createRoomRepository } from '../../db/repositories/rooms.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import type { OnboardingInput } from '../../domain/onboarding/index.js';
import {
  cancelOnboardingSignal,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type OnboardingStatus,
  type PatientOnboardingWorkflow,
} from '../../workflows/onboarding/messages.js';
import {
  BOOK_CARE_SERIES_WORKFLOW_TYPE,
  type BookCareSeriesWorkflow,
} from '../../workflows/series/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const DANA = '00000000-0000-4000-8000-000000000201';
const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWTEST' };
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
const quiet = { info: () => undefined, warn: () => undefined };

let db: TestDatabase;
let payer: SandboxServer;
let temporal: { client: Client; close(): Promise<void> };
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let taskQueue: string;
let roomId: string;
const onboarded: { patientId: string; status: OnboardingStatus }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
  const emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
  payer = await startSandboxPayer({ sql: db.sql, credentials });
  const payerConnector = new ClearinghouseConnector({
    http: {
      baseUrl: payer.url,
      auth: { kind: 'basic', username: credentials.username, password: credentials.password },
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 },
    },
    sender: { qualifier: 'ZZ', id: 'PTFLOWTEST' },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    submitter: {
      name: 'RIVERSIDE PT BILLING',
      id: 'PTFLOWTEST',
      contactName: 'BILLING',
      phone: '5555550100',
    },
    receiverName: 'PTFLOW SANDBOX PAYER',
    originatorId: '9123456789',
    usage: 'T',
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(db.sql)),
  });
  const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });
  const messaging = createSandboxMessaging({
    db: db.db,
    hashAddress: createAddressHasher(randomBytes(32)),
    logger: quiet,
    practiceContact,
  });
  temporal = await devServerClient();
  taskQueue = uniqueTaskQueue('rooms');
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      payerConnector,
      payer: { submit: async () => ({ outcome: 'pended' }), status: async () => ({ outcome: 'pended' }) },
      onboarding: { emr, messaging, keys, practiceContact },
    }),
  );
  // Downtown has one private treatment room (capacity 1); Northside has none (not room-constrained).
  const room = await createRoomRepository(db.db).create(DEMO_PRACTICE_ID, {
    locationId: DOWNTOWN,
    name: 'Treatment room A',
    capacity: 1,
    private: true,
  });
  roomId = room!.id;
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await temporal?.close();
  await payer?.close();
  await db?.drop();
});

function intake(): OnboardingInput {
  return {
    onboardingId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    clinicTimeZone: TZ,
    patientTimeZone: TZ,
    demographics: {
      given: ['Ana'],
      family: 'Rivera',
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '(312) 555-0177',
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    coverages: [
      {
        coverageId: randomUUID(),
        payerId: 'commercial-ama',
        memberId: `SBX-RM-${randomUUID().slice(0, 8)}`,
        priority: 1,
      },
    ],
    // Downtown only: every evaluation competes for the one private room there.
    evaluation: {
      acuity: 'acute',
      bodyRegion: 'knee',
      leadDays: 3,
      preferredLocations: [{ locationId: DOWNTOWN }],
      otherLocationsAcceptable: false,
    },
    intakeFormLink: 'https://forms.riverside.example/i/abc',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
    formReminderOffsetsHours: [24],
  };
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`never matched; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

interface Interval {
  start: number;
  end: number;
  appointmentId: string | null;
}

async function liveHolds(): Promise<Interval[]> {
  const rows = await db.sql<
    { starts_at: string | Date; ends_at: string | Date; appointment_id: string | null }[]
  >`
    select starts_at, ends_at, appointment_id from room_reservations
    where room_id = ${roomId} and released_at is null order by starts_at`;
  return rows.map((r) => ({
    start: new Date(r.starts_at).getTime(),
    end: new Date(r.ends_at).getTime(),
    appointmentId: r.appointment_id,
  }));
}

function overlapping(holds: Interval[]): [Interval, Interval][] {
  const out: [Interval, Interval][] = [];
  for (let i = 0; i < holds.length; i++)
    for (let j = i + 1; j < holds.length; j++)
      if (holds[i]!.start < holds[j]!.end && holds[j]!.start < holds[i]!.end)
        out.push([holds[i]!, holds[j]!]);
  return out;
}

describe('rooms as a scheduling resource', () => {
  it('evaluations booked concurrently never double-book the private room; a cancelled one frees it', async () => {
    const inputs = Array.from({ length: 4 }, intake);
    const handles = await Promise.all(
      inputs.map((input) =>
        temporal.client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: workflowId('onboarding', input.onboardingId),
          args: [input],
        }),
      ),
    );
    const statuses = await Promise.all(
      handles.map((h: WorkflowHandle<PatientOnboardingWorkflow>) =>
        waitFor(
          () => h.query(onboardingStatusQuery),
          (s) => s.state === 'awaiting_check_in' || s.state === 'needs_scheduling',
        ),
      ),
    );
    for (const [i, s] of statuses.entries()) {
      expect(s.state, JSON.stringify(s)).toBe('awaiting_check_in');
      onboarded.push({ patientId: inputs[i]!.patientId, status: s });
    }
    const holds = await liveHolds();
    // Our appointments mirror: when each evaluation starts and how long it is booked for.
    const mirror = await db.sql<{ id: string; starts_at: Date; minutes: number; location_id: string }[]>`
      select id, starts_at, minutes, location_id from appointments
      where kind = 'evaluation' and status = 'booked'`;
    expect(mirror).toHaveLength(4);
    const booked = mirror.map((m) => ({
      start: new Date(m.starts_at).getTime(),
      end: new Date(m.starts_at).getTime() + m.minutes * 60_000,
      appointmentId: m.id,
    }));
    // Every evaluation holds the room for its whole length, and no two holds overlap.
    for (const b of booked) {
      expect(mirror.find((m) => m.id === b.appointmentId)!.location_id).toBe(DOWNTOWN);
      expect(holds.filter((h) => h.appointmentId === b.appointmentId)).toEqual([b]);
    }
    expect(holds).toHaveLength(4);
    expect(overlapping(holds)).toEqual([]);
    // The evaluations themselves never overlap either (three therapists work downtown at once: only the room
    // kept them apart).
    expect(overlapping(booked)).toEqual([]);
    // A cancelled onboarding frees the room it held.
    const cancelled = Date.parse(onboarded[3]!.status.appointment?.start ?? '');
    await handles[3]!.signal(cancelOnboardingSignal, { reason: 'patient_request' });
    await waitFor(liveHolds, (hs) => !hs.some((h) => h.start === cancelled));
    expect(await liveHolds()).toHaveLength(3);
    await Promise.all(handles.slice(0, 3).map((h) => h.terminate('test done')));
  }, 180_000);

  it('a series avoids the time another patient’s booking holds the room of capacity 1', async () => {
    const patient = onboarded[0];
    expect(patient, 'an onboarded patient (registered in the EMR)').toBeDefined();
    const today = localDate(new Date(), TZ);
    const run = (seriesId: string, preview: boolean) =>
      temporal.client.workflow.execute<BookCareSeriesWorkflow>(BOOK_CARE_SERIES_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('series', seriesId),
        args: [
          {
            seriesId,
            practiceId: DEMO_PRACTICE_ID,
            patientId: patient!.patientId,
            preview,
            request: {
              acuity: 'acute' as const,
              visitsPerWeek: 2,
              weeks: 2,
              startDate: addDays(today, 7),
              timeZone: TZ,
              availability: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '12:00' })),
              preferredTherapistId: DANA,
              preferredLocationId: DOWNTOWN,
            },
          },
        ],
      });
    // What the series would book with the room free: downtown with Dana, each visit with the room.
    const before = await run(randomUUID(), true);
    expect(before.visits.length).toBeGreaterThan(0);
    const first = before.visits[0]!;
    expect(first.locationId).toBe(DOWNTOWN);
    expect(first).toMatchObject({ roomId });
    expect(before.explanation.join(' ')).not.toMatch(/room/);

    // Another patient's visit takes the room then (its hold, as its booking writes it).
    const other = await roomBooking(db.db).hold({
      practiceId: DEMO_PRACTICE_ID,
      locationId: DOWNTOWN,
      need: 'any',
      appointmentId: randomUUID(),
      slotId: 'another-patient',
      start: first.start,
      visitMinutes: before.visitMinutes,
    });
    expect(other).toMatchObject({ roomId });

    const after = await run(randomUUID(), false);
    expect(after.visits.length).toBeGreaterThan(0);
    // The taken time is not booked at the room (nor overlapping it), the rest are, each holding the room.
    const takenStart = Date.parse(first.start);
    const takenEnd = takenStart + before.visitMinutes * 60_000;
    for (const v of after.visits.filter((v) => v.locationId === DOWNTOWN)) {
      const s = Date.parse(v.start);
      expect(s < takenEnd && s + after.visitMinutes * 60_000 > takenStart, v.start).toBe(false);
      expect(v).toMatchObject({ roomId });
    }
    expect(after.explanation.join(' ')).toMatch(/not offered because every room there was full then/);
    const holds = await liveHolds();
    for (const v of after.visits.filter((v) => v.locationId === DOWNTOWN))
      expect(holds.some((h) => h.start === Date.parse(v.start) && h.appointmentId === v.appointmentId)).toBe(
        true,
      );
    expect(overlapping(holds)).toEqual([]);
  }, 180_000);
});
