// README's examples run (issue #19): every request file in examples/http/ (named by the operation's operationId)
// is sent over real HTTP to its route on the running stack (real Temporal dev server, PostgreSQL, sandbox
// connectors) and must succeed, in the order a newcomer would use them; the CLI commands that take a file run
// on the shipped files against the same API. A file without a route here, or a route without its file, fails.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createPayerAuthorizationPort } from '../../activities/prior-authorization/payer.js';
import type { Role } from '../../api/auth/principal.js';
import { runOnboard, runStatus, runTaskComplete, runTasks } from '../../cli/commands/api-commands.js';
import { claimPreview, x12Parse } from '../../cli/commands/payer.js';
import { runRoomAdd } from '../../cli/commands/practice.js';
import { loadApiClientConfig } from '../../cli/config.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { workflowId } from '../../domain/ids.js';
import {
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { startApiStack, today, UI_ORIGIN, until, type ApiStack } from '../api/stack.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const root = path.resolve(import.meta.dirname, '../..');
const httpDir = path.join(root, 'examples', 'http');

/** operationId → the route it is the body of, and the role that sends it. */
/** `person`: sent by a signed-in person (OIDC with a second factor) rather than an API key, as break-glass requires. */
const routes: Record<string, { method: 'POST' | 'PUT' | 'PATCH'; path: string; role: Role; person?: true }> =
  {
    startOnboarding: { method: 'POST', path: '/v1/onboardings', role: 'front_desk' },
    submitOnboardingIntakeForms: {
      method: 'POST',
      path: '/v1/onboardings/{id}/intake-forms',
      role: 'front_desk',
    },
    submitOnboardingCoverage: { method: 'POST', path: '/v1/onboardings/{id}/coverage', role: 'front_desk' },
    cancelOnboarding: { method: 'POST', path: '/v1/onboardings/{id}/cancel', role: 'front_desk' },
    startAuthorization: { method: 'POST', path: '/v1/authorizations', role: 'front_desk' },
    recordAuthorizationDecision: {
      method: 'POST',
      path: '/v1/authorizations/{id}/decision',
      role: 'front_desk',
    },
    recordAuthorizationVisit: { method: 'POST', path: '/v1/authorizations/{id}/visits', role: 'therapist' },
    adjustAuthorization: { method: 'POST', path: '/v1/authorizations/{id}/adjust', role: 'front_desk' },
    resolveAuthorization: { method: 'POST', path: '/v1/authorizations/{id}/resolution', role: 'front_desk' },
    startPlanOfCare: { method: 'POST', path: '/v1/plans-of-care', role: 'therapist' },
    recordPlanOfCareVisit: { method: 'POST', path: '/v1/plans-of-care/{id}/visits', role: 'therapist' },
    recordPlanOfCareOutcomes: { method: 'POST', path: '/v1/plans-of-care/{id}/outcomes', role: 'therapist' },
    recordPlanOfCareCertification: {
      method: 'POST',
      path: '/v1/plans-of-care/{id}/certification',
      role: 'therapist',
    },
    recordPocSignature: { method: 'POST', path: '/v1/poc-signatures/{id}/signature', role: 'front_desk' },
    dischargePlanOfCare: { method: 'POST', path: '/v1/plans-of-care/{id}/discharge', role: 'therapist' },
    previewClaim: { method: 'POST', path: '/v1/claims/preview', role: 'biller' },
    startClaim: { method: 'POST', path: '/v1/claims', role: 'biller' },
    correctClaim: { method: 'POST', path: '/v1/claims/{id}/corrections', role: 'biller' },
    openBreakGlassGrant: { method: 'POST', path: '/v1/break-glass', role: 'therapist', person: true },
    completeTask: { method: 'POST', path: '/v1/tasks/{id}/complete', role: 'front_desk' },
    putPractitioner: { method: 'PUT', path: '/v1/practitioners/{id}', role: 'admin' },
    createPractice: { method: 'POST', path: '/v1/practices', role: 'admin' },
    updatePractice: { method: 'PATCH', path: '/v1/practice', role: 'admin' },
    addPracticeLocation: { method: 'POST', path: '/v1/practice/locations', role: 'admin' },
    updatePracticeLocation: { method: 'PATCH', path: '/v1/practice/locations/{id}', role: 'admin' },
    putPracticePayer: { method: 'PUT', path: '/v1/practice/payers/{id}', role: 'admin' },
    importFeeSchedule: { method: 'POST', path: '/v1/practice/fee-schedules', role: 'biller' },
    putPracticeTherapist: { method: 'PUT', path: '/v1/practice/therapists/{id}', role: 'admin' },
    putReferrer: { method: 'PUT', path: '/v1/practice/referrers/{id}', role: 'front_desk' },
    addPracticeEquipment: { method: 'POST', path: '/v1/practice/equipment', role: 'admin' },
    putEquipmentMaintenance: {
      method: 'PUT',
      path: '/v1/practice/equipment/{id}/maintenance',
      role: 'admin',
    },
    addPracticeRoom: { method: 'POST', path: '/v1/practice/rooms', role: 'admin' },
    updatePracticeRoom: { method: 'PUT', path: '/v1/practice/rooms/{id}', role: 'admin' },
    bookPlanOfCareSeries: { method: 'POST', path: '/v1/plans-of-care/{id}/series', role: 'front_desk' },
    addToWaitlist: { method: 'POST', path: '/v1/waitlist', role: 'front_desk' },
    putTimeSavedAssumption: { method: 'PUT', path: '/v1/practice/time-saved-assumptions', role: 'admin' },
    encodePayloads: { method: 'POST', path: '/codec/encode', role: 'therapist' },
    decodePayloads: { method: 'POST', path: '/codec/decode', role: 'therapist' },
  };

let stack: ApiStack;
let api: string;
let resolutionWorker: Awaited<ReturnType<typeof devServerWorker>> | undefined;
let resolutionPayer: Awaited<ReturnType<typeof sandboxPayer>> | undefined;
const resolutionQueue = uniqueTaskQueue('examples-resolution');
const keys = { keyring: generateKeyring('examples'), blindIndexKey: randomBytes(32) };
const sent = new Set<string>();

beforeAll(async () => {
  stack = await startApiStack();
  api = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  // An authorization that waits for staff needs a payer that can reject it: the real 278 port to the sandbox.
  resolutionPayer = await sandboxPayer(stack.db.sql);
  resolutionWorker = await devServerWorker(
    resolutionQueue,
    createActivities({
      db: stack.db.db,
      payer: createPayerAuthorizationPort({ db: stack.db.db, keys, payer: resolutionPayer.connector }),
    }),
  );
}, 180_000);
afterAll(async () => {
  await resolutionWorker?.close();
  await resolutionPayer?.server.close();
  await stack?.close();
});

function example(operationId: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(httpDir, `${operationId}.json`), 'utf8')) as unknown;
}

/** Sends examples/http/<operationId>.json to its route as a client would; returns status and JSON body. */
async function send(operationId: string, id?: string): Promise<{ status: number; body: unknown }> {
  const route = routes[operationId];
  if (!route) throw new Error(`no route for ${operationId}`);
  sent.add(operationId);
  const res = await fetch(`${api}${route.path.replace('{id}', id ?? '')}`, {
    method: route.method,
    headers: {
      ...(route.person ? await stack.userAuth('own', route.role) : stack.auth.own[route.role]),
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
      ...(route.path.startsWith('/codec') ? { origin: UI_ORIGIN } : {}),
    },
    body: fs.readFileSync(path.join(httpDir, `${operationId}.json`)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function ok(operationId: string, id?: string): Promise<{ id?: string; [k: string]: unknown }> {
  const { status, body } = await send(operationId, id);
  // Problem bodies name fields, never values: safe to show when an example stops working.
  if (status < 200 || status >= 300)
    expect.fail(`${operationId} answered ${status}: ${JSON.stringify(body)}`);
  return (body ?? {}) as { id?: string };
}

async function get(role: Role, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${url}`, { headers: stack.auth.own[role] });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('examples/', () => {
  it('has one file per routed operation, each valid JSON', () => {
    const files = fs.readdirSync(httpDir).filter((f) => f.endsWith('.json'));
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(routes).sort());
    for (const f of files) expect(() => example(f.replace(/\.json$/, ''))).not.toThrow();
    // Every operation of the committed OpenAPI document that takes a JSON body (webhooks aside: each delivery
    // needs its own signature) has its example file.
    const doc = JSON.parse(fs.readFileSync(path.join(root, 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>;
    };
    const withBody = Object.entries(doc.paths)
      .filter(([p]) => !p.startsWith('/v1/webhooks'))
      .flatMap(([, ops]) => Object.values(ops))
      .filter((op) => op.requestBody)
      .map((op) => op.operationId);
    expect(withBody.sort()).toEqual(Object.keys(routes).sort());
  });

  it('onboarding: start, intake forms, coverage, cancel — and its status', async () => {
    const { id } = await ok('startOnboarding');
    await ok('submitOnboardingIntakeForms', id);
    await ok('submitOnboardingCoverage', id);
    await ok('cancelOnboarding', id);
    expect((await get('front_desk', `/v1/onboardings/${id}`)).status).toBe(200);
  });

  it('authorization: start, payer decision, a visit, an adjustment — and a resolution of one waiting for staff', async () => {
    const { id } = await ok('startAuthorization');
    // The payer's answer is recorded once the request is with the payer (pending).
    await until(
      async () => (await get('front_desk', `/v1/authorizations/${id}`)).body.status === 'pending',
      'authorization pending',
    );
    await ok('recordAuthorizationDecision', id);
    await ok('recordAuthorizationVisit', id);
    await ok('adjustAuthorization', id);

    // Resolution applies to an authorization that waits for staff: one sent without a diagnosis.
    const waiting = await authorizationWithoutDiagnosis();
    await until(
      async () => (await get('front_desk', `/v1/authorizations/${waiting}`)).body.needsAttention === true,
      'authorization waiting for staff',
    );
    await ok('resolveAuthorization', waiting);
  });

  it('plan of care: start, a visit, an outcome, the physician signature, certification, discharge', async () => {
    const { id } = await ok('startPlanOfCare');
    await ok('recordPlanOfCareVisit', id);
    await ok('recordPlanOfCareOutcomes', id);
    const series = await ok('bookPlanOfCareSeries', id);
    expect(series).toMatchObject({ outcome: 'preview', requested: 12 });
    // The episode's POC signature process (its id is in the episode's status) takes the signed date.
    let signature: string | undefined;
    await until(async () => {
      const status = (await get('therapist', `/v1/plans-of-care/${id}`)).body as {
        signatureProcesses?: { processId: string }[];
      };
      signature = status.signatureProcesses?.[0]?.processId;
      return signature !== undefined;
    }, 'signature process started');
    await ok('recordPocSignature', signature!);
    await ok('recordPlanOfCareCertification', id);
    await ok('dischargePlanOfCare', id);
    expect((await get('therapist', `/v1/plans-of-care/${id}`)).status).toBe(200);
  });

  it('claims: preview, submit, correct — and its status', async () => {
    const preview = await ok('previewClaim');
    expect(preview).toMatchObject({ payer: { payerId: 'medicare-part-b' } });
    const { id } = await ok('startClaim');
    await ok('correctClaim', id);
    expect((await get('biller', `/v1/claims/${id}`)).status).toBe(200);
  });

  it('break-glass, a task completion, the codec server and the read-only routes', async () => {
    await ok('openBreakGlassGrant');
    const taskId = await stack.startTask('front_desk');
    await ok('completeTask', taskId);
    await ok('encodePayloads');
    await ok('decodePayloads');
    await ok('putPractitioner', '1987654328');
    for (const [role, url] of [
      ['front_desk', '/v1/tasks'],
      ['front_desk', '/v1/processes'],
      ['therapist', '/v1/break-glass'],
      ['front_desk', '/v1/sandbox/outbox'],
    ] as const) {
      expect({ url, status: (await get(role, url)).status }).toEqual({ url, status: 200 });
    }
  });

  it('practice setup: a new practice, the profile, a location, a payer, a fee schedule, a therapist, a referrer', async () => {
    const created = await ok('createPractice');
    expect(created).toMatchObject({ practice: { missing: [] }, adminKey: { key: expect.any(String) } });
    await ok('updatePractice');
    const location = await ok('addPracticeLocation');
    await ok('updatePracticeLocation', location.id);
    await ok('putPracticePayer', 'medicare-part-b');
    await ok('importFeeSchedule');
    await ok('putPracticeTherapist', '1098765435');
    await ok('putReferrer', '1612345672');
    const device = await ok('addPracticeEquipment');
    await ok('putEquipmentMaintenance', device.id);
    const room = await ok('addPracticeRoom');
    await ok('updatePracticeRoom', room.id);
    await ok('putTimeSavedAssumption');
    expect((await get('admin', '/v1/practice')).body).toMatchObject({ missing: [] });
  });

  it('the CLI commands that take a file accept the shipped files', async () => {
    let out = '';
    const write = (t: string) => void (out += t);
    // One format for `ptflow claim preview` and POST /v1/claims/preview: the same file.
    await claimPreview(path.join(httpDir, 'previewClaim.json'), write);
    expect(out).toMatch(/^ISA\*00\*/m);
    out = '';
    await x12Parse(path.join(root, 'examples', 'x12', '835-remittance.x12'), write);
    expect(JSON.parse(out)).toMatchObject({ interchange: { version: '00501' } });

    const config = (role: Role) =>
      loadApiClientConfig({ PTFLOW_API_URL: api, PTFLOW_API_KEY: stack.keys.own[role] });
    const started = await runOnboard(config('front_desk'), write, path.join(httpDir, 'startOnboarding.json'));
    expect((await runStatus(config('front_desk'), write, started.id)).kind).toBe('onboarding');
    const taskId = await stack.startTask('front_desk');
    await runTasks(config('front_desk'), write, {});
    const outcome = JSON.stringify((example('completeTask') as { outcome: unknown }).outcome);
    await runTaskComplete(config('front_desk'), write, taskId, { outcome });
    // `ptflow practice rooms add` takes the POST /v1/practice/rooms body: the shipped example.
    const room = await runRoomAdd(config('admin'), write, path.join(httpDir, 'addPracticeRoom.json'));
    expect(room).toMatchObject({ name: 'Treatment room 1', capacity: 1, private: true });
  });

  it('waitlist: an onboarded patient waits at a location for a freed slot', async () => {
    const body = example('addToWaitlist') as { patientId: string };
    // The example's patient is the demo practice's (onboarded, as the route requires).
    await syntheticPatient(body.patientId);
    const entry = await ok('addToWaitlist');
    expect(entry).toMatchObject({ patientId: body.patientId, status: 'waiting', acuity: 2, minutes: 45 });
    expect((await get('front_desk', '/v1/waitlist')).body).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ id: entry.id })]),
    });
  });

  it('sent every example', () => {
    expect([...sent].sort()).toEqual(Object.keys(routes).sort());
  });
});

/** A synthetic patient of the demo practice (no real person's data). */
async function syntheticPatient(patientId: string): Promise<void> {
  await createPatientRepository(stack.db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics: {
      given: ['Pat'],
      family: 'Synthetic',
      birthDate: '1950-01-01',
      sex: 'female',
      preferredLanguage: 'en',
    },
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
}

/** An authorization of the demo practice for a synthetic patient at the sandbox MA plan, without a diagnosis. */
async function authorizationWithoutDiagnosis(): Promise<string> {
  const patientId = randomUUID();
  const coverageId = randomUUID();
  await syntheticPatient(patientId);
  await createCoverageRepository(stack.db.db, keys).upsert({
    coverageId,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: 'ma-fastlane',
    priority: 1,
    memberId: `SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`,
  });
  const authorizationId = randomUUID();
  await stack.temporal.client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, {
    taskQueue: resolutionQueue,
    workflowId: workflowId('auth', authorizationId),
    args: [
      {
        authorizationId,
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        coverageId,
        payerId: 'ma-fastlane',
        timezone: 'America/Chicago',
        requestedVisits: 6,
        startDate: today(),
        endDate: addDays(today(), 55),
        urgency: 'standard',
        pollEveryMinutes: 0.02,
        planOfCareContinues: true,
      },
    ],
  });
  return authorizationId;
}
