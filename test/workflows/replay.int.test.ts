// Replay over committed histories (WF-4, FT-4): every workflow change must still replay the histories of the
// executions already running in production. test/histories/<workflow type>/<version>.json holds one or more
// histories per type; older versions stay (they are what running executions look like) and new ones are added
// when a workflow changes (CURRENT_HISTORIES in ./replay-recordings.ts). Re-record the current versions from
// real runs on the dev server with `UPDATE_HISTORIES=1 npx vitest run test/workflows/replay.int.test.ts`
// (synthetic data only); normal runs only replay them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { workflowBundle } from '../helpers/temporal.js';
import { CURRENT_HISTORIES, recordHistories, type RecordedWorkflow } from './replay-recordings.js';

const dir = fileURLToPath(new URL('../histories', import.meta.url));
const update = process.env.UPDATE_HISTORIES === '1';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => db?.drop());

async function save(type: RecordedWorkflow, handle: WorkflowHandle): Promise<void> {
  const file = path.join(dir, type, `${CURRENT_HISTORIES[type]}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
}

/** Every committed history: [workflow type, version, parsed history]. */
function committed(): [string, string, unknown][] {
  return fs.readdirSync(dir).flatMap((type) =>
    fs
      .readdirSync(path.join(dir, type))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f): [string, string, unknown] => [
        type,
        f.replace(/\.json$/, ''),
        JSON.parse(fs.readFileSync(path.join(dir, type, f), 'utf8')),
      ]),
  );
}

interface HistoryEvent {
  eventType?: string;
  markerRecordedEventAttributes?: { markerName?: string };
}
const eventTypes = (history: unknown) =>
  ((history as { events: HistoryEvent[] }).events ?? []).map((e) => e.eventType ?? '');

describe('replay of committed histories', () => {
  it(
    'the current workflow code replays every committed history',
    async () => {
      if (update) await recordHistories(db, save);
      const histories = committed();
      // The four processes and the worklist task, each with at least its current version.
      for (const [type, version] of Object.entries(CURRENT_HISTORIES))
        expect(histories.map(([t, v]) => `${t}/${v}`)).toContain(`${type}/${version}`);
      for (const [type, version, history] of histories) {
        await expect(
          Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history),
          `${type}/${version}`,
        ).resolves.toBeUndefined();
      }
    },
    update ? 300_000 : 60_000,
  );

  it('the committed histories hold what production histories hold: signals, updates, fired timers, children, patches', () => {
    const all = committed();
    const of = (type: string, version: string) =>
      eventTypes(all.find(([t, v]) => t === type && v === version)![2]);
    const has = (type: string, version: string, event: string) =>
      expect(of(type, version), `${type}/${version} ${event}`).toContain(event);
    for (const t of [
      'priorAuthorization/v2',
      'patientOnboarding/v1',
      'claimSubmission/v1',
      'planOfCare/v1',
    ]) {
      const [type, version] = t.split('/') as [string, string];
      has(type, version, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
      has(type, version, 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
      has(type, version, 'EVENT_TYPE_TIMER_STARTED');
    }
    for (const t of ['priorAuthorization/v2', 'patientOnboarding/v1', 'claimSubmission/v1']) {
      const [type, version] = t.split('/') as [string, string];
      has(type, version, 'EVENT_TYPE_TIMER_FIRED');
    }
    for (const t of ['priorAuthorization/v2', 'planOfCare/v1'])
      has(...(t.split('/') as [string, string]), 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    has('priorAuthorization', 'v2', 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
    has('patientOnboarding', 'v1', 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
    // The pended-extension poll of the current priorAuthorization is behind a patch marker.
    has('priorAuthorization', 'v2', 'EVENT_TYPE_MARKER_RECORDED');
    // v3: a request that could not be sent, a staff task, the resolving update, the task closed by a signal.
    has('priorAuthorization', 'v3', 'EVENT_TYPE_ACTIVITY_TASK_FAILED');
    has('priorAuthorization', 'v3', 'EVENT_TYPE_MARKER_RECORDED');
    has('priorAuthorization', 'v3', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    has('priorAuthorization', 'v3', 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
  });

  it('a timer inserted before the first step of each workflow is caught as nondeterminism in every history', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/nondeterministic/workflows.ts', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    });
    // Every workflow type with a committed history must be wrapped in the fixture too.
    for (const [type, version, history] of committed()) {
      const err = await Worker.runReplayHistory({ workflowBundle: changed }, history).catch(
        (e: unknown) => e,
      );
      expect((err as Error | undefined)?.name, `${type}/${version}`).toBe('DeterminismViolationError');
    }
  });
});
