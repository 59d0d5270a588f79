// Rotating the payload key mid-flight (issue #7 acceptance, SEC-ENC-2). A workflow starts under key p1; the
// worker and client are then redeployed with a keyring whose active key is p2 (p1 kept for decryption) and a
// second workflow starts under p2. Both complete; the first one's history now holds payloads under both keys,
// and every old history still decodes and replays with the rotated keyring — but not with a keyring that has
// dropped p1, nor without the codec.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { generateKeyring, withNewActiveKey } from '../../db/crypto/keyring.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { HumanTaskInput } from '../../domain/tasks.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { METADATA_KEY_ID } from '../../temporal/codec/encryption-codec.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { installRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { newCanary, reveals } from './canary.js';

const CANARY = newCanary();
const before = generateKeyring('p1');
const after = withNewActiveKey(before, 'p2');
/** A keyring that forgot p1 too early. */
const p2Only = generateKeyring('p2');
const taskQueue = uniqueTaskQueue('rotation');

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
    details: { note: `call about ${CANARY}` },
  };
}

/** A deployment: a worker and a client sharing one data converter, as cli/services.ts composes them. */
async function deploy(dataConverter: DataConverter) {
  const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    activities: createActivities({ db: db.db }),
    workflowBundle: workflowBundle(),
    dataConverter,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection, dataConverter });
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

async function waitForTaskRow(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [row] = await db.sql`select count(*)::int as n from tasks where id = ${id}`;
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the task was never opened');
}

function keyIdsIn(cliJson: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const metadata = (v as { metadata?: Record<string, string> }).metadata;
    const keyId = metadata?.[METADATA_KEY_ID];
    if (typeof keyId === 'string') ids.add(Buffer.from(keyId, 'base64').toString('utf8'));
    for (const child of Object.values(v)) walk(child);
  };
  walk(cliJson);
  return ids;
}

describe('payload key rotation mid-flight', () => {
  const first = taskInput();
  const second = taskInput();
  const firstId = workflowId('task', first.taskId);
  const secondId = workflowId('task', second.taskId);

  it('completes workflows started before and after the active key changes', async () => {
    const old = await deploy(dataConverterFor(before));
    await old.client.workflow.start(humanTask, { taskQueue, workflowId: firstId, args: [first] });
    await waitForTaskRow(first.taskId);
    await old.stop();

    // The redeployment: p2 active, p1 still able to decrypt the first workflow's history.
    const rotated = await deploy(dataConverterFor(after));
    try {
      await rotated.client.workflow.start(humanTask, { taskQueue, workflowId: secondId, args: [second] });
      await waitForTaskRow(second.taskId);
      for (const id of [firstId, secondId]) {
        const handle = rotated.client.workflow.getHandle<typeof humanTask>(id);
        await handle.signal(completeTaskSignal, { completedBy: `user:${randomUUID()}`, outcome: {} });
        expect((await handle.result()).state).toBe('completed');
      }
      // The result of the first workflow (written under p2) and its input (under p1) both decode.
      const described = await rotated.client.workflow.getHandle(firstId).fetchHistory();
      expect(described.events?.length).toBeGreaterThan(5);
    } finally {
      await rotated.stop();
    }
  });

  it('the first history carries both key ids and no plaintext; the second only the new one', () => {
    const show = (id: string) =>
      JSON.parse(
        execFileSync(
          inject('temporalCliPath'),
          [
            'workflow',
            'show',
            '--workflow-id',
            id,
            '--output',
            'json',
            '--address',
            inject('temporalAddress'),
          ],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
        ),
      ) as unknown;
    const firstHistory = show(firstId);
    expect(keyIdsIn(firstHistory)).toEqual(new Set(['p1', 'p2']));
    expect(keyIdsIn(show(secondId))).toEqual(new Set(['p2']));
    expect(reveals(firstHistory, CANARY)).toBe(false);
  });

  it('old histories replay with the rotated keyring, and fail without p1 or without the codec', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const history = await new Client({ connection }).workflow.getHandle(firstId).fetchHistory();
      await expect(
        Worker.runReplayHistory(
          { workflowBundle: workflowBundle(), dataConverter: dataConverterFor(after) },
          history,
          firstId,
        ),
      ).resolves.toBeUndefined();
      await expect(
        Worker.runReplayHistory(
          { workflowBundle: workflowBundle(), dataConverter: dataConverterFor(p2Only) },
          history,
          firstId,
        ),
      ).rejects.toThrow();
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, firstId),
      ).rejects.toThrow();
      // A client that kept only p1 (not yet redeployed) cannot read what was written under p2.
      const stale = new Client({ connection, dataConverter: dataConverterFor(before) });
      await expect(stale.workflow.getHandle(firstId).result()).rejects.toThrow(/unknown key/);
      const current = new Client({ connection, dataConverter: dataConverterFor(after) });
      const result = await current.workflow.getHandle<typeof humanTask>(firstId).result();
      expect(result.state).toBe('completed');
    } finally {
      await connection.close();
    }
  });
});
