// The PHI canary over the whole stack (issue #7 acceptance, SEC-LOG-1, SEC-ENC-1..4, API-ERR-2). The worker and
// the API are composed exactly as `ptflow dev` composes them (cli/services.ts, the sandbox EMR and messaging,
// the sandbox payer over HTTP, the payload codec and failure converter on both sides), and the scenarios are
// driven through the real HTTP API with practice API keys:
//   - onboarding, happy path: eligibility active → forms → booked → forms completed → cancelled;
//   - onboarding, denial: the payer says the coverage is inactive → an insurance-update task is raised, and
//     the front desk completes it with a free-text answer naming the patient (stored encrypted, issue #12);
//   - onboarding, error: an EMR that quotes the patient's name in its error → the process fails;
//   - claim, happy path: paid with a copay;
//   - claim, denial: CO-50 without a certified plan of care on file → a review task (document necessity).
// Every patient's names and member ids carry one marker. Afterwards the marker must be absent from the raw
// Temporal history (Temporal CLI JSON) and the description of EVERY workflow the run created (found through
// visibility), their ids, task queues and search attributes, every log line of the API, the worker, the
// Temporal runtime and the connectors, every error body the run saw, /metrics, every span the run exported over
// OTLP (tracing on, to a real receiver in this test: names, attributes, events), and every row of every table of
// ours in Postgres — read row by row, and scanned column by column in SQL (every text, JSON, array and bytea
// column of every table in our schemas, from information_schema: test/security/column-scan.ts, which
// test/db/tasks-outcome-migration.int.test.ts proves catches a clear column). Controls make sure this cannot pass vacuously: the sandbox EMR (the system of record, in its
// own schema) does hold the marker, the codec server decrypts it for staff, and the failure message is
// recovered through the codec. Summaries (Temporal user metadata, issue #12) name the patient — a task's says
// for whom — so the marker is where a summary shows it: ciphertext in the raw description, text through the
// codec server for staff, 401 without a key.
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { setLogDestination } from '../../api/logger.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { loadConfig, type Config } from '../../cli/config.js';
import { devOnboardingConnectors } from '../../cli/dev-sandboxes.js';
import { dataKeys, payloadKeyring } from '../../cli/keyrings.js';
import { startDevSandboxPayer } from '../../cli/payer.js';
import {
  installTemporalRuntime,
  startApiService,
  startWorkerService,
  type ApiService,
  type WorkerService,
} from '../../cli/services.js';
import { EmrContractViolation } from '../../connectors/emr/errors.js';
import type { Emr } from '../../connectors/emr/types.js';
import { createTaskRepository } from '../../db/repositories/tasks.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { startTracing } from '../../cli/tracing.js';
import { SpanKind, startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { lineSink, newCanary, reveals } from './canary.js';
import { columnsHolding } from './column-scan.js';

const execFileAsync = promisify(execFile);
const CANARY = newCanary();
const logs = lineSink();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-canary-'));
const taskQueue = uniqueTaskQueue('canary');

let db: TestDatabase;
let config: Config;
let payer: Awaited<ReturnType<typeof startDevSandboxPayer>>;
let sandboxes: Awaited<ReturnType<typeof devOnboardingConnectors>>;
let worker: WorkerService;
let api: ApiService;
let temporal: TemporalClientHandle;
/** Where the API and the worker export their spans (OTLP/HTTP JSON). */
let spans: OtlpReceiver;
const keys: Record<'desk' | 'biller', { authorization: string }> = {
  desk: { authorization: '' },
  biller: { authorization: '' },
};
/** The task the front desk completed with a free-text answer naming the patient, and that answer. */
let answeredTaskId = '';
const TASK_ANSWER = { note: `Called Mrs Moreno ${CANARY}: plan ended, new card by mail`, reached: true };
/** Every response body the scenarios received with a status ≥ 400. */
const errorBodies: { status: number; route: string; body: string }[] = [];

/** The family name the EMR wrapper below turns into an error that quotes it (an EMR that echoes PHI). */
const ECHOING_FAMILY = `Echo ${CANARY}`;

function echoingEmr(emr: Emr): Emr {
  return new Proxy(emr, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'upsertPatient') {
        return async (input: Parameters<Emr['upsertPatient']>[0]) => {
          if (input.demographics.family === ECHOING_FAMILY) {
            throw new EmrContractViolation(
              `EMR answered an unexpected body for ${input.demographics.family}`,
            );
          }
          return target.upsertPatient(input);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

beforeAll(async () => {
  // Before any logger exists: the API, the worker, the Temporal runtime and the connectors all write here.
  setLogDestination(logs.stream);
  spans = await startOtlpReceiver();
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'debug',
    PTFLOW_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The schedules' ids are server-wide: only test/workflows/schedules.int.test.ts ensures them here.
    PTFLOW_SCHEDULES: 'off',
    PORT: String(await freePort()),
    SANDBOX_PAYER_PORT: String(await freePort()),
    CLAIM_POLL_MINUTES: '0.01',
    WORKER_SHUTDOWN_GRACE_SECONDS: '2',
    // Tracing on: every span of the run goes to the receiver (the worker then bundles with the interceptors).
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: spans.tracesUrl,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
  });
  installTemporalRuntime(true, 'debug');
  payer = await startDevSandboxPayer(config, db.url);
  sandboxes = await devOnboardingConnectors(config, db.url, db.db);
  worker = await startWorkerService(config, db.url, {
    clearinghouse: payer.settings,
    onboarding: { ...sandboxes.deps, emr: echoingEmr(sandboxes.deps.emr) },
    workflowBundle: workflowBundle(),
  });
  api = await startApiService(config, db.url);
  temporal = await connectClient({
    address: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeyring(config)),
  });
  for (const [who, role] of [
    ['desk', 'front_desk'],
    ['biller', 'biller'],
  ] as const) {
    const { key } = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role, label: `canary ${who}` });
    keys[who] = { authorization: `Bearer ${key}` };
  }
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await temporal?.close();
  await (await startTracing(config, 'api'))?.shutdown();
  await spans?.close();
  await sandboxes?.stop();
  await payer?.stop();
  await db?.drop();
  setLogDestination(undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One HTTP call to the running API; error bodies are kept for the canary check. */
async function call(
  method: 'GET' | 'POST',
  route: string,
  opts: { auth?: { authorization: string }; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: {
      ...(opts.auth ?? {}),
      ...(opts.body !== undefined
        ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() }
        : {}),
      ...(opts.headers ?? {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) errorBodies.push({ status: res.status, route, body: text });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let v = await read();
  for (let i = 0; i < 400 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  if (!ok(v)) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(v)}`);
  return v;
}

/** A patient zone where it is daytime now, so quiet hours do not defer the messages during the test. */
function daytimeZone(): string {
  for (const z of ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata']) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

function onboardingRequest(family: string, memberId: string) {
  return {
    patientId: randomUUID(),
    clinicTimeZone: 'America/Chicago',
    patientTimeZone: daytimeZone(),
    demographics: {
      given: [`Ana ${CANARY}`],
      family,
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '(312) 555-0177',
      email: `ana.${CANARY.toLowerCase()}@example.com`,
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    coverages: [{ coverageId: randomUUID(), payerId: 'commercial-ama', memberId, priority: 1 }],
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
    intakeFormLink: 'https://forms.riverside.example/i/abc',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
  };
}

function claimRequest(memberId: string) {
  return {
    patientId: randomUUID(),
    visit: {
      id: randomUUID(),
      payerId: 'commercial-ama',
      dos: localDate(new Date(), 'America/Chicago'),
      renderingNpi: '1987654328',
      interventions: [
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
        { code: '97112', minutes: 15, furnishedBy: 'PT' },
      ],
      diagnoses: ['M54.50'],
      totalTreatmentMinutes: 45,
    },
    priorAuthNumber: 'AUTH-ON-FILE-1',
    parties: {
      billingProvider: {
        name: 'RIVERSIDE PHYSICAL THERAPY',
        npi: '1234567893',
        taxId: '123456789',
        address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
      },
      subscriber: {
        memberId,
        lastName: `DOE ${CANARY}`,
        firstName: `JANE ${CANARY}`,
        dateOfBirth: '1950-04-15',
        gender: 'F',
        // The 2010BA address is PHI too: it must not leak either.
        address: {
          line1: `12 ELM ST ${CANARY}`.slice(0, 55),
          city: 'SPRINGFIELD',
          state: 'IL',
          postalCode: '62704',
        },
      },
    },
  };
}

type OnboardingStatus = {
  state: string;
  forms: { state: string };
  coverages: { outcome?: string }[];
  appointment?: unknown;
};

const onboardingStatus = async (id: string) =>
  (await call('GET', `/v1/onboardings/${id}`, { auth: keys.desk })).json as OnboardingStatus;

async function onboardingHappyPath(): Promise<void> {
  const start = await call('POST', '/v1/onboardings', {
    auth: keys.desk,
    body: onboardingRequest(`Rivera ${CANARY}`, `SBX-PR3-${CANARY}`),
  });
  expect(start.status).toBe(202);
  const { id } = start.json as { id: string };
  const booked = await until(
    () => onboardingStatus(id),
    (s) => s.appointment !== undefined,
    'booking',
  );
  expect(booked.coverages[0]?.outcome).toBe('active');
  const forms = await call('POST', `/v1/onboardings/${id}/intake-forms`, {
    auth: keys.desk,
    body: {
      responseId: randomUUID(),
      questionnaire: 'https://forms.riverside.example/q/intake-v1',
      authored: new Date().toISOString(),
      items: [{ linkId: 'pain-now', answers: [4] }],
    },
  });
  expect(forms.status).toBe(202);
  await until(
    () => onboardingStatus(id),
    (s) => s.forms.state === 'completed',
    'forms',
  );
  const cancel = await call('POST', `/v1/onboardings/${id}/cancel`, {
    auth: keys.desk,
    body: { reason: 'patient_request' },
  });
  expect(cancel.status).toBe(202);
  await until(
    () => onboardingStatus(id),
    (s) => s.state === 'cancelled',
    'cancellation',
  );
}

async function onboardingInactiveCoverage(): Promise<void> {
  const start = await call('POST', '/v1/onboardings', {
    auth: keys.desk,
    body: onboardingRequest(`Moreno ${CANARY}`, `SBX-INACTIVE-${CANARY}`),
  });
  expect(start.status).toBe(202);
  const { id } = start.json as { id: string };
  await until(
    () => onboardingStatus(id),
    (s) => s.coverages[0]?.outcome === 'inactive',
    'inactive coverage',
  );
  const tasks = await until(
    async () =>
      (await call('GET', '/v1/tasks?assigneeRole=front_desk', { auth: keys.desk })).json as {
        data: { id: string; kind: string; processId: string }[];
      },
    (t) => t.data.some((x) => x.processId === `onboarding:${id}`),
    'the insurance-update task',
  );
  expect(tasks.data.filter((x) => x.processId === `onboarding:${id}`).map((x) => x.kind)).not.toHaveLength(0);
  // The front desk completes it, typing what the call gave (staff write names in free text).
  const task = tasks.data.find((x) => x.processId === `onboarding:${id}`)!;
  const done = await call('POST', `/v1/tasks/${task.id}/complete`, {
    auth: keys.desk,
    body: { outcome: TASK_ANSWER },
  });
  expect(done.status).toBe(202);
  await until(
    async () =>
      (await call('GET', '/v1/tasks?status=completed', { auth: keys.desk })).json as {
        data: { id: string }[];
      },
    (t) => t.data.some((x) => x.id === task.id),
    'the completed task',
  );
  answeredTaskId = task.id;
  const cancel = await call('POST', `/v1/onboardings/${id}/cancel`, {
    auth: keys.desk,
    body: { reason: 'patient_request' },
  });
  expect(cancel.status).toBe(202);
  await until(
    () => onboardingStatus(id),
    (s) => s.state === 'cancelled',
    'cancellation',
  );
}

/** Returns the failed workflow's id. */
async function onboardingEmrEchoesPhi(): Promise<string> {
  const start = await call('POST', '/v1/onboardings', {
    auth: keys.desk,
    body: onboardingRequest(ECHOING_FAMILY, `SBX-PR3-${CANARY}-E`),
  });
  expect(start.status).toBe(202);
  const { id } = start.json as { id: string };
  const err = await temporal.client.workflow
    .getHandle(`onboarding:${id}`)
    .result()
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  // Through the codec (client composed like the API's), the failure still says what the EMR said.
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
  expect(messages.some((m) => m.includes(CANARY))).toBe(true);
  return `onboarding:${id}`;
}

type ClaimStatus = { state: string };
const claimStatus = async (id: string) =>
  (await call('GET', `/v1/claims/${id}`, { auth: keys.biller })).json as ClaimStatus;

async function claim(memberId: string, finalState: string): Promise<string> {
  const start = await call('POST', '/v1/claims', { auth: keys.biller, body: claimRequest(memberId) });
  expect(start.status).toBe(202);
  const { id } = start.json as { id: string };
  const s = await until(
    () => claimStatus(id),
    (c) => c.state === finalState,
    `claim ${finalState}`,
  );
  expect(s.state).toBe(finalState);
  return id;
}

/** Every execution on the run's task queue (children inherit it), from visibility. */
async function executions(client: Client): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) out.push(wf);
  return out;
}

/** `temporal workflow show|describe --output json` — what the server stores, as an operator would see it. */
function temporalCli(command: 'show' | 'describe', workflowId: string, runId: string): unknown {
  const out = execFileSync(
    inject('temporalCliPath'),
    [
      'workflow',
      command,
      '--workflow-id',
      workflowId,
      '--run-id',
      runId,
      '--output',
      'json',
      '--address',
      inject('temporalAddress'),
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(out) as unknown;
}

describe('PHI canary over onboarding and claims through the API', () => {
  let failedWorkflowId = '';
  let claimIds: string[] = [];

  it('runs the scenarios (happy paths, denials with tasks, an EMR error quoting PHI)', async () => {
    const [, , failed, paid, review] = await Promise.all([
      onboardingHappyPath(),
      onboardingInactiveCoverage(),
      onboardingEmrEchoesPhi(),
      claim(`SBX-PR3-${CANARY}-C`, 'paid'),
      // CO-50 with no certified plan of care on file: human review (issue #13's routing), a biller task.
      claim(`SBX-CO50-${CANARY}-D`, 'needs_review'),
    ]);
    failedWorkflowId = failed;
    claimIds = [paid, review];

    // Error paths every client can hit; their bodies join the canary check below.
    const invalid = onboardingRequest(`Rivera ${CANARY}`, `SBX-PR3-${CANARY}`);
    (invalid.demographics as { birthDate: string }).birthDate = `19${CANARY}`;
    expect((await call('POST', '/v1/onboardings', { auth: keys.desk, body: invalid })).status).toBe(400);
    expect((await call('POST', '/v1/claims', { auth: keys.desk, body: claimRequest(CANARY) })).status).toBe(
      403,
    );
    expect(
      (await call('POST', '/v1/onboardings', { body: onboardingRequest(CANARY, `SBX-PR3-${CANARY}`) }))
        .status,
    ).toBe(401);
    // An unknown query parameter is refused by name (issue #19), never echoing its value.
    expect((await call('GET', `/v1/claims/${randomUUID()}?q=${CANARY}`, { auth: keys.biller })).status).toBe(
      400,
    );
    expect((await call('GET', `/v1/claims/${randomUUID()}`, { auth: keys.biller })).status).toBe(404);
    expect((await call('GET', `/v1/nothing/${CANARY}`, { auth: keys.biller })).status).toBe(404);
    expect(errorBodies.length).toBeGreaterThanOrEqual(5);
  });

  it('leaves no marker in any history, description, workflow id, task queue or search attribute', async () => {
    const all = await executions(temporal.client);
    const types = new Set(all.map((e) => e.type));
    // The scenarios above created onboarding, claim and human-task processes on this queue.
    expect([...types]).toEqual(expect.arrayContaining(['patientOnboarding', 'claimSubmission', 'humanTask']));
    expect(all.length).toBeGreaterThanOrEqual(7);
    for (const e of all) {
      expect(e.workflowId).not.toContain(CANARY);
      expect(e.taskQueue).not.toContain(CANARY);
      expect(reveals(e.searchAttributes, CANARY)).toBe(false);
      expect(reveals(e.typedSearchAttributes, CANARY)).toBe(false);
      expect(reveals(e.raw.memo, CANARY)).toBe(false);
      const history = temporalCli('show', e.workflowId, e.runId);
      expect(reveals(history, CANARY), `history of ${e.workflowId}`).toBe(false);
      const description = temporalCli('describe', e.workflowId, e.runId);
      expect(reveals(description, CANARY), `description of ${e.workflowId}`).toBe(false);
    }
    for (const id of claimIds) expect(all.map((e) => e.workflowId)).toContain(`claim:${id}`);
  });

  it('stores the EMR error quoting PHI as an encoded failure', async () => {
    const [execution] = (await executions(temporal.client)).filter((e) => e.workflowId === failedWorkflowId);
    const history = JSON.stringify(temporalCli('show', execution!.workflowId, execution!.runId));
    expect(history).toContain('Encoded failure');
    expect(history).toContain('EmrContractViolation'); // the type stays readable for retry policies
    expect(reveals(JSON.parse(history), CANARY)).toBe(false);
  });

  it('keeps the marker out of every log line, error body and /metrics', async () => {
    expect(logs.lines.length).toBeGreaterThan(20);
    // The API logged the requests (by route pattern); the worker and the connectors logged too.
    expect(logs.lines.some((l) => l.includes('"route":"/v1/onboardings/:id"'))).toBe(true);
    const leaking = logs.lines.filter((l) => l.includes(CANARY) || reveals(JSON.parse(l), CANARY));
    expect(leaking).toEqual([]);
    for (const b of errorBodies) expect(b.body, `${b.status} ${b.route}`).not.toContain(CANARY);
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('route="/v1/claims/:id"');
    expect(metrics.text).not.toContain(CANARY);
  });

  it('keeps the marker out of every exported span: names, attributes, events, status', async () => {
    const tracing = await startTracing(config, 'api');
    expect(tracing).toBeDefined();
    // Workflow spans arrive through the worker's sink: flush until the failed onboarding's run span is in.
    await until(
      async () => {
        await tracing!.forceFlush();
        return spans.spans;
      },
      (all) => all.some((x) => x.name === 'RunWorkflow:patientOnboarding' && x.status.code === 2),
      'the failed onboarding run span',
    );
    const all = spans.spans;
    expect(all.length).toBeGreaterThan(50);
    // The whole path was traced: API routes by template, the Temporal hops, activities, connector HTTP calls.
    const names = new Set(all.map((x) => x.name));
    for (const name of [
      'POST /v1/onboardings',
      'GET /v1/claims/:id',
      'StartWorkflow:patientOnboarding',
      'StartActivity:submitClaim',
      'RunActivity:submitClaim',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(all.some((x) => x.kind === SpanKind.CLIENT && x.name === 'POST')).toBe(true);
    // Requests whose URL holds the marker (a query value, an unknown path) are traced, named without it.
    const status = (x: (typeof all)[number]) =>
      Number(x.attributes['http.status_code'] ?? x.attributes['http.response.status_code']);
    const refusedOf = (list: typeof all) =>
      list.filter((x) => x.kind === SpanKind.SERVER && [400, 404].includes(status(x)));
    const already = refusedOf(all).length;
    expect((await call('GET', `/v1/claims/${randomUUID()}?q=${CANARY}`, { auth: keys.biller })).status).toBe(
      400,
    );
    expect((await call('GET', `/v1/nothing/${CANARY}`, { auth: keys.biller })).status).toBe(404);
    const withRefused = await until(
      async () => {
        await tracing!.forceFlush();
        return spans.spans;
      },
      (list) => refusedOf(list).length >= already + 2,
      `server spans of the refused requests (server spans: ${JSON.stringify(
        all.filter((x) => x.kind === SpanKind.SERVER).map((x) => [x.name, status(x)]),
      ).slice(0, 400)})`,
    ).catch((err: Error) => {
      throw new Error(err.message.slice(0, 1200));
    });
    const refused = refusedOf(withRefused);
    for (const x of refused) expect(x.name).toMatch(/^(GET|POST)( \/[\w/:.*-]*)?$/);
    // Control: the EMR's error quoted the marker (the codec gives it back above): the failed activity's span
    // is there, an error with its exception event, which keeps the error's type and nothing else.
    const failed = all.filter(
      (x) =>
        x.name.startsWith('RunActivity:') &&
        x.status.code === 2 &&
        x.events.some((e) => e.name === 'exception'),
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const e of all.flatMap((x) => x.events).filter((e) => e.name === 'exception')) {
      expect(Object.keys(e.attributes)).toEqual(['exception.type']);
    }
    for (const x of all) {
      expect(x.name, 'span name').not.toContain(CANARY);
      expect(reveals(x.attributes, CANARY), `attributes of ${x.name}`).toBe(false);
      expect(reveals(x.events, CANARY), `events of ${x.name}`).toBe(false);
      expect(reveals(x.status, CANARY), `status of ${x.name}`).toBe(false);
    }
    // …and nothing anywhere in what was sent (resource, scopes, links included).
    expect(spans.bodies.filter((b) => b.includes(CANARY) || reveals(JSON.parse(b), CANARY))).toEqual([]);
  });

  it('keeps the marker out of every row of every table of ours, while the sandbox EMR (system of record) holds it', async () => {
    const tables = (await db.sql`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`) as unknown as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['patients', 'coverages', 'eligibility_checks', 'messages', 'audit_events']),
    );
    let rows = 0;
    for (const { table_name } of tables) {
      const content = await db.sql.unsafe(`select * from public."${table_name}"`);
      rows += content.length;
      expect(reveals([...content], CANARY), `table ${table_name}`).toBe(false);
    }
    expect(rows).toBeGreaterThan(20);
    // The PHI columns are filled (ciphertext), so the absence above is not an empty table's.
    const [filled] = await db.sql`
      select (select count(*)::int from patients) as patients,
             (select count(*)::int from coverages) as coverages,
             (select count(*)::int from eligibility_checks where raw_271_enc is not null) as raw271`;
    expect(filled).toMatchObject({ patients: 3, coverages: 2 });
    expect(filled!.raw271).toBeGreaterThanOrEqual(2);
    // Control: the simulated EMR stores demographics in clear, and the detector finds them there.
    const emrRows = await db.sql.unsafe('select * from sandbox_emr.patients');
    expect(reveals([...emrRows], CANARY)).toBe(true);
  });

  it('keeps the marker out of every text, JSON, array and bytea column of every table in our schemas (SQL scan)', async () => {
    const { columns, holding } = await columnsHolding(db.sql, CANARY);
    const scanned = columns.map((c) => `${c.schema}.${c.table}.${c.column}`);
    // Every schema of ours is scanned (the payer adapter's too), the simulators' are not.
    expect(new Set(columns.map((c) => c.schema))).toEqual(new Set(['drizzle', 'payer', 'public']));
    expect(scanned).toEqual(
      expect.arrayContaining([
        'public.tasks.outcome_enc',
        'public.tasks.details',
        'public.patients.demographics_enc',
        'public.audit_events.fields_disclosed',
      ]),
    );
    expect(holding).toEqual([]);
    // Control: the answer the front desk typed is stored (encrypted) and reads back through the repository
    // with the worker's data keyring, so the scan above looked at a column that holds the marker's ciphertext.
    expect(answeredTaskId).not.toBe('');
    const [row] = await db.sql`select key_id, outcome_enc from tasks where id = ${answeredTaskId}`;
    expect(row!.outcome_enc).not.toBeNull();
    expect(await createTaskRepository(db.db, dataKeys(config).keyring).outcome(answeredTaskId)).toEqual(
      TASK_ANSWER,
    );
  });

  it('gives the marker back, decrypted, to staff through the codec server and the Temporal CLI (and to nobody without a key)', async () => {
    const [execution] = (await executions(temporal.client)).filter(
      (e) => e.type === 'patientOnboarding' && e.workflowId !== failedWorkflowId,
    );
    const history = temporalCli('show', execution!.workflowId, execution!.runId) as {
      events: { workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }[];
    };
    const payloads = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
    expect(reveals(payloads, CANARY)).toBe(false);

    const anonymous = await call('POST', '/codec/decode', { body: { payloads } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain(CANARY);

    const decoded = await call('POST', '/codec/decode', {
      auth: keys.desk,
      body: { payloads },
      headers: { 'x-namespace': 'default' },
    });
    expect(decoded.status).toBe(200);
    const [payload] = (decoded.json as { payloads: { data: string }[] }).payloads;
    const input = JSON.parse(Buffer.from(payload!.data, 'base64').toString('utf8')) as {
      demographics: { family: string };
      coverages: { memberId: string }[];
    };
    expect(input.demographics.family).toContain(CANARY);
    expect(input.coverages[0]!.memberId).toContain(CANARY);

    // The Temporal CLI, as staff use it, decodes the whole history through the codec server with their key.
    // Asynchronously: the codec server is this process's API, which must keep serving while the CLI runs.
    const viaCodec = async (auth: string[]): Promise<string> => {
      try {
        const { stdout } = await execFileAsync(
          inject('temporalCliPath'),
          [
            'workflow',
            'show',
            '--workflow-id',
            execution!.workflowId,
            '--output',
            'json',
            '--address',
            inject('temporalAddress'),
            '--codec-endpoint',
            `${api.url}/codec`,
            ...auth,
          ],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
        );
        return stdout;
      } catch (err) {
        // The CLI exits non-zero when the codec server refuses; whatever it printed is still checked.
        return String((err as { stdout?: string }).stdout ?? '');
      }
    };
    const decodedByCli = await viaCodec(['--codec-auth', keys.desk.authorization]);
    expect(reveals(JSON.parse(decodedByCli), CANARY)).toBe(true);
    // …and without a key the codec server decodes nothing.
    const anonymousCli = await viaCodec([]);
    expect(anonymousCli).not.toContain(CANARY);
    expect(anonymousCli.length === 0 || !reveals(JSON.parse(anonymousCli), CANARY)).toBe(true);

    // …and the decode was audited, by field-free row (no marker in the audit log, checked above).
    const [audit] = await db.sql`
      select count(*)::int as n from audit_events where resource_type = 'temporal_payload' and action = 'R'`;
    expect(audit!.n).toBeGreaterThanOrEqual(1);
  });

  it('keeps summaries that name the patient (Temporal user metadata) encrypted, and decodes them for staff only', async () => {
    type Raw = { metadata?: Record<string, string>; data?: string };
    const all = await executions(temporal.client);
    // Every process and task of the run carries a summary, stored as ciphertext (the general scan above found
    // no marker in any description or history, user metadata included).
    const summarised = all.filter((e) =>
      ['patientOnboarding', 'claimSubmission', 'humanTask'].includes(e.type),
    );
    for (const e of summarised) {
      const described = temporalCli('describe', e.workflowId, e.runId) as {
        executionConfig?: { userMetadata?: { summary?: Raw } };
      };
      const summary = described.executionConfig?.userMetadata?.summary;
      expect(summary, `summary of ${e.workflowId}`).toBeDefined();
      expect(Buffer.from(summary!.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
      expect(reveals(summary, CANARY)).toBe(false);
    }
    // The insurance-update task the front desk answered says for whom — the patient's name, with the marker —
    // but only to a reader with the codec: the client of the worker's deployment, and the codec server for staff.
    const taskWfId = `task:${answeredTaskId}`;
    const task = all.find((e) => e.workflowId === taskWfId);
    expect(task).toBeDefined();
    const readable = await (await temporal.client.workflow.getHandle(taskWfId).describe()).staticSummary();
    expect(readable).toContain(CANARY);
    expect(readable).toMatch(/^Task · .+ · due \d{4}-\d{2}-\d{2} \d{2}:\d{2} · front desk$/);
    const onboarding = all.find((e) => e.type === 'patientOnboarding' && e.workflowId !== failedWorkflowId);
    expect(
      await (await temporal.client.workflow.getHandle(onboarding!.workflowId).describe()).staticSummary(),
    ).toContain(CANARY);

    const raw = (
      temporalCli('describe', task!.workflowId, task!.runId) as {
        executionConfig: { userMetadata: { summary: Raw; details: Raw } };
      }
    ).executionConfig.userMetadata;
    const payloads = [raw.summary, raw.details];
    const anonymous = await call('POST', '/codec/decode', { body: { payloads } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain(CANARY);
    const decoded = await call('POST', '/codec/decode', {
      auth: keys.desk,
      body: { payloads },
      headers: { 'x-namespace': 'default' },
    });
    expect(decoded.status).toBe(200);
    const texts = (decoded.json as { payloads: { data: string }[] }).payloads.map(
      (p) => JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')) as string,
    );
    expect(texts[0]).toBe(readable);
    expect(texts[1]).toContain(`**For:** `);
    expect(texts[1]).toContain(CANARY);
  });
});
