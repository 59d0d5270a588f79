// POST /v1/authorizations/:id/resolution over the real stack (issue #5): an authorization started without a
// diagnosis waits for staff (needs_attention); the front desk's correction over HTTP resubmits it as a real 278
// to the sandbox payer, which approves it. A resolution that cannot fix it is 422, one for an authorization
// that waits for nobody 409, both problem+json; another practice gets 404, a role without the right 403.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createPayerAuthorizationPort } from '../../activities/prior-authorization/payer.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import type { Role } from '../../api/auth/principal.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { workflowId } from '../../domain/ids.js';
import {
  dischargeSignal,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { startApiStack, today, until, type ApiStack } from './stack.js';

const keys = { keyring: generateKeyring('res'), blindIndexKey: randomBytes(32) };
let stack: ApiStack;
let payer: { server: SandboxServer; connector: Awaited<ReturnType<typeof sandboxPayer>>['connector'] };
let worker: Awaited<ReturnType<typeof devServerWorker>>;
const taskQueue = uniqueTaskQueue('auth-resolution');

beforeAll(async () => {
  stack = await startApiStack();
  // The stack's own worker answers every authorization "pended"; this one sends real 278s to the sandbox payer.
  payer = await sandboxPayer(stack.db.sql);
  const port = createPayerAuthorizationPort({
    db: stack.db.db,
    keys,
    payer: payer.connector,
  });
  worker = await devServerWorker(taskQueue, createActivities({ db: stack.db.db, payer: port }));
}, 120_000);
afterAll(async () => {
  await worker?.close();
  await payer?.server.close();
  await stack?.close();
});

/** An authorization of the demo practice for a synthetic patient at the sandbox MA plan, without a diagnosis. */
async function authorizationWithoutDiagnosis(): Promise<string> {
  const patientId = randomUUID();
  const coverageId = randomUUID();
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
    taskQueue,
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

function call(role: Role, method: 'GET' | 'POST', url: string, body?: object, side: 'own' | 'other' = 'own') {
  return stack.app.inject({
    method,
    url,
    headers: {
      ...stack.auth[side][role],
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body ? { payload: body } : {}),
  });
}

const statusOf = async (id: string) =>
  (await call('front_desk', 'GET', `/v1/authorizations/${id}`)).json<{
    status: string;
    needsAttention: boolean;
  }>();

describe('POST /v1/authorizations/:id/resolution', () => {
  it('the front desk adds the missing diagnosis: resubmitted and approved; 422 / 409 / 404 / 403 when it does not apply', async () => {
    const id = await authorizationWithoutDiagnosis();
    const url = `/v1/authorizations/${id}/resolution`;
    await until(async () => (await statusOf(id)).status === 'needs_attention', 'needs_attention');
    // The front desk sees what to fix (type and reason code); a therapist's view carries none of it.
    expect(await statusOf(id)).toMatchObject({
      status: 'needs_attention',
      needsAttention: true,
      attention: { type: 'AuthorizationDataMissing', reasonCode: 'no_diagnosis' },
    });
    expect((await call('therapist', 'GET', `/v1/authorizations/${id}`)).json()).not.toHaveProperty(
      'attention',
    );

    // Still no diagnosis: the process is waiting, but this cannot fix it.
    const unfixable = await call('front_desk', 'POST', url, { action: 'resubmit' });
    expect(unfixable.statusCode).toBe(422);
    expect(unfixable.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unfixable.json()).toMatchObject({ status: 422, reason: 'InvalidResolution' });
    // Not a diagnosis code at all: rejected by the schema, the value is not echoed.
    const malformed = await call('front_desk', 'POST', url, { action: 'resubmit', diagnosisCodes: ['XYZ'] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).not.toContain('XYZ');
    expect((await call('therapist', 'POST', url, { action: 'cancel' })).statusCode).toBe(403);
    expect((await call('front_desk', 'POST', url, { action: 'cancel' }, 'other')).statusCode).toBe(404);
    expect((await statusOf(id)).status).toBe('needs_attention');

    const fixed = await call('front_desk', 'POST', url, { action: 'resubmit', diagnosisCodes: ['M54.50'] });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json()).toMatchObject({ status: 'submitted' });
    await until(async () => (await statusOf(id)).status === 'approved', 'approved');
    expect(await statusOf(id)).toMatchObject({ status: 'approved', needsAttention: false });
    expect(await statusOf(id)).not.toHaveProperty('attention');

    // Nothing waits for staff any more.
    const late = await call('biller', 'POST', url, { action: 'not_required' });
    expect(late.statusCode).toBe(409);
    expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(late.json()).toMatchObject({ status: 409, reason: 'NotAwaitingResolution' });

    await stack.temporal.client.workflow.getHandle(workflowId('auth', id)).signal(dischargeSignal);
  });
});
