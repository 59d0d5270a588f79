// The scheduled jobs on the shared dev server (schedules are not supported by the time-skipping server):
// ensureSchedules creates, leaves alone and updates; each schedule triggered with handle.trigger() runs its
// workflow on a real worker against real PostgreSQL, the sandbox payer over real X12/HTTP and sandbox messaging;
// the timely-filing sweep raises exactly one task per claim when run twice.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createClaimActivities, type ClaimAttempt, type ClaimCase } from '../../activities/claim/index.js';
import { createActivities } from '../../activities/index.js';
import type { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { appointments, claims, practices, tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays, addYears, daysBetween } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import {
  ensureSchedules,
  scheduleDeclarations,
  type ScheduleDeclaration,
  type ScheduleSettings,
} from '../../temporal/schedules.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import {
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import { NeedsAttention, ProcessStatus } from '../../workflows/shared/search-attributes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const THERAPIST = '00000000-0000-4000-8000-000000000201';
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
const quiet = { info: () => undefined, warn: () => undefined };
const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });

let db: TestDatabase;
let payer: SandboxServer;
let connector: ClearinghouseConnector;
let temporal: { client: Client; close(): Promise<void> };
let worker: Awaited<ReturnType<typeof devServerWorker>>;
const taskQueue = uniqueTaskQueue('schedules');
/** The digest's practice: its own, so visibility counts are not shared with other test files' processes. */
const digestPractice = randomUUID();
/** Unique schedule ids on the shared server (the real ones keep their names in production). */
const suffix = randomUUID().slice(0, 8);
const declarations: ScheduleDeclaration[] = scheduleDeclarations.map((d) => ({
  ...d,
  scheduleId: `${d.scheduleId}-${suffix}`,
}));
const settings: ScheduleSettings = { taskQueue, timeZone: TZ, paused: true };
const scheduleId = (name: string) => declarations.find((d) => d.name === name)!.scheduleId;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
  await db.db
    .insert(practices)
    .values({ id: digestPractice, name: 'Lakeside PT', npi: '1234567893', timezone: TZ });
  const sandbox = await sandboxPayer(db.sql);
  payer = sandbox.server;
  connector = sandbox.connector;
  temporal = await devServerClient();
  const messaging = createSandboxMessaging({
    db: db.db,
    hashAddress: createAddressHasher(randomBytes(32)),
    logger: quiet,
    practiceContact,
  });
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      payerConnector: sandbox.connector,
      onboarding: {
        emr: new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID }),
        messaging,
        keys,
        practiceContact,
      },
      schedules: {
        recipients: { [digestPractice]: ['frontdesk@lakeside-pt.example', 'owner@lakeside-pt.example'] },
        link: (practiceId) =>
          `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(`PracticeId="${practiceId}"`)}`,
      },
    }),
  );
});

afterAll(async () => {
  for (const d of declarations) {
    await temporal?.client.schedule
      .getHandle(d.scheduleId)
      .delete()
      .catch(() => undefined);
  }
  await worker?.close();
  await temporal?.close();
  await payer?.close();
  await db?.drop();
});

/** Run an activity in a mock activity context (activity info, heartbeats) and keep its result type. */
function call<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
}

/** Trigger a schedule and wait for the run it started; returns the run's result. */
async function triggerAndWait<R>(name: string): Promise<R> {
  const handle = temporal.client.schedule.getHandle(scheduleId(name));
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.trigger();
  for (let i = 0; i < 200; i++) {
    const desc = await handle.describe();
    const last = desc.info.recentActions.at(-1);
    if (desc.info.numActionsTaken > before && last) {
      return (await temporal.client.workflow.getHandle(last.action.workflow.workflowId).result()) as R;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`schedule ${name} did not start a run`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ensureSchedules', () => {
  it('creates the five schedules, leaves them alone when nothing changed, updates them when config changes', async () => {
    expect(await ensureSchedules(temporal.client, settings, declarations)).toEqual({
      'reverify-eligibility': 'created',
      'timely-filing-sweep': 'created',
      'staff-digest': 'created',
      'billing-reconciliation': 'created',
      'equipment-maintenance': 'created',
    });
    const created = await temporal.client.schedule.getHandle(scheduleId('reverify-eligibility')).describe();
    expect(created.state.paused).toBe(true);
    expect(created.policies.overlap).toBe('SKIP');
    expect(created.spec.timezone).toBe(TZ);
    expect(created.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }] });
    expect(created.action).toMatchObject({ workflowType: 'reverifyEligibility', taskQueue });

    expect(await ensureSchedules(temporal.client, settings, declarations)).toEqual({
      'reverify-eligibility': 'unchanged',
      'timely-filing-sweep': 'unchanged',
      'staff-digest': 'unchanged',
      'billing-reconciliation': 'unchanged',
      'equipment-maintenance': 'unchanged',
    });
    const lastUpdate = created.info.lastUpdatedAt?.getTime();
    expect(
      (
        await temporal.client.schedule.getHandle(scheduleId('reverify-eligibility')).describe()
      ).info.lastUpdatedAt?.getTime(),
    ).toBe(lastUpdate);

    // The zone changes: every schedule is updated in place (same id), and stays paused by configuration.
    const moved = { ...settings, timeZone: 'America/New_York' };
    expect(Object.values(await ensureSchedules(temporal.client, moved, declarations))).toEqual([
      'updated',
      'updated',
      'updated',
      'updated',
      'updated',
    ]);
    const updated = await temporal.client.schedule.getHandle(scheduleId('staff-digest')).describe();
    expect(updated.spec.timezone).toBe('America/New_York');
    expect(updated.state.paused).toBe(true);
    expect(await ensureSchedules(temporal.client, moved, declarations)).toMatchObject({
      'staff-digest': 'unchanged',
    });
    // Back to the test's zone for the runs below.
    await ensureSchedules(temporal.client, settings, declarations);
  });
});

describe('ensureSchedules with a keyring that cannot read the stored schedules', () => {
  it('replaces them (a retired payload key must not stop every worker from starting)', async () => {
    const sealed = declarations.map((d) => ({ ...d, scheduleId: `${d.scheduleId}-sealed` }));
    const connect = async (keyId: string) => {
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      const client = new Client({ connection, dataConverter: dataConverterFor(generateKeyring(keyId)) });
      return { client, close: () => connection.close() };
    };
    const [before, after] = [await connect('p-old'), await connect('p-new')];
    try {
      expect(Object.values(await ensureSchedules(before.client, settings, sealed))).toEqual([
        'created',
        'created',
        'created',
        'created',
        'created',
      ]);
      expect(Object.values(await ensureSchedules(after.client, settings, sealed))).toEqual([
        'replaced',
        'replaced',
        'replaced',
        'replaced',
        'replaced',
      ]);
      // Now readable with the new ring, and unchanged on the next start.
      expect(Object.values(await ensureSchedules(after.client, settings, sealed))).toEqual([
        'unchanged',
        'unchanged',
        'unchanged',
        'unchanged',
        'unchanged',
      ]);
      const desc = await after.client.schedule.getHandle(sealed[0]!.scheduleId).describe();
      expect(desc.action).toMatchObject({ workflowType: 'reverifyEligibility', taskQueue });
    } finally {
      for (const d of sealed)
        await after.client.schedule
          .getHandle(d.scheduleId)
          .delete()
          .catch(() => undefined);
      await before.close();
      await after.close();
    }
  });
});

describe('reverifyEligibility (triggered)', () => {
  async function patientWithVisit(memberId: string, hoursAhead: number) {
    const patientId = randomUUID();
    const coverageId = randomUUID();
    await createPatientRepository(db.db, keys).upsert({
      patientId,
      practiceId: DEMO_PRACTICE_ID,
      demographics: {
        given: ['Ana'],
        family: 'Rivera',
        birthDate: '1961-02-03',
        sex: 'female',
        preferredLanguage: 'en',
      },
      preferredChannel: 'sms',
      language: 'en',
      timezone: TZ,
    });
    const coverageRepo = createCoverageRepository(db.db, keys);
    await coverageRepo.upsert({
      coverageId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      payerId: 'commercial-ama',
      priority: 1,
      memberId,
    });
    await coverageRepo.setStatus(DEMO_PRACTICE_ID, coverageId, 'active');
    const appointmentId = randomUUID();
    await db.db.insert(appointments).values({
      id: appointmentId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      therapistId: THERAPIST,
      locationId: DOWNTOWN,
      kind: 'treatment',
      startsAt: new Date(Date.now() + hoursAhead * 3_600_000),
      minutes: 45,
      status: 'booked',
    });
    return { patientId, coverageId, appointmentId };
  }

  const checks = (coverageId: string) =>
    db.sql<{ outcome: string }[]>`select outcome from eligibility_checks where coverage_id = ${coverageId}`;
  const coverageStatus = async (coverageId: string) =>
    (await db.sql<{ status: string }[]>`select status from coverages where id = ${coverageId}`)[0]?.status;
  const tasksOf = (patientId: string) => db.db.select().from(tasks).where(eq(tasks.patientId, patientId));

  it('re-checks coverages of visits in the next 48 h and raises a front-desk task for an inactive one', async () => {
    const lapsed = await patientWithVisit(`SBX-INACTIVE-${suffix}`, 20);
    const fine = await patientWithVisit(`MBR-${suffix}`, 30);
    const later = await patientWithVisit(`SBX-INACTIVE-${suffix}B`, 72);

    const result = await triggerAndWait<{ coverages: number; inactive: number; tasksRaised: number }>(
      'reverify-eligibility',
    );
    expect(result.inactive).toBeGreaterThanOrEqual(1);

    expect(await checks(lapsed.coverageId)).toEqual([{ outcome: 'inactive' }]);
    expect(await checks(fine.coverageId)).toEqual([{ outcome: 'active' }]);
    expect(await checks(later.coverageId)).toEqual([]);
    expect(await coverageStatus(lapsed.coverageId)).toBe('inactive');
    expect(await coverageStatus(fine.coverageId)).toBe('active');
    expect(await coverageStatus(later.coverageId)).toBe('active');

    const raised = await until('the front-desk task row', async () => {
      const rows = await tasksOf(lapsed.patientId);
      return rows.length > 0 ? rows : undefined;
    });
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      kind: 'coverage_inactive_before_visit',
      assigneeRole: 'front_desk',
      status: 'open',
      processKind: 'reverifyEligibility',
      details: { coverageId: lapsed.coverageId, appointmentId: lapsed.appointmentId },
    });
    // Due before the visit starts.
    const visit = await db.sql<
      { starts_at: string }[]
    >`select starts_at from appointments where id = ${lapsed.appointmentId}`;
    expect(raised[0]!.dueAt.getTime()).toBeLessThan(new Date(visit[0]!.starts_at).getTime());
    expect(await tasksOf(fine.patientId)).toEqual([]);
    expect(await tasksOf(later.patientId)).toEqual([]);
  });

  it("an inactive coverage marks the patient's own plan of care NeedsAttention; active again clears it", async () => {
    const lapsed = await patientWithVisit(`SBX-INACTIVE-${suffix}C`, 10);
    const episodeId = randomUUID();
    const poc = await temporal.client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowId('poc', episodeId),
      args: [
        {
          episodeId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: lapsed.patientId,
          referringPractitionerId: randomUUID(),
          timezone: TZ,
          firstTreatmentDate: localDate(new Date(), TZ),
        },
      ],
    });
    try {
      const visible = `PatientId = '${lapsed.patientId}' AND ExecutionStatus = 'Running'`;
      await until('the plan of care in visibility', async () =>
        (await temporal.client.workflow.count(visible)).count > 0 ? true : undefined,
      );
      expect((await poc.query(planOfCareStatusQuery)).needsAttention).toBe(false);

      const result = await triggerAndWait<{ processesSignalled?: number }>('reverify-eligibility');
      expect(result.processesSignalled).toBeGreaterThanOrEqual(1);
      const flagged = await poc.query(planOfCareStatusQuery);
      expect(flagged).toMatchObject({ needsAttention: true, coverageAlerts: [lapsed.coverageId] });
      const attention = async () =>
        (await poc.describe()).typedSearchAttributes.toJSON().find((a) => a.key.name === 'NeedsAttention')
          ?.value;
      await until('NeedsAttention set', async () => ((await attention()) === true ? true : undefined));

      // The front desk updates the insurance; the next night's 271 says active: the mark goes.
      await createCoverageRepository(db.db, keys).upsert({
        coverageId: lapsed.coverageId,
        practiceId: DEMO_PRACTICE_ID,
        patientId: lapsed.patientId,
        payerId: 'commercial-ama',
        priority: 1,
        memberId: `MBR-${suffix}C`,
      });
      await createCoverageRepository(db.db, keys).setStatus(DEMO_PRACTICE_ID, lapsed.coverageId, 'active');
      await until('NeedsAttention indexed', async () =>
        (await temporal.client.workflow.count(`${visible} AND NeedsAttention = true`)).count > 0
          ? true
          : undefined,
      );
      await triggerAndWait('reverify-eligibility');
      const cleared = await poc.query(planOfCareStatusQuery);
      expect(cleared.needsAttention).toBe(false);
      expect(cleared.coverageAlerts).toBeUndefined();
    } finally {
      await poc.terminate('test cleanup');
    }
  });
});

describe('sweepTimelyFiling (triggered)', () => {
  const today = localDate(new Date(), TZ);
  async function claim(payerId: string, serviceDate: string, status: string) {
    const id = randomUUID();
    await db.db.insert(claims).values({
      id,
      practiceId: DEMO_PRACTICE_ID,
      patientId: randomUUID(),
      visitId: id,
      payerId,
      serviceDate,
      patientControlNumber: `PT${id.replace(/-/g, '').slice(0, 18).toUpperCase()}`,
      status,
      chargeCents: 12_000,
      workflowId: workflowId('claim', id),
    });
    return id;
  }
  const taskRowsFor = (claimId: string) =>
    db.sql<{ kind: string; assignee_role: string; status: string }[]>`
      select kind, assignee_role, status from tasks where details->>'claimId' = ${claimId}`;

  it('raises exactly one biller task per claim near or past its limit, even when run twice', async () => {
    // Medicare: one calendar year from the DOS, 30-day lead → 15 days left.
    const nearMedicare = await claim('medicare-part-b', addYears(addDays(today, 15), -1), 'held');
    // Commercial: 90 days → 10 days past the limit, rejected at the front end (never filed).
    const expiredCommercial = await claim('commercial-ama', addDays(today, -100), 'rejected');
    // Not due yet: 10 days after the DOS.
    const fresh = await claim('medicare-part-b', addDays(today, -10), 'submitted');
    // Adjudicated: never swept.
    const paid = await claim('commercial-ama', addDays(today, -200), 'paid');
    // A payer without a profile: reported, not tasked.
    const unknown = await claim('acme-health', addDays(today, -300), 'held');

    const first = await triggerAndWait<{ raised: number; unknownPayer: number }>('timely-filing-sweep');
    expect(first.raised).toBeGreaterThanOrEqual(2);
    expect(first.unknownPayer).toBeGreaterThanOrEqual(1);
    await until('both task rows', async () =>
      (await taskRowsFor(nearMedicare)).length === 1 && (await taskRowsFor(expiredCommercial)).length === 1
        ? true
        : undefined,
    );

    const second = await triggerAndWait<{ raised: number; alreadyRaised: number }>('timely-filing-sweep');
    expect(second.raised).toBe(0);
    expect(second.alreadyRaised).toBeGreaterThanOrEqual(2);

    expect(await taskRowsFor(nearMedicare)).toEqual([
      { kind: 'timely_filing_deadline', assignee_role: 'biller', status: 'open' },
    ]);
    expect(await taskRowsFor(expiredCommercial)).toEqual([
      { kind: 'timely_filing_expired', assignee_role: 'biller', status: 'open' },
    ]);
    expect(await taskRowsFor(fresh)).toEqual([]);
    expect(await taskRowsFor(paid)).toEqual([]);
    expect(await taskRowsFor(unknown)).toEqual([]);
  });
});

describe('held claims in the mirror', () => {
  it('a claim the scrubber holds is mirrored as held with its date of service, and the sweep tasks it', async () => {
    const today = localDate(new Date(), TZ);
    const dos = addYears(addDays(today, 20), -1);
    const claimId = randomUUID();
    const acts = createClaimActivities({ db: db.db, payer: connector });
    const claimCase: ClaimCase = {
      claimId,
      practiceId: DEMO_PRACTICE_ID,
      patientId: randomUUID(),
      patientControlNumber: `PT${claimId.replace(/-/g, '').slice(0, 18).toUpperCase()}`,
      visit: {
        id: claimId,
        practiceId: DEMO_PRACTICE_ID,
        patientId: 'synthetic-patient',
        payerId: 'medicare-part-b',
        dos,
        renderingNpi: '1987654328',
        interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
        diagnoses: [], // DIAGNOSIS_MISSING: the claim is held, never sent
        totalTreatmentMinutes: 30,
      },
      parties: {
        billingProvider: {
          name: 'RIVERSIDE PHYSICAL THERAPY',
          npi: '1234567893',
          taxId: '123456789',
          address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
        },
        subscriber: {
          memberId: 'MBR-1',
          lastName: 'DOE',
          firstName: 'JANE',
          dateOfBirth: '1950-04-15',
          gender: 'F',
        },
        referringProvider: { name: 'NGUYEN', firstName: 'LINDA', npi: '1679576722' },
      },
    };
    const attempt: ClaimAttempt = { number: 1, frequency: '1' };
    const prepared = await call(acts.prepareClaim, claimCase, attempt, today);
    expect(prepared.submittable).toBe(false);
    expect(prepared.findings.map((f) => f.code)).toContain('DIAGNOSIS_MISSING');

    const [row] = await db.db.select().from(claims).where(eq(claims.id, claimId));
    expect(row).toMatchObject({
      status: 'held',
      serviceDate: dos,
      payerId: 'medicare-part-b',
      submissions: 0,
    });

    await triggerAndWait('timely-filing-sweep');
    const raised = await until('the timely-filing task', async () => {
      const rows = await db.sql<{ kind: string; details: { daysLeft: number } }[]>`
        select kind, details from tasks where details->>'claimId' = ${claimId}`;
      return rows.length > 0 ? rows : undefined;
    });
    expect(raised).toEqual([
      {
        kind: 'timely_filing_deadline',
        details: expect.objectContaining({ daysLeft: daysBetween(today, addYears(dos, 1)) }),
      },
    ]);
  });
});

describe('sendStaffDigest (triggered)', () => {
  it('e-mails each recipient the practice counts by role and the processes needing attention, nothing else', async () => {
    const hour = 3_600_000;
    const row = (role: 'front_desk' | 'biller', status: 'open' | 'escalated', dueInHours: number) => {
      const id = randomUUID();
      return {
        id,
        practiceId: digestPractice,
        dedupeKey: `task:${id}`,
        kind: 'test_task',
        assigneeRole: role,
        status,
        title: 'A task',
        dueAt: new Date(Date.now() + dueInHours * hour),
        workflowId: workflowId('task', id),
        processKind: 'test',
        patientId: randomUUID(),
      };
    };
    await db.db.insert(tasks).values([
      row('front_desk', 'open', -2), // overdue by its due date
      row('front_desk', 'escalated', 5), // escalated counts as overdue
      row('biller', 'open', 24),
      { ...row('biller', 'open', -1), status: 'completed' as const }, // done: not counted
    ]);
    // One running process of the practice flagged NeedsAttention: an admin task past its due date, escalated by
    // its own workflow (which sets its search attributes itself).
    const attentionTask = randomUUID();
    const attention = await temporal.client.workflow.start(humanTask, {
      taskQueue,
      workflowId: workflowId('task', attentionTask),
      args: [
        {
          taskId: attentionTask,
          practiceId: digestPractice,
          kind: 'test_task',
          assigneeRole: 'admin',
          title: 'An admin task',
          dueAt: new Date(Date.now() - hour).toISOString(),
          parentWorkflowId: 'test',
          processKind: 'test',
        },
      ],
    });
    await until('the visibility count', async () =>
      (
        await temporal.client.workflow.count(
          `PracticeId = "${digestPractice}" AND NeedsAttention = true AND ExecutionStatus = "Running"`,
        )
      ).count === 1
        ? true
        : undefined,
    );
    await until('the admin task row', async () =>
      (await db.sql`select 1 from tasks where id = ${attentionTask} and status = 'escalated'`).length === 1
        ? true
        : undefined,
    );

    const result = await triggerAndWait<{ practices: number; sent: number }>('staff-digest');
    expect(result).toMatchObject({ practices: 1, sent: 2 });
    // The run is findable and says what it is (issue #12): NeedsAttention false (no practice failed), a summary
    // from its declaration (user metadata, through this client's codec) and its outcome as current details.
    const run = await temporal.client.workflow
      .getHandle(
        (
          await temporal.client.schedule.getHandle(scheduleId('staff-digest')).describe()
        ).info.recentActions.at(-1)!.action.workflow.workflowId,
      )
      .describe();
    expect(run.typedSearchAttributes.get(NeedsAttention)).toBe(false);
    expect(run.typedSearchAttributes.get(ProcessStatus)).toBe('completed');
    expect(await run.staticSummary()).toMatch(/^Scheduled · Morning e-mail per practice/);

    const outbox = await db.sql<
      { recipient_masked: string; subject: string; body: string; template: string }[]
    >`
      select recipient_masked, subject, body, template from sandbox.sandbox_outbox
      where practice_id = ${digestPractice} order by recipient_masked`;
    expect(outbox).toHaveLength(2);
    for (const m of outbox) {
      expect(m.template).toBe('staff_digest');
      expect(m.subject).toContain('Lakeside PT: staff digest for');
      expect(m.body).toContain('Front desk  2 (2)');
      expect(m.body).toContain('Billing     1 (0)');
      expect(m.body).toContain('Admin       1 (1)');
      expect(m.body).toContain('Therapists  0 (0)');
      expect(m.body).toContain('Processes needing attention: 1');
      expect(m.body).toContain(`PracticeId%3D%22${digestPractice}%22`);
      // Counts only: no patient, task or workflow id of any task appears.
      const ids = await db.sql<{ patient_id: string | null; id: string }[]>`
        select patient_id, id from tasks where practice_id = ${digestPractice}`;
      for (const t of ids) {
        if (t.patient_id) expect(m.body).not.toContain(t.patient_id);
        expect(m.body).not.toContain(t.id);
      }
    }
    const messages = await db.sql<{ patient_id: string | null; status: string }[]>`
      select patient_id, status from messages where practice_id = ${digestPractice}`;
    expect(messages).toEqual([
      { patient_id: null, status: 'sent' },
      { patient_id: null, status: 'sent' },
    ]);

    // A second trigger the same day sends nothing new (message ids are per practice, day and recipient).
    const again = await triggerAndWait<{ sent: number }>('staff-digest');
    expect(again.sent).toBe(2);
    expect(
      (await db.sql`select 1 from sandbox.sandbox_outbox where practice_id = ${digestPractice}`).length,
    ).toBe(2);
    await attention.terminate('test done');
  });
});

describe('ptflow schedules (CLI)', () => {
  const run = promisify(execFile);
  const tsx = path.resolve('node_modules', '.bin', 'tsx');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-schedules-cli-'));
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    PTFLOW_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `cli-${suffix}`,
    PTFLOW_SCHEDULES: 'paused',
  };
  const cli = (...args: string[]) =>
    run(tsx, ['cli/main.ts', 'schedules', ...args], { env, cwd: path.resolve('.') }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  afterAll(async () => {
    for (const d of scheduleDeclarations) {
      // Only the ones this test's queue owns (other files' workers may ensure the same ids on the shared server).
      const h = temporal.client.schedule.getHandle(d.scheduleId);
      const desc = await h.describe().catch(() => undefined);
      if (desc?.action.taskQueue === env.TEMPORAL_TASK_QUEUE) await h.delete().catch(() => undefined);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('ensure creates or updates the configured schedules, list shows them paused, an unknown name is a usage error', async () => {
    const ensured = await cli('ensure');
    expect(ensured.code).toBe(0);
    expect(ensured.stdout).toMatch(/reverify-eligibility\s+(created|updated|replaced)/);
    expect(ensured.stdout).toMatch(/timely-filing-sweep\s+(created|updated|replaced)/);
    expect(ensured.stdout).toMatch(/staff-digest\s+(created|updated|replaced)/);
    expect(ensured.stdout).toMatch(/billing-reconciliation\s+(created|updated|replaced)/);
    expect((await cli('ensure')).stdout).toMatch(/staff-digest\s+unchanged/);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(5);
    for (const line of listed.stdout.trim().split('\n')) expect(line).toMatch(/^\S+\s+paused\s+next \d{4}-/);

    const unknown = await cli('trigger', 'nightly-everything');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown schedule "nightly-everything"');
  });
});
