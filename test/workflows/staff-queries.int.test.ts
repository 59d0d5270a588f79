// README's staff queries are tests (issue #12): every `--query '…'` in README's "The Temporal Web UI" section runs
// against the real dev server, through the Temporal CLI and through the client, over humanTask workflows started
// as processes start them (no search attributes given at start: the workflow sets its own) and an emrEventRouter
// process waiting for a person (its worker has no EMR connector), and must find exactly the expected workflows
// of a practice of its own.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { practices } from '../../db/schema.js';
import { workflowId } from '../../domain/ids.js';
import { emrEventRouter } from '../../workflows/emr-events/workflow.js';
import type { HumanTaskInput, StaffRole } from '../../domain/tasks.js';
import { humanTask, TASK_SEARCH_ATTRIBUTES_PATCH } from '../../workflows/tasks/workflow.js';
import {
  cancelTaskSignal,
  completeTaskSignal,
  humanTaskStatusQuery,
} from '../../workflows/tasks/messages.js';
import {
  DueAt,
  NeedsAttention,
  NextDeadline,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
  TaskRole,
} from '../../workflows/shared/search-attributes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** Every `--query '…'` README shows in its Temporal Web UI section, in order. */
function readmeQueries(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## The Temporal Web UI');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/--query '([^']+)'/g)].map((m) => m[1] as string);
}

let db: TestDatabase;
const practiceId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase();
  await db.db
    .insert(practices)
    .values({ id: practiceId, name: 'Staff query practice', npi: '1234567893', timezone: 'America/Chicago' });
});
afterAll(async () => {
  await db?.drop();
});

function taskInput(role: StaffRole, dueAt: Date, patientId?: string): HumanTaskInput {
  const taskId = randomUUID();
  return {
    taskId,
    practiceId,
    ...(patientId ? { patientId } : {}),
    kind: 'call_payer',
    assigneeRole: role,
    title: 'Call the payer',
    dueAt: dueAt.toISOString(),
    parentWorkflowId: workflowId('auth', randomUUID()),
    processKind: 'priorAuthorization',
  };
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cliList(query: string): Promise<string[]> {
  const { stdout } = await execFileAsync(
    inject('temporalCliPath'),
    ['workflow', 'list', '--address', inject('temporalAddress'), '--query', query, '--output', 'jsonl'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { execution: { workflowId: string } }).execution.workflowId);
}

async function clientList(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

describe("README's staff queries on the dev server", () => {
  it('find every task by practice, kind, role, state, attention and due date — through the CLI and the client', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await devServerWorker(taskQueue, createActivities({ db: db.db }));
    const { client, close } = await devServerClient();
    try {
      const now = Date.now();
      const patientId = randomUUID();
      const inputs = {
        frontDeskOpen: taskInput('front_desk', new Date(now + 3 * 86_400_000), patientId),
        billerOverdue: taskInput('biller', new Date(now - 3_600_000)),
        frontDeskDone: taskInput('front_desk', new Date(now + 3 * 86_400_000)),
        therapistSoon: taskInput('therapist', new Date(now + 2 * 3_600_000)),
      };
      const handles = Object.fromEntries(
        await Promise.all(
          Object.entries(inputs).map(async ([name, input]) => [
            name,
            await client.workflow.start(humanTask, {
              taskQueue,
              workflowId: workflowId('task', input.taskId),
              args: [input],
            }),
          ]),
        ),
      ) as Record<keyof typeof inputs, WorkflowHandleWithFirstExecutionRunId<typeof humanTask>>;
      // A process that needs someone: this worker has no EMR connector, so the router raises an admin task
      // (due in 4 hours) and waits for it.
      const router = await client.workflow.start(emrEventRouter, {
        taskQueue,
        workflowId: workflowId('event', randomUUID()),
        args: [
          {
            practiceId,
            event: {
              type: 'patient.created',
              timestamp: new Date(now).toISOString(),
              data: { practiceId, emrPatientId: `emr-${randomUUID()}`, patientId: null },
            },
          },
        ],
      });
      const id = (name: keyof typeof inputs) => handles[name].workflowId;
      const ours = new Set([router.workflowId, ...Object.values(handles).map((h) => h.workflowId)]);
      await eventually(async () =>
        (await router.describe()).typedSearchAttributes.get(NeedsAttention) === true ? true : undefined,
      );

      await eventually(async () =>
        (await handles.billerOverdue.query(humanTaskStatusQuery)).state === 'escalated' ? true : undefined,
      );
      await eventually(async () =>
        (await handles.frontDeskDone.query(humanTaskStatusQuery)).state === 'open' ? true : undefined,
      );
      await handles.frontDeskDone.signal(completeTaskSignal, {
        completedBy: 'user:frontdesk-1',
        outcome: {},
      });
      await handles.frontDeskDone.result();

      // What each README query must find among this test's tasks (the first two span every practice).
      const dueBefore = new Date(now + 3 * 3_600_000).toISOString();
      const expected: Record<string, string[]> = {
        'NeedsAttention = true': [id('billerOverdue'), router.workflowId],
        'ProcessKind = "humanTask" AND NeedsAttention = true': [id('billerOverdue')],
        'PracticeId = "<practice id>" AND ProcessKind = "humanTask" AND TaskRole = "front_desk" AND ExecutionStatus = "Running"':
          [id('frontDeskOpen')],
        'PracticeId = "<practice id>" AND ProcessKind = "humanTask" AND ExecutionStatus = "Running" AND DueAt < "<due before>"':
          [id('billerOverdue'), id('therapistSoon')],
        'PracticeId = "<practice id>" AND NeedsAttention = true': [id('billerOverdue'), router.workflowId],
      };
      const queries = readmeQueries();
      expect(queries.sort()).toEqual(Object.keys(expected).sort());

      for (const [template, want] of Object.entries(expected)) {
        const query = template.replaceAll('<practice id>', practiceId).replaceAll('<due before>', dueBefore);
        const scoped = template.includes('<practice id>');
        // Visibility is eventually consistent: wait until the client's answer settles on the expected set.
        const found = await eventually(async () => {
          const ids = (await clientList(client, query)).filter((i) => scoped || ours.has(i)).sort();
          return JSON.stringify(ids) === JSON.stringify([...want].sort()) ? ids : undefined;
        }).catch(async () => (await clientList(client, query)).filter((i) => scoped || ours.has(i)).sort());
        expect(found, `client: ${template}`).toEqual([...want].sort());
        const viaCli = (await cliList(query)).filter((i) => scoped || ours.has(i)).sort();
        expect(viaCli, `CLI: ${template}`).toEqual([...want].sort());
      }

      // The attributes themselves: PHI-free ids, kind, role, state, flag and dates.
      const open = (await handles.frontDeskOpen.describe()).typedSearchAttributes;
      expect(open.get(PracticeId)).toBe(practiceId);
      expect(open.get(PatientId)).toBeUndefined();
      expect(open.get(ProcessKind)).toBe('humanTask');
      expect(open.get(TaskRole)).toBe('front_desk');
      expect(open.get(ProcessStatus)).toBe('open');
      expect(open.get(NeedsAttention)).toBe(false);
      expect(open.get(DueAt)?.toISOString()).toBe(inputs.frontDeskOpen.dueAt);
      expect(open.get(NextDeadline)?.toISOString()).toBe(inputs.frontDeskOpen.dueAt);
      const escalated = (await handles.billerOverdue.describe()).typedSearchAttributes;
      expect(escalated.get(ProcessStatus)).toBe('escalated');
      expect(escalated.get(NeedsAttention)).toBe(true);
      expect(escalated.get(TaskRole)).toBe('biller');
      const done = (await handles.frontDeskDone.describe()).typedSearchAttributes;
      expect(done.get(ProcessStatus)).toBe('completed');
      expect(done.get(NeedsAttention)).toBe(false);
      expect(done.get(NextDeadline)).toBeUndefined();
      expect(done.get(DueAt)?.toISOString()).toBe(inputs.frontDeskDone.dueAt);

      const routing = (await router.describe()).typedSearchAttributes;
      expect(routing.get(ProcessKind)).toBe('emrEvent');
      expect(routing.get(PracticeId)).toBe(practiceId);
      expect(routing.get(ProcessStatus)).toBe('waiting_for_configuration');

      // The new command sequence is behind its patch marker and replays on the current code.
      const history = await handles.frontDeskDone.fetchHistory();
      const patchIds = (history.events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .flatMap((e) =>
          Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) =>
            (p.payloads ?? []).map((pl) => Buffer.from(pl.data ?? []).toString('utf8')),
          ),
        );
      expect(patchIds.join(' ')).toContain(TASK_SEARCH_ATTRIBUTES_PATCH);
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history),
      ).resolves.toBeUndefined();

      // Closing the configuration task without completing it ends the router with the connector's failure.
      const configTask = (await clientList(client, `PracticeId = "${practiceId}" AND TaskRole = "admin"`))[0];
      expect(configTask).toBeDefined();
      await client.workflow.getHandle(configTask!).signal(cancelTaskSignal, { reason: 'not_needed' });
      await expect(router.result()).rejects.toThrow();
      for (const h of [handles.frontDeskOpen, handles.billerOverdue, handles.therapistSoon])
        await h.signal(completeTaskSignal, { completedBy: 'user:cleanup', outcome: {} });
      await Promise.all(
        [handles.frontDeskOpen, handles.billerOverdue, handles.therapistSoon].map((h) => h.result()),
      );
    } finally {
      await close();
      await worker.close();
    }
  }, 120_000);
});
