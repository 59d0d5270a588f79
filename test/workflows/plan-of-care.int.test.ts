// planOfCare on real servers with the real worklist in PostgreSQL. The practitioner connector is a recording
// fake (the workflow's contract is the PhysicianPort); the authorization is a real priorAuthorization workflow
// with a scripted payer, so "discharge closes the authorization" is observed on the authorization itself.
// Time-skipping tests live in this one file so they never run in parallel with each other.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import type { PhysicianPort } from '../../activities/plan-of-care/index.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import type { PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  dischargePlanOfCareSignal,
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  recordOutcomeUpdate,
  recordProgressReportUpdate,
  visitCompletedSignal,
  type PlanOfCareInput,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import {
  priorAuthorizationStatusQuery,
  type PriorAuthorizationInput,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { NeedsAttention, ProcessKind } from '../../workflows/shared/search-attributes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  devServerClient,
  devServerWorker,
  timeSkippingEnv,
  uniqueTaskQueue,
  workflowBundle,
} from '../helpers/temporal.js';

const TZ = 'America/Chicago';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => db?.drop());

/** Records every document sent to the practitioner with its idempotency key. */
function recordingPhysician() {
  const sent: { kind: 'poc' | 'progress' | 'discharge'; doc: unknown; key: string }[] = [];
  const receipt = () => ({ transmissionId: `tx-${sent.length}`, sentAt: new Date().toISOString() });
  const port: PhysicianPort = {
    sendPlanOfCare: async (doc, key) => (sent.push({ kind: 'poc', doc, key }), receipt()),
    sendProgressSummary: async (doc, key) => (sent.push({ kind: 'progress', doc, key }), receipt()),
    sendDischargeSummary: async (doc, key) => (sent.push({ kind: 'discharge', doc, key }), receipt()),
  };
  return { port, sent };
}

function approvingPayer(today: string): AuthorizationPayerPort {
  const decision: PayerDecision = {
    outcome: 'approved',
    authNumber: 'MA-POC-1',
    visitsAuthorized: 30,
    startDate: today,
    endDate: addDays(today, 150),
  };
  return { submit: async () => decision, status: async () => decision };
}

function authInput(today: string, patientId: string): PriorAuthorizationInput {
  return {
    authorizationId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    coverageId: randomUUID(),
    payerId: 'ma-fastlane',
    timezone: TZ,
    requestedVisits: 30,
    startDate: today,
    urgency: 'standard',
    planOfCareContinues: false,
  };
}

function pocInput(today: string, overrides: Partial<PlanOfCareInput> = {}): PlanOfCareInput {
  return {
    episodeId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    referringPractitionerId: randomUUID(),
    timezone: TZ,
    firstTreatmentDate: today,
    ...overrides,
  };
}

async function tasksOf(parent: string) {
  return db.db.select().from(tasks).where(eq(tasks.workflowId, parent));
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startAuth(client: Client, taskQueue: string, today: string, patientId: string) {
  const args = authInput(today, patientId);
  const handle = await client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('auth', args.authorizationId),
    args: [args],
  });
  await eventually(
    () => handle.query(priorAuthorizationStatusQuery),
    (s) => s.status === 'approved',
  );
  return handle;
}

async function signalNames(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map(
      (e) =>
        (e as { workflowExecutionSignaledEventAttributes?: { signalName?: string } })
          .workflowExecutionSignaledEventAttributes?.signalName,
    )
    .filter((n): n is string => typeof n === 'string');
}

describe('planOfCare on the dev server', () => {
  it('60 visits stay well under a few thousand events per run, and continue-as-new keeps the state', async () => {
    const physician = recordingPhysician();
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(
      taskQueue,
      createActivities({ db: db.db, physician: physician.port }),
    );
    const { client, close } = await devServerClient();
    try {
      const today = localDate(new Date(), TZ);
      const run = async (maxHistoryEventsPerRun?: number) => {
        const args = pocInput(today, { maxHistoryEventsPerRun });
        const id = workflowId('poc', args.episodeId);
        await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: id,
          // As a starter sets it; a continued run no longer has it (see below).
          staticSummary: 'Plan of care · probe',
          args: [args],
        });
        const handle = client.workflow.getHandle(id);
        // The evaluation is treatment day 1; 60 more visits, a progress report on every 10th treatment day.
        for (let i = 1; i <= 60; i++) {
          const dos = addDays(today, i);
          await handle.signal(visitCompletedSignal, { visitId: `visit-${i}`, dos });
          // One workflow task per visit (the worst case for history size), not a batch of signals.
          await eventually(
            () => client.workflow.getHandle(id).query(planOfCareStatusQuery),
            (st) => st.visitsCounted === i,
          );
          if ((i + 1) % 10 === 0)
            await client.workflow
              .getHandle(id)
              .executeUpdate(recordProgressReportUpdate, { args: [{ reportDate: dos }] });
        }
        await handle.signal(visitCompletedSignal, { visitId: 'visit-1', dos: addDays(today, 1) });
        const status = await eventually(
          () => client.workflow.getHandle(id).query(planOfCareStatusQuery),
          (s) => s.visitsCounted === 60,
        );
        return {
          id,
          status,
          events: (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0,
        };
      };

      const natural = await run();
      expect(natural.status).toMatchObject({
        treatmentDays: 61,
        visitsCounted: 60,
        progressReportOverdue: false,
        needsAttention: false,
        status: 'awaiting_certification',
      });
      console.log(`planOfCare, 60 visits: ${natural.events} history events in one run`);
      expect(natural.events).toBeLessThan(1_500);

      const capped = await run(150);
      expect(capped.status).toMatchObject({
        treatmentDays: 61,
        visitsCounted: 60,
        progressReportOverdue: false,
      });
      expect(capped.status.runs).toBeGreaterThan(1);
      expect(capped.events).toBeLessThan(250);
      // Search attributes survive continue-as-new.
      const after = await client.workflow.getHandle(capped.id).describe();
      expect(after.typedSearchAttributes.get(ProcessKind)).toBe('planOfCare');
      // What it is about survives too (issue #12): Temporal keeps no static summary across continue-as-new, so
      // the continued run says it in its current details (the metadata query the Temporal UI shows).
      const metadata = await client.workflow
        .getHandle(capped.id)
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toMatch(
        new RegExp(
          `^Plan of care · from ${today} — awaiting certification · 61 treatment days\\n\\n\\*\\*Plan of care\\*\\*`,
        ),
      );
      const first = await client.workflow
        .getHandle(natural.id)
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(first.currentDetails).toBe('awaiting certification · 61 treatment days');
      expect(await (await client.workflow.getHandle(natural.id).describe()).staticSummary()).toBe(
        'Plan of care · probe',
      );
      // Progress-report tasks: once per period across runs, and every summary went out exactly once.
      const raised = (
        await eventually(
          () => tasksOf(capped.id),
          (t) => t.filter((x) => x.kind === 'progress_report_due').length >= 6,
        )
      ).filter((x) => x.kind === 'progress_report_due');
      const periods = raised.map((t) => (t.details as { periodStart: string }).periodStart);
      expect(periods).toHaveLength(6);
      expect(new Set(periods).size).toBe(6);
      const summaries = physician.sent.filter(
        (s) => s.kind === 'progress' && s.key.includes(capped.id.slice(4)),
      );
      expect(summaries).toHaveLength(6);
      expect(new Set(summaries.map((s) => s.key)).size).toBe(6);
    } finally {
      await close();
      await worker.close();
    }
  });

  it('outcomes: out-of-range score rejected, plateau flagged against the MCID with a therapist task; discharge closes the authorization', async () => {
    const physician = recordingPhysician();
    const today = localDate(new Date(), TZ);
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(
      taskQueue,
      createActivities({ db: db.db, physician: physician.port, payer: approvingPayer(today) }),
    );
    const { client, close } = await devServerClient();
    try {
      const patientId = randomUUID();
      const auth = await startAuth(client, taskQueue, today, patientId);
      const args = pocInput(today, { patientId, authorizationWorkflowId: auth.workflowId });
      const id = workflowId('poc', args.episodeId);
      const handle = await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [args],
      });

      const bad = await handle
        .executeUpdate(recordOutcomeUpdate, { args: [{ instrument: 'ODI', score: 140, date: today }] })
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((bad as WorkflowUpdateFailedError).cause as Error).message).toBe(
        'ODI score 140 is outside its range 0–100.',
      );

      await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ instrument: 'ODI', score: 44, date: today }],
      });
      // Same instrument and date again: a correction replaces the score.
      await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ instrument: 'ODI', score: 40, date: today }],
      });
      const second = await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ instrument: 'ODI', score: 36, date: addDays(today, 7) }],
      });
      expect(second).toMatchObject({ trend: 'insufficient_data', improvementFromBaseline: 4 });
      const third = await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ instrument: 'ODI', score: 35, date: addDays(today, 14) }],
      });
      expect(third).toMatchObject({ trend: 'plateau', mcid: 10, meaningfulSinceBaseline: false });

      const status = await eventually(
        () => handle.query(planOfCareStatusQuery),
        (s) => s.plateau && s.needsAttention,
      );
      expect(status).toMatchObject({ plateau: true, needsAttention: true });
      const raised = await eventually(
        () => tasksOf(id),
        (t) => t.some((x) => x.kind === 'outcome_plateau'),
      );
      const plateauTask = raised.find((x) => x.kind === 'outcome_plateau');
      expect(plateauTask).toMatchObject({ assigneeRole: 'therapist' });
      expect(plateauTask?.details).toMatchObject({ instrument: 'ODI', trend: 'plateau' });
      expect(String((plateauTask?.details as Record<string, unknown>).nextSteps)).toContain('reassess_goals');
      const described = await eventually(
        () => handle.describe(),
        (d) => d.typedSearchAttributes.get(NeedsAttention) === true,
      );
      expect(described.typedSearchAttributes.get(ProcessKind)).toBe('planOfCare');
      const found = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const w of client.workflow.list({
            query: `PatientId = '${patientId}' AND NeedsAttention = true AND ProcessKind = 'planOfCare'`,
          }))
            ids.push(w.workflowId);
          return ids;
        },
        (ids) => ids.length > 0,
      );
      expect(found).toEqual([id]);
      // The same visibility query through the Temporal CLI, as staff would type it.
      const { stdout } = await promisify(execFile)(inject('temporalCliPath'), [
        'workflow',
        'list',
        '--address',
        inject('temporalAddress'),
        '--query',
        `PatientId = '${patientId}' AND NeedsAttention = true`,
        '--output',
        'json',
      ]);
      const listed = (JSON.parse(stdout) as { execution: { workflowId: string } }[]).map(
        (w) => w.execution.workflowId,
      );
      expect(listed).toContain(id);

      // A progress report sends the summary with the outcome assessment to the practitioner.
      await handle.executeUpdate(recordProgressReportUpdate, { args: [{ reportDate: addDays(today, 14) }] });
      await eventually(
        async () => physician.sent.filter((s) => s.kind === 'progress'),
        (s) => s.length === 1,
      );
      expect(physician.sent.find((s) => s.kind === 'progress')?.doc).toMatchObject({
        outcomes: [{ instrument: 'ODI', trend: 'plateau' }],
      });

      await handle.signal(dischargePlanOfCareSignal, { reason: 'plateau' });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'discharged', discharged: { reason: 'plateau', date: today } });
      // The plan of care itself goes out through its signature process (PhysicianDelivery), not this port.
      expect(physician.sent.map((s) => s.kind)).toEqual(['progress', 'discharge']);
      expect(physician.sent[1]?.key).toBe(`poc:${args.episodeId}:discharge`);
      expect(await auth.result()).toMatchObject({ status: 'closed' });
      expect(await signalNames(auth)).toContain('discharge');
      // The code replays its own history deterministically.
      await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await handle.fetchHistory(), id);
    } finally {
      await close();
      await worker.close();
    }
  });
});

describe('planOfCare without a practitioner connector', () => {
  // Time skipping: the signature process sends only inside the office's hours (Monday–Friday, clinic zone), so on
  // the wall clock this waited for 09:00 in Chicago and failed whenever the suite ran at night or on a weekend.
  it('a POC that cannot be sent becomes a front-desk task (of its signature process) instead of failing the episode', async () => {
    const env = await timeSkippingEnv();
    try {
      const taskQueue = uniqueTaskQueue();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        activities: createActivities({ db: db.db }),
        workflowBundle: workflowBundle(),
      });
      await worker.runUntil(async () => {
        const args = pocInput(localDate(new Date(await env.currentTimeMs()), TZ));
        const id = workflowId('poc', args.episodeId);
        const handle = await env.client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: id,
          args: [args],
        });
        const started = await eventually(
          () => handle.query(planOfCareStatusQuery),
          (s) => (s.signatureProcesses?.length ?? 0) > 0,
        );
        const signatureId = workflowId('pocsig', started.signatureProcesses![0]!.processId);
        // Up to a weekend and a night until the office opens: an hour of workflow time at a time.
        let raised = await tasksOf(signatureId);
        for (let i = 0; i < 80 && !raised.some((x) => x.kind === 'poc_delivery_failed'); i++) {
          await env.sleep('1 hour');
          raised = await eventually(
            () => tasksOf(signatureId),
            (t) => t.some((x) => x.kind === 'poc_delivery_failed'),
            300,
          );
        }
        expect(raised.find((x) => x.kind === 'poc_delivery_failed')).toMatchObject({
          assigneeRole: 'front_desk',
          status: 'open',
          details: expect.objectContaining({
            outcomes: 'auto:delivery_not_configured,email:delivery_not_configured',
          }),
        });
        expect(await handle.query(planOfCareStatusQuery)).toMatchObject({ status: 'awaiting_certification' });
        await handle.signal(dischargePlanOfCareSignal, { reason: 'patient_request' });
        // Discharge cancels the signature process, which closes its task.
        expect(await env.client.workflow.getHandle(signatureId).result()).toMatchObject({
          state: 'cancelled',
        });
        const closed = await eventually(
          () => tasksOf(signatureId),
          (t) => t.every((x) => x.status === 'cancelled'),
        );
        expect(closed.map((t) => t.status)).toEqual(['cancelled']);
        // The discharge summary cannot go out either: a task again, and the episode still completes.
        expect(await handle.result()).toMatchObject({
          status: 'discharged',
          discharged: { reason: 'patient_request' },
        });
        const after = await eventually(
          () => tasksOf(id),
          (t) => t.some((x) => x.kind === 'discharge_summary_send_failed'),
        );
        expect(after.map((t) => t.kind)).toContain('discharge_summary_send_failed');
      });
    } finally {
      await env.teardown();
    }
  });
});

describe('planOfCare with time skipping', () => {
  it('the certification chase is left to the signature process (one per cycle), progress task before day 10 and overdue after it, recertification before day 90, discharge after 30 days without visits closes the authorization', async () => {
    const env = await timeSkippingEnv();
    try {
      const start = new Date(await env.currentTimeMs());
      const today = localDate(start, TZ);
      const physician = recordingPhysician();
      const taskQueue = uniqueTaskQueue();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        activities: createActivities({ db: db.db, physician: physician.port, payer: approvingPayer(today) }),
        workflowBundle: workflowBundle(),
      });
      await worker.runUntil(async () => {
        const now = async () => localDate(new Date(await env.currentTimeMs()), TZ);
        const day = async () => Math.floor(((await env.currentTimeMs()) - start.getTime()) / 86_400_000);
        const patientId = randomUUID();
        const auth = await startAuth(env.client, taskQueue, today, patientId);
        const args = pocInput(today, { patientId, authorizationWorkflowId: auth.workflowId });
        const id = workflowId('poc', args.episodeId);
        const handle = await env.client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: id,
          args: [args],
        });
        const kinds = async () => (await tasksOf(id)).map((t) => t.kind);

        // Treatment days spaced two days apart: the evaluation is day 1, visits 2..10 follow.
        for (let td = 2; td <= 10; td++) {
          await env.sleep('2 days');
          await handle.signal(visitCompletedSignal, { visitId: `v${td}`, dos: await now() });
          if (td === 8) {
            const s = await eventually(
              () => handle.query(planOfCareStatusQuery),
              (x) => x.treatmentDays === 8,
            );
            expect(s.progressReport).toMatchObject({ treatmentDayInPeriod: 8, status: 'due_soon' });
            expect(await eventually(kinds, (k) => k.includes('progress_report_due'))).toContain(
              'progress_report_due',
            );
          }
        }
        // Treatment day 10 is today: due, not yet overdue.
        expect(await handle.query(planOfCareStatusQuery)).toMatchObject({
          treatmentDays: 10,
          progressReportOverdue: false,
          progressReport: { status: 'due_today' },
        });
        await env.sleep('1 day');
        const overdue = await handle.query(planOfCareStatusQuery);
        expect(overdue).toMatchObject({ progressReportOverdue: true, needsAttention: true });
        expect((await handle.describe()).typedSearchAttributes.get(NeedsAttention)).toBe(true);

        // The certification is chased by the episode's signature process (test/workflows/poc-signature.int.test.ts):
        // the plan of care raises no reminder or escalation task of its own. Without a delivery connector on this
        // worker, the signature process has one front-desk task: send the plan of care another way.
        await env.sleep(`${29 - (await day())} days`);
        expect(await kinds()).not.toContain('poc_certification_reminder');
        expect(await kinds()).not.toContain('poc_certification_escalation');
        const { signatureProcesses } = await handle.query(planOfCareStatusQuery);
        expect(signatureProcesses?.map((p) => p.cycle)).toEqual(['initial']);
        const signatureId = workflowId('pocsig', signatureProcesses![0]!.processId);
        expect((await tasksOf(signatureId)).map((t) => [t.kind, t.assigneeRole])).toEqual([
          ['poc_delivery_failed', 'front_desk'],
        ]);

        // The progress report and the signature arrive: the flag clears, the POC is certified.
        await handle.executeUpdate(recordProgressReportUpdate, { args: [{ reportDate: await now() }] });
        const certified = await handle.executeUpdate(recordCertificationUpdate, {
          args: [{ kind: 'signature', signedDate: addDays(today, 29) }],
        });
        expect(certified).toMatchObject({
          status: 'certified',
          progressReportOverdue: false,
          needsAttention: false,
        });
        // The tasks those chased are moot now: cancelled on the worklist.
        const moot = await eventually(
          () => tasksOf(id),
          (t) =>
            t
              .filter((x) =>
                [
                  'progress_report_due',
                  'poc_certification_reminder',
                  'poc_certification_escalation',
                ].includes(x.kind),
              )
              .every((x) => x.status === 'cancelled'),
        );
        expect(
          moot
            .filter((x) =>
              ['progress_report_due', 'poc_certification_reminder', 'poc_certification_escalation'].includes(
                x.kind,
              ),
            )
            .map((x) => x.status),
        ).toEqual(['cancelled']);

        // Keep treating weekly so the episode stays active, until the recertification window (day 90 - 10).
        while ((await day()) < 73) {
          await env.sleep('7 days');
          await handle.signal(visitCompletedSignal, { visitId: `w${await day()}`, dos: await now() });
        }
        expect(await kinds()).not.toContain('poc_recertification_due');
        await env.sleep(`${81 - (await day())} days`);
        expect(await eventually(kinds, (k) => k.includes('poc_recertification_due'))).toContain(
          'poc_recertification_due',
        );
        expect((await handle.query(planOfCareStatusQuery)).status).toBe('recertification_due');
        // The recertification's signature is chased by a second signature process, for the next period.
        expect((await handle.query(planOfCareStatusQuery)).signatureProcesses?.map((p) => p.cycle)).toEqual([
          'initial',
          'recertification',
        ]);
        // The authorization heard that the plan continues (an extension will be needed).
        expect(await signalNames(auth)).toContain('planOfCare');

        // No more visits: discharged 30 days after the last one, and the authorization closes.
        const last = (await handle.query(planOfCareStatusQuery)).treatmentDays;
        const result = await handle.result();
        expect(result).toMatchObject({
          status: 'discharged',
          discharged: { reason: 'inactive' },
          treatmentDays: last,
        });
        expect(physician.sent.map((s) => s.kind)).toEqual(['progress', 'discharge']);
        expect(await auth.result()).toMatchObject({ status: 'closed' });
        // Discharge made the open recertification task moot.
        const recert = await eventually(
          () => tasksOf(id),
          (t) => t.find((x) => x.kind === 'poc_recertification_due')?.status === 'cancelled',
        );
        expect(recert.find((x) => x.kind === 'poc_recertification_due')?.status).toBe('cancelled');
      });
    } finally {
      await env.teardown();
    }
  });
});
