// priorAuthorization on real servers with the real worklist in PostgreSQL. The payer is a scripted in-memory
// port here (the workflow's contract is PayerDecision values); the sandbox payer's X12 path is tested in
// test/connectors/payer.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type {
  AuthorizationPayerPort,
  AuthorizationSubmission,
} from '../../activities/prior-authorization/index.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import type { PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  dischargeSignal,
  payerDecisionSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  resolveAuthorizationUpdate,
  type PriorAuthorizationInput,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { NeedsAttention } from '../../workflows/shared/search-attributes.js';
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

/** A payer that answers from a script and records every request with its idempotency key. */
function scriptedPayer(script: PayerDecision[]) {
  const calls: { kind: 'submit' | 'status'; request: AuthorizationSubmission; key: string }[] = [];
  const port: AuthorizationPayerPort = {
    submit: async (request, key) => {
      calls.push({ kind: 'submit', request, key });
      return script.shift() ?? { outcome: 'pended' };
    },
    status: async (request, key) => {
      calls.push({ kind: 'status', request, key });
      return { outcome: 'pended' };
    },
  };
  return { port, calls };
}

function input(today: string, overrides: Partial<PriorAuthorizationInput> = {}): PriorAuthorizationInput {
  return {
    authorizationId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    coverageId: randomUUID(),
    payerId: 'ma-fastlane',
    timezone: TZ,
    requestedVisits: 12,
    startDate: today,
    urgency: 'standard',
    planOfCareContinues: true,
    ...overrides,
  };
}

async function tasksOf(parent: string) {
  return db.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.workflowId, parent)));
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('priorAuthorization on the dev server', () => {
  it('pending → approved for 6 → visits 1-6 → visit 7 rejected; alert and automatic extension at 2 left; extension adds visits', async () => {
    const payer = scriptedPayer([{ outcome: 'pended' }, { outcome: 'pended' }]);
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer: payer.port }));
    const { client, close } = await devServerClient();
    try {
      const today = localDate(new Date(), TZ);
      const args = input(today);
      const id = workflowId('auth', args.authorizationId);
      const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
        PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
        {
          taskQueue,
          workflowId: id,
          args: [args],
        },
      );
      expect(
        (
          await eventually(
            () => handle.query(priorAuthorizationStatusQuery),
            (s) => s.status === 'pending',
          )
        ).status,
      ).toBe('pending');

      await handle.signal(payerDecisionSignal, {
        outcome: 'approved',
        authNumber: 'MA-778899',
        visitsAuthorized: 6,
        startDate: today,
        endDate: addDays(today, 55),
      });
      for (let i = 1; i <= 6; i++) {
        const r = await handle.executeUpdate(recordVisitUpdate, {
          args: [{ visitId: `visit-${i}`, dos: today, units: 3 }],
        });
        expect(r).toMatchObject({ visitsUsed: i, visitsRemaining: 6 - i, duplicate: false });
      }
      const seventh = await handle
        .executeUpdate(recordVisitUpdate, { args: [{ visitId: 'visit-7', dos: today, units: 3 }] })
        .catch((e: unknown) => e);
      expect(seventh).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((seventh as WorkflowUpdateFailedError).cause as Error).message).toBe(
        'Visit 7 would exceed the 6 authorized visits.',
      );
      // A repeated delivery of a counted visit changes nothing.
      expect(
        await handle.executeUpdate(recordVisitUpdate, {
          args: [{ visitId: 'visit-6', dos: today, units: 3 }],
        }),
      ).toMatchObject({ visitsUsed: 6, duplicate: true });

      // The extension went out once, automatically, carrying the payer's number; the alert is on the worklist.
      // The submission is an activity the workflow starts after the update that crossed the threshold has
      // answered, so it is waited for, not assumed.
      const submits = await eventually(
        async () => payer.calls.filter((c) => c.kind === 'submit'),
        (s) => s.length >= 2,
      );
      expect(submits).toHaveLength(2);
      expect(submits[1]).toMatchObject({
        key: `auth:${args.authorizationId}:request:2`,
        request: { extendsAuthNumber: 'MA-778899' },
      });
      const raised = await eventually(
        () => tasksOf(id),
        (t) => t.some((x) => x.kind === 'auth_visits_low'),
      );
      expect(raised.map((t) => t.kind)).toContain('auth_visits_low');
      // Exhausted, with the extension in flight (which of the two shows depends on which happened last).
      expect(['exhausted', 'extension_requested']).toContain(
        (await handle.query(priorAuthorizationStatusQuery)).status,
      );

      await handle.signal(payerDecisionSignal, {
        outcome: 'approved',
        visitsAuthorized: 6,
        endDate: addDays(today, 90),
      });
      const status = await eventually(
        () => handle.query(priorAuthorizationStatusQuery),
        (s) => s.status === 'extended',
      );
      expect(status).toMatchObject({
        status: 'extended',
        visitsAuthorized: 12,
        visitsUsed: 6,
        visitsRemaining: 6,
      });
      expect(
        await handle.executeUpdate(recordVisitUpdate, {
          args: [{ visitId: 'visit-7', dos: today, units: 3 }],
        }),
      ).toMatchObject({
        visitsUsed: 7,
      });

      await handle.signal(dischargeSignal);
      expect(await handle.result()).toMatchObject({ status: 'closed', visitsUsed: 7 });
    } finally {
      await close();
      await worker.close();
    }
  });
});

describe('priorAuthorization with time skipping', () => {
  it('approved for 30 days with no visits: alerts before the end, then expired with NeedsAttention', async () => {
    const env = await timeSkippingEnv();
    try {
      const start = new Date(await env.currentTimeMs());
      const today = localDate(start, TZ);
      const payer = scriptedPayer([
        {
          outcome: 'approved',
          authNumber: 'MA-1',
          visitsAuthorized: 6,
          startDate: today,
          endDate: addDays(today, 29),
        },
      ]);
      const taskQueue = uniqueTaskQueue();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        activities: createActivities({ db: db.db, payer: payer.port }),
        workflowBundle: workflowBundle(),
      });
      await worker.runUntil(async () => {
        const args = input(today, { planOfCareContinues: false });
        const id = workflowId('auth', args.authorizationId);
        const handle = await env.client.workflow.start<PriorAuthorizationWorkflow>(
          PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: id,
            args: [args],
          },
        );
        await env.sleep('24 days');
        const before = await tasksOf(id);
        expect(
          before
            .filter((t) => t.kind === 'auth_ending_soon')
            .map((t) => t.title)
            .sort(),
        ).toEqual(['Authorization ends in 14 day(s)', 'Authorization ends in 7 day(s)']);
        expect((await handle.query(priorAuthorizationStatusQuery)).status).toBe('approved');

        const result = await handle.result();
        expect(result).toMatchObject({ status: 'expired', needsAttention: true, visitsUsed: 0 });
        // The task is a child workflow that outlives the authorization: its row appears right after.
        const after = await eventually(
          () => tasksOf(id),
          (t) => t.some((x) => x.kind === 'auth_expired'),
        );
        expect(after.map((t) => t.kind)).toContain('auth_expired');
        // The practice's numbers count it as expired with its 6 approved visits unused.
        expect(after.find((t) => t.kind === 'auth_expired')?.details).toMatchObject({
          visitsUsed: 0,
          visitsUnused: 6,
        });
        const elapsedDays = ((await env.currentTimeMs()) - start.getTime()) / 86_400_000;
        expect(elapsedDays).toBeGreaterThanOrEqual(29);
        const described = await handle.describe();
        expect(described.typedSearchAttributes.get(NeedsAttention)).toBe(true);
        // No extension without a continuing plan of care.
        expect(payer.calls.filter((c) => c.kind === 'submit')).toHaveLength(1);
      });
    } finally {
      await env.teardown();
    }
  });
});

/** The typed failure the payer port raises for an answer that is no decision (as activities/authorization-mapping). */
function noDecision(type: string, detail: { reasonCode: string; level?: string }) {
  return ApplicationFailure.create({ type, message: 'No decision.', nonRetryable: true, details: [detail] });
}

describe('priorAuthorization when the payer answers with no decision (issue #5)', () => {
  it('an unreadable answer raises a biller task and waits; staff say "not required": completes as not_required', async () => {
    const port: AuthorizationPayerPort = {
      submit: async () => {
        throw noDecision('AuthorizationDecisionUnreadable', { reasonCode: 'no_decision' });
      },
      status: async () => ({ outcome: 'pended' }),
    };
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer: port }));
    const { client, close } = await devServerClient();
    try {
      const args = input(localDate(new Date(), TZ));
      const id = workflowId('auth', args.authorizationId);
      const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
        PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
        {
          taskQueue,
          workflowId: id,
          args: [args],
        },
      );
      const [task] = await eventually(
        () => tasksOf(id),
        (t) => t.length === 1,
      );
      expect(task).toMatchObject({
        kind: 'auth_decision_unreadable',
        assigneeRole: 'biller',
        details: { reasonCode: 'no_decision', problem: 'AuthorizationDecisionUnreadable' },
      });
      expect(await handle.query(priorAuthorizationStatusQuery)).toMatchObject({
        status: 'needs_attention',
        needsAttention: true,
      });
      await handle.executeUpdate(resolveAuthorizationUpdate, {
        args: [{ action: 'not_required', resolvedBy: 'key-2' }],
      });
      expect(await handle.result()).toMatchObject({ status: 'not_required', needsAttention: false });
      expect(
        (
          await eventually(
            () => tasksOf(id),
            (t) => t[0]?.status === 'cancelled',
          )
        )[0]!.status,
      ).toBe('cancelled');
    } finally {
      await worker.close();
      await close();
    }
  });

  it('cancelled while it waits for staff (its onboarding was cancelled): the task is closed with it', async () => {
    const port: AuthorizationPayerPort = {
      submit: async () => {
        throw noDecision('AuthorizationDataMissing', { reasonCode: 'no_diagnosis' });
      },
      status: async () => ({ outcome: 'pended' }),
    };
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer: port }));
    const { client, close } = await devServerClient();
    try {
      const args = input(localDate(new Date(), TZ));
      const id = workflowId('auth', args.authorizationId);
      const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
        PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
        {
          taskQueue,
          workflowId: id,
          args: [args],
        },
      );
      await eventually(
        () => tasksOf(id),
        (t) => t.length === 1,
      );
      await handle.cancel();
      expect(await handle.result().catch((e: unknown) => (e as Error).name)).toBe('WorkflowFailedError');
      const [task] = await eventually(
        () => tasksOf(id),
        (t) => t[0]?.status === 'cancelled',
      );
      expect(task).toMatchObject({ kind: 'auth_data_missing', status: 'cancelled' });
    } finally {
      await worker.close();
      await close();
    }
  });

  it('an extension request the payer rejects (AAA at the provider level) keeps the approved visits and raises a biller task', async () => {
    let submits = 0;
    const port: AuthorizationPayerPort = {
      submit: async () => {
        submits += 1;
        if (submits === 1) return { outcome: 'approved', authNumber: 'A-1', visitsAuthorized: 3 };
        throw noDecision('AuthorizationRequestRejected', { reasonCode: 'aaa_43', level: 'provider' });
      },
      status: async () => ({ outcome: 'pended' }),
    };
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer: port }));
    const { client, close } = await devServerClient();
    try {
      const today = localDate(new Date(), TZ);
      const args = input(today, { requestedVisits: 3 });
      const id = workflowId('auth', args.authorizationId);
      const handle = await client.workflow.start<PriorAuthorizationWorkflow>(
        PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
        {
          taskQueue,
          workflowId: id,
          args: [args],
        },
      );
      await eventually(
        () => handle.query(priorAuthorizationStatusQuery),
        (s) => s.status === 'approved',
      );
      // Visit 1 of 3 leaves 2: the alert and the extension request, which the payer rejects.
      await handle.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'v1', dos: today, units: 2 }] });
      const raised = await eventually(
        () => tasksOf(id),
        (t) => t.some((x) => x.kind === 'auth_request_rejected'),
      );
      expect(raised.find((x) => x.kind === 'auth_request_rejected')).toMatchObject({
        assigneeRole: 'biller',
        details: { reasonCode: 'aaa_43', extension: true },
      });
      expect(await handle.query(priorAuthorizationStatusQuery)).toMatchObject({
        status: 'active',
        visitsAuthorized: 3,
        extensionsRequested: 1,
        extensionsApproved: 0,
      });
      expect(
        await handle.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'v2', dos: today, units: 2 }] }),
      ).toMatchObject({ visitsUsed: 2, visitsRemaining: 1 });
      expect(submits).toBe(2);
      await handle.signal(dischargeSignal);
      expect(await handle.result()).toMatchObject({ status: 'closed', visitsUsed: 2 });
    } finally {
      await worker.close();
      await close();
    }
  });
});
