// Practice tenancy of derived ids (issue #20): two practices whose EMRs number visits, patients and referrals
// the same way. Through the API (claims, plans of care, the same Idempotency-Key from a user with the same
// subject in both practices) and through signed EMR webhooks (two sources, one per practice, delivering the
// same webhook id about the same EMR patient, referral and visit), each practice gets its own process, neither
// can see the other's, and no answer differs in a way that tells the other exists. A claim started under the
// old id format (`claim:<visit id>`, before ids were scoped) is still found and reused by its own practice
// only. Real stack: PostgreSQL, the Temporal dev server, a worker with the sandbox EMR and payer, HTTP injection.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { claimIdFor, uuidFromKey } from '../../activities/shared/derived-ids.js';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import { buildClaimInput } from '../../domain/claims/claim-input.js';
import { CLAIM_WORKFLOW_TYPE, type ClaimSubmissionWorkflow } from '../../workflows/claim/messages.js';
import type { EventRouteResult } from '../../workflows/emr-events/messages.js';
import { PracticeId } from '../../workflows/shared/search-attributes.js';
import {
  claimBody,
  OTHER_PRACTICE_ID,
  planOfCareBody,
  startApiStack,
  until,
  type ApiStack,
} from './stack.js';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack({ emrWebhooks: true });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

type Side = 'own' | 'other';
const practiceOf = { own: DEMO_PRACTICE_ID, other: OTHER_PRACTICE_ID } as const;

function api(side: Side, method: 'GET' | 'POST', url: string, body?: object, headers: object = {}) {
  return stack.app.inject({
    method,
    url,
    headers: {
      ...stack.auth[side].biller,
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...headers,
    },
    ...(body ? { payload: body } : {}),
  });
}

async function ownerOf(wfId: string): Promise<string | undefined> {
  return (await stack.temporal.client.workflow.getHandle(wfId).describe()).typedSearchAttributes.get(
    PracticeId,
  );
}

/** A problem without its `instance` (the request id, different on every request). */
function withoutInstance(problem: unknown): unknown {
  const { instance: _instance, ...rest } = problem as Record<string, unknown>;
  return rest;
}

/** A claim body of `side` for a given visit and patient (same ids in both practices). */
function sameIds(visitId: string, patientId: string) {
  const body = claimBody();
  return { ...body, patientId, visit: { ...body.visit, id: visitId } };
}

describe('two practices, the same ids, through the API', () => {
  it('the same visit and patient ids: two claims, each practice sees only its own, 404s say nothing', async () => {
    const visitId = randomUUID();
    const patientId = randomUUID();
    const own = await api('own', 'POST', '/v1/claims', sameIds(visitId, patientId));
    const other = await api('other', 'POST', '/v1/claims', sameIds(visitId, patientId));
    expect(own.statusCode).toBe(202);
    expect(other.statusCode).toBe(202);
    const ownId = (own.json() as { id: string }).id;
    const otherId = (other.json() as { id: string }).id;
    expect(ownId).toBe(claimIdFor(DEMO_PRACTICE_ID, visitId));
    expect(otherId).toBe(claimIdFor(OTHER_PRACTICE_ID, visitId));
    expect(otherId).not.toBe(ownId);
    // The second practice's answer has the shape of any first start: nothing about the other claim.
    expect(other.json()).toEqual({
      id: otherId,
      status: 'started',
      links: { self: `/v1/claims/${otherId}` },
    });
    expect(other.body).not.toContain(ownId);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(await ownerOf(workflowId('claim', ownId))).toBe(DEMO_PRACTICE_ID);
    expect(await ownerOf(workflowId('claim', otherId))).toBe(OTHER_PRACTICE_ID);

    // By claim id: each its own, the other's a 404 identical to an unknown id's.
    const unknown = await api('other', 'GET', `/v1/claims/${randomUUID()}`);
    const foreign = await api('other', 'GET', `/v1/claims/${ownId}`);
    expect(foreign.statusCode).toBe(404);
    expect(withoutInstance(foreign.json())).toEqual(withoutInstance(unknown.json()));
    // By the shared visit id: each practice reaches its own claim.
    for (const side of ['own', 'other'] as const) {
      const byVisit = await api(side, 'GET', `/v1/claims/${visitId}`);
      expect(byVisit.statusCode).toBe(200);
      expect((byVisit.json() as { claimId: string }).claimId).toBe(side === 'own' ? ownId : otherId);
    }
    // Each practice's mirror row and CLM01 are its own.
    await until(
      async () => (await stack.db.sql`select 1 from claims where visit_id = ${visitId}`).length === 2,
      'both claims mirrored',
    );
    const rows = await stack.db.sql<{ id: string; practice_id: string; patient_control_number: string }[]>`
      select id, practice_id, patient_control_number from claims where visit_id = ${visitId} order by practice_id`;
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([ownId, otherId]));
    expect(new Set(rows.map((r) => r.patient_control_number)).size).toBe(2);
    for (const r of rows) expect(r.id).toBe(claimIdFor(r.practice_id, visitId));

    // The same patient id in both practices: each practice's process list shows its own processes only.
    const pocOwn = await api(
      'own',
      'POST',
      '/v1/plans-of-care',
      { ...planOfCareBody(), patientId },
      stack.auth.own.therapist,
    );
    const pocOther = await api(
      'other',
      'POST',
      '/v1/plans-of-care',
      { ...planOfCareBody(), patientId },
      stack.auth.other.therapist,
    );
    expect([pocOwn.statusCode, pocOther.statusCode]).toEqual([202, 202]);
    for (const side of ['own', 'other'] as const) {
      const mine =
        side === 'own'
          ? [ownId, (pocOwn.json() as { id: string }).id]
          : [otherId, (pocOther.json() as { id: string }).id];
      const theirs =
        side === 'own'
          ? [otherId, (pocOther.json() as { id: string }).id]
          : [ownId, (pocOwn.json() as { id: string }).id];
      let listed: string[] = [];
      await until(async () => {
        const res = await stack.app.inject({
          method: 'GET',
          url: `/v1/processes?patientId=${patientId}`,
          headers: stack.auth[side].admin,
        });
        listed = (res.json() as { data: { id: string }[] }).data.map((p) => p.id);
        return mine.every((id) => listed.some((l) => l.endsWith(id)));
      }, `${side} processes listed`);
      for (const id of theirs) expect(listed.some((l) => l.endsWith(id))).toBe(false);
    }
  });

  it('the same Idempotency-Key and body from users with the same subject in two practices: two claims', async () => {
    const body = sameIds(randomUUID(), randomUUID());
    const key = `shared-key-${randomUUID()}`;
    const send = async (side: Side) =>
      stack.app.inject({
        method: 'POST',
        url: '/v1/claims',
        headers: {
          ...(await stack.userAuth(side, 'biller', { sub: 'same-subject' })),
          'idempotency-key': key,
        },
        payload: body,
      });
    const own = await send('own');
    const other = await send('other');
    expect([own.statusCode, other.statusCode]).toEqual([202, 202]);
    // Not a replay of the first practice's answer: its own claim.
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect((other.json() as { id: string }).id).toBe(claimIdFor(OTHER_PRACTICE_ID, body.visit.id));
    expect((own.json() as { id: string }).id).toBe(claimIdFor(DEMO_PRACTICE_ID, body.visit.id));
    // A retry within a practice still replays that practice's answer.
    const retry = await send('other');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(other.json());
  });

  it('a claim started under the old id format is found and reused by its own practice only', async () => {
    const visitId = randomUUID();
    const patientId = randomUUID();
    const body = sameIds(visitId, patientId);
    // What POST /v1/claims did before ids were scoped: workflow `claim:<visit id>`, claim id = visit id.
    await startIdempotently<ClaimSubmissionWorkflow>(stack.temporal.client, {
      taskQueue: stack.taskQueue,
      kind: 'claim',
      processKind: 'claimSubmission',
      id: visitId,
      workflow: CLAIM_WORKFLOW_TYPE,
      args: [
        buildClaimInput({
          claimId: visitId,
          practiceId: DEMO_PRACTICE_ID,
          patientId,
          timezone: 'America/Chicago',
          visit: body.visit as Parameters<typeof buildClaimInput>[0]['visit'],
          parties: body.parties,
          pollEveryMinutes: 0.01,
        }),
      ],
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      rejectDuplicate: true,
    });
    // Its practice: the same visit again reaches the old claim (202 running / 409 closed), never a second one.
    const again = await api('own', 'POST', '/v1/claims', body);
    expect([202, 409]).toContain(again.statusCode);
    if (again.statusCode === 202) expect((again.json() as { id: string }).id).toBe(visitId);
    const ownGet = await api('own', 'GET', `/v1/claims/${visitId}`);
    expect((ownGet.json() as { claimId: string }).claimId).toBe(visitId);
    await expect(
      stack.temporal.client.workflow
        .getHandle(workflowId('claim', claimIdFor(DEMO_PRACTICE_ID, visitId)))
        .describe(),
    ).rejects.toThrow();
    // The other practice: its own new claim for its visit; the old one stays invisible.
    const other = await api('other', 'POST', '/v1/claims', body);
    expect(other.statusCode).toBe(202);
    const otherId = (other.json() as { id: string }).id;
    expect(otherId).toBe(claimIdFor(OTHER_PRACTICE_ID, visitId));
    const otherGet = await api('other', 'GET', `/v1/claims/${visitId}`);
    expect((otherGet.json() as { claimId: string }).claimId).toBe(otherId);
  });
});

describe('two practices, the same ids, through signed webhooks', () => {
  const deliver = (side: Side, webhookId: string, event: object) => {
    const payload = JSON.stringify(event);
    return stack.app.inject({
      method: 'POST',
      url: `/v1/webhooks/emr/${side}`,
      headers: {
        'content-type': 'application/json',
        ...signedWebhookHeaders({ id: webhookId, timestamp: Math.floor(Date.now() / 1000), body: payload }, [
          stack.webhookSecrets[side],
        ]),
      },
      payload,
    });
  };
  const routed = (side: Side, webhookId: string) =>
    stack.temporal.client.workflow
      .getHandle(
        workflowId('event', eventWorkflowUuid(deliveryDedupeKey(practiceOf[side], `emr:${side}`, webhookId))),
      )
      .result() as Promise<EventRouteResult>;

  it('the same webhook id, EMR patient, referral and visit: each practice its own routing; no crossing', async () => {
    // A walk-in registered in the demo practice's EMR (the worker's EMR connection belongs to that practice).
    const emrPatientId = await stack.emr.registerPatient({
      given: ['Rosa'],
      family: 'Delgado',
      birthDate: '1972-08-09',
      sex: 'female',
      phone: '+13125550163',
    });
    const referralId = `REF-${randomUUID().slice(0, 8)}`;
    const visitId = `V-${randomUUID().slice(0, 8)}`;
    const now = new Date().toISOString();
    const events = (side: Side) => [
      {
        type: 'patient.created',
        timestamp: now,
        data: { practiceId: practiceOf[side], emrPatientId, patientId: null },
      },
      {
        type: 'referral.received',
        timestamp: now,
        data: { practiceId: practiceOf[side], referralId, emrPatientId, referringNpi: null, receivedAt: now },
      },
      {
        type: 'note.signed',
        timestamp: now,
        data: {
          practiceId: practiceOf[side],
          visitId,
          emrAppointmentId: null,
          emrPatientId,
          therapistId: 'T1',
          therapistNpi: '1987654328',
          dateOfService: now.slice(0, 10),
          signedAt: now,
          interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
          totalTreatmentMinutes: 30,
        },
      },
    ];
    const results: Record<Side, EventRouteResult[]> = { own: [], other: [] };
    for (const [i, type] of ['patient', 'referral', 'note'].entries()) {
      const webhookId = `msg_same_${type}_${randomUUID().slice(0, 8)}`;
      for (const side of ['own', 'other'] as const) {
        const res = await deliver(side, webhookId, events(side)[i]!);
        // The same answer for both: the second delivery of the id is not a "duplicate" of the other practice's.
        expect(res.statusCode).toBe(202);
        expect(res.json()).toEqual({ accepted: true });
        results[side].push(await routed(side, webhookId));
      }
      // Two router workflows, each its own practice's.
      for (const side of ['own', 'other'] as const) {
        const wf = workflowId(
          'event',
          eventWorkflowUuid(deliveryDedupeKey(practiceOf[side], `emr:${side}`, webhookId)),
        );
        expect(await ownerOf(wf)).toBe(practiceOf[side]);
      }
    }

    // The demo practice: its EMR's patient is onboarded under its own derived ids.
    const ownOnboarding = workflowId(
      'onboarding',
      uuidFromKey('onboarding', DEMO_PRACTICE_ID, 'emr-patient', emrPatientId),
    );
    expect(results.own[0]).toMatchObject({ type: 'patient.created', outcome: 'routed' });
    expect(results.own[0]!.workflowIds).toEqual([ownOnboarding]);
    expect(await ownerOf(ownOnboarding)).toBe(DEMO_PRACTICE_ID);
    const ownPatient = results.own[0]!.patientId!;
    expect(ownPatient).toBe(uuidFromKey('patient', DEMO_PRACTICE_ID, emrPatientId));

    // The other practice: the same EMR ids mean nothing to the demo practice's EMR connection — never resolved
    // through it, no patient, no onboarding, nothing of the demo practice's in its results.
    const otherIds = results.other.flatMap((r) => [...r.workflowIds, r.patientId ?? '']);
    expect(otherIds).not.toContain(ownOnboarding);
    expect(otherIds).not.toContain(ownPatient);
    for (const r of results.other) expect(r.outcome === 'routed').toBe(false);
    const otherOnboarding = workflowId(
      'onboarding',
      uuidFromKey('onboarding', OTHER_PRACTICE_ID, 'emr-patient', emrPatientId),
    );
    await expect(stack.temporal.client.workflow.getHandle(otherOnboarding).describe()).rejects.toThrow();
    const otherPatients = await stack.db.sql`select 1 from patients where practice_id = ${OTHER_PRACTICE_ID}`;
    expect(otherPatients).toHaveLength(0);
    // What it did start (staff tasks on its own worklist) is its own.
    for (const wf of results.other.flatMap((r) => r.workflowIds)) {
      expect(wf).toMatch(/^task:/);
      const taskId = wf.split(':')[1]!;
      await until(
        async () => (await stack.db.sql`select 1 from tasks where id = ${taskId}`).length === 1,
        'task row',
      );
      const [task] = await stack.db.sql<
        { practice_id: string }[]
      >`select practice_id from tasks where id = ${taskId}`;
      expect(task?.practice_id).toBe(OTHER_PRACTICE_ID);
    }

    // Over the API the other practice cannot see the demo practice's onboarding.
    const foreign = await stack.app.inject({
      method: 'GET',
      url: `/v1/onboardings/${ownOnboarding.split(':')[1]}`,
      headers: stack.auth.other.admin,
    });
    const unknown = await stack.app.inject({
      method: 'GET',
      url: `/v1/onboardings/${randomUUID()}`,
      headers: stack.auth.other.admin,
    });
    expect(foreign.statusCode).toBe(404);
    expect(withoutInstance(foreign.json())).toEqual(withoutInstance(unknown.json()));
  });
});
