// The authorization and claim processes driven through the API alone (real dev server, real PostgreSQL, the
// sandbox payer over HTTP for claims): start, status, visits with a 409 reason, tenancy, audit.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { practices } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { claimIdFor } from '../../activities/shared/derived-ids.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { PracticeId } from '../../workflows/shared/search-attributes.js';
import { workflowId } from '../../domain/ids.js';

const OTHER = '00000000-0000-4000-8000-0000000000ee';
let db: TestDatabase;
let app: FastifyInstance;
let sandbox: SandboxServer;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
const auth: Record<string, { authorization: string }> = {};

const pendingPayer: AuthorizationPayerPort = {
  submit: async () => ({ outcome: 'pended' }),
  status: async () => ({ outcome: 'pended' }),
};

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await db.db.insert(practices).values({ id: OTHER, name: 'Other', npi: '1234567893', timezone: 'UTC' });
  const payer = await sandboxPayer(db.sql);
  sandbox = payer.server;
  temporal = await devServerClient();
  const taskQueue = uniqueTaskQueue();
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      payer: pendingPayer,
      payerConnector: payer.connector,
      statements: { sendStatement: async () => undefined },
    }),
  );
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    claimPollMinutes: 0.01,
    cursorKey: Buffer.alloc(32, 1),
    readiness: {},
  });
  for (const [name, practiceId, role] of [
    ['desk', DEMO_PRACTICE_ID, 'front_desk'],
    ['biller', DEMO_PRACTICE_ID, 'biller'],
    ['foreign', OTHER, 'admin'],
    ['therapist', DEMO_PRACTICE_ID, 'therapist'],
  ] as const) {
    auth[name] = {
      authorization: `Bearer ${(await createApiKey(db.db, { practiceId, role, label: name })).key}`,
    };
  }
});
afterAll(async () => {
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('authorizations through the API', () => {
  it('start → decision → visits 1-6 → visit 7 answered 409 with the reason; other practices see 404', async () => {
    const today = localDate(new Date(), 'America/Chicago');
    const start = await app.inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: auth.desk,
      payload: {
        patientId: randomUUID(),
        coverageId: randomUUID(),
        payerId: 'ma-fastlane',
        requestedVisits: 12,
        startDate: today,
      },
    });
    expect(start.statusCode).toBe(202);
    const { id } = start.json() as { id: string };

    let status = { status: '' };
    for (let i = 0; i < 50 && status.status !== 'pending'; i++) {
      status = (
        await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.desk })
      ).json();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.status).toBe('pending');

    const decision = await app.inject({
      method: 'POST',
      url: `/v1/authorizations/${id}/decision`,
      headers: auth.desk,
      payload: {
        outcome: 'approved',
        authNumber: 'MA-42',
        visitsAuthorized: 6,
        startDate: today,
        endDate: addDays(today, 50),
      },
    });
    expect(decision.statusCode).toBe(202);
    for (let n = 1; n <= 6; n++) {
      const r = await app.inject({
        method: 'POST',
        url: `/v1/authorizations/${id}/visits`,
        headers: auth.desk,
        payload: { visitId: `v-${n}`, dos: today, units: 2 },
      });
      expect(r.statusCode, `visit ${n}`).toBe(200);
    }
    const seventh = await app.inject({
      method: 'POST',
      url: `/v1/authorizations/${id}/visits`,
      headers: auth.desk,
      payload: { visitId: 'v-7', dos: today, units: 2 },
    });
    expect(seventh.statusCode).toBe(409);
    expect(seventh.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(seventh.json()).toMatchObject({
      detail: 'Visit 7 would exceed the 6 authorized visits.',
      reason: 'VisitNotAllowed:visits_exhausted',
    });

    expect(
      (await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.foreign }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: `/v1/authorizations/${randomUUID()}`, headers: auth.desk }))
        .statusCode,
    ).toBe(404);
    const reads =
      await db.sql`select count(*)::int as n from audit_events where resource_type = 'authorization' and resource_id = ${id}`;
    expect(reads[0]?.n).toBeGreaterThanOrEqual(9);
  });
});

describe('claims through the API', () => {
  it('a biller starts a claim for a visit and follows it to paid; a front-desk key may not', async () => {
    const visitId = randomUUID();
    const body = {
      patientId: randomUUID(),
      kxAccruedAllowedCents: 300_000,
      visit: {
        id: visitId,
        payerId: 'medicare-part-b',
        dos: localDate(new Date(), 'America/Chicago'),
        renderingNpi: '1987654328',
        interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }],
        diagnoses: ['M54.50'],
      },
      parties: {
        billingProvider: {
          name: 'RIVERSIDE PHYSICAL THERAPY',
          npi: '1234567893',
          taxId: '123456789',
          address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
        },
        subscriber: {
          memberId: `SBX-KXOVER-${visitId.slice(0, 8)}`,
          lastName: 'DOE',
          firstName: 'JANE',
          dateOfBirth: '1950-04-15',
          gender: 'F',
          address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
        },
        referringProvider: { name: 'NGUYEN', npi: '1679576722' },
      },
    };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/claims', headers: auth.desk, payload: body })).statusCode,
    ).toBe(403);
    const start = await app.inject({
      method: 'POST',
      url: '/v1/claims',
      headers: auth.biller,
      payload: body,
    });
    expect(start.statusCode).toBe(202);
    // The claim id is a hash of practice and visit id (another practice's visit with this id is another claim).
    const claimId = claimIdFor(DEMO_PRACTICE_ID, visitId);
    expect(start.json()).toEqual({
      id: claimId,
      status: 'started',
      links: { self: `/v1/claims/${claimId}` },
    });
    // The same visit again: the same process, not a second claim.
    expect(
      (await app.inject({ method: 'POST', url: '/v1/claims', headers: auth.biller, payload: body }))
        .statusCode,
    ).toBe(202);

    let claim = { state: '', lines: [] as { modifiers: string[] }[] };
    for (let i = 0; i < 100 && claim.state !== 'paid'; i++) {
      // By claim id, and (as before ids were scoped) by the visit id.
      claim = (
        await app.inject({
          method: 'GET',
          url: `/v1/claims/${i % 2 === 0 ? claimId : visitId}`,
          headers: auth.biller,
        })
      ).json();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(claim.state).toBe('paid');
    expect(claim.lines[0]?.modifiers).toEqual(expect.arrayContaining(['GP', 'KX']));
    const atPayer =
      await db.sql`select count(*)::int as n from sandbox_payer.claims where patient_control_number like ${`PT${claimId.replace(/-/g, '').slice(0, 18).toUpperCase()}`}`;
    expect(atPayer[0]?.n).toBe(1);
    // Once the claim has closed, the visit is never billed again: 409 with a reason, not a second claim or a 500.
    let again = { statusCode: 0, json: (): unknown => ({}), headers: {} as Record<string, unknown> };
    for (let i = 0; i < 100 && again.statusCode !== 409; i++) {
      again = await app.inject({ method: 'POST', url: '/v1/claims', headers: auth.biller, payload: body });
      if (again.statusCode !== 409) await new Promise((r) => setTimeout(r, 100));
    }
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 409, reason: 'AlreadyProcessed' });
  });
});

describe('POST /v1/claims/{id}/corrections', () => {
  it('a held Medicare claim names the data that clears it; the biller supplies it and the claim is paid', async () => {
    const visitId = randomUUID();
    const body = {
      patientId: randomUUID(),
      kxAccruedAllowedCents: 300_000,
      visit: {
        id: visitId,
        payerId: 'medicare-part-b',
        dos: localDate(new Date(), 'America/Chicago'),
        renderingNpi: '1987654328',
        interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }],
        diagnoses: ['M54.50'],
      },
      parties: {
        billingProvider: {
          name: 'RIVERSIDE PHYSICAL THERAPY',
          npi: '1234567893',
          taxId: '123456789',
          address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
        },
        subscriber: { memberId: `SBX-KXOVER-${visitId.slice(0, 8)}`, lastName: 'DOE', firstName: 'JANE' },
      },
    };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/claims', headers: auth.biller, payload: body }))
        .statusCode,
    ).toBe(202);
    const status = async () =>
      (await app.inject({ method: 'GET', url: `/v1/claims/${visitId}`, headers: auth.biller })).json() as {
        state: string;
        blockingFindings: string[];
        corrections?: { finding: string; clearedBy: string[] }[];
      };
    let claim = await status();
    for (let i = 0; i < 100 && claim.state !== 'needs_correction'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      claim = await status();
    }
    expect(claim.state).toBe('needs_correction');
    // No subscriber address in the request (837P 2010BA N3/N4) and no referring provider: both named.
    expect(claim.corrections).toEqual([
      { finding: 'SUBSCRIBER_ADDRESS_MISSING', clearedBy: ['subscriberAddress'] },
      { finding: 'REFERRING_PROVIDER_MISSING', clearedBy: ['referringProvider'] },
    ]);

    // A misspelled field is named (never echoed); a therapist may not correct claims.
    const bad = await app.inject({
      method: 'POST',
      url: `/v1/claims/${visitId}/corrections`,
      headers: auth.biller,
      payload: { referingProvider: { name: 'NGUYEN', npi: '1679576722' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('referingProvider');
    expect(bad.body).not.toContain('1679576722');
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/v1/claims/${visitId}/corrections`,
          headers: auth.therapist,
          payload: {},
        })
      ).statusCode,
    ).toBe(403);

    const fixed = await app.inject({
      method: 'POST',
      url: `/v1/claims/${visitId}/corrections`,
      headers: auth.biller,
      payload: {
        referringProvider: { name: 'NGUYEN', firstName: 'LINDA', npi: '1679576722' },
        subscriberAddress: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
      },
    });
    expect(fixed.statusCode).toBe(202);
    for (let i = 0; i < 150 && claim.state !== 'paid'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      claim = await status();
    }
    expect(claim.state).toBe('paid');
  });
});

describe('POST /v1/claims/preview with the episode', () => {
  const dos = '2026-03-10';
  const visit = () => ({
    id: randomUUID(),
    payerId: 'medicare-part-b',
    dos,
    renderingNpi: '1987654328',
    interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }],
    diagnoses: ['M54.50'],
  });
  const preview = async (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/claims/preview', headers: auth.biller, payload });

  it('holds like the workflow: an unsigned plan of care past day 30 and a progress report overdue', async () => {
    const days = Array.from({ length: 12 }, (_, i) => addDays('2026-02-20', i));
    const held = await preview({
      visit: visit(),
      kxAccruedAllowedCents: 0,
      referringNpi: '1679576722',
      episode: { planOfCare: { firstTreatmentDate: '2026-02-01' }, treatmentDays: days, progressReports: [] },
    });
    expect(held.statusCode).toBe(200);
    const h = held.json() as { submittable: boolean; findings: { code: string; severity: string }[] };
    expect(h.submittable).toBe(false);
    expect(h.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(
      expect.arrayContaining(['POC_CERTIFICATION_LATE', 'PROGRESS_REPORT_OVERDUE']),
    );
    const clean = await preview({
      visit: visit(),
      kxAccruedAllowedCents: 0,
      referringNpi: '1679576722',
      episode: {
        planOfCare: { firstTreatmentDate: '2026-02-01', signedDate: '2026-02-03' },
        treatmentDays: days,
        progressReports: ['2026-03-02'],
      },
    });
    expect((clean.json() as { submittable: boolean }).submittable).toBe(true);
  });

  it('a wrong payer id lists the valid ones; a misspelled field is named', async () => {
    const wrong = await preview({ visit: { ...visit(), payerId: 'medicare-part-c' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      errors: [{ pointer: 'payerId' }],
      validPayerIds: expect.arrayContaining(['commercial-ama', 'ma-fastlane', 'medicare-part-b']),
    });
    const typo = await preview({ visit: visit(), episod: {} });
    expect(typo.statusCode).toBe(400);
    expect(typo.body).toContain('episod');
  });
});

describe('plans of care through the API', () => {
  it('starts an episode, counts visits, rejects an impossible score with 409, certifies and discharges', async () => {
    const today = localDate(new Date(), 'America/Chicago');
    const start = await app.inject({
      method: 'POST',
      url: '/v1/plans-of-care',
      headers: auth.therapist,
      payload: { patientId: randomUUID(), referringPractitionerId: randomUUID(), firstTreatmentDate: today },
    });
    expect(start.statusCode).toBe(202);
    const { id } = start.json() as { id: string };
    // Clinical data is the therapist's: the biller may not read it.
    expect(
      (await app.inject({ method: 'GET', url: `/v1/plans-of-care/${id}`, headers: auth.biller })).statusCode,
    ).toBe(403);

    const visit = await app.inject({
      method: 'POST',
      url: `/v1/plans-of-care/${id}/visits`,
      headers: auth.therapist,
      payload: { visitId: 'eval-1', dos: today },
    });
    expect(visit.statusCode).toBe(202);
    const impossible = await app.inject({
      method: 'POST',
      url: `/v1/plans-of-care/${id}/outcomes`,
      headers: auth.therapist,
      payload: { instrument: 'NPRS', score: 42, date: today },
    });
    expect(impossible.statusCode).toBe(409);
    const baseline = await app.inject({
      method: 'POST',
      url: `/v1/plans-of-care/${id}/outcomes`,
      headers: auth.therapist,
      payload: { instrument: 'NPRS', score: 7, date: today },
    });
    expect(baseline.statusCode).toBe(200);
    expect(baseline.json()).toMatchObject({ instrument: 'NPRS', trend: 'insufficient_data' });

    const signed = await app.inject({
      method: 'POST',
      url: `/v1/plans-of-care/${id}/certification`,
      headers: auth.therapist,
      payload: { kind: 'signature', signedDate: today },
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toMatchObject({ certification: 'certified', visitsCounted: 1 });

    const discharge = await app.inject({
      method: 'POST',
      url: `/v1/plans-of-care/${id}/discharge`,
      headers: auth.therapist,
      payload: { reason: 'goals_met' },
    });
    expect(discharge.statusCode).toBe(202);
    let status = { status: '' };
    for (let i = 0; i < 100 && status.status !== 'discharged'; i++) {
      status = (
        await app.inject({ method: 'GET', url: `/v1/plans-of-care/${id}`, headers: auth.therapist })
      ).json();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.status).toBe('discharged');
  });
});

describe('GET /v1/processes', () => {
  it('lists only the caller practice processes, filters by kind and patient, and pages with a signed cursor', async () => {
    const patientId = randomUUID();
    const today = localDate(new Date(), 'America/Chicago');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: auth.desk,
        payload: {
          patientId,
          coverageId: randomUUID(),
          payerId: 'ma-fastlane',
          requestedVisits: 6,
          startDate: today,
        },
      });
      ids.push((r.json() as { id: string }).id);
    }
    const list = async (query: string, who = auth.desk) =>
      (await app.inject({ method: 'GET', url: `/v1/processes?${query}`, headers: who })).json() as {
        data: { id: string; kind: string | null; patientId: string | null }[];
        has_more: boolean;
        next_cursor: string | null;
      };
    let mine = await list(`patientId=${patientId}`);
    for (let i = 0; i < 50 && mine.data.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      mine = await list(`patientId=${patientId}`);
    }
    expect(mine.data.map((p) => p.id).sort()).toEqual(ids.map((id) => `auth:${id}`).sort());
    expect(mine.data.every((p) => p.kind === 'priorAuthorization' && p.patientId === patientId)).toBe(true);
    expect((await list(`patientId=${patientId}&kind=claimSubmission`)).data).toEqual([]);
    expect((await list(`patientId=${patientId}`, auth.foreign)).data).toEqual([]);

    const first = await list(`patientId=${patientId}&limit=2`);
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = await list(`patientId=${patientId}&limit=2&cursor=${first.next_cursor}`);
    expect(second.data.map((p) => p.id)).not.toContain(first.data[0]!.id);
    const stolen = await app.inject({
      method: 'GET',
      url: `/v1/processes?patientId=${patientId}&limit=2&cursor=${first.next_cursor}`,
      headers: auth.foreign,
    });
    expect(stolen.statusCode).toBe(400);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/processes?limit=101', headers: auth.desk })).statusCode,
    ).toBe(400);
  });
});

describe('POST /v1/claims/preview', () => {
  it('codes, scrubs and serializes a visit without submitting anything', async () => {
    const before = await db.sql`select count(*)::int as n from sandbox_payer.claims`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/claims/preview',
      headers: auth.biller,
      payload: {
        visit: {
          id: randomUUID(),
          payerId: 'medicare-part-b',
          dos: localDate(new Date(), 'America/Chicago'),
          renderingNpi: '1987654328',
          interventions: [
            { code: '97110', minutes: 33, furnishedBy: 'PT' },
            { code: '97530', minutes: 13, furnishedBy: 'PTA' },
          ],
          diagnoses: ['M54.50'],
        },
        referringNpi: '1679576722',
      },
    });
    expect(res.statusCode).toBe(200);
    const preview = res.json() as {
      lines: { code: string; modifiers: string[] }[];
      x12?: string;
      findings: unknown[];
    };
    expect(preview.lines.find((l) => l.code === '97530')?.modifiers).toEqual(
      expect.arrayContaining(['CQ', 'GP']),
    );
    expect(preview.x12).toMatch(/^ISA\*/);
    const after = await db.sql`select count(*)::int as n from sandbox_payer.claims`;
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/claims/preview', headers: auth.therapist, payload: {} }))
        .statusCode,
    ).toBe(403);
  });
});

describe('a process whose worker is down', () => {
  it('GET answers 503 problem+json with Retry-After after the status deadline, not a request held open', async () => {
    // A prior authorization of this practice on a task queue no worker polls: Temporal holds its query.
    const id = randomUUID();
    await temporal.client.workflow.start('priorAuthorization', {
      taskQueue: uniqueTaskQueue(),
      workflowId: workflowId('auth', id),
      args: [{}],
      typedSearchAttributes: [{ key: PracticeId, value: DEMO_PRACTICE_ID }],
    });
    try {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: `/v1/authorizations/${id}`, headers: auth.desk });
      const waited = Date.now() - started;
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({
        status: 503,
        reason: 'ProcessNotAnswering',
        detail: 'The process did not answer in time; try again.',
      });
      expect(JSON.stringify(res.json())).not.toContain('DEADLINE');
      // Answered by the deadline (10 s), not by a socket timeout.
      expect(waited).toBeLessThan(25_000);
    } finally {
      await temporal.client.workflow.getHandle(workflowId('auth', id)).terminate('test done');
    }
  });
});
