// Every workflow says what it is about (issue #12 item 3): a readable summary and details as Temporal user
// metadata (static summary/details on the start, current details from the running workflow). They are payloads,
// so the payload codec encrypts them: the raw server state (Temporal CLI JSON, no codec) holds ciphertext with
// `binary/encrypted`, and a client with the codec reads the text. Real dev server, real worker with the codec.
//   - process starts through the shared starter (what the API routes and the EMR router's activities use): a
//     claim ("Claim · DOS … · Medicare Part B · <patient>") and an onboarding, on a queue no worker polls —
//     the metadata is stored with the start;
//   - an emrEventRouter whose worker has no EMR connector: it raises an admin configuration task as a child,
//     whose summary says what to do, by when and who; it reports its current state through the metadata query,
//     whose raw answer (CLI without the codec) is ciphertext too.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { practices } from '../../db/schema.js';
import { SUMMARY_MAX_CHARS } from '../../domain/process-summaries.js';
import { MEDICARE_PART_B } from '../../domain/rules/data/payer-profiles.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { installRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { newCanary, reveals } from '../security/canary.js';

const execFileAsync = promisify(execFile);
const MARKER = newCanary();
const keyring = generateKeyring('um1');
const dataConverter = dataConverterFor(keyring);
const practiceId = randomUUID();

let db: TestDatabase;
let client: Client;
let connection: Connection;

beforeAll(async () => {
  installRuntime();
  db = await createTestDatabase();
  await db.db
    .insert(practices)
    .values({ id: practiceId, name: 'Metadata practice', npi: '1234567893', timezone: 'America/Chicago' });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, dataConverter });
});
afterAll(async () => {
  await connection?.close();
  await db?.drop();
});

/** What the server stores, as an operator sees it without the codec. */
async function cli(command: 'show' | 'describe', id: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileAsync(
    inject('temporalCliPath'),
    ['workflow', command, '--workflow-id', id, '--output', 'json', '--address', inject('temporalAddress')],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** The raw summary payload of a workflow (describe's executionConfig.userMetadata), without the codec. */
async function rawSummary(id: string): Promise<RawPayload> {
  const described = (await cli('describe', id)) as {
    executionConfig?: { userMetadata?: { summary?: RawPayload; details?: RawPayload } };
  };
  const summary = described.executionConfig?.userMetadata?.summary;
  expect(summary, `raw user metadata of ${id}`).toBeDefined();
  return summary!;
}

function encodingOf(p: RawPayload): string {
  return Buffer.from(p.metadata?.encoding ?? '', 'base64').toString('utf8');
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The running workflow's current details (the built-in metadata query the Temporal UI calls). */
async function currentDetails(id: string): Promise<string> {
  const metadata = await client.workflow
    .getHandle(id)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

describe('user metadata: summaries staff read in the Temporal UI, encrypted by the codec', () => {
  it('a claim started by the shared starter says "Claim · DOS · payer · patient"; raw state holds ciphertext', async () => {
    const claimId = randomUUID();
    const patientId = randomUUID();
    const wfId = await startIdempotently(client, {
      // No worker polls this queue: the start (and its metadata) is what is checked.
      taskQueue: uniqueTaskQueue('metadata-idle'),
      kind: 'claim',
      processKind: 'claimSubmission',
      id: claimId,
      workflow: 'claimSubmission',
      args: [
        {
          timezone: 'America/Chicago',
          case: {
            claimId,
            practiceId,
            patientId,
            patientControlNumber: 'PT1',
            visit: {
              id: 'visit-1',
              practiceId,
              patientId,
              payerId: MEDICARE_PART_B,
              dos: '2026-03-10',
              renderingNpi: '1234567893',
              interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
              diagnoses: ['M54.50'],
            },
            parties: { subscriber: { memberId: 'X', firstName: 'Ana', lastName: `Moreno ${MARKER}` } },
          },
        },
      ] as never,
      practiceId,
      patientId,
    });
    const described = await client.workflow.getHandle(wfId).describe();
    const summary = await described.staticSummary();
    expect(summary).toMatch(/^Claim · DOS 2026-03-10 · Medicare Part B · Ana Moreno ZZCANARY-/);
    expect(summary!.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    const details = await described.staticDetails();
    expect(details).toContain('**Codes:** 97110');
    expect(details).toContain(claimId);

    // Without the codec: ciphertext only, nowhere in the description or the history.
    const raw = await rawSummary(wfId);
    expect(encodingOf(raw)).toBe('binary/encrypted');
    expect(reveals(raw, MARKER)).toBe(false);
    expect(reveals(raw, 'Medicare Part B')).toBe(false);
    expect(reveals(await cli('describe', wfId), MARKER)).toBe(false);
    const history = (await cli('show', wfId)) as { events: { userMetadata?: { summary?: RawPayload } }[] };
    expect(encodingOf(history.events[0]!.userMetadata!.summary!)).toBe('binary/encrypted');
    expect(reveals(history, MARKER)).toBe(false);
    await client.workflow.getHandle(wfId).terminate('test done');
  });

  it('an onboarding names its patient and coverages, encrypted', async () => {
    const onboardingId = randomUUID();
    const wfId = await startIdempotently(client, {
      taskQueue: uniqueTaskQueue('metadata-idle'),
      kind: 'onboarding',
      processKind: 'onboarding',
      id: onboardingId,
      workflow: 'patientOnboarding',
      args: [
        {
          onboardingId,
          practiceId,
          demographics: { given: ['Rosa'], family: `Diaz ${MARKER}` },
          coverages: [
            { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'M1', priority: 2 },
            { coverageId: randomUUID(), payerId: MEDICARE_PART_B, memberId: 'M2', priority: 1 },
          ],
        },
      ] as never,
      practiceId,
    });
    const described = await client.workflow.getHandle(wfId).describe();
    expect(await described.staticSummary()).toBe(
      `Onboarding · Rosa Diaz ${MARKER} · ${MEDICARE_PART_B} + commercial-ama`,
    );
    const raw = await rawSummary(wfId);
    expect(encodingOf(raw)).toBe('binary/encrypted');
    expect(reveals(await cli('show', wfId), MARKER)).toBe(false);
    await client.workflow.getHandle(wfId).terminate('test done');

    // The longest summary (clipped at SUMMARY_MAX_CHARS, multi-byte letters) still fits the server's limit
    // on a summary payload once encrypted.
    const longId = randomUUID();
    const longWf = await startIdempotently(client, {
      taskQueue: uniqueTaskQueue('metadata-idle'),
      kind: 'onboarding',
      processKind: 'onboarding',
      id: longId,
      workflow: 'patientOnboarding',
      args: [
        {
          onboardingId: longId,
          practiceId,
          demographics: { given: ['Ñ'.repeat(60)], family: 'é'.repeat(60) },
        },
      ] as never,
      practiceId,
    });
    const longSummary = (await (await client.workflow.getHandle(longWf).describe()).staticSummary()) ?? '';
    expect([...longSummary].length).toBe(SUMMARY_MAX_CHARS);
    expect(longSummary.endsWith('…')).toBe(true);
    await client.workflow.getHandle(longWf).terminate('test done');
  });

  it('a task raised by a process says what to do, by when and who; both report where they stand', async () => {
    const taskQueue = uniqueTaskQueue('metadata');
    const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    // No EMR connector: the router raises an admin configuration task (a humanTask child) and waits for it.
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      activities: createActivities({ db: db.db }),
      workflowBundle: workflowBundle(),
      dataConverter,
    });
    const running = worker.run();
    try {
      const eventId = randomUUID();
      const routerId = await startIdempotently(client, {
        taskQueue,
        kind: 'event',
        processKind: 'emrEvent',
        id: eventId,
        workflow: 'emrEventRouter',
        args: [
          {
            practiceId,
            event: {
              type: 'patient.created',
              timestamp: new Date().toISOString(),
              data: { practiceId, emrPatientId: `emr-${randomUUID()}`, patientId: null },
            },
          },
        ] as never,
        practiceId,
      });
      expect(await (await client.workflow.getHandle(routerId).describe()).staticSummary()).toBe(
        'EMR event · patient created',
      );
      const taskId = await eventually(async () => {
        for await (const wf of client.workflow.list({
          query: `PracticeId = "${practiceId}" AND ProcessKind = "humanTask" AND TaskRole = "admin"`,
        }))
          return wf.workflowId;
        return undefined;
      });
      const task = await client.workflow.getHandle(taskId).describe();
      const summary = (await task.staticSummary()) ?? '';
      expect(summary).toMatch(/^Task · A connector .+… · due \d{4}-\d{2}-\d{2} \d{2}:\d{2} · admin$/);
      expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
      const details = (await task.staticDetails()) ?? '';
      expect(details).toContain('**To do:**');
      expect(details).toMatch(/\*\*By:\*\* \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\)/);
      expect(details).toContain('**Who:** admin');
      expect(details).toContain(`**Raised by:** emrEvent ${routerId}`);
      expect(encodingOf(await rawSummary(taskId))).toBe('binary/encrypted');

      // Current details: the task is open; the router never reached an outcome (it waits for the task).
      expect(
        await eventually(async () => ((await currentDetails(taskId)) === 'open' ? 'open' : undefined)),
      ).toBe('open');
      // The same query through the CLI without the codec (what the UI gets before decoding): one payload, ciphertext —
      // neither the current details nor the handler names (completeTask) in clear.
      const { stdout } = await execFileAsync(inject('temporalCliPath'), [
        'workflow',
        'metadata',
        '--workflow-id',
        taskId,
        '--output',
        'json',
        '--address',
        inject('temporalAddress'),
      ]);
      const rawMetadata = JSON.parse(stdout) as { queryResult: { payloads: RawPayload[] } };
      expect(encodingOf(rawMetadata.queryResult.payloads[0]!)).toBe('binary/encrypted');
      expect(reveals(rawMetadata, 'completeTask')).toBe(false);
      expect(reveals(rawMetadata, '"open"')).toBe(false);
    } finally {
      worker.shutdown();
      await running;
      await nativeConnection.close();
    }
  });
});
