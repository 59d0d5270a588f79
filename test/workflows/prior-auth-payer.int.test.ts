// Issue #5 scenario 3 end to end over the real payer path: the priorAuthorization workflow on the dev server,
// its activities through the payer port over the clearinghouse connector, real X12 278s over HTTP to the
// sandbox payer's Medicare Advantage plan (SBXMAFL, auth required), the member and patient read from our
// encrypted mirror. The sandbox pends `SBX-PEND-…` members until the test decides them (its own hook), so the
// order "visit 7 rejected, then the extension approved" is the test's, not a race.
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createPayerAuthorizationPort } from '../../activities/prior-authorization/payer.js';
import type { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { SandboxPayerStore } from '../../connectors/payer/sandbox/store.js';
import type { AuthorizationRequest, PayerConnector } from '../../connectors/payer/types.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  dischargeSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  resolveAuthorizationUpdate,
  type PriorAuthorizationInput,
  type PriorAuthorizationStatus,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { NeedsAttention } from '../../workflows/shared/search-attributes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
let db: TestDatabase;
let sandbox: SandboxServer;
let connector: ClearinghouseConnector;
let store: SandboxPayerStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  // Pended requests stay pended however often they are queried, until the test decides them.
  ({ server: sandbox, connector } = await sandboxPayer(db.sql, { pendPolls: 1_000_000 }));
  store = new SandboxPayerStore(db.sql);
});
afterAll(async () => {
  await sandbox?.close();
  await db?.drop();
});

/** The connector, recording every authorization request it sends (the X12 itself is the sandbox's to read). */
function recording(c: PayerConnector) {
  const sent: { op: 'submit' | 'query'; req: AuthorizationRequest }[] = [];
  const spy: PayerConnector = {
    checkEligibility: (r) => c.checkEligibility(r),
    submitAuthorization: (r) => (sent.push({ op: 'submit', req: r }), c.submitAuthorization(r)),
    queryAuthorization: (r) => (sent.push({ op: 'query', req: r }), c.queryAuthorization(r)),
    submitClaim: (s) => c.submitClaim(s),
    queryClaimStatus: (r) => c.queryClaimStatus(r),
    fetchInbound: (cursor) => c.fetchInbound(cursor),
    acknowledgeInbound: (cursors) => c.acknowledgeInbound(cursors),
  };
  return { spy, sent };
}

/** A synthetic patient with a coverage at the sandbox MA plan, in our encrypted mirror. */
async function enrol(memberId: string, payerId = 'ma-fastlane') {
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
    payerId,
    priority: 1,
    memberId,
  });
  return { patientId, coverageId };
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run<T>(connectorUnderTest: PayerConnector, body: (taskQueue: string) => Promise<T>) {
  const taskQueue = uniqueTaskQueue();
  const payer = createPayerAuthorizationPort({ db: db.db, keys, payer: connectorUnderTest });
  const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer }));
  try {
    return await body(taskQueue);
  } finally {
    await worker.close();
  }
}

function input(today: string, who: { patientId: string; coverageId: string }): PriorAuthorizationInput {
  return {
    authorizationId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    ...who,
    payerId: 'ma-fastlane',
    timezone: TZ,
    requestedVisits: 6,
    startDate: today,
    endDate: addDays(today, 55),
    urgency: 'standard',
    diagnosisCodes: ['M54.50'],
    // Ask the payer again every 1.2 s while it decides (production: every 6 hours).
    pollEveryMinutes: 0.02,
    planOfCareContinues: true,
  };
}

/** The ProcessStatus values the workflow published, in order, without repeats (from its history). */
async function statusTrail(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const trail: string[] = [];
  for (const e of (await handle.fetchHistory()).events ?? []) {
    const field = (
      e as {
        upsertWorkflowSearchAttributesEventAttributes?: {
          searchAttributes?: { indexedFields?: Record<string, { data?: Uint8Array | null }> };
        };
      }
    ).upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['ProcessStatus']?.data;
    if (!field) continue;
    const value = JSON.parse(Buffer.from(field).toString('utf8')) as string;
    if (trail[trail.length - 1] !== value) trail.push(value);
  }
  return trail;
}

const tasksOf = (parent: string) => db.db.select().from(tasks).where(eq(tasks.workflowId, parent));

describe('priorAuthorization over X12 278 with the sandbox Medicare Advantage plan', () => {
  it('scenario 3: pending → approved for 6 → visits 1–6 → visit 7 rejected; at 2 left an alert and an automatic extension; its approval adds visits', async () => {
    const memberId = `SBX-PEND-${randomUUID().slice(0, 8).toUpperCase()}`;
    const who = await enrol(memberId);
    const { spy, sent } = recording(connector);
    const { client, close } = await devServerClient();
    try {
      await run(spy, async (taskQueue) => {
        const today = localDate(new Date(), TZ);
        const args = input(today, who);
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        const status = () => handle.query(priorAuthorizationStatusQuery);

        // Submitted as a 278, answered A4 (pended): the workflow keeps asking with the same trace.
        expect((await eventually(status, (s) => s.status === 'pending')).status).toBe('pending');
        const [initial] = await eventually(
          () => store.memberAuths(memberId),
          (rows) => rows[0] !== undefined && rows[0].polls >= 2,
        );
        expect(initial).toMatchObject({ status: 'pended', x12PayerId: 'SBXMAFL', visitsRequested: 6 });
        expect(initial!.polls).toBeGreaterThanOrEqual(2);
        const first = sent[0]!.req;
        expect(first).toMatchObject({ certificationType: 'initial', diagnoses: ['M54.50'] });
        expect(first.member).toMatchObject({ memberId, lastName: 'Synthetic', dateOfBirth: '1950-01-01' });
        expect(
          sent.filter((s) => s.op === 'query').every((s) => s.req.traceNumber === first.traceNumber),
        ).toBe(true);

        // The payer decides; the next status query brings it in: approved for 6 visits with the payer's number.
        expect(await sandbox.payer.decidePended(initial!.certificationNumber, 'approve')).toBe(true);
        const approved = await eventually(status, (s) => s.status === 'approved');
        const decided = (await store.memberAuths(memberId))[0]!;
        expect(approved).toMatchObject<Partial<PriorAuthorizationStatus>>({
          status: 'approved',
          authNumber: decided.authorizationNumber!,
          visitsAuthorized: 6,
          visitsRemaining: 6,
          startDate: today,
          endDate: addDays(today, 55),
        });
        expect(await statusTrail(handle)).toEqual(['submitted', 'pending', 'approved']);

        for (let i = 1; i <= 6; i++) {
          const r = await handle.executeUpdate(recordVisitUpdate, {
            args: [{ visitId: `visit-${i}`, dos: today, units: 3 }],
          });
          expect(r).toMatchObject({ visitsUsed: i, visitsRemaining: 6 - i, duplicate: false });
        }

        // At 2 left: the alert task, and the extension 278 (UM02 4) went out by itself; the payer pends it.
        const raised = await eventually(
          () => tasksOf(id),
          (t) => t.some((x) => x.kind === 'auth_visits_low'),
        );
        expect(raised.map((t) => t.kind)).toContain('auth_visits_low');
        const rows = await eventually(
          () => store.memberAuths(memberId),
          (r) => r.length === 2,
        );
        const extension = rows.find((r) => r.certificationNumber !== initial!.certificationNumber)!;
        expect(extension).toMatchObject({ status: 'pended', visitsRequested: 6 });
        const extensionRequests = sent.filter(
          (s) => s.op === 'submit' && s.req.certificationType === 'extension',
        );
        expect(extensionRequests).toHaveLength(1);
        expect(extensionRequests[0]!.req.traceNumber).toBe(extension.traceNumber);

        // Visit 7 of 6 is refused with the reason the scheduler shows, while the extension is pending.
        const seventh = await handle
          .executeUpdate(recordVisitUpdate, { args: [{ visitId: 'visit-7', dos: today, units: 3 }] })
          .catch((e: unknown) => e);
        expect(seventh).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(((seventh as WorkflowUpdateFailedError).cause as Error).message).toBe(
          'Visit 7 would exceed the 6 authorized visits.',
        );
        expect(await status()).toMatchObject({
          visitsUsed: 6,
          extensionsRequested: 1,
          extensionsApproved: 0,
        });

        // The payer approves the extension; the workflow's poll finds it: 6 more visits, visit 7 now counts.
        await eventually(
          () => store.memberAuths(memberId),
          (r) => (r.find((x) => x.id === extension.id)?.polls ?? 0) >= 1,
        );
        expect(await sandbox.payer.decidePended(extension.certificationNumber, 'approve')).toBe(true);
        const extended = await eventually(status, (s) => s.status === 'extended');
        expect(extended).toMatchObject({
          status: 'extended',
          visitsAuthorized: 12,
          visitsUsed: 6,
          visitsRemaining: 6,
          extensionsApproved: 1,
        });
        expect(
          await handle.executeUpdate(recordVisitUpdate, {
            args: [{ visitId: 'visit-7', dos: today, units: 3 }],
          }),
        ).toMatchObject({ visitsUsed: 7, visitsRemaining: 5 });

        await handle.signal(dischargeSignal);
        expect(await handle.result()).toMatchObject({
          status: 'closed',
          visitsUsed: 7,
          visitsAuthorized: 12,
        });
        expect(await statusTrail(handle)).toEqual(
          expect.arrayContaining([
            'submitted',
            'pending',
            'approved',
            'extension_requested',
            'extended',
            'closed',
          ]),
        );
      });
    } finally {
      await close();
    }
  });

  it('an extension the payer pends and then denies raises a task; the approved visits stay, no second extension', async () => {
    const memberId = `SBX-PEND-${randomUUID().slice(0, 8).toUpperCase()}`;
    const who = await enrol(memberId);
    const { spy, sent } = recording(connector);
    const { client, close } = await devServerClient();
    try {
      await run(spy, async (taskQueue) => {
        const today = localDate(new Date(), TZ);
        const args = { ...input(today, who), requestedVisits: 3 };
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        const status = () => handle.query(priorAuthorizationStatusQuery);
        const [initial] = await eventually(
          () => store.memberAuths(memberId),
          (rows) => rows.length === 1,
        );
        await sandbox.payer.decidePended(initial!.certificationNumber, 'approve');
        await eventually(status, (s) => s.status === 'approved');
        // Visit 1 of 3 leaves 2: alert and extension request, which the payer pends.
        await handle.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'v1', dos: today, units: 2 }] });
        const rows = await eventually(
          () => store.memberAuths(memberId),
          (r) => r.length === 2 && r.every((x) => x.polls >= 1),
        );
        const extension = rows.find((r) => r.id !== initial!.id)!;
        expect(await sandbox.payer.decidePended(extension.certificationNumber, 'deny')).toBe(true);
        const raised = await eventually(
          () => tasksOf(id),
          (t) => t.some((x) => x.kind === 'auth_extension_denied'),
        );
        expect(raised.map((t) => t.kind).sort()).toEqual(['auth_extension_denied', 'auth_visits_low']);
        expect(await status()).toMatchObject({
          status: 'active',
          visitsAuthorized: 3,
          extensionsRequested: 1,
          extensionsApproved: 0,
        });
        for (const v of ['v2', 'v3'])
          await handle.executeUpdate(recordVisitUpdate, { args: [{ visitId: v, dos: today, units: 2 }] });
        const fourth = await handle
          .executeUpdate(recordVisitUpdate, { args: [{ visitId: 'v4', dos: today, units: 2 }] })
          .catch((e: unknown) => e);
        expect(((fourth as WorkflowUpdateFailedError).cause as Error).message).toBe(
          'Visit 4 would exceed the 3 authorized visits.',
        );
        expect(sent.filter((s) => s.op === 'submit')).toHaveLength(2);
        await handle.signal(dischargeSignal);
        expect(await handle.result()).toMatchObject({ status: 'closed', visitsUsed: 3 });
      });
    } finally {
      await close();
    }
  });

  it('a 278 "not certified" (A3) ends the authorization as denied, with a task and NeedsAttention', async () => {
    const who = await enrol(`SBX-DENYAUTH-${randomUUID().slice(0, 8).toUpperCase()}`);
    const { client, close } = await devServerClient();
    try {
      await run(connector, async (taskQueue) => {
        const args = input(localDate(new Date(), TZ), who);
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        expect(await handle.result()).toMatchObject({
          status: 'denied',
          needsAttention: true,
          visitsUsed: 0,
        });
        const raised = await eventually(
          () => tasksOf(id),
          (t) => t.some((x) => x.kind === 'auth_denied'),
        );
        expect(raised.map((t) => t.kind)).toContain('auth_denied');
        expect((await handle.describe()).typedSearchAttributes.get(NeedsAttention)).toBe(true);
      });
    } finally {
      await close();
    }
  });

  it('without a diagnosis no 278 can be built: a front-desk task, NeedsAttention; the correction resubmits and is approved', async () => {
    const who = await enrol(`SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`);
    const { spy, sent } = recording(connector);
    const { client, close } = await devServerClient();
    try {
      await run(spy, async (taskQueue) => {
        const { diagnosisCodes: _none, ...args } = input(localDate(new Date(), TZ), who);
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        const status = () => handle.query(priorAuthorizationStatusQuery);

        // The process stays alive and says what to fix (type and reason code only); nothing went to the payer.
        const waiting = await eventually(status, (s) => s.status === 'needs_attention');
        expect(waiting).toMatchObject({
          status: 'needs_attention',
          needsAttention: true,
          attention: { type: 'AuthorizationDataMissing', reasonCode: 'no_diagnosis' },
        });
        const [task] = await eventually(
          () => tasksOf(id),
          (t) => t.length === 1,
        );
        expect(task).toMatchObject({
          kind: 'auth_data_missing',
          assigneeRole: 'front_desk',
          status: 'open',
          details: {
            authorizationId: args.authorizationId,
            payerId: 'ma-fastlane',
            reasonCode: 'no_diagnosis',
            problem: 'AuthorizationDataMissing',
          },
        });
        expect(task!.dueAt.getTime()).toBeGreaterThan(Date.now());
        expect(JSON.stringify(task)).not.toContain('SBX-');
        expect(
          await eventually(
            async () => (await handle.describe()).typedSearchAttributes.get(NeedsAttention),
            (v) => v === true,
          ),
        ).toBe(true);
        expect(sent).toHaveLength(0);

        // A resubmission still without a diagnosis is refused and changes nothing.
        const refused = await handle
          .executeUpdate(resolveAuthorizationUpdate, { args: [{ action: 'resubmit', resolvedBy: 'key-1' }] })
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(
          'InvalidResolution',
        );
        expect((await status()).status).toBe('needs_attention');

        // The front desk adds the diagnosis: a new request (new trace) goes out and the payer approves it.
        const accepted = await handle.executeUpdate(resolveAuthorizationUpdate, {
          args: [{ action: 'resubmit', diagnosisCodes: ['M54.50'], resolvedBy: 'key-1' }],
        });
        expect(accepted.status).toBe('submitted');
        const approved = await eventually(status, (s) => s.status === 'approved');
        expect(approved).toMatchObject({ status: 'approved', visitsAuthorized: 6, needsAttention: false });
        expect(approved.attention).toBeUndefined();
        expect(sent.map((s) => [s.op, s.req.diagnoses])).toEqual([['submit', ['M54.50']]]);
        // The task is moot once resolved: closed on the worklist.
        expect(
          (
            await eventually(
              () => tasksOf(id),
              (t) => t[0]?.status === 'cancelled',
            )
          )[0]!.status,
        ).toBe('cancelled');
        expect(
          await eventually(
            async () => (await handle.describe()).typedSearchAttributes.get(NeedsAttention),
            (v) => v === false,
          ),
        ).toBe(false);
        expect(await statusTrail(handle)).toEqual(['submitted', 'needs_attention', 'submitted', 'approved']);

        // Nothing waits for staff any more: a second resolution is refused.
        const late = await handle
          .executeUpdate(resolveAuthorizationUpdate, { args: [{ action: 'cancel', resolvedBy: 'key-1' }] })
          .catch((e: unknown) => e);
        expect(((late as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(
          'NotAwaitingResolution',
        );
        await handle.signal(dischargeSignal);
        expect(await handle.result()).toMatchObject({ status: 'closed', visitsAuthorized: 6 });
      });
    } finally {
      await close();
    }
  });

  it('an AAA rejection (member not found) raises a front-desk task with the AAA code; cancel closes the authorization', async () => {
    const memberId = `SBX-NOTFOUND-${randomUUID().slice(0, 8).toUpperCase()}`;
    const who = await enrol(memberId);
    const { client, close } = await devServerClient();
    try {
      await run(connector, async (taskQueue) => {
        const args = input(localDate(new Date(), TZ), who);
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        const waiting = await eventually(
          () => handle.query(priorAuthorizationStatusQuery),
          (s) => s.status === 'needs_attention',
        );
        expect(waiting.attention).toEqual({
          type: 'AuthorizationRequestRejected',
          reasonCode: 'aaa_75',
          level: 'subscriber',
        });
        const [task] = await eventually(
          () => tasksOf(id),
          (t) => t.length === 1,
        );
        expect(task).toMatchObject({
          kind: 'auth_request_rejected',
          assigneeRole: 'front_desk',
          details: { reasonCode: 'aaa_75', problem: 'AuthorizationRequestRejected' },
        });
        // The rejected request was never filed at the payer.
        expect(await store.memberAuths(memberId)).toHaveLength(0);

        await handle.executeUpdate(resolveAuthorizationUpdate, {
          args: [{ action: 'cancel', resolvedBy: 'key-1' }],
        });
        expect(await handle.result()).toMatchObject({ status: 'closed', needsAttention: false });
        expect((await handle.describe()).typedSearchAttributes.get(NeedsAttention)).toBe(false);
      });
    } finally {
      await close();
    }
  });

  it('"no authorization required" (HCR NA) completes as not_required: no task, no NeedsAttention', async () => {
    const who = await enrol(`SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`, 'medicare-part-b');
    const { spy, sent } = recording(connector);
    const { client, close } = await devServerClient();
    try {
      await run(spy, async (taskQueue) => {
        const args = { ...input(localDate(new Date(), TZ), who), payerId: 'medicare-part-b' };
        const id = workflowId('auth', args.authorizationId);
        const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        expect(await handle.result()).toMatchObject({
          status: 'not_required',
          needsAttention: false,
          visitsUsed: 0,
        });
        expect(await handle.result()).not.toHaveProperty('authNumber');
        // One request, answered NA: no polling, no resubmission loop, nothing on the worklist.
        expect(sent.map((s) => s.op)).toEqual(['submit']);
        expect(await tasksOf(id)).toEqual([]);
        expect((await handle.describe()).typedSearchAttributes.get(NeedsAttention)).toBe(false);
        expect(await statusTrail(handle)).toEqual(['submitted', 'not_required']);
      });
    } finally {
      await close();
    }
  });
});

describe('the payer port over the clearinghouse connector', () => {
  const port = () => createPayerAuthorizationPort({ db: db.db, keys, payer: connector });
  const submission = (who: { patientId: string; coverageId: string }) => ({
    authorizationId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    ...who,
    payerId: 'ma-fastlane',
    requestedVisits: 6,
    startDate: '2026-03-02',
    urgency: 'standard' as const,
    diagnosisCodes: ['M54.50'],
  });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as ApplicationFailure,
    );

  it('the same key is the same request at the payer: a retried submission and the status query answer alike', async () => {
    const memberId = `SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`;
    const sub = submission(await enrol(memberId));
    const first = await port().submit(sub, `auth:${sub.authorizationId}:request:1`);
    expect(first).toMatchObject({ outcome: 'approved', visitsAuthorized: 6 });
    expect(await port().submit(sub, `auth:${sub.authorizationId}:request:1`)).toEqual(first);
    expect(await port().status(sub, `auth:${sub.authorizationId}:request:1`)).toEqual(first);
    expect(await store.memberAuths(memberId)).toHaveLength(1);
  });

  it('a patient or coverage we do not hold, or a coverage now at another payer, fails without asking the payer', async () => {
    const sub = submission({ patientId: randomUUID(), coverageId: randomUUID() });
    const missing = await failure(port().submit(sub, 'auth:x:request:1'));
    expect(missing).toMatchObject({ type: 'AuthorizationDataMissing', nonRetryable: true });
    const moved = await failure(
      port().submit(
        { ...submission(await enrol('SBX-CO45-MOVED')), payerId: 'commercial-ama' },
        'auth:y:request:1',
      ),
    );
    expect(moved).toMatchObject({ type: 'AuthorizationCoverageChanged', nonRetryable: true });
    expect(moved.message).not.toContain('SBX');
  });

  it('a payer outage is a retryable PayerTransportError carrying the Retry-After delay', async () => {
    const sub = submission(await enrol(`SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`));
    sandbox.faults.startOutage(Date.now(), 60_000);
    try {
      const down = await failure(port().submit(sub, `auth:${sub.authorizationId}:request:1`));
      expect(down).toBeInstanceOf(ApplicationFailure);
      expect(down).toMatchObject({ type: 'PayerTransportError', nonRetryable: false });
      expect(down.nextRetryDelay).toBeDefined();
    } finally {
      sandbox.faults.clear();
    }
    // After the outage the same request goes through.
    expect(await port().submit(sub, `auth:${sub.authorizationId}:request:1`)).toMatchObject({
      outcome: 'approved',
    });
  });
});
