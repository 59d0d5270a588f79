// Canary test on the real dev server (SEC-ENC-2/3): humanTask runs with a client and a worker that share the
// encryption data converter; PHI-like values (a signal argument, an activity failure message) then appear
// nowhere in the raw history — neither through a client without the codec nor in
// `temporal workflow show --output json` — while a client with the codec reads them back.
// A control run without the codec proves the detector would have seen them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { seedDemoPractice, DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { HumanTaskInput } from '../../domain/tasks.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { installRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const SIGNAL_CANARY = 'ZZCANARY-7';
const FAILURE_CANARY = 'ZZCANARY-8';
const keyring = generateKeyring('k-test');

let db: TestDatabase;
beforeAll(async () => {
  installRuntime();
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => {
  await db?.drop();
});

function taskInput(): HumanTaskInput {
  const taskId = randomUUID();
  return {
    taskId,
    practiceId: DEMO_PRACTICE_ID,
    kind: 'verify_coverage_by_phone',
    assigneeRole: 'front_desk',
    title: 'Verify coverage by phone',
    dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    parentWorkflowId: workflowId('onboarding', randomUUID()),
    processKind: 'onboarding',
    details: {},
  };
}

/** True when `needle` is in any string, any byte array, or any base64 string (decoded) inside `value`. */
function reveals(value: unknown, needle: string): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') {
    if (value.includes(needle)) return true;
    return (
      /^[A-Za-z0-9+/=_-]{8,}$/.test(value) && Buffer.from(value, 'base64').toString('latin1').includes(needle)
    );
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1').includes(needle);
  if (typeof value === 'object') return Object.values(value).some((v) => reveals(v, needle));
  return false;
}

async function withWorkerAndClient<T>(
  dataConverter: DataConverter | undefined,
  activities: object,
  fn: (client: Client, taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('codec');
  const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    activities,
    workflowBundle: workflowBundle(),
    ...(dataConverter ? { dataConverter } : {}),
  });
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection, ...(dataConverter ? { dataConverter } : {}) });
  try {
    return await worker.runUntil(fn(client, taskQueue));
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

/** The history as the server stores it: through a client WITHOUT the codec, and through the Temporal CLI. */
async function rawHistories(id: string): Promise<{ proto: unknown; cliJson: unknown }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const proto = await new Client({ connection }).workflow.getHandle(id).fetchHistory();
    const out = execFileSync(
      inject('temporalCliPath'),
      ['workflow', 'show', '--workflow-id', id, '--output', 'json', '--address', inject('temporalAddress')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    return { proto, cliJson: JSON.parse(out) as unknown };
  } finally {
    await connection.close();
  }
}

async function runCompletedTask(
  dataConverter: DataConverter | undefined,
): Promise<{ id: string; completedBy: string }> {
  return withWorkerAndClient(dataConverter, createActivities({ db: db.db }), async (client, taskQueue) => {
    const input = taskInput();
    const id = workflowId('task', input.taskId);
    const handle = await client.workflow.start(humanTask, { taskQueue, workflowId: id, args: [input] });
    await handle.signal(completeTaskSignal, { completedBy: `user:${SIGNAL_CANARY}`, outcome: {} });
    const result = await handle.result();
    return { id, completedBy: result.completion?.completedBy ?? '' };
  });
}

describe('encrypted payloads on the dev server', () => {
  it('keeps the signal canary out of the stored history while a codec client reads it', async () => {
    const { id, completedBy } = await runCompletedTask(dataConverterFor(keyring));
    expect(completedBy).toBe(`user:${SIGNAL_CANARY}`);

    const { proto, cliJson } = await rawHistories(id);
    expect(reveals(proto, SIGNAL_CANARY)).toBe(false);
    expect(reveals(cliJson, SIGNAL_CANARY)).toBe(false);
    expect(JSON.stringify(cliJson)).toContain('YmluYXJ5L2VuY3J5cHRlZA=='); // base64("binary/encrypted")

    // A client with the codec decodes the stored result.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection, dataConverter: dataConverterFor(keyring) });
      const result = await client.workflow.getHandle(id).result();
      expect(result.completion?.completedBy).toBe(`user:${SIGNAL_CANARY}`);
    } finally {
      await connection.close();
    }
  });

  it('encrypts failure messages from activities and workflows (failure converter in worker and bundle)', async () => {
    const failing = {
      ...createActivities({ db: db.db }),
      openTask: async () => {
        throw ApplicationFailure.nonRetryable(`payer said ${FAILURE_CANARY}`, 'SandboxFailure');
      },
    };
    const id = await withWorkerAndClient(dataConverterFor(keyring), failing, async (client, taskQueue) => {
      const input = taskInput();
      const wid = workflowId('task', input.taskId);
      const handle = await client.workflow.start(humanTask, { taskQueue, workflowId: wid, args: [input] });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      // Decoded through the codec, the message is intact for an authorised reader.
      let cause: unknown = err;
      const messages: string[] = [];
      while (cause instanceof Error) {
        messages.push(cause.message);
        cause = cause.cause;
      }
      expect(messages).toContain(`payer said ${FAILURE_CANARY}`);
      return wid;
    });
    const { proto, cliJson } = await rawHistories(id);
    expect(reveals(proto, FAILURE_CANARY)).toBe(false);
    expect(reveals(cliJson, FAILURE_CANARY)).toBe(false);
    expect(JSON.stringify(cliJson)).toContain('Encoded failure');
    // The failure type stays readable (retry policies and routing need it).
    expect(JSON.stringify(cliJson)).toContain('SandboxFailure');
  });

  it('control: without the codec the same run leaves the canary readable in history', async () => {
    const { id } = await runCompletedTask(undefined);
    const { proto, cliJson } = await rawHistories(id);
    expect(reveals(proto, SIGNAL_CANARY)).toBe(true);
    expect(reveals(cliJson, SIGNAL_CANARY)).toBe(true);
  });
});
