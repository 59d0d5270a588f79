// One trace across the whole path (issue 14, point 4). The API and the worker are composed as `ptflow api` and
// `ptflow worker` compose them (cli/services.ts) with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT pointing at a real
// OTLP/HTTP receiver in this test. The sandbox EMR sends a signed "note signed" webhook over HTTP; the API
// starts the emrEventRouter workflow, whose activity starts the claim process, whose activities send X12 to the
// sandbox payer over real HTTP. The spans the receiver decodes must form one trace with this parent chain:
// HTTP server span (route template) → StartWorkflow:emrEventRouter → RunWorkflow:emrEventRouter →
// StartActivity → RunActivity → StartWorkflow:claimSubmission → RunWorkflow:claimSubmission → StartActivity
// → RunActivity → the fetch to the payer (HTTP client span).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { claimIdFor } from '../../activities/shared/derived-ids.js';
import { loadConfig, type Config } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import { dataKeys, payloadKeyring } from '../../cli/keyrings.js';
import { startDevSandboxPayer } from '../../cli/payer.js';
import {
  installTemporalRuntime,
  startApiService,
  startWorkerService,
  type ApiService,
  type WorkerService,
} from '../../cli/services.js';
import { startTracing, workflowInterceptorsPath } from '../../cli/tracing.js';
import { generateWebhookSecret } from '../../connectors/webhooks/standard-webhooks.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { freePort } from '../../devtools/ports.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import { dataConverterFor, failureConverterPath } from '../../temporal/codec/data-converter.js';
import { workflowsPath } from '../../temporal/worker.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  SpanKind,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../helpers/otlp-receiver.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-tracing-'));
const taskQueue = uniqueTaskQueue('tracing');
const secret = generateWebhookSecret();

let receiver: OtlpReceiver;
let db: TestDatabase;
let config: Config;
let payer: Awaited<ReturnType<typeof startDevSandboxPayer>>;
let sandboxes: Awaited<ReturnType<typeof devOnboardingConnectors>>;
let api: ApiService;
let worker: WorkerService;
let temporal: TemporalClientHandle;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  const port = await freePort();
  config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    PTFLOW_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PTFLOW_SCHEDULES: 'off',
    PORT: String(port),
    SANDBOX_PAYER_PORT: String(await freePort()),
    CLAIM_POLL_MINUTES: '0.01',
    WORKER_SHUTDOWN_GRACE_SECONDS: '2',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
  });
  installTemporalRuntime(true, 'warn');
  payer = await startDevSandboxPayer(config, db.url);
  sandboxes = await devOnboardingConnectors(config, db.url, db.db, {
    webhookTarget: { url: `http://127.0.0.1:${port}/v1/webhooks/emr/sandbox`, secrets: [secret] },
  });
  // The demo practice's profile (the claim's billing provider) under the worker's data keys.
  await seedDemoPractice(db.db, sandboxes.deps.keys.keyring);
  api = await startApiService(config, db.url, {
    webhooks: {
      perMinute: 10_000,
      sources: {
        emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
        payer: {},
        messaging: {},
      },
    },
  });
  // No pre-built bundle: with tracing on the worker bundles the workflow code with the tracing interceptors.
  worker = await startWorkerService(config, db.url, {
    clearinghouse: payer.settings,
    onboarding: sandboxes.deps,
    practiceProfile: devPracticeProfile,
  });
  temporal = await connectClient({
    address: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeyring(config)),
  });
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await (await startTracing(config, 'api'))?.shutdown();
  await temporal?.close();
  await sandboxes?.stop();
  await payer?.stop();
  await receiver?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A patient ptflow registered (our encrypted mirror and coverage) and a signed treatment visit in the EMR. */
async function signedVisitOfKnownPatient() {
  const emr = sandboxes.emr;
  const patientId = randomUUID();
  const demographics = {
    given: ['Ada'],
    family: 'Okafor',
    birthDate: '1958-03-04',
    sex: 'female' as const,
    phone: '+13125550142',
    preferredLanguage: 'en' as const,
  };
  const address = { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' };
  const { emrId } = await emr.upsertPatient({ patientId, demographics: { ...demographics, address } });
  const keys = dataKeys(config);
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
  await createCoverageRepository(db.db, keys).upsert({
    coverageId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: 'commercial-ama',
    priority: 1,
    memberId: `SBX-CO45-${randomUUID().slice(0, 8)}`,
  });
  const now = Date.now();
  const [slot] = await emr.searchFreeSlots({
    from: new Date(now - 8 * 86_400_000).toISOString(),
    to: new Date(now - 86_400_000).toISOString(),
    limit: 1,
  });
  if (!slot) throw new Error('no free slot in the sandbox EMR');
  const appt = await emr.bookAppointment({
    appointmentId: randomUUID(),
    slotId: slot.slotId,
    emrPatientId: emrId,
    kind: 'treatment',
  });
  await emr.checkIn(appt.emrAppointmentId);
  return emr.signNote(
    appt.emrAppointmentId,
    [
      { code: '97110', minutes: 30, furnishedBy: 'PT' },
      { code: '97140', minutes: 15, furnishedBy: 'PT' },
    ],
    ['M54.50'],
  );
}

/** The span and its ancestors, nearest first (as far as the received spans reach). */
function ancestry(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain = [span];
  for (let p = span.parentSpanId; p !== undefined;) {
    const parent = byId.get(p);
    if (!parent) break;
    chain.push(parent);
    p = parent.parentSpanId;
  }
  return chain;
}

describe('tracing across the whole path', () => {
  it('one trace: webhook → API → emrEventRouter → claimSubmission → activities → HTTP to the payer', async () => {
    const visit = await signedVisitOfKnownPatient();
    // The sandbox EMR delivers its queued webhooks over HTTP, signed (the note.signed among them).
    const report = await sandboxes.emr.webhooks.deliverDue();
    expect(report).toMatchObject({ retrying: 0, failed: 0 });
    const claim = temporal.client.workflow.getHandle(
      workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visit.visitId)),
    );
    await expect
      .poll(
        async () => {
          try {
            return (await claim.describe()).status.name;
          } catch {
            return 'not started';
          }
        },
        { timeout: 60_000, interval: 500 },
      )
      .not.toBe('not started');
    expect(((await claim.result()) as { state: string }).state).toBe('paid');

    const tracing = await startTracing(config, 'worker');
    expect(tracing).toBeDefined();
    const payerPort = Number(new URL(payer.url).port);
    // Workflow spans arrive through the worker's sink once their activation completes: flush until the claim's
    // run span is in.
    await expect
      .poll(
        async () => {
          await tracing!.forceFlush();
          return receiver.spans.some((s) => s.name === 'RunWorkflow:claimSubmission');
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    expect(new Set(receiver.contentTypes)).toEqual(new Set(['application/json']));

    const webhookSpans = receiver.spans.filter(
      (s) => s.kind === SpanKind.SERVER && s.name === 'POST /v1/webhooks/emr/:source',
    );
    expect(webhookSpans.length).toBeGreaterThanOrEqual(1);
    expect(webhookSpans[0]!.attributes['http.route']).toBe('/v1/webhooks/emr/:source');
    const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
    // The payer calls of the claim, and the chain each hangs on.
    const claimRun = receiver.spans.find((s) => s.name === 'RunWorkflow:claimSubmission')!;
    const payerCalls = receiver.spans.filter(
      (s) =>
        s.kind === SpanKind.CLIENT &&
        s.attributes['server.port'] === payerPort &&
        s.traceId === claimRun.traceId &&
        ancestry(s, byId).includes(claimRun),
    );
    expect(payerCalls.length, 'HTTP client spans of the claim to the sandbox payer').toBeGreaterThanOrEqual(
      1,
    );
    const chain = ancestry(payerCalls[0]!, byId);
    const names = chain.map((s) => s.name);
    if (process.env.PTFLOW_PRINT_TRACE)
      console.log(
        chain.map((s) => `${s.name} ${s.serviceName} ${s.traceId}/${s.spanId}<-${s.parentSpanId}`).join('\n'),
      );
    // One trace from the HTTP request to the payer call.
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    expect(webhookSpans.map((s) => s.spanId)).toContain(
      chain.find((s) => s.name === 'POST /v1/webhooks/emr/:source')?.spanId,
    );
    const expected: (string | RegExp)[] = [
      /^POST$/, // the fetch to the payer (its method; the URL stays out: phi-safe-spans.ts)
      /^RunActivity:/,
      /^StartActivity:/,
      'RunWorkflow:claimSubmission',
      'StartWorkflow:claimSubmission',
      /^RunActivity:/,
      /^StartActivity:/,
      'RunWorkflow:emrEventRouter',
      'StartWorkflow:emrEventRouter',
      'POST /v1/webhooks/emr/:source',
    ];
    let at = 0;
    for (const want of expected) {
      const found = names.findIndex(
        (n, i) => i >= at && (typeof want === 'string' ? n === want : want.test(n)),
      );
      expect(found, `${String(want)} in the chain ${names.join(' ← ')}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    // The Temporal hops are direct parent links: each run hangs on its start, each activity on its scheduling.
    for (const [child, parent] of [
      ['RunWorkflow:claimSubmission', 'StartWorkflow:claimSubmission'],
      ['RunWorkflow:emrEventRouter', 'StartWorkflow:emrEventRouter'],
    ] as const) {
      const i = names.indexOf(child);
      expect(names[i + 1], `${child}'s parent`).toBe(parent);
    }
    const activityRun = chain.find((s) => s.name.startsWith('RunActivity:'))!;
    expect(byId.get(activityRun.parentSpanId!)?.name).toBe(
      activityRun.name.replace('RunActivity:', 'StartActivity:'),
    );
    // Workflow spans carry the (PHI-free) workflow id; HTTP client spans no URL.
    expect(claimRun.attributes.workflowId).toBe(claim.workflowId);
    for (const s of payerCalls) {
      const urlParts = Object.keys(s.attributes).filter((k) =>
        /^(url\.(?!scheme$)|http\.(url|target)$)/.test(k),
      );
      expect(urlParts).toEqual([]);
    }
  });

  it('turning tracing on changes no workflow command: every committed history replays with the tracing interceptors', async () => {
    const tracing = (await startTracing(config, 'worker'))!;
    const interceptorModules = tracing.workerOptions.interceptors.workflowModules ?? [];
    expect(interceptorModules).toEqual([workflowInterceptorsPath()]);
    const bundle = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      failureConverterPath: failureConverterPath(),
      workflowInterceptorModules: interceptorModules,
      logger: new DefaultLogger('WARN'),
    });
    const dir = fileURLToPath(new URL('../histories', import.meta.url));
    let replayed = 0;
    for (const type of fs.readdirSync(dir)) {
      for (const file of fs.readdirSync(path.join(dir, type)).filter((f) => f.endsWith('.json'))) {
        const history = JSON.parse(fs.readFileSync(path.join(dir, type, file), 'utf8')) as unknown;
        await expect(
          Worker.runReplayHistory({ workflowBundle: bundle, sinks: tracing.workerOptions.sinks }, history),
          `${type}/${file}`,
        ).resolves.toBeUndefined();
        replayed++;
      }
    }
    expect(replayed).toBeGreaterThanOrEqual(9);
  });
});
