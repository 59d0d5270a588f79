// patientOnboarding end to end on the shared dev server: real PostgreSQL, the sandbox EMR (schema
// sandbox_emr), the sandbox payer over real HTTP answering our 270 with a real 271 (member-id triggers, see
// connectors/payer/sandbox/README.md) and sandbox messaging recording sends in its outbox.
import { randomBytes, randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import {
  createAddressHasher,
  createSandboxMessaging,
  type MessagingLogger,
} from '../../connectors/messaging/index.js';
import { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { OnboardingInput } from '../../domain/onboarding/index.js';
import {
  appointmentBookedSignal,
  cancelOnboardingSignal,
  coverageUpdatedSignal,
  evaluationCheckedInSignal,
  intakeFormsCompletedSignal,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type OnboardingStatus,
  type PatientOnboardingWorkflow,
} from '../../workflows/onboarding/messages.js';
import { BOOKING_FAILURE_TO_FRONT_DESK_PATCH } from '../../workflows/onboarding/patches.js';
import { coverageCheckedSignal } from '../../workflows/shared/coverage-signal.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';

const CANARY = 'ZZCANARY-9';
const CLINIC_TZ = 'America/Chicago';
const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWTEST' };
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
const logLines: string[] = [];
const logger: MessagingLogger = {
  info: (o, m) => logLines.push(JSON.stringify({ ...o, m })),
  warn: (o, m) => logLines.push(JSON.stringify({ ...o, m })),
};

let db: TestDatabase;
let sandboxPayer: SandboxServer;
let emr: SandboxEmr;
let activities: ReturnType<typeof createActivities>;
let activityDeps: Parameters<typeof createActivities>[0];

/**
 * A patient zone where it is daytime now, so messages are not deferred by quiet hours (08:00–21:00) while
 * the test runs; deferral itself is the messaging connector's tested behaviour.
 */
function daytimeZone(): string {
  const zones = ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata'];
  for (const z of zones) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
  emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
  sandboxPayer = await startSandboxPayer({ sql: db.sql, credentials });
  const payerConnector = new ClearinghouseConnector({
    http: {
      baseUrl: sandboxPayer.url,
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
    logger,
    practiceContact,
  });
  activityDeps = {
    db: db.db,
    payerConnector,
    // The 278 side is the authorization workflow's own business: keep it pended here.
    payer: { submit: async () => ({ outcome: 'pended' }), status: async () => ({ outcome: 'pended' }) },
    onboarding: { emr, messaging, keys, practiceContact },
  };
  activities = createActivities(activityDeps);
});
afterAll(async () => {
  await sandboxPayer?.close();
  await db?.drop();
});

/** A patient zone inside quiet hours (21:00–08:00) for the next hours, so every message is deferred. */
function nightZone(): string {
  const zones = [
    'America/Los_Angeles',
    'America/Chicago',
    'Europe/London',
    'Asia/Tokyo',
    'Pacific/Honolulu',
    'Asia/Kolkata',
    'Australia/Sydney',
  ];
  for (const z of zones) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 22 || hour < 5) return z;
  }
  throw new Error('no zone in quiet hours');
}

function intake(
  memberId: string,
  reminderOffsetsHours: number[],
  opts: {
    payerId?: string;
    referral?: boolean;
    hoursBefore?: { reminder?: number; forms?: number };
    patientTimeZone?: string;
  } = {},
): OnboardingInput {
  return {
    onboardingId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    clinicTimeZone: CLINIC_TZ,
    patientTimeZone: opts.patientTimeZone ?? daytimeZone(),
    demographics: {
      given: ['Ana'],
      family: `${CANARY}-Rivera`,
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '(312) 555-0177',
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    coverages: [
      { coverageId: randomUUID(), payerId: opts.payerId ?? 'commercial-ama', memberId, priority: 1 },
    ],
    // Three days out, so the 24-hour pre-visit steps stay in the future unless a test pulls them forward.
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
    intakeFormLink: 'https://forms.riverside.example/i/abc',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
    formReminderOffsetsHours: reminderOffsetsHours,
    ...(opts.hoursBefore?.reminder ? { appointmentReminderHoursBefore: opts.hoursBefore.reminder } : {}),
    ...(opts.hoursBefore?.forms ? { formsEscalationHoursBefore: opts.hoursBefore.forms } : {}),
    ...(opts.referral ? { referral: { referringPractitionerId: randomUUID(), signedAndDated: true } } : {}),
  };
}

type Handle = WorkflowHandle<PatientOnboardingWorkflow>;

async function run<T>(
  fn: (start: (input: OnboardingInput) => Promise<Handle>, client: Client) => Promise<T>,
  acts: ReturnType<typeof createActivities> = activities,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('onboarding');
  const worker = await devServerWorker(taskQueue, acts);
  const { client, close } = await devServerClient();
  try {
    return await fn(
      (input) =>
        client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: workflowId('onboarding', String(input.onboardingId)),
          args: [input],
        }),
      client,
    );
  } finally {
    await close();
    await worker.close();
  }
}

async function waitForStatus(
  handle: Handle,
  ok: (s: OnboardingStatus) => boolean,
  timeoutMs = 60_000,
): Promise<OnboardingStatus> {
  const until = Date.now() + timeoutMs;
  let last: OnboardingStatus | undefined;
  while (Date.now() < until) {
    last = await handle.query(onboardingStatusQuery);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
}

/** Templates the sandbox provider "sent" for one onboarding (its message ids carry the onboarding id). */
async function outboxFor(onboardingId: string) {
  const rows = await db.sql<{ template: string }[]>`
    select template from sandbox.sandbox_outbox
    where idempotency_key like ${`sms:onboarding:${onboardingId}:%`} order by created_at`;
  return rows.map((r) => r.template);
}

async function checkIn(handle: Handle, emrAppointmentId: string) {
  await emr.checkIn(emrAppointmentId);
  await handle.signal(evaluationCheckedInSignal, { emrAppointmentId });
}

describe('patientOnboarding against the sandbox EMR, payer and messaging', () => {
  it('scenario 1: eligible, no auth, forms after one reminder, evaluation booked, checked in → completed', async () => {
    // First reminder 3 s after the intake link, the second far away: exactly one reminder goes out.
    const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [3 / 3600, 24], {
      referral: true,
      // Due at once: the appointment reminder goes out right after booking.
      hoursBefore: { reminder: 24 * 30 },
    });
    await run(async (start, client) => {
      const handle = await start(input);
      const reminded = await waitForStatus(handle, (s) => s.forms.remindersSent === 1);
      expect(reminded.coverages[0]).toMatchObject({ outcome: 'active', verifications: 1 });
      expect(reminded.coverages[0]?.authorizationRequired).not.toBe(true);
      await handle.signal(intakeFormsCompletedSignal, {
        responseId: randomUUID(),
        questionnaire: 'https://forms.riverside.example/q/pt-intake|1',
        authored: new Date().toISOString(),
        items: [{ linkId: 'pain-now', answers: [4] }],
      });
      const booked = await waitForStatus(
        handle,
        (s) => s.state === 'awaiting_check_in' && s.forms.state === 'completed',
      );
      const appt = booked.appointment!;
      expect(appt.start).toBeDefined();
      const inEmr = await emr.getAppointment(appt.emrAppointmentId);
      expect(inEmr).toMatchObject({ status: 'booked', kind: 'evaluation' });

      const desc = await handle.describe();
      expect(desc.typedSearchAttributes.toJSON()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            key: expect.objectContaining({ name: 'ProcessKind' }),
            value: 'onboarding',
          }),
          expect.objectContaining({
            key: expect.objectContaining({ name: 'PatientId' }),
            value: input.patientId,
          }),
          expect.objectContaining({
            key: expect.objectContaining({ name: 'ProcessStatus' }),
            value: 'awaiting_check_in',
          }),
        ]),
      );

      await checkIn(handle, appt.emrAppointmentId);
      const result = await handle.result();
      // The history replays on the current code: no nondeterminism across signals, timers and children.
      await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await handle.fetchHistory());
      expect(result).toMatchObject({
        state: 'completed',
        forms: { state: 'completed', remindersSent: 1 },
        openTasks: 0,
        needsAttention: false,
      });
      expect(result.authorizationWorkflowId).toBeUndefined();
      // The status snapshot is what the API returns: ids and outcomes, never the patient's details.
      expect(JSON.stringify(result)).not.toMatch(new RegExp(`${CANARY}|5550177|1961-02-03|SBX-PR3`));
      // Hand-over: the episode of care runs on its own now.
      const poc = client.workflow.getHandle(result.planOfCareWorkflowId!);
      const pocDesc = await poc.describe();
      expect(pocDesc).toMatchObject({ type: 'planOfCare', status: { name: 'RUNNING' } });
      await poc.terminate('test cleanup');
      expect((await outboxFor(String(input.onboardingId))).sort()).toEqual([
        'appointment_reminder',
        'form_reminder',
        'intake_link',
      ]);

      // Our mirror: decryptable with the keys, no canary in clear anywhere in the rows.
      const patient = await createPatientRepository(db.db, keys).get(
        DEMO_PRACTICE_ID,
        String(input.patientId),
      );
      expect(patient?.demographics.phone).toBe('+13125550177');
      expect(patient?.emrPatientId).toBeDefined();
      const [check] = await db.sql`select outcome, summary from eligibility_checks
        where coverage_id = ${input.coverages![0]!.coverageId}`;
      expect(check).toMatchObject({ outcome: 'active' });
      const [mirrorAppt] =
        await db.sql`select status, kind from appointments where patient_id = ${String(input.patientId)}`;
      expect(mirrorAppt).toMatchObject({ status: 'booked', kind: 'evaluation' });
      const raw =
        JSON.stringify(await db.sql`select * from patients`) +
        JSON.stringify(await db.sql`select * from tasks`);
      expect(raw).not.toContain(CANARY);
      expect(JSON.stringify(desc.typedSearchAttributes.toJSON()) + handle.workflowId).not.toContain(CANARY);
    });
  });

  it('scenario 2: inactive coverage → front-desk task + message → coverageUpdated → re-verified → continues', async () => {
    const input = intake(`SBX-INACTIVE-${randomUUID().slice(0, 8)}`, [24]);
    const coverageId = input.coverages![0]!.coverageId;
    await run(async (start) => {
      const handle = await start(input);
      // The state changes before the task's child has started (openTasks counts started tasks): wait for both.
      const waiting = await waitForStatus(
        handle,
        (s) => s.state === 'awaiting_coverage_update' && s.openTasks === 1,
      );
      expect(waiting).toMatchObject({ needsAttention: true, openTasks: 1 });
      expect(waiting.coverages[0]).toMatchObject({ outcome: 'inactive' });
      // The task child writes its worklist row in its own activity: wait for it.
      await expect
        .poll(
          async () => [
            ...(await db.sql`select kind, assignee_role, status, workflow_id from tasks
              where patient_id = ${String(input.patientId)}`),
          ],
          { timeout: 15_000 },
        )
        .toEqual([
          expect.objectContaining({
            kind: 'update_insurance',
            assignee_role: 'front_desk',
            status: 'open',
            workflow_id: workflowId('onboarding', String(input.onboardingId)),
          }),
        ]);
      await waitForStatus(handle, (s) => s.messages.some((m) => m.template === 'insurance_update_request'));
      expect(await outboxFor(String(input.onboardingId))).toEqual(['insurance_update_request']);
      const [cov] = await db.sql`select status from coverages where id = ${coverageId}`;
      expect(cov).toMatchObject({ status: 'inactive' });

      const newMember = `SBX-PR3-${randomUUID().slice(0, 8)}`;
      await handle.signal(coverageUpdatedSignal, {
        coverageId,
        payerId: 'commercial-ama',
        memberId: newMember,
      });
      const after = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in');
      expect(after.coverages[0]).toMatchObject({ outcome: 'active', verifications: 2 });
      expect(after).toMatchObject({ needsAttention: false, openTasks: 0 });
      await expect(
        createCoverageRepository(db.db, keys).get(DEMO_PRACTICE_ID, coverageId),
      ).resolves.toMatchObject({ memberId: newMember.toUpperCase(), status: 'active' });
      // The front-desk task was closed as no longer needed.
      await expect
        .poll(
          async () =>
            (await db.sql`select status from tasks where patient_id = ${String(input.patientId)}`)[0],
          { timeout: 15_000 },
        )
        .toMatchObject({ status: 'cancelled' });
      const checks = await db.sql`select outcome from eligibility_checks where coverage_id = ${coverageId}
        order by checked_at`;
      expect(checks.map((c) => c.outcome)).toEqual(['inactive', 'active']);

      await checkIn(handle, after.appointment!.emrAppointmentId);
      await expect(handle.result()).resolves.toMatchObject({ state: 'completed' });
      await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await handle.fetchHistory());
    });
  });

  it('payer answers garbage → verify-by-phone task; completed as active → booked; cancel → slot and tasks released', async () => {
    // SBX-GARBLE answers a 271 with a wrong SE count: a contract violation, not retried, so a person calls.
    const input = intake(`SBX-GARBLE-${randomUUID().slice(0, 8)}`, [24]);
    const coverageId = input.coverages![0]!.coverageId;
    await run(async (start, client) => {
      const handle = await start(input);
      // The state changes before the task's child has started (openTasks counts started tasks): wait for both.
      const waiting = await waitForStatus(
        handle,
        (s) => s.state === 'awaiting_phone_verification' && s.openTasks === 1,
      );
      expect(waiting).toMatchObject({ needsAttention: true, openTasks: 1 });
      await expect
        .poll(
          async () =>
            (
              await db.sql<{ id: string; kind: string }[]>`select id, kind from tasks
                where patient_id = ${String(input.patientId)}`
            )[0],
          { timeout: 15_000 },
        )
        .toMatchObject({ kind: 'verify_eligibility_by_phone' });
      const [row] = await db.sql<
        { id: string }[]
      >`select id from tasks where patient_id = ${String(input.patientId)}`;
      const [cov] = await db.sql`select status from coverages where id = ${coverageId}`;
      expect(cov).toMatchObject({ status: 'needs_phone_verification' });

      await client.workflow
        .getHandle(workflowId('task', row!.id))
        .signal(completeTaskSignal, { completedBy: 'front-desk-1', outcome: { coverageActive: true } });
      const booked = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in');
      expect(booked.coverages[0]).toMatchObject({ outcome: 'verified_by_phone' });
      const emrAppointmentId = booked.appointment!.emrAppointmentId;

      await handle.signal(cancelOnboardingSignal, { reason: 'patient_request' });
      const result = await handle.result();
      expect(result).toMatchObject({ state: 'cancelled', cancelReason: 'patient_request', openTasks: 0 });
      await expect(emr.getAppointment(emrAppointmentId)).resolves.toMatchObject({ status: 'cancelled' });
      const [mirror] =
        await db.sql`select status from appointments where patient_id = ${String(input.patientId)}`;
      expect(mirror).toMatchObject({ status: 'cancelled' });
      const [c] = await db.sql`select status from coverages where id = ${coverageId}`;
      expect(c).toMatchObject({ status: 'active' });
    });
  });

  it('authorization required (Medicare Advantage plan) → priorAuthorization child started, onboarding continues', async () => {
    // Forms escalation due at once: a front-desk task, closed when the onboarding is cancelled.
    const input = intake(`MAFL-${randomUUID().slice(0, 8)}`, [24], {
      payerId: 'ma-fastlane',
      hoursBefore: { forms: 24 * 30 },
    });
    await run(async (start, client) => {
      const handle = await start(input);
      const s = await waitForStatus(handle, (x) => x.state === 'awaiting_check_in');
      expect(s.coverages[0]).toMatchObject({ outcome: 'active', authorizationRequired: true });
      expect(s.authorizationWorkflowId).toMatch(/^auth:[0-9a-f-]{36}$/);
      const auth = client.workflow.getHandle(s.authorizationWorkflowId!);
      await expect(auth.describe()).resolves.toMatchObject({ type: 'priorAuthorization' });
      await waitForStatus(handle, (x) => x.openTasks === 1);
      await expect
        .poll(
          async () => [
            ...(await db.sql`select kind, status from tasks where patient_id = ${String(input.patientId)}`),
          ],
          { timeout: 15_000 },
        )
        .toEqual([{ kind: 'intake_forms_overdue', status: 'open' }]);
      await handle.signal(cancelOnboardingSignal, { reason: 'duplicate' });
      await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled' });
      // Cancelling the onboarding cancels the authorization it started.
      await expect
        .poll(async () => (await auth.describe()).status.name, { timeout: 15_000 })
        .not.toBe('RUNNING');
      await expect
        .poll(
          async () =>
            (await db.sql`select status from tasks where patient_id = ${String(input.patientId)}`)[0],
          { timeout: 15_000 },
        )
        .toMatchObject({ status: 'cancelled' });
    });
  });

  it('appointment already booked in the EMR → no booking of ours, its time drives the pre-visit steps', async () => {
    const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [24], { hoursBefore: { reminder: 24 * 30 } });
    // The referral arrived in the EMR with an appointment: the patient and the booking exist there already.
    const emrPatient = await emr.upsertPatient({
      patientId: String(input.patientId),
      demographics: { given: ['Ana'], family: 'Rivera', birthDate: '1961-02-03', sex: 'female' },
    });
    const [slot] = await emr.searchFreeSlots({
      from: new Date(Date.now() + 4 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 11 * 86_400_000).toISOString(),
      minMinutes: 60,
      limit: 1,
    });
    const existing = await emr.bookAppointment({
      appointmentId: randomUUID(),
      slotId: slot!.slotId,
      emrPatientId: emrPatient.emrId,
      kind: 'evaluation',
    });
    await run(async (start) => {
      const handle = await start({
        ...input,
        existingAppointment: { emrAppointmentId: existing.emrAppointmentId },
      });
      const s = await waitForStatus(handle, (x) => x.state === 'awaiting_check_in');
      expect(s.appointment).toMatchObject({
        emrAppointmentId: existing.emrAppointmentId,
        start: existing.start,
      });
      await waitForStatus(handle, (x) => x.messages.some((m) => m.template === 'appointment_reminder'));
      const booked = await db.sql`select count(*)::int as n from sandbox_emr.appointments
        where patient_id = ${emrPatient.emrId} and status = 'booked'`;
      expect(booked[0]).toMatchObject({ n: 1 });
      await checkIn(handle, existing.emrAppointmentId);
      await expect(handle.result()).resolves.toMatchObject({ state: 'completed' });
    });
  });

  it('booking fails for good (EMR refuses) → schedule_evaluation front-desk task; booked in the EMR → continues', async () => {
    // No dead end: a booking that spent its retries or was refused hands the booking to the front desk, as when
    // no slot was found, instead of failing the onboarding.
    const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [24], { hoursBefore: { reminder: 24 * 30 } });
    const refusing = {
      ...activities,
      bookEvaluation: async () => {
        throw ApplicationFailure.nonRetryable('the EMR refused the booking', 'EmrRejected');
      },
    };
    await run(async (start) => {
      const handle = await start(input);
      const waiting = await waitForStatus(handle, (s) => s.state === 'needs_scheduling' && s.openTasks === 1);
      expect(waiting.needsAttention).toBe(true);
      await expect
        .poll(
          async () =>
            (
              await db.sql<{ kind: string; assignee_role: string }[]>`select kind, assignee_role from tasks
                where patient_id = ${String(input.patientId)} and status = 'open'`
            )[0],
          { timeout: 15_000 },
        )
        .toMatchObject({ kind: 'schedule_evaluation', assignee_role: 'front_desk' });
      const history = await handle.fetchHistory();
      const patchIds = (history.events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) =>
          Buffer.from(
            e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data ?? [],
          ).toString(),
        );
      expect(patchIds.join(' '), 'the new path is recorded behind patched()').toContain(
        BOOKING_FAILURE_TO_FRONT_DESK_PATCH,
      );

      // The front desk books in the EMR; the EMR's booking event reaches the onboarding, which goes on.
      const patient = await createPatientRepository(db.db, keys).get(
        DEMO_PRACTICE_ID,
        String(input.patientId),
      );
      const [slot] = await emr.searchFreeSlots({
        from: new Date(Date.now() + 4 * 86_400_000).toISOString(),
        to: new Date(Date.now() + 11 * 86_400_000).toISOString(),
        minMinutes: 60,
        limit: 1,
      });
      const booked = await emr.bookAppointment({
        appointmentId: randomUUID(),
        slotId: slot!.slotId,
        emrPatientId: patient!.emrPatientId!,
        kind: 'evaluation',
      });
      await handle.signal(appointmentBookedSignal, {
        emrAppointmentId: booked.emrAppointmentId,
        start: booked.start,
      });
      const after = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in' && s.openTasks === 0);
      expect(after.appointment).toMatchObject({ emrAppointmentId: booked.emrAppointmentId });
      await handle.signal(cancelOnboardingSignal, { reason: 'staff_decision' });
      await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled' });
    }, refusing);
  });

  it('worker without EMR or messaging → registerPatient waits on an admin task; fixed worker + task completed → continues', async () => {
    // Issue #14: a configuration problem never fails the process. The first worker has no onboarding
    // connectors (ConnectorNotConfigured); an admin "fixes the configuration" (a worker with connectors
    // replaces it) and completes the task; the same call is made again and the onboarding goes on.
    const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [24]);
    const taskQueue = uniqueTaskQueue('onboarding-misconfigured');
    const misconfigured = await devServerWorker(taskQueue, createActivities({ db: db.db }));
    const { client, close } = await devServerClient();
    try {
      const handle = await client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('onboarding', String(input.onboardingId)),
        args: [input],
      });
      await waitForStatus(handle, (s) => s.state === 'registering' && s.openTasks === 1);
      await expect
        .poll(
          async () =>
            (
              await db.sql<
                { kind: string; assignee_role: string; details: Record<string, unknown> }[]
              >`select kind, assignee_role, details from tasks
                where patient_id = ${String(input.patientId)}`
            )[0],
          { timeout: 15_000 },
        )
        .toMatchObject({
          kind: 'connector_not_configured',
          assignee_role: 'admin',
          // Staff are told which step waits and exactly which worker settings are missing.
          details: {
            activity: 'registerPatient',
            reason: expect.stringContaining('EMR_FHIR_*/EMR_SMART_*, TWILIO_* and SMTP_*'),
          },
        });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const history = await handle.fetchHistory();
      const patchMarker = history.events?.some(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_patch',
      );
      expect(patchMarker, 'the new path is recorded behind patched()').toBe(true);

      await misconfigured.close();
      const fixed = await devServerWorker(taskQueue, activities);
      try {
        const [row] = await db.sql<{ id: string }[]>`select id from tasks
          where patient_id = ${String(input.patientId)} and kind = 'connector_not_configured'`;
        await client.workflow
          .getHandle(workflowId('task', row!.id))
          .signal(completeTaskSignal, { completedBy: 'admin-1', outcome: {} });
        const booked = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in', 90_000);
        expect(booked).toMatchObject({ openTasks: 0 });
        const [patient] = await db.sql`select id from patients where id = ${String(input.patientId)}`;
        expect(patient).toBeDefined();
        await handle.signal(cancelOnboardingSignal, { reason: 'staff_decision' });
        await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled' });
      } finally {
        await fixed.close();
      }
    } finally {
      await close();
      await misconfigured.close().catch(() => undefined);
    }
  });

  describe('a message waiting out quiet hours holds nothing (issue #19 item 5)', () => {
    it('checked in at night: completed at once, the deferred intake link dropped, never sent late', async () => {
      const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [24], { patientTimeZone: nightZone() });
      const coverageId = input.coverages![0]!.coverageId;
      await run(async (start) => {
        const handle = await start(input);
        const waiting = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in');
        // The intake link waits for the morning: nothing sent, nothing recorded yet.
        expect(waiting.messages).toEqual([]);
        expect(waiting.forms.state).toBe('not_sent');
        expect(await outboxFor(String(input.onboardingId))).toEqual([]);

        // The nightly re-verification's signal (issue #20 item 4): inactive marks it, active clears it.
        await handle.signal(coverageCheckedSignal, { coverageId, outcome: 'inactive' });
        const flagged = await waitForStatus(handle, (s) => s.needsAttention);
        expect(flagged).toMatchObject({ state: 'awaiting_check_in', coverageAlerts: [coverageId] });
        expect(flagged.coverages[0]).toMatchObject({ outcome: 'inactive' });
        const attention = async () =>
          (await handle.describe()).typedSearchAttributes
            .toJSON()
            .find((a) => a.key.name === 'NeedsAttention')?.value;
        await expect.poll(attention, { timeout: 10_000 }).toBe(true);
        await handle.signal(coverageCheckedSignal, { coverageId: randomUUID(), outcome: 'inactive' });
        await handle.signal(coverageCheckedSignal, { coverageId, outcome: 'active' });
        const cleared = await waitForStatus(handle, (s) => !s.needsAttention);
        expect(cleared.coverageAlerts).toBeUndefined();
        expect(cleared.coverages[0]).toMatchObject({ outcome: 'active' });
        await expect.poll(attention, { timeout: 10_000 }).toBe(false);

        await checkIn(handle, waiting.appointment!.emrAppointmentId);
        // The state moves with the check-in, not with the morning.
        await waitForStatus(handle, (s) => s.state === 'completed', 15_000);
        const result = await handle.result();
        expect(result).toMatchObject({ state: 'completed', openTasks: 0, needsAttention: false });
        expect(result.messages).toEqual([{ template: 'intake_link', status: 'dropped' }]);
        expect(await outboxFor(String(input.onboardingId))).toEqual([]);
        await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await handle.fetchHistory());
      });
    });

    it('an insurance update arriving while its request waits for the morning goes on at once', async () => {
      const input = intake(`SBX-INACTIVE-${randomUUID().slice(0, 8)}`, [24], {
        patientTimeZone: nightZone(),
      });
      const coverageId = input.coverages![0]!.coverageId;
      await run(async (start) => {
        const handle = await start(input);
        const waiting = await waitForStatus(
          handle,
          (s) => s.state === 'awaiting_coverage_update' && s.openTasks === 1,
        );
        expect(waiting.messages).toEqual([]);
        await handle.signal(coverageUpdatedSignal, {
          coverageId,
          payerId: 'commercial-ama',
          memberId: `SBX-PR3-${randomUUID().slice(0, 8)}`,
        });
        const after = await waitForStatus(handle, (s) => s.state === 'awaiting_check_in');
        expect(after.coverages[0]).toMatchObject({ outcome: 'active', verifications: 2 });
        expect(after.messages).toEqual([{ template: 'insurance_update_request', status: 'dropped' }]);
        expect(await outboxFor(String(input.onboardingId))).toEqual([]);
        await handle.signal(cancelOnboardingSignal, { reason: 'staff_decision' });
        await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled', openTasks: 0 });
        await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await handle.fetchHistory());
      });
    });
  });

  it('the status snapshot never shows a task state before openTasks counts its task (issue #20 item 4)', async () => {
    const input = intake(`SBX-GARBLE-${randomUUID().slice(0, 8)}`, [24]);
    // Hold the activity that runs between the state change and the task, so the in-between is observable.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered = false;
    const gated = {
      ...activities,
      setCoverageStatus: async (...args: Parameters<typeof activities.setCoverageStatus>) => {
        entered = true;
        await gate;
        return activities.setCoverageStatus(...args);
      },
    };
    await run(async (start) => {
      const handle = await start(input);
      await expect.poll(() => entered, { timeout: 30_000 }).toBe(true);
      const between = await handle.query(onboardingStatusQuery);
      // The process decided on a phone verification, but its task is not raised yet: the status shows neither.
      expect(between).toMatchObject({ state: 'verifying_eligibility', openTasks: 0, needsAttention: false });
      release();
      const seen: OnboardingStatus[] = [];
      const after = await waitForStatus(handle, (s) => {
        seen.push(s);
        return s.state === 'awaiting_phone_verification';
      });
      expect(after.openTasks).toBe(1);
      for (const s of seen) if (s.state === 'awaiting_phone_verification') expect(s.openTasks).toBe(1);
      await handle.signal(cancelOnboardingSignal, { reason: 'staff_decision' });
      await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled', openTasks: 0 });
    }, gated);
  });

  it('a flipped byte in the patient row: one security task, NeedsAttention, no retries (issue #20 item 3)', async () => {
    const input = intake(`SBX-PR3-${randomUUID().slice(0, 8)}`, [24]);
    const patientId = String(input.patientId);
    // The patient is already in our mirror (an earlier import); then one bit of its ciphertext flips.
    await createPatientRepository(db.db, keys).upsert({
      patientId,
      practiceId: DEMO_PRACTICE_ID,
      demographics: {
        given: ['Ana'],
        family: `${CANARY}-Rivera`,
        birthDate: '1961-02-03',
        sex: 'female',
        preferredLanguage: 'en',
      },
      preferredChannel: 'sms',
      language: 'en',
      timezone: CLINIC_TZ,
    });
    const [row] = await db.sql<
      { v: Uint8Array }[]
    >`select demographics_enc as v from patients where id = ${patientId}`;
    const bytes = Buffer.from(row!.v);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await db.sql`update patients set demographics_enc = ${bytes} where id = ${patientId}`;

    const { client: taskClient, close } = await devServerClient();
    try {
      await run(
        async (start, client) => {
          const handle = await start(input);
          const heldStatus = await waitForStatus(handle, (s) => s.integrityHold !== undefined, 30_000);
          expect(heldStatus).toMatchObject({
            state: 'registering',
            needsAttention: true,
            integrityHold: { table: 'patients', rowId: patientId },
          });
          const taskId = heldStatus.integrityHold!.taskId!;
          const taskRows = async () =>
            db.sql<{ id: string; kind: string; assignee_role: string; status: string; details: unknown }[]>`
              select id, kind, assignee_role, status, details from tasks where kind = 'phi_integrity_failure'
                and details->>'rowId' = ${patientId}`;
          await expect.poll(async () => (await taskRows()).length, { timeout: 15_000 }).toBe(1);
          // A moment later still: no retries, no second task.
          await new Promise((r) => setTimeout(r, 3_000));
          const tasksNow = await taskRows();
          expect(tasksNow).toEqual([
            {
              id: taskId,
              kind: 'phi_integrity_failure',
              assignee_role: 'admin',
              status: 'open',
              details: {
                table: 'patients',
                column: 'demographics_enc',
                rowId: patientId,
                reason: 'authentication_failed',
              },
            },
          ]);
          const events = (await handle.fetchHistory()).events ?? [];
          const scheduled = events.filter(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerPatient',
          );
          expect(scheduled).toHaveLength(1);
          const started = events.filter(
            (e) =>
              String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '') ===
              String(scheduled[0]!.eventId),
          );
          expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
          const failure = events.find((e) => e.activityTaskFailedEventAttributes)
            ?.activityTaskFailedEventAttributes?.failure;
          expect(failure?.applicationFailureInfo).toMatchObject({
            type: 'EncryptedRecordUnreadable',
            nonRetryable: true,
          });
          const desc = await handle.describe();
          expect(
            desc.typedSearchAttributes.toJSON().find((a) => a.key.name === 'NeedsAttention')?.value,
          ).toBe(true);
          expect(JSON.stringify(tasksNow) + JSON.stringify(heldStatus)).not.toContain(CANARY);

          await handle.signal(cancelOnboardingSignal, { reason: 'staff_decision' });
          await expect(handle.result()).resolves.toMatchObject({ state: 'cancelled' });
          await client.workflow.getHandle(workflowId('task', taskId)).terminate('test cleanup');
        },
        createActivities({ ...activityDeps, temporal: taskClient }),
      );
    } finally {
      await close();
    }
  });
});
