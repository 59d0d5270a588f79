// The EMR event router end to end (issues #5/#6): the sandbox EMR sends real Standard-Webhooks-signed HTTP
// deliveries to the real Fastify app listening on loopback; the app verifies, records and hands them to the
// router, which starts an `emrEventRouter` workflow on the shared dev server; the worker resolves our patient
// (EMR + our encrypted mirror in PostgreSQL) and starts or signals the processes, the claim going to the sandbox
// payer over real X12. Scenario 8: the same "note signed" delivered three times files exactly one claim.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { and, eq, like } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import { createActivities } from '../../activities/index.js';
import { buildApp } from '../../api/app.js';
import { createEmrEventRouter, eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import { dataKeys } from '../../cli/keyrings.js';
import type { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { webhookDeliveries } from '../../connectors/emr/sandbox/schema.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import type { EmrEvent } from '../../connectors/webhooks/emr-events.js';
import { generateWebhookSecret, signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { appointments, claims, tasks, webhookEvents } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { claimIdFor, uuidFromKey } from '../../activities/shared/derived-ids.js';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import { claimStatusQuery, type ClaimStatusSnapshot } from '../../workflows/claim/messages.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { patientControlNumberFor } from '../../domain/claims/claim-input.js';
import type { EventRouteResult } from '../../workflows/emr-events/messages.js';
import { onboardingStatusQuery, type OnboardingStatus } from '../../workflows/onboarding/messages.js';
import {
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import {
  priorAuthorizationStatusQuery,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const secret = generateWebhookSecret();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-emr-router-'));
const config = loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const taskQueue = uniqueTaskQueue('emr-router');

let db: TestDatabase;
let app: FastifyInstance;
let payerServer: SandboxServer;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let client: Client;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let emr: SandboxEmr;
let stopSandboxes: () => Promise<void>;
let webhookUrl: string;

/**
 * The payer approves every authorization at once, for the visits requested from the requested start; a request
 * for 99 visits it answers "no authorization required" (as the real port reports a 278 HCR NA).
 */
const NOT_REQUIRED_VISITS = 99;
const authPayer: AuthorizationPayerPort = {
  submit: async (request) => {
    if (request.requestedVisits === NOT_REQUIRED_VISITS) {
      throw ApplicationFailure.create({
        type: 'AuthorizationNotRequired',
        message: 'The payer answered that no authorization is required.',
        nonRetryable: true,
        details: [{ reasonCode: 'payer_not_required' }],
      });
    }
    return approve(request);
  },
  status: async () => ({ outcome: 'pended' }),
};
const approve = async (request: Parameters<AuthorizationPayerPort['submit']>[0]) =>
  ({
    outcome: 'approved',
    authNumber: `AUTH${request.authorizationId.slice(0, 6).toUpperCase()}`,
    visitsAuthorized: request.requestedVisits,
    startDate: request.startDate,
  }) as const;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db, dataKeys(config).keyring);
  const payer = await sandboxPayer(db.sql);
  payerServer = payer.server;
  temporal = await devServerClient();
  client = temporal.client;
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 5),
    readiness: {},
    webhooks: {
      settings: {
        perMinute: 10_000,
        sources: {
          emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
          payer: {},
          messaging: {},
        },
      },
      router: createEmrEventRouter({ temporal: client, taskQueue }),
    },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  webhookUrl = `${address}/v1/webhooks/emr/sandbox`;
  const sandboxes = await devOnboardingConnectors(config, db.url, db.db, {
    webhookTarget: { url: webhookUrl, secrets: [secret] },
  });
  emr = sandboxes.emr;
  stopSandboxes = sandboxes.stop;
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: client,
      payerConnector: payer.connector,
      payer: authPayer,
      onboarding: sandboxes.deps,
      eventRouting: { practiceProfile: devPracticeProfile, claimPollMinutes: 0.01 },
    }),
  );
});
afterAll(async () => {
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await stopSandboxes?.();
  await payerServer?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────────────────

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The router workflow a delivery started (its id derives from the delivery's webhook id). */
function routerRun(webhookId: string) {
  const dedupeKey = deliveryDedupeKey(DEMO_PRACTICE_ID, 'emr:sandbox', webhookId);
  return client.workflow.getHandle(workflowId('event', eventWorkflowUuid(dedupeKey)));
}
const routed = (webhookId: string) => routerRun(webhookId).result() as Promise<EventRouteResult>;

/** The sandbox EMR's queued deliveries of one type that mention `needle`, oldest first. */
async function deliveriesOf(type: EmrEvent['type'], needle: string) {
  const rows = await emr.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventType, type), like(webhookDeliveries.body, `%${needle}%`)));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Deliver everything the sandbox EMR has queued, over HTTP, signed; every attempt must be answered 2xx. */
async function deliverQueued() {
  const report = await emr.webhooks.deliverDue();
  expect(report).toMatchObject({ retrying: 0, failed: 0 });
}

/** A delivery of `body` under `webhookId` (a redelivery, or the EMR emitting the same fact again). */
function post(body: string, webhookId: string) {
  return fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedWebhookHeaders({ id: webhookId, timestamp: Math.floor(Date.now() / 1000), body }, [secret]),
    },
    body,
  });
}
const newWebhookId = () => `msg_${randomUUID().replace(/-/g, '')}`;

/** A patient ptflow registered: our encrypted mirror and coverage, and the EMR record carrying our id. */
async function knownPatient(memberId: string, payerId = 'commercial-ama', withAddress = true) {
  const keys = dataKeys(config);
  const patientId = randomUUID();
  const demographics = {
    given: ['Ada'],
    family: 'Okafor',
    birthDate: '1958-03-04',
    sex: 'female' as const,
    phone: '+13125550142',
    preferredLanguage: 'en' as const,
  };
  // The EMR's Patient carries the home address the claim's 2010BA N3/N4 needs.
  const address = { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' };
  const { emrId } = await emr.upsertPatient({
    patientId,
    demographics: withAddress ? { ...demographics, address } : demographics,
  });
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: TZ,
  });
  await createCoverageRepository(db.db, keys).upsert({
    coverageId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId,
    priority: 1,
    memberId,
  });
  return { patientId, emrPatientId: emrId };
}

/** A treatment visit between `fromDaysAgo` and `toDaysAgo`: booked, checked in and signed in the EMR (queues note.signed). */
async function signedVisit(emrPatientId: string, fromDaysAgo = 8, toDaysAgo = 1) {
  const now = Date.now();
  const [slot] = await emr.searchFreeSlots({
    from: new Date(now - fromDaysAgo * 86_400_000).toISOString(),
    to: new Date(now - toDaysAgo * 86_400_000).toISOString(),
    limit: 1,
  });
  if (!slot) throw new Error('no free slot in the sandbox EMR');
  const appt = await emr.bookAppointment({
    appointmentId: randomUUID(),
    slotId: slot.slotId,
    emrPatientId,
    kind: 'treatment',
  });
  await emr.checkIn(appt.emrAppointmentId);
  return emr.signNote(
    appt.emrAppointmentId,
    [
      { code: '97110', minutes: 30, furnishedBy: 'PT' },
      { code: '97140', minutes: 15, furnishedBy: 'PT' },
    ],
    ['M54.50'],
  );
}

async function runningProcesses(patientId: string, kind: string) {
  const ids: string[] = [];
  const query = `PatientId = '${patientId}' AND ProcessKind = '${kind}' AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

// ─── scenarios ─────────────────────────────────────────────────────────────────────────────────────────────

describe('EMR event router', () => {
  it('a signed note for a patient whose EMR record has no address: the claim is held naming subscriber.address', async () => {
    const { emrPatientId } = await knownPatient(
      `SBX-CO45-${randomUUID().slice(0, 8)}`,
      'commercial-ama',
      false,
    );
    const visit = await signedVisit(emrPatientId);
    await deliverQueued();
    const [note] = await deliveriesOf('note.signed', visit.visitId);
    expect((await routed(note!.id)).outcome).toBe('routed');
    const claim = client.workflow.getHandle(workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visit.visitId)));
    await expect
      .poll(async () => (await claim.query(claimStatusQuery)).state, { timeout: 60_000, interval: 500 })
      .toBe('needs_correction');
    expect((await claim.query(claimStatusQuery)).blockingFindings).toContain('SUBSCRIBER_ADDRESS_MISSING');
    await claim.terminate('test done');
  });

  it('scenario 8: the same note.signed delivered three times files exactly one claim at the sandbox payer', async () => {
    const { patientId, emrPatientId } = await knownPatient(`SBX-CO45-${randomUUID().slice(0, 8)}`);
    const visit = await signedVisit(emrPatientId);
    await deliverQueued();
    const [note] = await deliveriesOf('note.signed', visit.visitId);
    expect(note?.status).toBe('delivered');

    // 2nd: the same delivery again (sender retry) → a duplicate; 3rd: the same event under a new message id.
    const again = await post(note!.body, note!.id);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });
    const reEmittedId = newWebhookId();
    expect((await post(note!.body, reEmittedId)).status).toBe(202);

    const first = await routed(note!.id);
    expect(first).toMatchObject({ type: 'note.signed', outcome: 'routed', patientId });
    // The claim's id derives from practice and visit id, exactly as POST /v1/claims derives it.
    const claimId = claimIdFor(DEMO_PRACTICE_ID, visit.visitId);
    expect(first.workflowIds).toContain(workflowId('claim', claimId));
    const third = await routed(reEmittedId);
    expect(third.outcome).toBe('routed');
    expect(third.steps.filter((s) => s.startsWith('claim:'))).toHaveLength(1);

    // The claim process runs to payment, filed once.
    const claim = client.workflow.getHandle(workflowId('claim', claimId));
    expect(((await claim.result()) as { state: string }).state).toBe('paid');
    expect(await claim.query(claimStatusQuery)).toMatchObject({ attempt: 1, frequency: '1' });
    const pcn = patientControlNumberFor(claimId);
    const atPayer = await db.sql`
      select status, frequency from sandbox_payer.claims where patient_control_number = ${pcn}`;
    expect(atPayer).toEqual([{ status: 'paid', frequency: '1' }]);
    const remits = await db.sql`
      select count(*)::int as n from sandbox_payer.responses where type = '835' and x12 like ${`%${pcn}%`}`;
    expect(remits[0]?.n).toBe(1);
    const [ours] = await db.db.select().from(claims).where(eq(claims.id, claimId));
    expect(ours).toMatchObject({ submissions: 1, status: 'paid', patientId });

    // Both accepted deliveries are recorded in the inbox and marked processed.
    const inbox = await db.db.select().from(webhookEvents).where(eq(webhookEvents.eventId, reEmittedId));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.processedAt).toBeInstanceOf(Date);
  });

  it('a Medicare note.signed takes the referring provider from the EMR referral (ServiceRequest) and is paid', async () => {
    const { emrPatientId } = await knownPatient(`SBX-CO45-${randomUUID().slice(0, 8)}`, 'medicare-part-b');
    await emr.receiveReferral(emrPatientId, '1679576722', ['M54.50'], {
      lastName: 'NGUYEN',
      firstName: 'LINDA',
    });
    const visit = await signedVisit(emrPatientId);
    await deliverQueued();
    const claim = client.workflow.getHandle(workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visit.visitId)));
    // The router starts the claim asynchronously: wait until it exists (the referral also routes, to onboarding).
    let started = false;
    for (let i = 0; i < 200 && !started; i++) {
      started = await claim.describe().then(
        () => true,
        () => false,
      );
      if (!started) await new Promise((r) => setTimeout(r, 100));
    }
    let status = await claim.query(claimStatusQuery);
    for (
      let i = 0;
      i < 200 && !['paid', 'needs_correction', 'adjusted', 'needs_review'].includes(status.state);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      status = await claim.query(claimStatusQuery);
    }
    expect(status.blockingFindings).toEqual([]);
    const result = (await claim.result()) as ClaimStatusSnapshot;
    // A new Part B beneficiary: the allowed amount goes to the deductible, billed to the patient (not a denial).
    expect(result.decisions.map((d) => d.what)).toEqual(['submitted', 'paid', 'statement_task']);
    expect(result.state).toBe('paid');
    const [atPayer] = await db.sql`
      select claim from sandbox_payer.claims where patient_control_number = ${patientControlNumberFor(claimIdFor(DEMO_PRACTICE_ID, visit.visitId))}`;
    expect(atPayer).toMatchObject({
      claim: { referringProvider: { npi: '1679576722', lastName: 'NGUYEN' } },
    });
  });

  it('without a referral the Medicare claim is held; completing its fix_claim task with the provider releases it', async () => {
    const { emrPatientId } = await knownPatient(`SBX-CO45-${randomUUID().slice(0, 8)}`, 'medicare-part-b');
    const visit = await signedVisit(emrPatientId);
    await deliverQueued();
    const id = workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visit.visitId));
    let fix: typeof tasks.$inferSelect | undefined;
    for (let i = 0; i < 200 && !fix; i++) {
      [fix] = await db.db
        .select()
        .from(tasks)
        .where(and(eq(tasks.workflowId, id), eq(tasks.kind, 'fix_claim')));
      if (!fix) await new Promise((r) => setTimeout(r, 100));
    }
    const claim = client.workflow.getHandle(id);
    expect(await claim.query(claimStatusQuery)).toMatchObject({
      state: 'needs_correction',
      blockingFindings: ['REFERRING_PROVIDER_MISSING'],
    });
    await client.workflow.getHandle(workflowId('task', fix!.id)).signal(completeTaskSignal, {
      completedBy: 'user:biller-1',
      outcome: { referringProviderNpi: '1679576722', referringProviderName: 'NGUYEN' },
    });
    const done = (await claim.result()) as ClaimStatusSnapshot;
    expect(done.state).toBe('paid');
    expect(done.decisions.map((d) => d.what).slice(0, 3)).toEqual(['held', 'corrected', 'submitted']);
  });

  it('patient.created starts one onboarding (also when delivered again), and checked_in reaches it', async () => {
    const emrPatientId = await emr.registerPatient({
      given: ['Rosa'],
      family: 'Delgado',
      birthDate: '1972-08-09',
      sex: 'female',
      phone: '+13125550163',
    });
    await deliverQueued();
    const [created] = await deliveriesOf('patient.created', emrPatientId);
    const onboardingWorkflowId = workflowId(
      'onboarding',
      uuidFromKey('onboarding', DEMO_PRACTICE_ID, 'emr-patient', emrPatientId),
    );
    const first = await routed(created!.id);
    expect(first).toMatchObject({ type: 'patient.created', outcome: 'routed' });
    expect(first.workflowIds).toEqual([onboardingWorkflowId]);
    const patientId = first.patientId!;
    expect(patientId).toBe(uuidFromKey('patient', DEMO_PRACTICE_ID, emrPatientId));

    // The EMR emits the same fact again under a new message id: still the one onboarding.
    const reEmitted = newWebhookId();
    expect((await post(created!.body, reEmitted)).status).toBe(202);
    const second = await routed(reEmitted);
    expect(['routed', 'no_process']).toContain(second.outcome);
    expect(
      await eventually(
        () => runningProcesses(patientId, 'onboarding'),
        (ids) => ids.length > 0,
      ),
    ).toEqual([onboardingWorkflowId]);

    // The onboarding books the evaluation in the EMR; the front desk checks the patient in there.
    const onboarding = client.workflow.getHandle(onboardingWorkflowId);
    const waiting = await eventually(
      () => onboarding.query(onboardingStatusQuery),
      (s: OnboardingStatus) => s.state === 'awaiting_check_in' && s.appointment !== undefined,
      60_000,
    );
    expect(waiting.state).toBe('awaiting_check_in');
    // Registration updated the EMR's own record of the walk-in (linked to our id) instead of creating a twin.
    const evaluation = await emr.getAppointment(waiting.appointment!.emrAppointmentId);
    expect(evaluation.emrPatientId).toBe(emrPatientId);
    expect(await emr.findPatient({ emrPatientId })).toMatchObject({ patientId });
    await emr.checkIn(waiting.appointment!.emrAppointmentId);
    await deliverQueued();
    const [checkedIn] = await deliveriesOf('appointment.checked_in', waiting.appointment!.emrAppointmentId);
    const routedCheckIn = await routed(checkedIn!.id);
    expect(routedCheckIn).toMatchObject({ outcome: 'routed', workflowIds: [onboardingWorkflowId] });
    expect(((await onboarding.result()) as OnboardingStatus).state).toBe('completed');
  });

  it('note.signed advances the open plan of care and authorization once, even delivered twice; a visit the authorization refuses raises a task', async () => {
    const { patientId, emrPatientId } = await knownPatient(`SBX-CO45-${randomUUID().slice(0, 8)}`);
    // Two visits: an earlier one (before the authorization's window) signed later, and a recent one.
    const recent = await signedVisit(emrPatientId, 4, 1);
    const [earlierSlot] = await emr.searchFreeSlots({
      from: new Date(Date.now() - 9 * 86_400_000).toISOString(),
      to: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      limit: 1,
    });
    const earlierDos = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(
      new Date(earlierSlot!.start),
    );
    const episodeId = randomUUID();
    const authorizationId = randomUUID();
    const pocId = await startIdempotently<PlanOfCareWorkflow>(client, {
      taskQueue,
      kind: 'poc',
      processKind: 'planOfCare',
      id: episodeId,
      workflow: PLAN_OF_CARE_WORKFLOW_TYPE,
      args: [
        {
          episodeId,
          practiceId: DEMO_PRACTICE_ID,
          patientId,
          referringPractitionerId: randomUUID(),
          timezone: TZ,
          firstTreatmentDate: earlierDos,
        },
      ],
      practiceId: DEMO_PRACTICE_ID,
      patientId,
    });
    const authId = await startIdempotently<PriorAuthorizationWorkflow>(client, {
      taskQueue,
      kind: 'auth',
      processKind: 'priorAuthorization',
      id: authorizationId,
      workflow: PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
      args: [
        {
          authorizationId,
          practiceId: DEMO_PRACTICE_ID,
          patientId,
          coverageId: randomUUID(),
          payerId: 'commercial-ama',
          timezone: TZ,
          requestedVisits: 8,
          startDate: recent.dateOfService,
          urgency: 'standard',
          planOfCareContinues: true,
        },
      ],
      practiceId: DEMO_PRACTICE_ID,
      patientId,
    });
    const auth = client.workflow.getHandle(authId);
    const poc = client.workflow.getHandle(pocId);
    expect(
      (
        await eventually(
          () => auth.query(priorAuthorizationStatusQuery),
          (s) => s.visitsAuthorized !== undefined,
        )
      ).visitsAuthorized,
    ).toBe(8);
    // The router finds them through visibility, which trails a start by a moment.
    await eventually(
      async () =>
        (await runningProcesses(patientId, 'planOfCare')).length +
        (await runningProcesses(patientId, 'priorAuthorization')).length,
      (n) => n === 2,
    );

    await deliverQueued();
    const [note] = await deliveriesOf('note.signed', recent.visitId);
    const first = await routed(note!.id);
    expect(first.outcome).toBe('routed');
    expect(first.steps).toEqual(
      expect.arrayContaining(['claim:started', 'plan_of_care:visit:signalled', 'authorization:recorded']),
    );
    const reEmitted = newWebhookId();
    expect((await post(note!.body, reEmitted)).status).toBe(202);
    const second = await routed(reEmitted);
    expect(second.steps).toEqual(expect.arrayContaining(['authorization:duplicate']));

    const pocStatus = await eventually(
      () => poc.query(planOfCareStatusQuery),
      (s) => s.visitsCounted >= 1,
    );
    expect(pocStatus.visitsCounted).toBe(1);
    expect(await auth.query(priorAuthorizationStatusQuery)).toMatchObject({
      visitsUsed: 1,
      visitsRemaining: 7,
    });

    // The earlier visit is signed late: the authorization refuses it (before its window). The event is still
    // routed (claim, plan of care); the refusal becomes a front-desk task instead of a failure or a retry.
    const appt = await emr.bookAppointment({
      appointmentId: randomUUID(),
      slotId: earlierSlot!.slotId,
      emrPatientId,
      kind: 'treatment',
    });
    await emr.checkIn(appt.emrAppointmentId);
    const late = await emr.signNote(
      appt.emrAppointmentId,
      [{ code: '97110', minutes: 40, furnishedBy: 'PT' }],
      ['M54.50'],
    );
    await deliverQueued();
    const [lateNote] = await deliveriesOf('note.signed', late.visitId);
    const refused = await routed(lateNote!.id);
    expect(refused.outcome).toBe('needs_attention');
    expect(refused.steps).toEqual(
      expect.arrayContaining([
        'claim:started',
        'plan_of_care:visit:signalled',
        'authorization:rejected:before_start',
        'task:authorization_visit_rejected:before_start',
      ]),
    );
    const raised = await eventually(
      () =>
        db.db
          .select()
          .from(tasks)
          .where(and(eq(tasks.kind, 'authorization_visit_rejected'), eq(tasks.patientId, patientId))),
      (rows) => rows.length > 0,
    );
    expect(raised).toHaveLength(1);
    expect((await auth.query(priorAuthorizationStatusQuery)).visitsUsed).toBe(1);
    // The router's code replays its own histories (activities, external signals, a task child); the refused
    // run is the committed history test/workflows/replay.int.test.ts replays for every later change.
    for (const run of [note!.id, lateNote!.id]) {
      const history = await routerRun(run).fetchHistory();
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history),
      ).resolves.toBeUndefined();
    }
    if (process.env.UPDATE_HISTORIES === '1') {
      const file = path.join(import.meta.dirname, '../histories/emrEventRouter/v1.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${historyToJSON(await routerRun(lateNote!.id).fetchHistory())}\n`);
    }
    expect(
      (
        await eventually(
          () => poc.query(planOfCareStatusQuery),
          (s) => s.visitsCounted === 2,
        )
      ).visitsCounted,
    ).toBe(2);
  });

  it('an authorization answered "not required" reaches the visit\'s claim: not held for an authorization number', async () => {
    // Medicare Advantage requires authorization after the evaluation: a treatment claim without one is held.
    const { patientId, emrPatientId } = await knownPatient(`MAFL-${randomUUID().slice(0, 8)}`, 'ma-fastlane');
    const authorizationId = randomUUID();
    const authId = await startIdempotently<PriorAuthorizationWorkflow>(client, {
      taskQueue,
      kind: 'auth',
      processKind: 'priorAuthorization',
      id: authorizationId,
      workflow: PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
      args: [
        {
          authorizationId,
          practiceId: DEMO_PRACTICE_ID,
          patientId,
          coverageId: randomUUID(),
          payerId: 'ma-fastlane',
          timezone: TZ,
          requestedVisits: NOT_REQUIRED_VISITS,
          diagnosisCodes: ['M54.50'],
          startDate: new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(
            new Date(Date.now() - 10 * 86_400_000),
          ),
          urgency: 'standard',
          planOfCareContinues: true,
        },
      ],
      practiceId: DEMO_PRACTICE_ID,
      patientId,
    });
    // The payer's answer ends the authorization as not_required (closed: the router finds it in visibility).
    expect(await client.workflow.getHandle(authId).result()).toMatchObject({ status: 'not_required' });
    await eventually(
      async () => {
        let status: unknown;
        for await (const wf of client.workflow.list({ query: `WorkflowId = '${authId}'` }))
          status = wf.searchAttributes.ProcessStatus?.[0];
        return status;
      },
      (v) => v === 'not_required',
    );

    const visit = await signedVisit(emrPatientId, 4, 1);
    await deliverQueued();
    const [note] = await deliveriesOf('note.signed', visit.visitId);
    expect(await routed(note!.id)).toMatchObject({ outcome: 'routed', patientId });
    const claim = client.workflow.getHandle(workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visit.visitId)));
    // Scrubbed without an authorization finding (a Medicare Advantage claim still needs its referring provider,
    // which this EMR visit does not name: that is the only thing holding it).
    const scrubbed = await eventually(
      () => claim.query(claimStatusQuery),
      (st) => st.state !== 'coding' && st.decisions.length > 0,
    );
    expect(scrubbed.blockingFindings.filter((f) => f.startsWith('AUTH_'))).toEqual([]);
    expect(scrubbed.blockingFindings).toEqual(['REFERRING_PROVIDER_MISSING']);
    await claim.terminate('test cleanup');
  });

  it('an event about an unknown patient is answered 2xx, recorded, and starts nothing', async () => {
    const visitId = randomUUID();
    const event: EmrEvent = {
      type: 'note.signed',
      timestamp: new Date().toISOString(),
      data: {
        practiceId: DEMO_PRACTICE_ID,
        visitId,
        emrAppointmentId: null,
        emrPatientId: randomUUID(),
        therapistId: randomUUID(),
        therapistNpi: '1987654328',
        dateOfService: '2026-01-05',
        signedAt: new Date().toISOString(),
        interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
        totalTreatmentMinutes: 30,
      },
    };
    const id = newWebhookId();
    const res = await post(JSON.stringify(event), id);
    expect(res.status).toBe(202);
    expect(await routed(id)).toMatchObject({ outcome: 'unknown_patient', workflowIds: [], steps: [] });
    const [row] = await db.db.select().from(webhookEvents).where(eq(webhookEvents.eventId, id));
    expect(row?.processedAt).toBeInstanceOf(Date);
    await expect(
      client.workflow.getHandle(workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visitId))).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // A redelivery after routing is a plain duplicate: recorded once.
    expect((await post(JSON.stringify(event), id)).status).toBe(200);
  });

  it('payer events have no routing contract: a clear problem, nothing recorded', async () => {
    const payerApp = await buildApp({
      logLevel: 'silent',
      db: db.db,
      temporal: client,
      taskQueue,
      cursorKey: Buffer.alloc(32, 6),
      readiness: {},
      webhooks: {
        settings: {
          perMinute: 10_000,
          sources: {
            emr: {},
            payer: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
            messaging: {},
          },
        },
        router: createEmrEventRouter({ temporal: client, taskQueue }),
      },
    });
    try {
      const body = JSON.stringify({ type: 'claim.remittance', data: { patientControlNumber: 'PT0000' } });
      const id = newWebhookId();
      const res = await payerApp.inject({
        method: 'POST',
        url: '/v1/webhooks/payer/sandbox',
        headers: {
          'content-type': 'application/json',
          ...signedWebhookHeaders({ id, timestamp: Math.floor(Date.now() / 1000), body }, [secret]),
        },
        payload: body,
      });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 422, reason: 'unsupported_event' });
      expect(await db.db.select().from(webhookEvents).where(eq(webhookEvents.eventId, id))).toEqual([]);
    } finally {
      await payerApp.close();
    }
  });
});

// ─── the appointments mirror follows the EMR (issue 18 point 4) ───────────────────────────────────────────────

describe('appointments mirror', () => {
  /** Slots 20 to 12 days ago: apart from the other scenarios' visits (8 to 1 days ago). */
  const windowFrom = Date.now() - 20 * 86_400_000;
  const windowTo = Date.now() - 12 * 86_400_000;
  const localDate = (ms: number) => new Date(ms).toLocaleDateString('en-CA', { timeZone: TZ });
  const period = `from=${localDate(windowFrom - 86_400_000)}&to=${localDate(windowTo + 86_400_000)}`;
  const minutesOf = (a: { start: string; end: string }) => (Date.parse(a.end) - Date.parse(a.start)) / 60_000;

  async function numbers(authorization: string) {
    const res = await app.inject({ url: `/v1/practice/metrics?${period}`, headers: { authorization } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{
      attendance: {
        noShow: { numerator: number; denominator: number; value: number | null };
        lateCancel: { numerator: number; denominator: number; value: number | null };
        cancel: { numerator: number; denominator: number; value: number | null };
        lateCancelBasis: string;
      };
      slotUtilization: {
        attended: { numerator: number; denominator: number; value: number | null };
        booked: { numerator: number; denominator: number; value: number | null };
      };
    }>();
  }
  const mirrored = (emrAppointmentId: string) =>
    db.db.select().from(appointments).where(eq(appointments.externalId, emrAppointmentId));
  /** Every router run of the queued deliveries about one appointment, in delivery order. */
  async function routedAbout(emrAppointmentId: string, types: EmrEvent['type'][]) {
    const results: EventRouteResult[] = [];
    for (const type of types) {
      const [delivery] = await deliveriesOf(type, emrAppointmentId);
      expect(delivery, `${type} of ${emrAppointmentId}`).toBeDefined();
      results.push(await routed(delivery!.id));
    }
    return results;
  }

  it('EMR webhooks create and move mirror rows of our patients only, forward only, and the numbers follow', async () => {
    const { key } = await createApiKey(db.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'biller',
      label: 'mirror-numbers',
    });
    const authorization = `Bearer ${key}`;
    const before = await numbers(authorization);
    expect(before.attendance.noShow).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(before.slotUtilization.attended.numerator).toBe(0);
    const available = before.slotUtilization.attended.denominator;
    expect(available).toBeGreaterThan(0);

    const ours = await knownPatient(`SBX-CO45-${randomUUID().slice(0, 8)}`);
    // A patient only the EMR knows: no EMR record carrying our id, no row of ours.
    const { emrId: strangerEmrId } = await emr.upsertPatient({
      patientId: randomUUID(),
      demographics: {
        given: ['Lin'],
        family: 'Stranger',
        birthDate: '1970-01-01',
        sex: 'female',
        preferredLanguage: 'en',
      },
    });
    const free = await emr.searchFreeSlots({
      from: new Date(windowFrom).toISOString(),
      to: new Date(windowTo).toISOString(),
      limit: 2_000,
    });
    // Six slots on different days (one patient, no overlaps), all at therapists and locations we know.
    const byDay = new Map<string, (typeof free)[number]>();
    for (const slot of free)
      if (!byDay.has(slot.start.slice(0, 10))) byDay.set(slot.start.slice(0, 10), slot);
    const slots = [...byDay.values()].slice(0, 6);
    expect(slots).toHaveLength(6);
    const book = (i: number, emrPatientId = ours.emrPatientId) =>
      emr.bookAtFrontDesk({ slotId: slots[i]!.slotId, emrPatientId, kind: 'treatment' });

    // All booked at the EMR's own screen (appointment.booked with appointmentId null).
    const completed = await book(0);
    const noShow = await book(1);
    const lateCancel = await book(2);
    const clinicCancel = await book(3);
    const checkedIn = await book(4);
    const stranger = await book(5, strangerEmrId);
    await emr.checkIn(completed.emrAppointmentId);
    await emr.signNote(
      completed.emrAppointmentId,
      [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
      ['M54.50'],
    );
    await emr.markNoShow(noShow.emrAppointmentId);
    // Cancelled now, after its start: late by the missed-visit rule (24 h); by the clinic: never late.
    await emr.cancelAppointment(lateCancel.emrAppointmentId, 'patient');
    await emr.cancelAppointment(clinicCancel.emrAppointmentId, 'clinic');
    await emr.checkIn(checkedIn.emrAppointmentId);
    await deliverQueued();

    const [bookedRun, checkInRun, noteRun] = await routedAbout(completed.emrAppointmentId, [
      'appointment.booked',
      'appointment.checked_in',
      'note.signed',
    ]);
    expect(bookedRun!.steps.filter((st) => st.startsWith('mirror:'))).toEqual([
      expect.stringMatching(/^mirror:booked:(inserted|unchanged)$/),
    ]);
    // The three webhooks route concurrently: a check-in routed after the signed note finds the row already
    // completed and leaves it (forward only); the final statuses below are the proof either way.
    expect(checkInRun!.steps.filter((st) => st.startsWith('mirror:'))).toEqual([
      expect.stringMatching(/^mirror:checked_in:(moved|unchanged)$/),
    ]);
    expect(noteRun!.steps).toContain('mirror:completed:moved');
    const [, noShowRun] = await routedAbout(noShow.emrAppointmentId, [
      'appointment.booked',
      'appointment.no_show',
    ]);
    expect(noShowRun!.steps).toContain('mirror:no_show:moved');
    const [, lateRun] = await routedAbout(lateCancel.emrAppointmentId, [
      'appointment.booked',
      'appointment.cancelled',
    ]);
    expect(lateRun!.steps).toContain('mirror:late_cancelled:moved');
    const [, clinicRun] = await routedAbout(clinicCancel.emrAppointmentId, [
      'appointment.booked',
      'appointment.cancelled',
    ]);
    expect(clinicRun!.steps).toContain('mirror:cancelled:moved');
    await routedAbout(checkedIn.emrAppointmentId, ['appointment.booked', 'appointment.checked_in']);
    const [strangerRun] = await routedAbout(stranger.emrAppointmentId, ['appointment.booked']);
    expect(strangerRun!.steps).toEqual(['mirror:unknown_patient']);

    const statusOf = async (a: { emrAppointmentId: string }) =>
      (await mirrored(a.emrAppointmentId))[0]?.status;
    expect(await statusOf(completed)).toBe('completed');
    expect(await statusOf(noShow)).toBe('no_show');
    expect(await statusOf(lateCancel)).toBe('late_cancelled');
    expect(await statusOf(clinicCancel)).toBe('cancelled');
    expect(await statusOf(checkedIn)).toBe('checked_in');
    expect(await mirrored(stranger.emrAppointmentId)).toEqual([]);
    const [row] = await mirrored(completed.emrAppointmentId);
    expect(row).toMatchObject({
      patientId: ours.patientId,
      therapistId: completed.therapistId,
      kind: 'treatment',
      minutes: minutesOf(completed),
    });
    expect(row!.startsAt.toISOString()).toBe(new Date(completed.start).toISOString());

    // A late 'booked' (redelivered under a new id) and a repeated check-in change nothing: one row, completed.
    const [bookedDelivery] = await deliveriesOf('appointment.booked', completed.emrAppointmentId);
    const [checkInDelivery] = await deliveriesOf('appointment.checked_in', completed.emrAppointmentId);
    for (const [delivery, step] of [
      [bookedDelivery!, 'mirror:booked:unchanged'],
      [checkInDelivery!, 'mirror:checked_in:unchanged'],
    ] as const) {
      const id = newWebhookId();
      expect((await post(delivery.body, id)).status).toBe(202);
      expect((await routed(id)).steps).toContain(step);
    }
    expect(await mirrored(completed.emrAppointmentId)).toHaveLength(1);
    expect(await statusOf(completed)).toBe('completed');

    // The numbers: 5 appointments of ours in the period (the stranger's is not), 1 no-show, 2 cancellations of
    // which 1 late; attended = the completed and the checked-in visit; booked = everything not cancelled.
    const after = await numbers(authorization);
    expect(after.attendance.noShow).toEqual({ numerator: 1, denominator: 5, value: 0.2 });
    expect(after.attendance.lateCancel).toEqual({ numerator: 1, denominator: 5, value: 0.2 });
    expect(after.attendance.cancel).toEqual({ numerator: 2, denominator: 5, value: 0.4 });
    expect(after.attendance.lateCancelBasis).toBe('missed_visit_rule');
    const attended = minutesOf(completed) + minutesOf(checkedIn);
    const booked = attended + minutesOf(noShow);
    expect(after.slotUtilization.attended).toEqual({
      numerator: attended,
      denominator: available,
      value: Math.round((attended / available) * 10_000) / 10_000,
    });
    expect(after.slotUtilization.booked.numerator).toBe(booked);

    // The router runs with the mirror replay (its patch marker before each new activity); the signed note's and
    // the late cancellation's runs are committed histories test/workflows/replay.int.test.ts replays ever after.
    const [noteDelivery] = await deliveriesOf('note.signed', completed.emrAppointmentId);
    const [lateDelivery] = await deliveriesOf('appointment.cancelled', lateCancel.emrAppointmentId);
    const [checkInOnly] = await deliveriesOf('appointment.checked_in', checkedIn.emrAppointmentId);
    for (const delivery of [noteDelivery!, lateDelivery!, checkInOnly!]) {
      const history = await routerRun(delivery.id).fetchHistory();
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history),
      ).resolves.toBeUndefined();
    }
    if (process.env.UPDATE_HISTORIES === '1') {
      for (const [delivery, name] of [
        [noteDelivery!, 'v3-mirror-note-signed'],
        [lateDelivery!, 'v3-mirror-late-cancel'],
      ] as const) {
        const file = path.join(import.meta.dirname, `../histories/emrEventRouter/${name}.json`);
        fs.writeFileSync(file, `${historyToJSON(await routerRun(delivery.id).fetchHistory())}\n`);
      }
    }
  });
});
