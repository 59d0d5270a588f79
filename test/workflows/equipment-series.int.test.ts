// Issue 18 part 3 on the shared dev server, real PostgreSQL, the sandbox EMR and the sandbox payer over HTTP:
// equipment-bound evaluations (patientOnboarding with an AlterG needed) booked concurrently never overlap on the
// device nor fall in its maintenance windows (reserved ahead by planEquipmentMaintenance, the workflow the
// equipment-maintenance schedule runs), and a plan of care's series is booked jointly by bookCareSeries within
// the authorization's remaining visits and end date (a real priorAuthorization process, approved by signal).
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createMaintenanceRuleRepository } from '../../db/repositories/equipment-maintenance-rules.js';
import { createReservationRepository } from '../../db/repositories/equipment-reservations.js';
import { createEquipmentRepository } from '../../db/repositories/equipment.js';
import { appointments } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays, daysBetween } from '../../domain/core/dates.js';
import { localDate, zonedParts } from '../../domain/core/zoned.js';
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
  payerDecisionSignal,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  priorAuthorizationStatusQuery,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import {
  PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE,
  type PlanEquipmentMaintenanceWorkflow,
} from '../../workflows/schedules/messages.js';
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
let alterG: string;
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
  taskQueue = uniqueTaskQueue('equipment-series');
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      payerConnector,
      // Authorizations stay pended until the test records the payer's decision.
      payer: { submit: async () => ({ outcome: 'pended' }), status: async () => ({ outcome: 'pended' }) },
      onboarding: { emr, messaging, keys, practiceContact },
    }),
  );
  // One AlterG downtown, in maintenance every weekday morning 07:00–10:00.
  const device = await createEquipmentRepository(db.db).create(DEMO_PRACTICE_ID, {
    locationId: DOWNTOWN,
    kind: 'anti-gravity-treadmill',
    name: 'AlterG Via 400',
  });
  alterG = device!.id;
  const today = localDate(new Date(), TZ);
  await createMaintenanceRuleRepository(db.db).replace(
    DEMO_PRACTICE_ID,
    alterG,
    [1, 2, 3, 4, 5].map((weekday) => ({
      weekday,
      start: '07:00',
      end: '10:00',
      effectiveFrom: addDays(today, -1),
      effectiveTo: null,
      source: 'test: maker service contract',
    })),
  );
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
        memberId: `SBX-PR3-${randomUUID().slice(0, 8)}`,
        priority: 1,
      },
    ],
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3, equipmentKind: 'anti-gravity-treadmill' },
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

/**
 * With UPDATE_HISTORIES=1, the runs' histories become test/histories/<type>/v1.json for the replay test (these
 * processes are not in replay-recordings.ts: this file's runs are their realistic ones). Synthetic data only.
 */
async function saveHistory(type: 'bookCareSeries' | 'planEquipmentMaintenance', id: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  const history = await temporal.client.workflow.getHandle(id).fetchHistory();
  const file = path.join(import.meta.dirname, '..', 'histories', type, 'v1.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${historyToJSON(history)}\n`);
}

interface Interval {
  start: number;
  end: number;
  purpose: string;
  appointmentId: string | null;
}

async function liveHolds(): Promise<Interval[]> {
  const rows = await db.sql<
    { starts_at: string | Date; ends_at: string | Date; purpose: string; appointment_id: string | null }[]
  >`
    select starts_at, ends_at, purpose, appointment_id from equipment_reservations
    where equipment_id = ${alterG} and released_at is null order by starts_at`;
  return rows.map((r) => ({
    start: new Date(r.starts_at).getTime(),
    end: new Date(r.ends_at).getTime(),
    purpose: r.purpose,
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

describe('equipment as a scheduling resource', () => {
  it('maintenance windows are reserved ahead by planEquipmentMaintenance, idempotently', async () => {
    const firstId = `equipment-maintenance-test-${randomUUID()}`;
    const run = (workflowId = `equipment-maintenance-test-${randomUUID()}`) =>
      temporal.client.workflow.execute<PlanEquipmentMaintenanceWorkflow>(
        PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE,
        { taskQueue, workflowId, args: [{ days: 60 }] },
      );
    const first = await run(firstId);
    await saveHistory('planEquipmentMaintenance', firstId);
    expect(first.rules).toBe(5);
    expect(first.reserved).toBeGreaterThan(30);
    expect(first.conflicts).toBe(0);
    const again = await run();
    expect(again).toMatchObject({ windows: first.windows, reserved: 0, conflicts: 0, released: 0 });
    const maintenance = (await liveHolds()).filter((h) => h.purpose === 'maintenance');
    expect(maintenance).toHaveLength(first.windows);
    for (const m of maintenance) {
      const p = zonedParts(m.start, TZ);
      expect([p.weekday, p.hour, p.minute]).toEqual([p.weekday, 7, 0]);
      expect(m.end - m.start).toBe(3 * 3_600_000);
    }
    // The database refuses a visit in a maintenance window, whoever writes it.
    const outcome = await createReservationRepository(db.db).reserve({
      id: randomUUID(),
      practiceId: DEMO_PRACTICE_ID,
      equipmentId: alterG,
      purpose: 'visit',
      startsAt: new Date(maintenance[0]!.start + 30 * 60_000),
      endsAt: new Date(maintenance[0]!.start + 60 * 60_000),
    });
    expect(outcome).toBe('conflict');
  }, 120_000);

  it('equipment-bound evaluations booked concurrently never overlap on the device nor in its maintenance windows', async () => {
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
    // Every evaluation holds the device from its start; no two holds of the device overlap, maintenance included.
    for (const { status } of onboarded) {
      const start = Date.parse(status.appointment?.start ?? '');
      const mine = holds.filter((h) => h.purpose === 'visit' && h.start === start);
      expect(mine, `device hold of ${status.appointment?.start}`).toHaveLength(1);
      expect(status.appointment?.locationId).toBe(DOWNTOWN);
      // Maintenance is 07:00–10:00 every weekday: no evaluation holds the device then.
      expect(zonedParts(start, TZ).hour).toBeGreaterThanOrEqual(10);
    }
    expect(holds.filter((h) => h.purpose === 'visit')).toHaveLength(4);
    expect(overlapping(holds)).toEqual([]);
    // A cancelled onboarding frees the device it held (the compensation cancels the appointment and the hold).
    const cancelled = Date.parse(onboarded[3]!.status.appointment?.start ?? '');
    await handles[3]!.signal(cancelOnboardingSignal, { reason: 'patient_request' });
    await waitFor(liveHolds, (hs) => !hs.some((h) => h.purpose === 'visit' && h.start === cancelled));
    expect((await liveHolds()).filter((h) => h.purpose === 'visit')).toHaveLength(3);
    await Promise.all(handles.slice(0, 3).map((h) => h.terminate('test done')));
  }, 180_000);
});

describe('series booking', () => {
  it('books a plan of care series jointly within the authorization’s remaining visits and end date', async () => {
    const patient = onboarded[0];
    expect(patient, 'an onboarded patient (registered in the EMR)').toBeDefined();
    const { patientId } = patient!;
    // History: the last visits ran 75 and 80 minutes (post-surgical standard 60) → 90-minute visits.
    const now = Date.now();
    await db.db.insert(appointments).values(
      [75, 80].map((minutes, i) => ({
        id: randomUUID(),
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        therapistId: DANA,
        locationId: DOWNTOWN,
        kind: 'treatment' as const,
        startsAt: new Date(now - (i + 2) * 86_400_000),
        minutes,
        status: 'completed' as const,
      })),
    );
    const today = localDate(new Date(), TZ);
    const authorizationId = randomUUID();
    const auth = await temporal.client.workflow.start<PriorAuthorizationWorkflow>(
      PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
      {
        taskQueue,
        workflowId: workflowId('auth', authorizationId),
        args: [
          {
            authorizationId,
            practiceId: DEMO_PRACTICE_ID,
            patientId,
            coverageId: randomUUID(),
            payerId: 'ma-fastlane',
            timezone: TZ,
            requestedVisits: 12,
            startDate: today,
            urgency: 'standard',
            planOfCareContinues: true,
          },
        ],
      },
    );
    await waitFor(
      () => auth.query(priorAuthorizationStatusQuery),
      (s) => s.status === 'pending',
    );
    const endDate = addDays(today, 20);
    await auth.signal(payerDecisionSignal, {
      outcome: 'approved',
      authNumber: 'MA-5505',
      visitsAuthorized: 5,
      startDate: today,
      endDate,
    });
    await waitFor(
      () => auth.query(priorAuthorizationStatusQuery),
      (s) => s.visitsRemaining === 5,
    );

    const seriesInput = (seriesId: string) => ({
      seriesId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      authorizationWorkflowId: auth.workflowId,
      request: {
        acuity: 'post-surgical' as const,
        visitsPerWeek: 2,
        weeks: 6,
        startDate: addDays(today, 2),
        timeZone: TZ,
        availability: [2, 4, 5].map((weekday) => ({ weekday, start: '12:00', end: '18:00' })),
        preferredTherapistId: DANA,
        equipmentKind: 'anti-gravity-treadmill' as const,
      },
    });
    const seriesId = randomUUID();
    const result = await temporal.client.workflow.execute<BookCareSeriesWorkflow>(
      BOOK_CARE_SERIES_WORKFLOW_TYPE,
      {
        taskQueue,
        workflowId: workflowId('series', seriesId),
        args: [seriesInput(seriesId)],
      },
    );
    await saveHistory('bookCareSeries', workflowId('series', seriesId));
    expect(result.requested).toBe(12);
    expect(result.visitMinutes).toBe(90);
    expect(result.authorization).toMatchObject({ visitsRemaining: 5, endDate });
    expect(result.outcome).toBe('partially_booked');
    expect(result.visits.length).toBeGreaterThanOrEqual(3);
    expect(result.visits.length).toBeLessThanOrEqual(5);
    const dates = result.visits.map((v) => localDate(new Date(v.start), TZ)).sort();
    expect(dates.every((d) => d >= addDays(today, 2) && d <= endDate)).toBe(true);
    for (let i = 1; i < dates.length; i++) expect(daysBetween(dates[i - 1]!, dates[i]!)).toBeGreaterThan(1);
    // Continuity: one therapist throughout, the preferred one.
    expect(new Set(result.visits.map((v) => v.therapistId))).toEqual(new Set([DANA]));
    // Booked in the EMR, 90 minutes each, and each holds the device.
    const emrRows = await db.sql<{ start_at: string | Date; end_at: string | Date }[]>`
      select a.start_at, a.end_at from sandbox_emr.appointments a
      where a.our_appointment_id = any(${result.visits.map((v) => v.appointmentId!)}) and a.status = 'booked'`;
    expect(emrRows).toHaveLength(result.visits.length);
    for (const r of emrRows)
      expect(new Date(r.end_at).getTime() - new Date(r.start_at).getTime()).toBe(90 * 60_000);
    const holds = await liveHolds();
    for (const v of result.visits) expect(holds.some((h) => h.appointmentId === v.appointmentId)).toBe(true);
    expect(overlapping(holds)).toEqual([]);
    expect(result.explanation.join('\n')).toContain(
      `The authorization allows 5 more visits, until ${endDate}: the rest of the plan needs an extension before it can be booked.`,
    );
    expect(result.explanation).toContain('Dana Whitfield, PT, DPT sees the patient at every visit.');
    expect(result.explanation.join('\n')).toContain('90 minutes instead of the standard 60');

    // The visits booked ahead use the authorization: a second series for the same patient has none left when
    // all five are booked (or only what the first one left).
    const secondId = randomUUID();
    const second = await temporal.client.workflow.execute<BookCareSeriesWorkflow>(
      BOOK_CARE_SERIES_WORKFLOW_TYPE,
      {
        taskQueue,
        workflowId: workflowId('series', secondId),
        args: [seriesInput(secondId)],
      },
    );
    expect(second.authorization?.visitsRemaining).toBe(5 - result.visits.length);
    expect(result.visits.length + second.visits.length).toBeLessThanOrEqual(5);
    await auth.terminate('test done');
  }, 240_000);
});
