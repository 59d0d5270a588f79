// Issue #5 scenario 10 (FT-1): the worker runs as its own OS process and is killed with SIGKILL in the middle
// of claim submission — after the sandbox payer has received the 837P and filed the claim, before the worker
// saw the 999 and completed the activity. A fresh worker process picks the activity up again; the claim must
// be submitted exactly once at the payer and the workflow must complete.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { payloadKeyring } from '../../cli/keyrings.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import {
  CLAIM_WORKFLOW_TYPE,
  type ClaimInput,
  type ClaimSubmissionWorkflow,
} from '../../workflows/claim/messages.js';
import { syntheticClaimCase } from '../fixtures/claim-case.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';
import { killAllWorkerProcesses, startWorkerProcess } from '../helpers/worker-process.js';

const TZ = 'America/Chicago';
const SUBMITTER = 'PTFLOWCRASH';
const credentials = { username: 'ptflow', password: 'crash-secret', submitterId: SUBMITTER };

let db: TestDatabase;
let payer: SandboxServer;
let proxy: HoldingProxy;
let temporal: TemporalClientHandle;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-crash-'));
const taskQueue = uniqueTaskQueue('crash');

function workerEnv(): Record<string, string> {
  return {
    PTFLOW_TEST_DATABASE_URL: db.url,
    PTFLOW_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The schedules' ids are server-wide: only test/workflows/schedules.int.test.ts ensures them here.
    PTFLOW_SCHEDULES: 'off',
    CLEARINGHOUSE_URL: proxy.url,
    CLEARINGHOUSE_USERNAME: credentials.username,
    CLEARINGHOUSE_PASSWORD: credentials.password,
    CLEARINGHOUSE_SUBMITTER_ID: SUBMITTER,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  payer = await startSandboxPayer({ sql: db.sql, credentials });
  proxy = await startHoldingProxy(payer.url);
  // Same dev keyring as the worker processes (generated once into dataDir): the client must read their payloads.
  const config = loadConfig({ PTFLOW_DATA_DIR: dataDir });
  temporal = await connectClient({
    address: inject('temporalAddress'),
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(config)),
  });
});
afterAll(async () => {
  await killAllWorkerProcesses();
  await temporal?.close();
  await proxy?.close();
  await payer?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function claimInput(): ClaimInput {
  // SBX-KXOVER: deductible met and over the KX threshold, so the claim is paid (less coinsurance).
  const c = syntheticClaimCase({
    memberId: `SBX-KXOVER-${randomUUID().slice(0, 8)}`,
    dos: localDate(new Date(), TZ),
    kxAccruedAllowedCents: 300_000,
  });
  return { case: c, timezone: TZ, pollEveryMinutes: 0.01 };
}

describe('scenario 10: worker killed in the middle of claim submission', () => {
  it('SIGKILL after the payer filed the 837, restart → one claim at the payer, the workflow completes', async () => {
    const logFile = path.join(dataDir, 'workers.log');
    const first = await startWorkerProcess({ env: workerEnv(), logFile });
    const held = proxy.holdNextBatch();
    const input = claimInput();
    const pcn = input.case.patientControlNumber;
    const handle = await temporal.client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowId('claim', input.case.claimId),
      args: [input],
    });

    // The payer has the claim on file (it files right after answering the 999); the worker is waiting for
    // the 999 that will never come.
    await held;
    await payer.payer.settled();
    const filed = await db.sql<{ receipts: number }[]>`
      select receipts from sandbox_payer.claims where patient_control_number = ${pcn}`;
    expect(filed).toEqual([{ receipts: 1 }]);

    await first.kill();
    expect(await first.exited).toBe('SIGKILL');
    proxy.releaseHeld();
    const second = await startWorkerProcess({ env: workerEnv(), logFile });

    // The server notices the lost attempt at the activity's start-to-close timeout and retries it on the new
    // worker, with the same idempotency key: the identical interchange, recognised by the payer.
    const result = await handle.result();
    expect(result.state).toBe('paid');
    expect(result.paidCents).toBeGreaterThan(0);

    const claims = await db.sql<{ receipts: number; version: number; status: string }[]>`
      select receipts, version, status from sandbox_payer.claims where patient_control_number = ${pcn}`;
    expect(claims).toEqual([{ receipts: 1, version: 1, status: 'paid' }]);
    const interchanges = await db.sql<{ duplicates: number }[]>`
      select duplicates from sandbox_payer.interchanges where sender_id = ${SUBMITTER}`;
    // One interchange, seen again exactly once: the retry really reached the payer and filed nothing.
    expect(interchanges).toEqual([{ duplicates: 1 }]);
    const mailbox = await db.sql<{ type: string }[]>`
      select type from sandbox_payer.responses where recipient_id = ${SUBMITTER} order by cursor`;
    expect(mailbox.map((m) => m.type)).toEqual(['277CA', '835']);
    const ours = await db.sql<{ submissions: number; status: string }[]>`
      select submissions, status from claims where id = ${input.case.claimId}`;
    expect(ours).toEqual([{ submissions: 1, status: 'paid' }]);

    // The history shows the submission needed a second attempt (the first died with the worker).
    const history = await handle.fetchHistory();
    const scheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'submitClaim',
    );
    const started = history.events?.find(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThanOrEqual(2);

    await second.stop();
  }, 360_000);
});
