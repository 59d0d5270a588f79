// humanTask end to end: the worklist row lives in the real PostgreSQL, the workflow runs on the real dev server
// (completion by signal) and on the time-skipping server (escalation after the due date, 30+ days skipped).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createTaskActivities } from '../../activities/tasks/index.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createTaskRepository } from '../../db/repositories/tasks.js';
import { tasks } from '../../db/schema.js';
import { seedDemoPractice, DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { HumanTaskInput } from '../../domain/tasks.js';
import {
  DueAt,
  PracticeId,
  ProcessKind,
  ProcessStatus,
  TaskRole,
} from '../../workflows/shared/search-attributes.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { completeTaskSignal, humanTaskStatusQuery } from '../../workflows/tasks/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  devServerClient,
  devServerWorker,
  timeSkippingEnv,
  uniqueTaskQueue,
  workflowBundle,
} from '../helpers/temporal.js';
import { Worker } from '@temporalio/worker';

let db: TestDatabase;
/** The data keyring the worker stores task outcomes under (SEC-ENC-1). */
const dataKeyring = generateKeyring('t1');

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => {
  await db?.drop();
});

function taskInput(dueAt: Date): HumanTaskInput {
  const taskId = randomUUID();
  return {
    taskId,
    practiceId: DEMO_PRACTICE_ID,
    kind: 'verify_coverage_by_phone',
    assigneeRole: 'front_desk',
    title: 'Verify coverage by phone',
    dueAt: dueAt.toISOString(),
    parentWorkflowId: workflowId('onboarding', randomUUID()),
    processKind: 'onboarding',
    details: { payerId: 'SANDBOX-MEDICARE' },
  };
}

async function taskRow(taskId: string) {
  const rows = await db.db.select().from(tasks).where(eq(tasks.id, taskId));
  return rows[0];
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('humanTask on the dev server with PostgreSQL', () => {
  it('raises a worklist row, completes on the signal and records who completed it', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, dataKeyring }));
    const { client, close } = await devServerClient();
    try {
      const input = taskInput(new Date(Date.now() + 3 * 86_400_000));
      const handle = await client.workflow.start(humanTask, {
        taskQueue,
        workflowId: workflowId('task', input.taskId),
        args: [input],
      });

      const open = await eventually(async () => {
        const row = await taskRow(input.taskId);
        return row?.status === 'open' ? row : undefined;
      });
      expect(open).toMatchObject({
        assigneeRole: 'front_desk',
        kind: 'verify_coverage_by_phone',
        processKind: 'onboarding',
      });
      expect(await handle.query(humanTaskStatusQuery)).toMatchObject({ state: 'open', overdue: false });

      // Staff answer in free text too (a name, a phone call's gist): the outcome is PHI.
      const outcome = { coverageActive: true, note: 'Spoke with Ana Rivera, plan renewed' };
      await handle.signal(completeTaskSignal, { completedBy: 'user:frontdesk-1', outcome });
      const result = await handle.result();
      expect(result).toEqual({
        state: 'completed',
        completion: { completedBy: 'user:frontdesk-1', outcome },
        overdue: false,
      });
      const closed = await taskRow(input.taskId);
      expect(closed).toMatchObject({ status: 'completed', completedBy: 'user:frontdesk-1', keyId: 't1' });
      // Stored only encrypted: no column of the row shows the answer; the repository reads it back.
      const [raw] =
        await db.sql`select row_to_json(t)::text as whole from tasks t where id = ${input.taskId}`;
      expect(raw!.whole as string).not.toContain('Rivera');
      expect(Buffer.from(closed!.outcomeEnc!).toString('latin1')).not.toContain('Rivera');
      expect(await createTaskRepository(db.db, dataKeyring).outcome(input.taskId)).toEqual(outcome);

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(ProcessStatus)).toBe('completed');
      // Set by the workflow itself (nothing given at start, as processes start their tasks).
      expect(description.typedSearchAttributes.get(ProcessKind)).toBe('humanTask');
      expect(description.typedSearchAttributes.get(PracticeId)).toBe(DEMO_PRACTICE_ID);
      expect(description.typedSearchAttributes.get(TaskRole)).toBe('front_desk');
      expect(description.typedSearchAttributes.get(DueAt)?.toISOString()).toBe(input.dueAt);
    } finally {
      await close();
      await worker.close();
    }
  });
});

describe('closeTask without the data keyring', () => {
  it('refuses to store an answer (non-retryable), never in clear; a task closed with no answer needs no key', async () => {
    const withKey = createTaskActivities({ db: db.db, dataKeyring });
    const withoutKey = createTaskActivities({ db: db.db });
    const input = taskInput(new Date(Date.now() + 86_400_000));
    await withKey.openTask({ ...input, details: input.details ?? {} });
    await expect(
      withoutKey.closeTask(input.taskId, {
        state: 'completed',
        completion: { completedBy: 'user:frontdesk-3', outcome: { note: 'Ana Rivera' } },
      }),
    ).rejects.toMatchObject({ type: 'DataKeyringNotConfigured', nonRetryable: true });
    expect(await taskRow(input.taskId)).toMatchObject({ status: 'open', outcomeEnc: null, keyId: null });

    await withoutKey.closeTask(input.taskId, {
      state: 'completed',
      completion: { completedBy: 'user:frontdesk-3', outcome: {} },
    });
    expect(await taskRow(input.taskId)).toMatchObject({ status: 'completed', outcomeEnc: null, keyId: null });
  });
});

describe('humanTask on the time-skipping server', () => {
  it('escalates a task left undone past its 30-day due date, then closes it when completed', async () => {
    const env = await timeSkippingEnv();
    try {
      const taskQueue = uniqueTaskQueue();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        activities: createActivities({ db: db.db, dataKeyring }),
        workflowBundle: workflowBundle(),
      });
      await worker.runUntil(async () => {
        const start = await env.currentTimeMs();
        const input = taskInput(new Date(start + 30 * 86_400_000));
        const handle = await env.client.workflow.start(humanTask, {
          taskQueue,
          workflowId: workflowId('task', input.taskId),
          args: [input],
        });
        await env.sleep('31 days');
        expect(await handle.query(humanTaskStatusQuery)).toMatchObject({ state: 'escalated', overdue: true });
        expect((await taskRow(input.taskId))?.status).toBe('escalated');
        const skipped = (await env.currentTimeMs()) - start;
        expect(skipped).toBeGreaterThanOrEqual(30 * 86_400_000);

        await handle.signal(completeTaskSignal, { completedBy: 'user:frontdesk-2', outcome: {} });
        const result = await handle.result();
        expect(result).toMatchObject({ state: 'completed', overdue: true });
        expect((await taskRow(input.taskId))?.status).toBe('completed');
      });
    } finally {
      await env.teardown();
    }
  });
});
