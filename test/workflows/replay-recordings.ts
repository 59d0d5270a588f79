// The runs whose histories test/workflows/replay.int.test.ts commits (UPDATE_HISTORIES=1): one realistic run per
// long-lived workflow type on the dev server, with the real activities over the sandboxes (EMR, messaging, the
// payer's X12), so the histories hold what production histories hold — activities, signals, updates, timers
// that fire, child workflows, search-attribute upserts and patch markers. Synthetic data only.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { PatientStatementPort } from '../../activities/claim/index.js';
import { createPayerAuthorizationPort } from '../../activities/prior-authorization/payer.js';
import type { PhysicianPort } from '../../activities/plan-of-care/index.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import { SandboxPayerStore } from '../../connectors/payer/sandbox/store.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import type { OnboardingInput } from '../../domain/onboarding/index.js';
import {
  CLAIM_WORKFLOW_TYPE,
  claimCorrectedSignal,
  claimStatusQuery,
  type ClaimSubmissionWorkflow,
} from '../../workflows/claim/messages.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import {
  evaluationCheckedInSignal,
  intakeFormsCompletedSignal,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type OnboardingStatus,
  type PatientOnboardingWorkflow,
} from '../../workflows/onboarding/messages.js';
import {
  dischargePlanOfCareSignal,
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  recordOutcomeUpdate,
  recordProgressReportUpdate,
  visitCompletedSignal,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import {
  dischargeSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  resolveAuthorizationUpdate,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { syntheticClaimCase } from '../fixtures/claim-case.js';
import type { TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';

/** Workflow type → the history file the current code records (bump the version when the workflow changes). */
export const CURRENT_HISTORIES = {
  humanTask: 'v1',
  priorAuthorization: 'v3',
  patientOnboarding: 'v2',
  claimSubmission: 'v1',
  planOfCare: 'v1',
} as const;
export type RecordedWorkflow = keyof typeof CURRENT_HISTORIES;

type Save = (workflowType: RecordedWorkflow, handle: WorkflowHandle) => Promise<void>;

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error('recording: a step never happened');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A zone where it is daytime now, so patient messages are not deferred by quiet hours during the run. */
function daytimeZone(): string {
  for (const z of ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata']) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

export async function recordHistories(db: TestDatabase, save: Save): Promise<void> {
  await seedSandboxEmr(db.sql, new Date());
  // Pended authorizations wait for the recording to decide them, so the run is the same every time.
  const { server, connector } = await sandboxPayer(db.sql, { pendPolls: 1_000_000 });
  const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
  const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });
  const quiet = { info: () => undefined, warn: () => undefined };
  const statements: PatientStatementPort = { sendStatement: async () => undefined };
  const receipt = () => ({ transmissionId: randomUUID(), sentAt: new Date().toISOString() });
  const physician: PhysicianPort = {
    sendPlanOfCare: async () => receipt(),
    sendProgressSummary: async () => receipt(),
    sendDischargeSummary: async () => receipt(),
  };
  const emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
  const taskQueue = uniqueTaskQueue('replay');
  const { client, close } = await devServerClient();
  const worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: client,
      payerConnector: connector,
      payer: createPayerAuthorizationPort({ db: db.db, keys, payer: connector }),
      statements,
      physician,
      onboarding: {
        emr,
        messaging: createSandboxMessaging({
          db: db.db,
          hashAddress: createAddressHasher(randomBytes(32)),
          logger: quiet,
          practiceContact,
        }),
        keys,
        practiceContact,
      },
    }),
  );
  try {
    await recordHumanTask(client, taskQueue, save);
    await recordPriorAuthorization(
      client,
      taskQueue,
      save,
      db,
      keys,
      server.payer,
      new SandboxPayerStore(db.sql),
    );
    await recordOnboarding(client, taskQueue, save, emr);
    await recordClaimHeldByPlanOfCare(client, taskQueue, save);
  } finally {
    await close();
    await worker.close();
    await server.close();
  }
}

/** A worklist task completed by a person. */
async function recordHumanTask(client: Client, taskQueue: string, save: Save) {
  const taskId = randomUUID();
  const task = await client.workflow.start(humanTask, {
    taskQueue,
    workflowId: workflowId('task', taskId),
    args: [
      {
        taskId,
        practiceId: DEMO_PRACTICE_ID,
        kind: 'call_payer',
        assigneeRole: 'front_desk',
        title: 'Call the payer',
        dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        parentWorkflowId: workflowId('auth', randomUUID()),
        processKind: 'priorAuthorization',
      },
    ],
  });
  await task.signal(completeTaskSignal, { completedBy: 'user:synthetic', outcome: {} });
  await task.result();
  await save('humanTask', task);
}

/**
 * Scenario 3 shortened, over X12 278s to the sandbox MA plan: started without a diagnosis, so the first
 * request cannot be sent — a staff task and the `resolveAuthorization` update with the diagnosis (v3: the
 * attention patch marker) — then pended and polled, approved for 3 visits, the
 * alert and the automatic extension at 2 left, the extension pended and polled (the patch marker), visits
 * up to the limit, the extension approved, one more visit, discharge.
 */
async function recordPriorAuthorization(
  client: Client,
  taskQueue: string,
  save: Save,
  db: TestDatabase,
  keys: { keyring: ReturnType<typeof generateKeyring>; blindIndexKey: Uint8Array },
  payer: { decidePended(cert: string, d: 'approve' | 'deny'): Promise<boolean> },
  store: SandboxPayerStore,
) {
  const memberId = `SBX-PEND-${randomUUID().slice(0, 8).toUpperCase()}`;
  const patientId = randomUUID();
  const coverageId = randomUUID();
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics: {
      given: ['Pat'],
      family: 'Synthetic',
      birthDate: '1950-01-01',
      sex: 'female',
      preferredLanguage: 'en',
    },
    preferredChannel: 'sms',
    language: 'en',
    timezone: TZ,
  });
  await createCoverageRepository(db.db, keys).upsert({
    coverageId,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: 'ma-fastlane',
    priority: 1,
    memberId,
  });
  const today = localDate(new Date(), TZ);
  const authorizationId = randomUUID();
  const auth = await client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('auth', authorizationId),
    args: [
      {
        authorizationId,
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        coverageId,
        payerId: 'ma-fastlane',
        timezone: TZ,
        requestedVisits: 3,
        startDate: today,
        endDate: addDays(today, 55),
        urgency: 'standard',
        pollEveryMinutes: 0.02,
        planOfCareContinues: true,
      },
    ],
  });
  const status = () => auth.query(priorAuthorizationStatusQuery);
  await eventually(status, (s) => s.status === 'needs_attention');
  await auth.executeUpdate(resolveAuthorizationUpdate, {
    args: [{ action: 'resubmit', diagnosisCodes: ['M54.50'], resolvedBy: 'recording' }],
  });
  const [first] = await eventually(
    () => store.memberAuths(memberId),
    (rows) => (rows[0]?.polls ?? 0) >= 1,
  );
  await payer.decidePended(first!.certificationNumber, 'approve');
  await eventually(status, (s) => s.status === 'approved');
  await auth.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'syn-1', dos: today, units: 2 }] });
  const rows = await eventually(
    () => store.memberAuths(memberId),
    (r) => r.length === 2 && r.every((x) => x.polls >= 1),
  );
  for (const v of ['syn-2', 'syn-3'])
    await auth.executeUpdate(recordVisitUpdate, { args: [{ visitId: v, dos: today, units: 2 }] });
  const extension = rows.find((r) => r.id !== first!.id)!;
  await payer.decidePended(extension.certificationNumber, 'approve');
  await eventually(status, (s) => s.status === 'extended');
  await auth.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'syn-4', dos: today, units: 2 }] });
  await auth.signal(dischargeSignal);
  expect(await auth.result()).toMatchObject({ status: 'closed', visitsUsed: 4, visitsAuthorized: 6 });
  await save('priorAuthorization', auth);
}

/** Scenario 1: eligible over a 270/271, one form reminder (a timer that fires), forms, booking, check-in. */
async function recordOnboarding(client: Client, taskQueue: string, save: Save, emr: SandboxEmr) {
  const input: OnboardingInput = {
    onboardingId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    clinicTimeZone: TZ,
    patientTimeZone: daytimeZone(),
    demographics: {
      given: ['Ana'],
      family: 'Synthetic',
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
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
    intakeFormLink: 'https://forms.riverside.example/i/abc',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
    formReminderOffsetsHours: [3 / 3600, 24],
    appointmentReminderHoursBefore: 24 * 30,
    referral: { referringPractitionerId: randomUUID(), signedAndDated: true },
  };
  const handle = await client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('onboarding', String(input.onboardingId)),
    args: [input],
  });
  const status = () => handle.query(onboardingStatusQuery);
  await eventually(status, (s: OnboardingStatus) => s.forms.remindersSent === 1);
  await handle.signal(intakeFormsCompletedSignal, {
    responseId: randomUUID(),
    questionnaire: 'https://forms.riverside.example/q/pt-intake|1',
    authored: new Date().toISOString(),
    items: [{ linkId: 'pain-now', answers: [4] }],
  });
  const booked = await eventually(
    status,
    (s: OnboardingStatus) => s.state === 'awaiting_check_in' && s.forms.state === 'completed',
  );
  const emrAppointmentId = booked.appointment!.emrAppointmentId;
  await emr.checkIn(emrAppointmentId);
  await handle.signal(evaluationCheckedInSignal, { emrAppointmentId });
  const result = await handle.result();
  expect(result).toMatchObject({ state: 'completed' });
  await save('patientOnboarding', handle);
  // The plan of care it handed over runs on its own: not part of this recording.
  await client.workflow.getHandle(result.planOfCareWorkflowId!).terminate('recording done');
}

/**
 * A plan of care (certification, visits, a progress report overdue and then recorded, an outcome, discharge)
 * and a claim it holds until the report is recorded and a biller signals the correction; the claim then goes
 * out as an 837P and is paid from the sandbox's 835 (poll timers fire).
 */
async function recordClaimHeldByPlanOfCare(client: Client, taskQueue: string, save: Save) {
  const today = localDate(new Date(), TZ);
  const first = addDays(today, -20);
  const episodeId = randomUUID();
  const patientId = randomUUID();
  const poc = await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('poc', episodeId),
    args: [
      {
        episodeId,
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        referringPractitionerId: randomUUID(),
        timezone: TZ,
        firstTreatmentDate: first,
      },
    ],
  });
  await poc.executeUpdate(recordCertificationUpdate, { args: [{ kind: 'signature', signedDate: first }] });
  await poc.executeUpdate(recordOutcomeUpdate, {
    args: [{ instrument: 'ODI', score: 44, date: first }],
  });
  for (let d = 0; d <= 10; d++)
    await poc.signal(visitCompletedSignal, { visitId: `v${d}`, dos: addDays(first, d) });
  await eventually(
    () => poc.query(planOfCareStatusQuery),
    (s) => s.progressReportOverdue,
  );

  const c = syntheticClaimCase({
    memberId: `SBX-KXOVER-${randomUUID().slice(0, 8)}`,
    dos: addDays(first, 10),
    patientId,
    planOfCareWorkflowId: poc.workflowId,
    kxAccruedAllowedCents: 300_000,
  });
  const visitId = c.claimId;
  const claim = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('claim', visitId),
    args: [{ case: c, timezone: TZ, pollEveryMinutes: 0.01 }],
  });
  await eventually(
    () => claim.query(claimStatusQuery),
    (s) => s.state === 'needs_correction',
  );
  await poc.executeUpdate(recordProgressReportUpdate, { args: [{ reportDate: addDays(first, 10) }] });
  await claim.signal(claimCorrectedSignal, { correctedBy: 'user:biller-1' });
  expect((await claim.result()).state).toBe('paid');
  await save('claimSubmission', claim);

  await poc.signal(dischargePlanOfCareSignal, { reason: 'goals_met' });
  expect((await poc.result()).status).toBe('discharged');
  await save('planOfCare', poc);
}
