// pocSignature under time skipping (Java test server), with the real activities: the certification request goes
// over real HTTP to the sandbox fax/Direct gateway (which plays the physician's office: it delivers, fails a busy
// fax, signs and returns), the worklist is real PostgreSQL, and the claims are real claimSubmission processes
// against the sandbox payer (real X12). Time-skipping tests live in this one file so they never run in parallel.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { PhysicianDirectory } from '../../activities/poc-signature/index.js';
import { referringProviderDirectory } from '../../activities/poc-signature/directory.js';
import type { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { GatewayPhysicianDelivery } from '../../connectors/physician-delivery/gateway/adapter.js';
import type { PhysicianRecipient } from '../../connectors/physician-delivery/index.js';
import {
  startSandboxGateway,
  type SandboxGateway,
} from '../../connectors/physician-delivery/sandbox/server.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createReferrerRepository } from '../../db/repositories/referring-providers.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { signatureReference } from '../../domain/care/poc-signature.js';
import { addDays, daysBetween } from '../../domain/core/dates.js';
import { localDate, zonedParts } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  CLAIM_WORKFLOW_TYPE,
  claimStatusQuery,
  type ClaimStatusSnapshot,
  type ClaimSubmissionWorkflow,
} from '../../workflows/claim/messages.js';
import {
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  visitCompletedSignal,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import {
  POC_SIGNATURE_WORKFLOW_TYPE,
  pocSignatureStatusQuery,
  recordSignatureUpdate,
  type PocSignatureInput,
  type PocSignatureWorkflow,
} from '../../workflows/poc-signature/messages.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { syntheticClaimCase } from '../fixtures/claim-case.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const TOKEN = 'gateway-test-token';
let db: TestDatabase;
let gateway: SandboxGateway;
let payer: { server: SandboxServer; connector: ClearinghouseConnector };
const dataKeyring = generateKeyring('poc-signature');
const offices = new Map<string, PhysicianRecipient>();
const directory: PhysicianDirectory = { recipient: async (_practice, id) => offices.get(id) };

/** A referring office in the directory; `fax` picks the sandbox scenario (…0486 is always busy). */
function office(fax: string, extra: Partial<PhysicianRecipient> = {}): string {
  const practitionerId = randomUUID();
  offices.set(practitionerId, { practitionerId, displayName: 'Dr. Lee', npi: '1679576722', fax, ...extra });
  return practitionerId;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  gateway = await startSandboxGateway({ token: TOKEN, testHooks: true });
  payer = await sandboxPayer(db.sql);
});
afterAll(async () => {
  await gateway?.close();
  await payer?.server.close();
  await db?.drop();
});

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn` with a worker on the time-skipping server (real activities, real gateway, real payer). */
async function withEnv(fn: (env: TestWorkflowEnvironment, taskQueue: string) => Promise<void>) {
  const env = await timeSkippingEnv();
  try {
    const taskQueue = uniqueTaskQueue('pocsig');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities: createActivities({
        db: db.db,
        dataKeyring,
        temporal: env.client,
        payerConnector: payer.connector,
        physicianDelivery: new GatewayPhysicianDelivery({
          baseUrl: gateway.url,
          token: TOKEN,
          timeoutMs: 5_000,
        }),
        physicianDirectory: directory,
      }),
      workflowBundle: workflowBundle(),
    });
    await worker.runUntil(() => fn(env, taskQueue));
  } finally {
    await env.teardown();
  }
}

const deliveriesOf = (reference: string) => gateway.deliveries().filter((d) => d.reference === reference);

/** Every send was decided inside the office hours (09:00–17:00, Monday–Friday, clinic zone). */
function insideOfficeHours(iso: string): boolean {
  const p = zonedParts(new Date(iso), TZ);
  const minute = p.hour * 60 + p.minute;
  return p.weekday >= 1 && p.weekday <= 5 && minute >= 9 * 60 && minute < 17 * 60;
}

async function startEpisode(
  client: Client,
  taskQueue: string,
  firstTreatmentDate: string,
  practitionerId: string,
) {
  const episodeId = randomUUID();
  const patientId = randomUUID();
  const handle = await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('poc', episodeId),
    args: [
      {
        episodeId,
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        referringPractitionerId: practitionerId,
        timezone: TZ,
        firstTreatmentDate,
      },
    ],
  });
  const status = await eventually(
    () => handle.query(planOfCareStatusQuery),
    (s) => (s.signatureProcesses?.length ?? 0) > 0,
  );
  const processId = status.signatureProcesses![0]!.processId;
  return {
    episodeId,
    patientId,
    plan: handle,
    signature: client.workflow.getHandle<PocSignatureWorkflow>(workflowId('pocsig', processId)),
    signatureWorkflowId: workflowId('pocsig', processId),
  };
}

/** A Medicare visit's claim on the episode, on today's date (workflow time). */
async function startClaim(
  client: Client,
  taskQueue: string,
  patientId: string,
  planOfCareWorkflowId: string,
  dos: string,
) {
  const c = syntheticClaimCase({
    memberId: `SBX-KXOVER-${randomUUID().slice(0, 8)}`,
    dos,
    patientId,
    kxAccruedAllowedCents: 300_000,
    planOfCareWorkflowId,
  });
  return client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowId('claim', c.claimId),
    args: [{ case: c, timezone: TZ, pollEveryMinutes: 60 }],
  });
}

/**
 * Lets workflow time pass (timers, retries) until the signature's release was coded and scrubbed again: the claim
 * recorded the correction and left the coding step (submitted, or held again for something else).
 */
async function claimAfterRelease(
  env: TestWorkflowEnvironment,
  claim: { query: (q: typeof claimStatusQuery) => Promise<ClaimStatusSnapshot> },
) {
  const released = (s: ClaimStatusSnapshot) =>
    s.decisions.some((d) => d.what === 'corrected' && d.reason.includes('poc-signature')) &&
    s.state !== 'coding' &&
    !s.blockingFindings.some((c) => c.startsWith('POC_'));
  let status = await claim.query(claimStatusQuery);
  for (let i = 0; i < 7 * 24 && !released(status); i++) {
    await env.sleep('1 hour');
    status = await claim.query(claimStatusQuery);
  }
  return status;
}

async function tasksRaisedBy(parent: string) {
  return db.db.select().from(tasks).where(eq(tasks.workflowId, parent));
}

describe('pocSignature with time skipping', () => {
  it('signed on day 12 (returned through the gateway) → recorded on the plan of care, the held claim is submitted', async () => {
    await withEnv(async (env, taskQueue) => {
      const start = new Date(await env.currentTimeMs());
      const first = localDate(start, TZ);
      const now = async () => localDate(new Date(await env.currentTimeMs()), TZ);
      const ep = await startEpisode(env.client, taskQueue, first, office('+13125550100'));
      const reference = signatureReference({ kind: 'initial', firstTreatmentDate: first }, ep.episodeId);

      // The original goes out (inside office hours: up to a weekend later) and is delivered.
      for (let i = 0; i < 80 && !deliveriesOf(reference).some((d) => d.status === 'delivered'); i++)
        await env.sleep('1 hour');
      expect(deliveriesOf(reference)[0]).toMatchObject({ kind: 'poc_certification', purpose: 'original' });

      // Day 2: a visit's claim is held by the scrubber: not certified yet, cleared by the plan of care.
      await env.sleep(`${Math.max(0, 2 - daysBetween(first, await now()))} days`);
      const claim = await startClaim(env.client, taskQueue, ep.patientId, ep.plan.workflowId, await now());
      const held = await eventually(
        () => claim.query(claimStatusQuery),
        (s) => s.state === 'needs_correction',
      );
      expect(held.blockingFindings).toContain('POC_NOT_CERTIFIED');
      expect(held.corrections).toContainEqual({ finding: 'POC_NOT_CERTIFIED', clearedBy: ['planOfCare'] });

      // Day 12: the office signs the latest copy it received and faxes it back.
      await env.sleep(`${12 - daysBetween(first, await now())} days`);
      const signedDate = await now();
      expect(daysBetween(first, signedDate)).toBe(12);
      const delivered = deliveriesOf(reference).filter((d) => d.status === 'delivered');
      expect(gateway.sign(delivered[delivered.length - 1]!.deliveryId, signedDate)).toBeDefined();
      await env.sleep('7 hours');

      const done = await ep.signature.result();
      expect(done).toMatchObject({
        state: 'signed',
        signedDate,
        signedVia: 'returned_copy',
        late: false,
        releasedClaims: 1,
        needsAttention: false,
      });
      // The day-7 reminder went out before the signature; none after it.
      expect(done.remindersSent).toEqual([7]);
      expect(done.deliveries.every((d) => insideOfficeHours(d.requestedAt))).toBe(true);
      const plan = await ep.plan.query(planOfCareStatusQuery);
      expect(plan).toMatchObject({ certification: 'certified', claimContext: { poc: { signedDate } } });
      // The held claim went back to the scrubber and on to the payer.
      const flowed = await claimAfterRelease(env, claim);
      expect(flowed.blockingFindings).toEqual([]);
      expect(['submitted', 'paid']).toContain(flowed.state);
      expect(flowed.decisions.map((d) => d.what)).toEqual(
        expect.arrayContaining(['held', 'corrected', 'submitted']),
      );
      // No chasing task is left on the worklist.
      expect((await tasksRaisedBy(ep.signatureWorkflowId)).filter((t) => t.status === 'open')).toEqual([]);
    });
  });

  it('unsigned on day 30 → claims after the window held, the front desk has the task; completing it with the signature date resumes and releases them', async () => {
    await withEnv(async (env, taskQueue) => {
      const first = localDate(new Date(await env.currentTimeMs()), TZ);
      const now = async () => localDate(new Date(await env.currentTimeMs()), TZ);
      const ep = await startEpisode(env.client, taskQueue, first, office('+13125550111'));

      // The patient keeps coming (every 6 days), so the episode stays active past day 30.
      for (let day = 1; day <= 31; day++) {
        await env.sleep('1 day');
        if (day % 6 === 0)
          await ep.plan.signal(visitCompletedSignal, { visitId: `v${day}`, dos: await now() });
      }
      await env.sleep('10 hours');
      const late = await ep.signature.query(pocSignatureStatusQuery);
      expect(late).toMatchObject({
        state: 'escalated',
        late: true,
        needsAttention: true,
        dueBy: addDays(first, 30),
      });
      expect(late.remindersSent).toEqual([7, 14, 21]);
      // Reminders respect the office's hours: every send decided inside 09:00–17:00, Monday–Friday.
      expect(late.deliveries.length).toBeGreaterThanOrEqual(4);
      expect(late.deliveries.every((d) => insideOfficeHours(d.requestedAt))).toBe(true);
      const escalations = (await tasksRaisedBy(ep.signatureWorkflowId)).filter(
        (t) => t.kind === 'poc_signature_escalation',
      );
      expect(escalations).toHaveLength(1);
      // Open, and overdue by now (raised on day 25 with 48 hours to do it): escalated on the worklist.
      expect(escalations[0]).toMatchObject({ assigneeRole: 'front_desk', status: 'escalated' });
      expect(escalations[0]!.details).toMatchObject({
        reference: signatureReference({ kind: 'initial', firstTreatmentDate: first }, ep.episodeId),
        dueBy: addDays(first, 30),
      });
      // The plan of care left the chase to the signature process (no duplicate reminder tasks of its own).
      expect((await tasksRaisedBy(ep.plan.workflowId)).map((t) => t.kind)).not.toContain(
        'poc_certification_reminder',
      );

      // A visit after the window: held, the finding names what clears it.
      const dos = await now();
      const claim = await startClaim(env.client, taskQueue, ep.patientId, ep.plan.workflowId, dos);
      const held = await eventually(
        () => claim.query(claimStatusQuery),
        (s) => s.state === 'needs_correction',
      );
      expect(held.corrections).toContainEqual({
        finding: 'POC_CERTIFICATION_LATE',
        clearedBy: ['planOfCare'],
      });

      // A wrong date is refused with the reason; the front desk completes the task with the real one.
      await expect(
        ep.signature.executeUpdate(recordSignatureUpdate, {
          args: [{ signedDate: addDays(first, -1), recordedBy: 'front-desk-1' }],
        }),
      ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await env.client.workflow
        .getHandle(workflowId('task', escalations[0]!.id))
        .signal(completeTaskSignal, { completedBy: 'front-desk-1', outcome: { signedDate: dos } });
      const done = await ep.signature.result();
      // A full 31-day chase (polls every 6 h, reminders, escalation) stays far from continue-as-new territory.
      const events = (await ep.signature.fetchHistory()).events?.length ?? 0;
      console.log(`pocSignature, 31-day chase to a late signature: ${events} history events`);
      expect(events).toBeLessThan(2_000);
      expect(done).toMatchObject({
        state: 'signed',
        signedDate: dos,
        signedVia: 'task',
        late: true,
        releasedClaims: 1,
      });
      // Signed late with the fax log as the diligence evidence: a delayed certification, and the claim flows.
      expect((await ep.plan.query(planOfCareStatusQuery)).claimContext.poc).toMatchObject({
        signedDate: dos,
        delayJustification: true,
      });
      const flowed = await claimAfterRelease(env, claim);
      expect(flowed.decisions.map((d) => d.what)).toContain('corrected');
      expect(flowed.blockingFindings.filter((c) => c.startsWith('POC_'))).toEqual([]);
      // The year's KX threshold is rule data: a date of service in a year without its row stays held for that
      // (KX_THRESHOLD_MISSING), and only for that; otherwise the claim goes on to the payer.
      if (flowed.blockingFindings.length > 0)
        expect(flowed.blockingFindings).toEqual(['KX_THRESHOLD_MISSING']);
      else expect(['submitted', 'paid']).toContain(flowed.state);
    });
  }, 300_000);

  it('a recertification cycle: the signed copy records the recertified period on the plan of care', async () => {
    await withEnv(async (env, taskQueue) => {
      const first = localDate(new Date(await env.currentTimeMs()), TZ);
      const ep = await startEpisode(env.client, taskQueue, first, office('+13125550133'));
      await ep.plan.executeUpdate(recordCertificationUpdate, {
        args: [{ kind: 'signature', signedDate: first }],
      });
      const cycle = {
        kind: 'recertification' as const,
        certifiedFrom: addDays(first, 91),
        certifiedThrough: addDays(first, 180),
      };
      const handle = await env.client.workflow.start<PocSignatureWorkflow>(POC_SIGNATURE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('pocsig', randomUUID()),
        args: [
          {
            episodeId: ep.episodeId,
            practiceId: DEMO_PRACTICE_ID,
            patientId: ep.patientId,
            referringPractitionerId: office('+13125550134'),
            timezone: TZ,
            cycle,
            planOfCareWorkflowId: ep.plan.workflowId,
          },
        ],
      });
      const reference = signatureReference(cycle, ep.episodeId);
      expect(reference).toMatch(/^R-/);
      for (let i = 0; i < 80 && !deliveriesOf(reference).some((d) => d.status === 'delivered'); i++)
        await env.sleep('1 hour');
      const delivered = deliveriesOf(reference).find((d) => d.status === 'delivered');
      expect(delivered).toMatchObject({ kind: 'recertification', purpose: 'original' });
      const signedDate = localDate(new Date(await env.currentTimeMs()), TZ);
      gateway.sign(delivered!.deliveryId, signedDate);
      await env.sleep('7 hours');
      expect(await handle.result()).toMatchObject({
        cycle: 'recertification',
        state: 'signed',
        signedDate,
        dueBy: addDays(cycle.certifiedFrom, 30),
      });
      expect((await ep.plan.query(planOfCareStatusQuery)).claimContext.poc.recertifications).toEqual([
        { signedDate, certifiedFrom: cycle.certifiedFrom, certifiedThrough: cycle.certifiedThrough },
      ]);
    });
  });

  it('a reminder due on a weekend waits for Monday 09:00 in the clinic zone', async () => {
    await withEnv(async (env, taskQueue) => {
      const today = localDate(new Date(await env.currentTimeMs()), TZ);
      // The anchor such that day 7 is the coming Saturday (at least two days ahead).
      let saturday = addDays(today, 2);
      while (zonedParts(new Date(`${saturday}T18:00:00Z`), TZ).weekday !== 6) saturday = addDays(saturday, 1);
      const input: PocSignatureInput = {
        episodeId: randomUUID(),
        practiceId: DEMO_PRACTICE_ID,
        patientId: randomUUID(),
        referringPractitionerId: office('+13125550122'),
        timezone: TZ,
        cycle: { kind: 'initial', firstTreatmentDate: addDays(saturday, -7) },
      };
      const handle = await env.client.workflow.start<PocSignatureWorkflow>(POC_SIGNATURE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('pocsig', randomUUID()),
        args: [input],
      });
      await env.sleep(`${daysBetween(today, saturday) + 3} days`);
      const status = await handle.query(pocSignatureStatusQuery);
      const reminder = status.deliveries.find((d) => d.purpose === 'reminder' && d.day === 7);
      expect(reminder).toBeDefined();
      const at = zonedParts(new Date(reminder!.requestedAt), TZ);
      expect(at.weekday).toBe(1);
      expect([at.hour, at.minute]).toEqual([9, 0]);
      expect(localDate(new Date(reminder!.requestedAt), TZ)).toBe(addDays(saturday, 2));
      await handle.executeUpdate(recordSignatureUpdate, {
        args: [
          { signedDate: localDate(new Date(await env.currentTimeMs()), TZ), recordedBy: 'front-desk-2' },
        ],
      });
      expect(await handle.result()).toMatchObject({ state: 'signed', signedVia: 'staff' });
    });
  });

  it('a fax that keeps failing is sent again, then becomes a front-desk task; completing it with the sent date resumes the chase', async () => {
    await withEnv(async (env, taskQueue) => {
      const today = localDate(new Date(await env.currentTimeMs()), TZ);
      const input: PocSignatureInput = {
        episodeId: randomUUID(),
        practiceId: DEMO_PRACTICE_ID,
        patientId: randomUUID(),
        referringPractitionerId: office('+13125550486'),
        timezone: TZ,
        cycle: { kind: 'initial', firstTreatmentDate: today },
      };
      const id = workflowId('pocsig', randomUUID());
      // The gateway is down for the first two calls: Temporal retries the activity.
      gateway.failNext(2);
      const handle = await env.client.workflow.start<PocSignatureWorkflow>(POC_SIGNATURE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      const failedTask = async () =>
        (await tasksRaisedBy(id)).filter((t) => t.kind === 'poc_delivery_failed');
      for (let i = 0; i < 100 && (await failedTask()).length === 0; i++) await env.sleep('1 hour');
      const [task] = await failedTask();
      expect(task).toMatchObject({ assigneeRole: 'front_desk', status: 'open' });
      expect(task!.details).toMatchObject({ attempts: 3, lastFailure: 'busy' });
      const status = await handle.query(pocSignatureStatusQuery);
      expect(status.state).toBe('escalated');
      // Three fax attempts, each failed as busy at the gateway, then the e-mail fallback had no address.
      expect(status.deliveries.map((d) => [d.attempt, d.status, d.failureCode ?? null])).toEqual([
        [1, 'failed', 'busy'],
        [2, 'failed', 'busy'],
        [3, 'failed', 'busy'],
        [1, 'no_route', 'no_email'],
      ]);
      expect(deliveriesOf(signatureReference(input.cycle, input.episodeId))).toHaveLength(3);

      await env.client.workflow.getHandle(workflowId('task', task!.id)).signal(completeTaskSignal, {
        completedBy: 'front-desk-3',
        outcome: { sentDate: await (async () => localDate(new Date(await env.currentTimeMs()), TZ))() },
      });
      const resumed = await eventually(
        () => handle.query(pocSignatureStatusQuery),
        (s) => s.state === 'awaiting_signature',
      );
      expect(resumed.state).toBe('awaiting_signature');
      expect(resumed.openTask).toBeUndefined();
      await handle.cancel();
      expect(await handle.result()).toMatchObject({ state: 'cancelled' });
    });
  });
});

describe('the POC signature directory over the practice referring-provider directory', () => {
  it('finds the office fax by EMR practitioner id or NPI (E.164); unknown and inactive entries give no route', async () => {
    const referrers = createReferrerRepository(db.db);
    const emrId = randomUUID();
    const npi = '1497758544';
    await referrers.syncFromEmr(DEMO_PRACTICE_ID, [
      { npi, lastName: 'Okafor', firstName: 'Ada', emrPractitionerId: emrId },
    ]);
    // The admin adds the fax number; the EMR practitioner id of the synced row stays.
    await referrers.put(DEMO_PRACTICE_ID, npi, {
      lastName: 'Okafor',
      firstName: 'Ada',
      organization: 'Lakeside Orthopedics',
      fax: '5555550199',
    });
    const directory = referringProviderDirectory(db.db);
    const expected = {
      practitionerId: emrId,
      npi,
      displayName: 'ADA OKAFOR, Lakeside Orthopedics',
      fax: '+15555550199',
    };
    expect(await directory.recipient(DEMO_PRACTICE_ID, emrId)).toEqual(expected);
    expect(await directory.recipient(DEMO_PRACTICE_ID, npi)).toEqual({ ...expected, practitionerId: npi });
    expect(await directory.recipient(DEMO_PRACTICE_ID, randomUUID())).toBeUndefined();
    expect(await directory.recipient(randomUUID(), emrId)).toBeUndefined();
    await referrers.put(DEMO_PRACTICE_ID, npi, { lastName: 'Okafor', active: false });
    expect(await directory.recipient(DEMO_PRACTICE_ID, emrId)).toBeUndefined();
  });
});
