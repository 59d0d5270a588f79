// Replay over committed histories (WF-4, FT-4): every workflow change must still replay the histories of the
// executions already running in production. `UPDATE_HISTORIES=1 npx vitest run test/workflows/replay.int.test.ts`
// re-records them (synthetic data only) from real runs on the dev server; normal runs only replay them.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import { completeTaskSignal, humanTask } from '../../workflows/human-task.js';
import {
  dischargeSignal,
  payerDecisionSignal,
  priorAuthorization,
  recordVisitUpdate,
} from '../../workflows/prior-auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const dir = fileURLToPath(new URL('../histories', import.meta.url));
const file = (workflow: string) => path.join(dir, workflow, 'v1.json');
const update = process.env.UPDATE_HISTORIES === '1';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => db?.drop());

/** Real runs of each long-lived workflow type, recorded as JSON histories. */
async function record(): Promise<void> {
  const taskQueue = uniqueTaskQueue();
  const payer = {
    submit: async () => ({ outcome: 'pended' as const }),
    status: async () => ({ outcome: 'pended' as const }),
  };
  const worker = await devServerWorker(taskQueue, createActivities({ db: db.db, payer }));
  const { client, close } = await devServerClient();
  const save = async (c: Client, wfId: string, name: string) => {
    const history = await c.workflow.getHandle(wfId).fetchHistory();
    fs.mkdirSync(path.dirname(file(name)), { recursive: true });
    fs.writeFileSync(file(name), `${historyToJSON(history)}\n`);
  };
  try {
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
    await save(client, task.workflowId, 'humanTask');

    const today = localDate(new Date(), 'America/Chicago');
    const authorizationId = randomUUID();
    const auth = await client.workflow.start(priorAuthorization, {
      taskQueue,
      workflowId: workflowId('auth', authorizationId),
      args: [
        {
          authorizationId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: randomUUID(),
          coverageId: randomUUID(),
          payerId: 'ma-fastlane',
          timezone: 'America/Chicago',
          requestedVisits: 6,
          startDate: today,
          urgency: 'standard',
          planOfCareContinues: false,
        },
      ],
    });
    await auth.signal(payerDecisionSignal, {
      outcome: 'approved',
      authNumber: 'SYN-1',
      visitsAuthorized: 3,
      startDate: today,
      endDate: addDays(today, 40),
    });
    await auth.executeUpdate(recordVisitUpdate, { args: [{ visitId: 'syn-1', dos: today, units: 2 }] });
    await auth.signal(dischargeSignal);
    await auth.result();
    await save(client, auth.workflowId, 'priorAuthorization');
  } finally {
    await close();
    await worker.close();
  }
}

describe('replay of committed histories', () => {
  it('the current workflow code replays every committed history', async () => {
    if (update) await record();
    const names = fs.readdirSync(dir);
    expect(names).toEqual(expect.arrayContaining(['humanTask', 'priorAuthorization']));
    for (const name of names) {
      const history = JSON.parse(fs.readFileSync(file(name), 'utf8')) as unknown;
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history),
        name,
      ).resolves.toBeUndefined();
    }
  });

  it('a timer inserted before an existing activity is caught as nondeterminism', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/nondeterministic/workflows.ts', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    });
    const history = JSON.parse(fs.readFileSync(file('humanTask'), 'utf8')) as unknown;
    const err = await Worker.runReplayHistory({ workflowBundle: changed }, history).catch((e: unknown) => e);
    expect((err as Error).name).toBe('DeterminismViolationError');
  });
});
