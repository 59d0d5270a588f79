// SEC-AC-2 / SEC-AC-6 / OWASP API1 + API5: the role × route matrix over the real stack (dev server, PostgreSQL,
// sandbox connectors). For every route and every role: a role the route does not admit → 403; an admitted role
// on its own practice's object → the route's success status, with only that role's fields in the body; the same
// object through another practice's key of the same role → 404 (never 403, never data). The expected roles are
// written out here from the minimum-necessary matrix of security.md §1, not read from the routes. Routes whose
// content is all clinical or billing answer an admin 403 (BreakGlassRequired) until it holds a break-glass grant
// (SEC-AC-3; the grant's own behaviour is tested in break-glass.int.test.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../api/auth/principal.js';
import type { RoleViews } from '../../api/response-shaping/role-views.js';
import type { z } from 'zod';
import { eq } from 'drizzle-orm';
import { patients } from '../../db/schema.js';
import { keyPaths, maximal } from './key-sets.js';
import {
  authorizationBody,
  claimBody,
  codecPayloads,
  intakeFormsBody,
  OTHER_PRACTICE_ID,
  onboardingBody,
  planOfCareBody,
  startApiStack,
  today,
  UI_ORIGIN,
  until,
  visitBody,
  type ApiStack,
} from './stack.js';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

interface Call {
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}
type Side = 'own' | 'other';

async function send(method: string, side: Side, role: Role, call: Call) {
  return stack.app.inject({
    method: method as 'GET',
    url: call.url,
    headers: {
      ...stack.auth[side][role],
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...call.headers,
    },
    ...(call.body !== undefined ? { payload: call.body as object } : {}),
  });
}

async function started(method: string, url: string, role: Role, body: unknown): Promise<string> {
  const res = await send(method, 'own', role, { url, body });
  expect(res.statusCode, `${url} as ${role}`).toBe(202);
  return (res.json() as { id: string }).id;
}

async function get<T>(url: string, role: Role = 'admin'): Promise<T> {
  return (await send('GET', 'own', role, { url })).json() as T;
}

// Shared objects of the demo practice, made through the API.
const shared = {} as {
  onboarding: string;
  auth: string;
  claim: string;
  poc: string;
  signature: string;
  feeSchedule?: string;
  equipment?: string;
  room?: string;
};
const freshOnboarding = () => started('POST', '/v1/onboardings', 'admin', onboardingBody());
const freshPoc = () => started('POST', '/v1/plans-of-care', 'therapist', planOfCareBody());
/** The signature process a fresh episode starts (its id is in the episode's status). */
async function freshSignature(): Promise<string> {
  const poc = await freshPoc();
  let id: string | undefined;
  await until(async () => {
    const status = await get<{ signatureProcesses?: { processId: string }[] }>(`/v1/plans-of-care/${poc}`);
    id = status.signatureProcesses?.[0]?.processId;
    return id !== undefined;
  }, 'signature process started');
  return id!;
}

/** A patient of the demo practice in our mirror (registered by an onboarding), for the waitlist routes. */
const DOWNTOWN_LOCATION = '00000000-0000-4000-8000-000000000101';
let waitlistPatient: string | undefined;
async function registeredPatient(): Promise<string> {
  if (waitlistPatient) return waitlistPatient;
  const body = onboardingBody();
  await started('POST', '/v1/onboardings', 'admin', body);
  await until(
    async () =>
      (await stack.db.db.select({ id: patients.id }).from(patients).where(eq(patients.id, body.patientId)))
        .length === 1,
    'patient registered',
  );
  return (waitlistPatient = body.patientId);
}

/** A waiting entry of the demo practice (the front desk adds it; each call a fresh one). */
async function waitingEntry(): Promise<string> {
  const patientId = await registeredPatient();
  const list = await get<{ items: { id: string; patientId: string }[] }>('/v1/waitlist', 'front_desk');
  const waiting = list.items.find((i) => i.patientId === patientId);
  if (waiting) return waiting.id;
  const res = await send('POST', 'own', 'front_desk', {
    url: '/v1/waitlist',
    body: { patientId, locationId: DOWNTOWN_LOCATION },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  allowed: readonly Role[];
  ok: number;
  /** The request an admitted role makes on its own practice's objects. */
  own: (role: Role) => Promise<Call> | Call;
  /** Another practice's caller on the same objects: 404 for admitted roles; absent when the route takes no id. */
  other?: () => Promise<Call> | Call;
  /** List routes: another practice's answer must not list the demo practice's objects. */
  otherList?: (body: unknown) => void;
  /** Admitted roles that still need an active break-glass grant: 403 (BreakGlassRequired) without one. */
  breakGlass?: readonly Role[];
  /** Runs after an admitted role's own call (e.g. ends the grant it opened, so later cases see no grant). */
  after?: (role: Role, body: unknown) => Promise<void>;
}

/**
 * Opens a break-glass grant as a person with `role` of the demo practice (OIDC sign-in with a recent second
 * factor: API keys cannot open one) and returns its id.
 */
async function openGrant(role: Role): Promise<string> {
  const res = await send('POST', 'own', role, {
    url: '/v1/break-glass',
    body: { reason: 'Role matrix: checking the break-glass routes' },
    headers: await stack.userAuth('own', role),
  });
  expect(res.statusCode, `break-glass as ${role}`).toBe(201);
  return (res.json() as { id: string }).id;
}

/** A grant of the demo practice held by nobody in this stack (another practice's callers try to end it). */
let foreignGrant: string | undefined;

const staff = ['admin', 'front_desk', 'therapist', 'biller'] as const;

/** The demo practice's Downtown clinic (db/seed.ts). */
const DEMO_LOCATION = '00000000-0000-4000-8000-000000000101';
const MATRIX_ADDRESS = { line1: '1 Matrix Way', city: 'Peoria', state: 'IL', postalCode: '61602' };
let feeDay = 0;
/** A fee schedule import; each starts on its own day (one schedule per payer and start date). */
const feeScheduleBody = () => ({
  payerId: '*',
  effectiveFrom: new Date(Date.UTC(2030, 0, 1) + feeDay++ * 86_400_000).toISOString().slice(0, 10),
  csv: 'code,charge\n97110,65.00\n',
});
/** One fee schedule of the demo practice, imported once by its admin. */
async function ownFeeSchedule(): Promise<string> {
  if (!shared.feeSchedule) {
    const res = await send('POST', 'own', 'admin', {
      url: '/v1/practice/fee-schedules',
      body: feeScheduleBody(),
    });
    expect(res.statusCode).toBe(201);
    shared.feeSchedule = (res.json() as { id: string }).id;
  }
  return shared.feeSchedule;
}

/** One device of the demo practice, added once by its admin. */
async function ownEquipment(): Promise<string> {
  if (!shared.equipment) {
    const res = await send('POST', 'own', 'admin', {
      url: '/v1/practice/equipment',
      body: { locationId: DEMO_LOCATION, kind: 'isokinetic-dynamometer', name: 'Matrix Biodex' },
    });
    expect(res.statusCode).toBe(201);
    shared.equipment = (res.json() as { id: string }).id;
  }
  return shared.equipment;
}
/**
 * A room of the demo practice, added once by its admin. Inactive, so the matrix's own bookings at the location
 * stay unconstrained by rooms.
 */
const roomBody = {
  locationId: DEMO_LOCATION,
  name: 'Matrix gym',
  capacity: 4,
  private: false,
  active: false,
};
async function ownRoom(): Promise<string> {
  if (!shared.room) {
    const res = await send('POST', 'own', 'admin', { url: '/v1/practice/rooms', body: roomBody });
    expect(res.statusCode).toBe(201);
    shared.room = (res.json() as { id: string }).id;
  }
  return shared.room;
}
const maintenanceBody = {
  rules: [{ weekday: 1, start: '07:00', end: '08:00', effectiveFrom: '2026-01-01', source: 'matrix' }],
};
const seriesBody = () => ({ acuity: 'acute', visitsPerWeek: 2, weeks: 1, startDate: today(), preview: true });

const cases: Case[] = [
  {
    method: 'POST',
    url: '/v1/onboardings',
    allowed: ['admin', 'front_desk', 'integration'],
    ok: 202,
    own: () => ({ url: '/v1/onboardings', body: onboardingBody() }),
  },
  {
    method: 'GET',
    url: '/v1/onboardings/:id',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({ url: `/v1/onboardings/${shared.onboarding}` }),
    other: () => ({ url: `/v1/onboardings/${shared.onboarding}` }),
  },
  {
    method: 'POST',
    url: '/v1/onboardings/:id/intake-forms',
    allowed: ['admin', 'front_desk', 'integration'],
    ok: 202,
    own: () => ({ url: `/v1/onboardings/${shared.onboarding}/intake-forms`, body: intakeFormsBody() }),
    other: () => ({ url: `/v1/onboardings/${shared.onboarding}/intake-forms`, body: intakeFormsBody() }),
  },
  {
    method: 'POST',
    url: '/v1/onboardings/:id/coverage',
    allowed: ['admin', 'front_desk'],
    ok: 202,
    own: () => ({
      url: `/v1/onboardings/${shared.onboarding}/coverage`,
      body: { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-NEW-1' },
    }),
    other: () => ({
      url: `/v1/onboardings/${shared.onboarding}/coverage`,
      body: { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-NEW-1' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/onboardings/:id/cancel',
    allowed: ['admin', 'front_desk'],
    ok: 202,
    // Cancelling ends the process: each admitted role cancels its own fresh onboarding.
    own: async () => ({
      url: `/v1/onboardings/${await freshOnboarding()}/cancel`,
      body: { reason: 'duplicate' },
    }),
    other: () => ({ url: `/v1/onboardings/${shared.onboarding}/cancel`, body: { reason: 'duplicate' } }),
  },
  {
    method: 'POST',
    url: '/v1/authorizations',
    allowed: ['admin', 'front_desk'],
    ok: 202,
    own: () => ({ url: '/v1/authorizations', body: authorizationBody() }),
  },
  {
    method: 'GET',
    url: '/v1/authorizations/:id',
    allowed: ['admin', 'front_desk', 'biller', 'therapist'],
    ok: 200,
    own: () => ({ url: `/v1/authorizations/${shared.auth}` }),
    other: () => ({ url: `/v1/authorizations/${shared.auth}` }),
  },
  {
    method: 'POST',
    url: '/v1/authorizations/:id/decision',
    allowed: ['admin', 'front_desk', 'integration'],
    ok: 202,
    own: () => ({ url: `/v1/authorizations/${shared.auth}/decision`, body: approval }),
    other: () => ({ url: `/v1/authorizations/${shared.auth}/decision`, body: approval }),
  },
  {
    method: 'POST',
    url: '/v1/authorizations/:id/visits',
    allowed: ['admin', 'front_desk', 'therapist', 'integration'],
    ok: 200,
    own: () => ({
      url: `/v1/authorizations/${shared.auth}/visits`,
      body: { visitId: `v-${randomUUID()}`, dos: today(), units: 2 },
    }),
    other: () => ({
      url: `/v1/authorizations/${shared.auth}/visits`,
      body: { visitId: `v-${randomUUID()}`, dos: today(), units: 2 },
    }),
  },
  {
    method: 'POST',
    url: '/v1/authorizations/:id/adjust',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({
      url: `/v1/authorizations/${shared.auth}/adjust`,
      body: { visitsAuthorized: 100, reasonCode: 'payer_correction' },
    }),
    other: () => ({
      url: `/v1/authorizations/${shared.auth}/adjust`,
      body: { visitsAuthorized: 100, reasonCode: 'payer_correction' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/authorizations/:id/resolution',
    allowed: ['admin', 'front_desk', 'biller'],
    // The shared authorization is approved, so an admitted role reaches the process and is told there is
    // nothing to resolve (409); the resolving itself is tested in authorization-resolution.int.test.ts.
    ok: 409,
    own: () => ({ url: `/v1/authorizations/${shared.auth}/resolution`, body: { action: 'cancel' } }),
    other: () => ({ url: `/v1/authorizations/${shared.auth}/resolution`, body: { action: 'cancel' } }),
  },
  {
    method: 'POST',
    url: '/v1/claims',
    allowed: ['admin', 'biller', 'integration'],
    ok: 202,
    own: () => ({ url: '/v1/claims', body: claimBody(shared.poc) }),
    // The episode a claim refers to must be the caller's own.
    other: () => ({ url: '/v1/claims', body: claimBody(shared.poc) }),
  },
  {
    method: 'POST',
    url: '/v1/claims/preview',
    allowed: ['admin', 'biller'],
    breakGlass: ['admin'],
    ok: 200,
    own: () => ({ url: '/v1/claims/preview', body: { visit: visitBody() } }),
  },
  {
    method: 'GET',
    url: '/v1/claims/:id',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: `/v1/claims/${shared.claim}` }),
    other: () => ({ url: `/v1/claims/${shared.claim}` }),
  },
  {
    method: 'POST',
    url: '/v1/claims/:id/corrections',
    allowed: ['admin', 'biller'],
    ok: 202,
    own: () => ({ url: `/v1/claims/${shared.claim}/corrections`, body: { priorAuthNumber: 'AUTH-77' } }),
    other: () => ({ url: `/v1/claims/${shared.claim}/corrections`, body: { priorAuthNumber: 'AUTH-77' } }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care',
    allowed: ['admin', 'therapist'],
    ok: 202,
    own: () => ({ url: '/v1/plans-of-care', body: planOfCareBody(shared.auth) }),
    // The authorization an episode refers to must be the caller's own.
    other: () => ({ url: '/v1/plans-of-care', body: planOfCareBody(shared.auth) }),
  },
  {
    method: 'GET',
    url: '/v1/plans-of-care/:id',
    allowed: ['admin', 'therapist'],
    ok: 200,
    own: () => ({ url: `/v1/plans-of-care/${shared.poc}` }),
    other: () => ({ url: `/v1/plans-of-care/${shared.poc}` }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care/:id/visits',
    allowed: ['admin', 'therapist', 'integration'],
    ok: 202,
    own: () => ({ url: `/v1/plans-of-care/${shared.poc}/visits`, body: { visitId: 'tx-1', dos: today() } }),
    other: () => ({ url: `/v1/plans-of-care/${shared.poc}/visits`, body: { visitId: 'tx-1', dos: today() } }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care/:id/outcomes',
    allowed: ['admin', 'therapist'],
    breakGlass: ['admin'],
    ok: 200,
    own: () => ({
      url: `/v1/plans-of-care/${shared.poc}/outcomes`,
      body: { instrument: 'NPRS', score: 6, date: today() },
    }),
    other: () => ({
      url: `/v1/plans-of-care/${shared.poc}/outcomes`,
      body: { instrument: 'NPRS', score: 6, date: today() },
    }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care/:id/certification',
    allowed: ['admin', 'therapist', 'front_desk'],
    ok: 200,
    own: async () => ({
      url: `/v1/plans-of-care/${await freshPoc()}/certification`,
      body: { kind: 'signature', signedDate: today() },
    }),
    other: () => ({
      url: `/v1/plans-of-care/${shared.poc}/certification`,
      body: { kind: 'signature', signedDate: today() },
    }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care/:id/discharge',
    allowed: ['admin', 'therapist'],
    ok: 202,
    own: async () => ({
      url: `/v1/plans-of-care/${await freshPoc()}/discharge`,
      body: { reason: 'goals_met' },
    }),
    other: () => ({ url: `/v1/plans-of-care/${shared.poc}/discharge`, body: { reason: 'goals_met' } }),
  },
  {
    method: 'GET',
    url: '/v1/poc-signatures/:id',
    allowed: ['admin', 'front_desk', 'therapist'],
    ok: 200,
    own: () => ({ url: `/v1/poc-signatures/${shared.signature}` }),
    other: () => ({ url: `/v1/poc-signatures/${shared.signature}` }),
  },
  {
    method: 'POST',
    url: '/v1/poc-signatures/:id/signature',
    allowed: ['admin', 'front_desk', 'therapist'],
    ok: 200,
    own: async () => ({
      url: `/v1/poc-signatures/${await freshSignature()}/signature`,
      body: { signedDate: today() },
    }),
    other: () => ({ url: `/v1/poc-signatures/${shared.signature}/signature`, body: { signedDate: today() } }),
  },
  {
    method: 'GET',
    url: '/v1/processes',
    allowed: ['admin', 'front_desk', 'biller', 'therapist'],
    ok: 200,
    own: () => ({ url: '/v1/processes?limit=100' }),
    otherList: (body) => {
      const ids = (body as { data: { id: string }[] }).data.map((p) => p.id).join(' ');
      for (const id of Object.values(shared)) expect(ids).not.toContain(id);
    },
  },
  {
    method: 'GET',
    url: '/v1/practitioners',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practitioners' }),
    // The demo practice's directory (seeded) never shows up in another practice's list.
    otherList: (body) =>
      expect((body as { items: { npi: string }[] }).items.map((p) => p.npi)).not.toContain('1987654328'),
  },
  {
    method: 'PUT',
    url: '/v1/practitioners/:npi',
    allowed: ['admin'],
    ok: 200,
    own: () => ({ url: '/v1/practitioners/1427050103', body: { lastName: 'Matrix', firstName: 'Role' } }),
    // Tenancy by the caller's practice: another practice's admin writes its own directory's row.
    otherList: (body) => expect(body).toMatchObject({ npi: '1427050103', source: 'admin' }),
  },
  // The waitlist (issue 18): the front desk's; another practice's list never shows the demo practice's entries.
  {
    method: 'POST',
    url: '/v1/waitlist',
    allowed: ['admin', 'front_desk'],
    ok: 201,
    own: async () => ({
      url: '/v1/waitlist',
      body: { patientId: await registeredPatient(), locationId: DOWNTOWN_LOCATION, acuity: 2 },
    }),
    // A patient waits once per location: the next role's add finds the place free again.
    after: async (role, body) => {
      const removed = await send('DELETE', 'own', role, {
        url: `/v1/waitlist/${(body as { id: string }).id}`,
      });
      expect(removed.statusCode).toBe(200);
    },
  },
  {
    method: 'DELETE',
    url: '/v1/waitlist/:id',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: async () => ({ url: `/v1/waitlist/${await waitingEntry()}` }),
    other: async () => ({ url: `/v1/waitlist/${await waitingEntry()}` }),
  },
  {
    method: 'GET',
    url: '/v1/waitlist',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({ url: '/v1/waitlist' }),
    otherList: (body) => expect((body as { items: unknown[] }).items).toEqual([]),
  },
  // Practice setup (issue 17): everything is the caller's own practice; ids of another practice answer 404.
  {
    method: 'POST',
    url: '/v1/practices',
    allowed: ['admin'],
    ok: 201,
    own: () => ({
      url: '/v1/practices',
      body: { name: 'Matrix Clinic', npi: '1345678902', timezone: 'UTC' },
    }),
    otherList: (body) => expect(body).toMatchObject({ practice: { name: 'Matrix Clinic' } }),
  },
  {
    method: 'GET',
    url: '/v1/practice',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practice' }),
    otherList: (body) => expect(body).toMatchObject({ id: OTHER_PRACTICE_ID, taxId: null }),
  },
  {
    method: 'PATCH',
    url: '/v1/practice',
    allowed: ['admin'],
    ok: 200,
    own: () => ({ url: '/v1/practice', body: { phone: '2175550100' } }),
    otherList: (body) => expect(body).toMatchObject({ id: OTHER_PRACTICE_ID, phone: '2175550100' }),
  },
  {
    method: 'GET',
    url: '/v1/practice/locations',
    allowed: ['admin', 'biller', 'front_desk'],
    ok: 200,
    own: () => ({ url: '/v1/practice/locations' }),
    otherList: (body) =>
      expect((body as { items: { id: string }[] }).items.map((l) => l.id)).not.toContain(DEMO_LOCATION),
  },
  {
    method: 'POST',
    url: '/v1/practice/locations',
    allowed: ['admin'],
    ok: 201,
    own: () => ({ url: '/v1/practice/locations', body: { name: 'Matrix East', address: MATRIX_ADDRESS } }),
    otherList: (body) => expect(body).toMatchObject({ name: 'Matrix East' }),
  },
  {
    method: 'PATCH',
    url: '/v1/practice/locations/:id',
    allowed: ['admin'],
    ok: 200,
    own: () => ({ url: `/v1/practice/locations/${DEMO_LOCATION}`, body: { phone: '2175550101' } }),
    other: () => ({ url: `/v1/practice/locations/${DEMO_LOCATION}`, body: { phone: '2175550101' } }),
  },
  {
    method: 'GET',
    url: '/v1/practice/payers',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practice/payers' }),
    otherList: (body) => expect(body).toMatchObject({ items: [] }),
  },
  {
    method: 'PUT',
    url: '/v1/practice/payers/:payerId',
    allowed: ['admin'],
    ok: 200,
    own: () => ({
      url: '/v1/practice/payers/matrix-payer',
      body: { name: 'Matrix Payer', profileId: 'commercial-ama' },
    }),
    otherList: (body) => expect(body).toMatchObject({ payerId: 'matrix-payer' }),
  },
  {
    method: 'GET',
    url: '/v1/practice/fee-schedules',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practice/fee-schedules' }),
    otherList: (body) =>
      expect((body as { items: { id: string }[] }).items.map((f) => f.id)).not.toContain(shared.feeSchedule),
  },
  {
    method: 'GET',
    url: '/v1/practice/fee-schedules/:id',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: async () => ({ url: `/v1/practice/fee-schedules/${await ownFeeSchedule()}` }),
    other: async () => ({ url: `/v1/practice/fee-schedules/${await ownFeeSchedule()}` }),
  },
  {
    method: 'POST',
    url: '/v1/practice/fee-schedules',
    allowed: ['admin', 'biller'],
    ok: 201,
    own: () => ({ url: '/v1/practice/fee-schedules', body: feeScheduleBody() }),
    otherList: (body) => expect(body).toMatchObject({ payerId: '*', rowCount: 1 }),
  },
  {
    method: 'GET',
    url: '/v1/practice/therapists',
    allowed: ['admin', 'biller', 'front_desk'],
    ok: 200,
    own: () => ({ url: '/v1/practice/therapists' }),
    otherList: (body) =>
      expect((body as { items: { npi: string }[] }).items.map((t) => t.npi)).not.toContain('1045678905'),
  },
  {
    method: 'PUT',
    url: '/v1/practice/therapists/:npi',
    allowed: ['admin'],
    ok: 200,
    own: () => ({
      url: '/v1/practice/therapists/1045678905',
      body: {
        lastName: 'Matrix',
        discipline: 'PTA',
        licenseState: 'IL',
        licenseNumber: 'PTA-1',
        licenseExpires: '2030-01-31',
      },
    }),
    otherList: (body) => expect(body).toMatchObject({ npi: '1045678905', discipline: 'PTA' }),
  },
  {
    method: 'GET',
    url: '/v1/practice/referrers',
    allowed: staff,
    ok: 200,
    own: () => ({ url: '/v1/practice/referrers' }),
    otherList: (body) =>
      expect((body as { items: { npi: string }[] }).items.map((t) => t.npi)).not.toContain('1612345672'),
  },
  {
    method: 'PUT',
    url: '/v1/practice/referrers/:npi',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({ url: '/v1/practice/referrers/1612345672', body: { lastName: 'Matrix' } }),
    otherList: (body) => expect(body).toMatchObject({ npi: '1612345672', source: 'admin' }),
  },
  {
    // Charges for the billing system: codes and amounts are the biller's (admins under break-glass only).
    method: 'GET',
    url: '/v1/billing/charges',
    allowed: ['admin', 'biller'],
    breakGlass: ['admin'],
    ok: 200,
    own: () => ({ url: `/v1/billing/charges?date=${today()}&format=csv` }),
  },
  {
    // The practice's numbers: aggregates only (no patient), for admins and billers without break-glass.
    method: 'GET',
    url: '/v1/practice/metrics',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practice/metrics?from=2026-01-01&to=2026-01-31' }),
  },
  {
    method: 'GET',
    url: '/v1/practice/time-saved-assumptions',
    allowed: ['admin', 'biller'],
    ok: 200,
    own: () => ({ url: '/v1/practice/time-saved-assumptions' }),
    otherList: (body) => expect(body).toMatchObject({ practice: [] }),
  },
  {
    method: 'PUT',
    url: '/v1/practice/time-saved-assumptions',
    allowed: ['admin'],
    ok: 200,
    own: () => ({
      url: '/v1/practice/time-saved-assumptions',
      body: { step: 'claim_submission', minutes: 7, effectiveFrom: '2026-01-01', source: 'Role matrix' },
    }),
  },
  {
    method: 'DELETE',
    url: '/v1/practice/time-saved-assumptions/:step/:effectiveFrom',
    allowed: ['admin'],
    ok: 204,
    own: async () => {
      const put = await send('PUT', 'own', 'admin', {
        url: '/v1/practice/time-saved-assumptions',
        body: { step: 'patient_message', minutes: 2, effectiveFrom: '2026-02-01', source: 'Role matrix' },
      });
      expect(put.statusCode).toBe(200);
      return { url: '/v1/practice/time-saved-assumptions/patient_message/2026-02-01' };
    },
  },
  {
    method: 'GET',
    url: '/v1/tasks',
    allowed: staff,
    ok: 200,
    own: () => ({ url: '/v1/tasks?limit=100' }),
    otherList: (body) => expect((body as { data: unknown[] }).data).toEqual([]),
  },
  {
    method: 'POST',
    url: '/v1/tasks/:id/complete',
    allowed: staff,
    ok: 202,
    // Each staff role completes a task of its own queue.
    own: async (role) => ({
      url: `/v1/tasks/${await stack.startTask(role === 'integration' ? 'admin' : role)}/complete`,
      body: { outcome: {} },
    }),
    other: async () => ({
      url: `/v1/tasks/${await stack.startTask('admin')}/complete`,
      body: { outcome: {} },
    }),
  },
  {
    method: 'GET',
    url: '/v1/sandbox/outbox',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({ url: '/v1/sandbox/outbox' }),
  },
  {
    method: 'POST',
    url: '/v1/break-glass',
    allowed: ['admin', 'therapist'],
    ok: 201,
    // A person with a recent second factor (break-glass refuses API keys); each role as its own user.
    own: async (role) => ({
      url: '/v1/break-glass',
      body: { reason: 'Role matrix: checking the break-glass routes' },
      headers: await stack.userAuth('own', role),
    }),
    after: async (role, body) => {
      const ended = await send('DELETE', 'own', role, {
        url: `/v1/break-glass/${(body as { id: string }).id}`,
        headers: await stack.userAuth('own', role),
      });
      expect(ended.statusCode).toBe(204);
    },
  },
  {
    method: 'GET',
    url: '/v1/break-glass',
    allowed: ['admin', 'therapist'],
    ok: 200,
    own: () => ({ url: '/v1/break-glass' }),
    otherList: (body) => expect((body as { data: unknown[] }).data).toEqual([]),
  },
  {
    method: 'DELETE',
    url: '/v1/break-glass/:id',
    allowed: ['admin', 'therapist'],
    ok: 204,
    own: async (role) => ({
      url: `/v1/break-glass/${role === 'admin' || role === 'therapist' ? await openGrant(role) : randomUUID()}`,
      headers: await stack.userAuth('own', role),
    }),
    other: async () => {
      foreignGrant ??= (
        await stack.breakGlass({ id: 'user:matrix-foreign', type: 'user', role: 'admin', amr: [] })
      ).id;
      return { url: `/v1/break-glass/${foreignGrant}` };
    },
  },
  {
    method: 'POST',
    url: '/codec/encode',
    allowed: staff,
    ok: 200,
    own: () => ({ url: '/codec/encode', body: codecPayloads, headers: { origin: UI_ORIGIN } }),
  },
  {
    method: 'POST',
    url: '/codec/decode',
    allowed: staff,
    ok: 200,
    own: () => ({ url: '/codec/decode', body: codecPayloads, headers: { origin: UI_ORIGIN } }),
  },
  {
    method: 'GET',
    url: '/v1/practice/equipment',
    allowed: ['admin', 'front_desk', 'therapist'],
    ok: 200,
    own: () => ({ url: '/v1/practice/equipment' }),
    otherList: (body) =>
      expect((body as { items: { id: string }[] }).items.map((e) => e.id)).not.toContain(shared.equipment),
  },
  {
    method: 'POST',
    url: '/v1/practice/equipment',
    allowed: ['admin'],
    ok: 201,
    own: () => ({
      url: '/v1/practice/equipment',
      body: { locationId: DEMO_LOCATION, kind: 'anti-gravity-treadmill', name: 'Matrix AlterG' },
    }),
    // Another practice naming the demo practice's location: 404, like an unknown one.
    other: () => ({
      url: '/v1/practice/equipment',
      body: { locationId: DEMO_LOCATION, kind: 'anti-gravity-treadmill', name: 'Matrix AlterG' },
    }),
  },
  {
    method: 'PUT',
    url: '/v1/practice/equipment/:id/maintenance',
    allowed: ['admin'],
    ok: 200,
    own: async () => ({
      url: `/v1/practice/equipment/${await ownEquipment()}/maintenance`,
      body: maintenanceBody,
    }),
    other: async () => ({
      url: `/v1/practice/equipment/${await ownEquipment()}/maintenance`,
      body: maintenanceBody,
    }),
  },
  {
    method: 'GET',
    url: '/v1/practice/rooms',
    allowed: ['admin', 'front_desk', 'therapist'],
    ok: 200,
    own: async () => {
      await ownRoom();
      return { url: '/v1/practice/rooms' };
    },
    otherList: (body) =>
      expect((body as { items: { id: string }[] }).items.map((e) => e.id)).not.toContain(shared.room),
  },
  {
    method: 'POST',
    url: '/v1/practice/rooms',
    allowed: ['admin'],
    ok: 201,
    own: () => ({ url: '/v1/practice/rooms', body: roomBody }),
    // Another practice naming the demo practice's location: 404, like an unknown one.
    other: () => ({ url: '/v1/practice/rooms', body: roomBody }),
  },
  {
    method: 'PUT',
    url: '/v1/practice/rooms/:id',
    allowed: ['admin'],
    ok: 200,
    own: async () => ({ url: `/v1/practice/rooms/${await ownRoom()}`, body: roomBody }),
    other: async () => ({ url: `/v1/practice/rooms/${await ownRoom()}`, body: roomBody }),
  },
  {
    method: 'DELETE',
    url: '/v1/practice/rooms/:id',
    allowed: ['admin'],
    ok: 204,
    own: async () => {
      const res = await send('POST', 'own', 'admin', { url: '/v1/practice/rooms', body: roomBody });
      expect(res.statusCode).toBe(201);
      return { url: `/v1/practice/rooms/${(res.json() as { id: string }).id}` };
    },
    other: async () => ({ url: `/v1/practice/rooms/${await ownRoom()}` }),
  },
  {
    method: 'POST',
    url: '/v1/plans-of-care/:id/series',
    allowed: ['admin', 'front_desk'],
    ok: 200,
    own: () => ({ url: `/v1/plans-of-care/${shared.poc}/series`, body: seriesBody() }),
    other: () => ({ url: `/v1/plans-of-care/${shared.poc}/series`, body: seriesBody() }),
  },
];

const approval = {
  outcome: 'approved',
  authNumber: 'AUTH-77',
  visitsAuthorized: 100,
  startDate: today(),
};

describe('role × route matrix', () => {
  beforeAll(async () => {
    shared.onboarding = await freshOnboarding();
    shared.auth = await started('POST', '/v1/authorizations', 'admin', authorizationBody());
    await until(
      async () => (await get<{ status: string }>(`/v1/authorizations/${shared.auth}`)).status === 'pending',
      'authorization pending',
    );
    expect(
      (
        await send('POST', 'own', 'admin', {
          url: `/v1/authorizations/${shared.auth}/decision`,
          body: approval,
        })
      ).statusCode,
    ).toBe(202);
    await until(
      async () =>
        (await get<{ visitsAuthorized?: number }>(`/v1/authorizations/${shared.auth}`)).visitsAuthorized ===
        100,
      'authorization approved',
    );
    shared.poc = await freshPoc();
    shared.signature = await freshSignature();
    shared.claim = await started('POST', '/v1/claims', 'biller', claimBody(shared.poc));
  }, 120_000);

  it('covers every authenticated route of the route table', () => {
    const listed = new Set(cases.map((c) => `${c.method} ${c.url}`));
    // HTML pages for people (sign-out, console) are covered by staff-sessions.int.test.ts.
    const closed = stack.app.routeTable
      .filter((r) => !r.public && !r.page)
      .map((r) => `${r.method} ${r.url}`);
    expect(closed.filter((r) => !listed.has(r))).toEqual([]);
    expect([...listed].filter((r) => !closed.includes(r))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.method} ${c.url}`, async () => {
      const views: RoleViews | undefined = stack.app.responseViews.find(
        (v) => v.method === c.method && v.url === c.url && v.status === c.ok,
      )?.views;
      for (const role of roles) {
        const admitted = c.allowed.includes(role);
        const gated = c.breakGlass?.includes(role) ?? false;
        const own = await send(c.method, 'own', role, await c.own(role));
        expect(own.statusCode, `${role} on its own practice`).toBe(admitted && !gated ? c.ok : 403);
        if (!admitted || gated) {
          expect(own.headers['content-type']).toMatch(/^application\/problem\+json/);
          if (gated) expect(own.json()).toMatchObject({ reason: 'BreakGlassRequired' });
        } else if (views) {
          // Only the role's allow-listed fields went out (SEC-AC-6), whatever the process held.
          const allowed = keyPaths(maximal(views.byRole[role] as z.ZodType));
          const extra = keyPaths(own.json()).filter((k) => !allowed.includes(k));
          expect(extra, `${role} received fields outside its view`).toEqual([]);
        }
        if (admitted && !gated && c.after) await c.after(role, own.json());
        if (c.other) {
          const other = await send(c.method, 'other', role, await c.other());
          // A gated role is stopped at the route, before any object is looked up: 403, never data.
          expect(other.statusCode, `${role} of another practice`).toBe(admitted && !gated ? 404 : 403);
          expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(other.body).not.toContain(shared.auth);
        } else if (c.otherList && admitted) {
          const other = await send(c.method, 'other', role, await c.own(role));
          expect(other.statusCode).toBe(c.ok);
          c.otherList(other.json());
        }
      }
    }, 120_000);
  }

  it('answers 409 problem+json, not 404 or 500, to a message for a process that has finished', async () => {
    const id = await freshPoc();
    const discharged = await send('POST', 'own', 'therapist', {
      url: `/v1/plans-of-care/${id}/discharge`,
      body: { reason: 'goals_met' },
    });
    expect(discharged.statusCode).toBe(202);
    const handle = stack.temporal.client.workflow.getHandle(`poc:${id}`);
    await until(async () => (await handle.describe()).status.name !== 'RUNNING', 'episode closed');
    const late = await send('POST', 'own', 'therapist', {
      url: `/v1/plans-of-care/${id}/visits`,
      body: { visitId: 'late-1', dos: today() },
    });
    expect(late.statusCode).toBe(409);
    expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(late.json()).toMatchObject({ reason: 'ProcessClosed' });
  });

  it('filters the process list by every kind a request-started or event-started workflow sets', async () => {
    for (const kind of [
      'onboarding',
      'priorAuthorization',
      'claimSubmission',
      'planOfCare',
      'humanTask',
      'emrEvent',
    ]) {
      const res = await send('GET', 'own', 'admin', { url: `/v1/processes?kind=${kind}&limit=100` });
      expect(res.statusCode, kind).toBe(200);
      for (const p of (res.json() as { data: { kind: string | null }[] }).data) expect(p.kind).toBe(kind);
    }
    expect((await send('GET', 'own', 'admin', { url: '/v1/processes?kind=nope' })).statusCode).toBe(400);
  });

  it('narrows one authorization differently per role: the payer reference is for desk and billing only', async () => {
    const url = `/v1/authorizations/${shared.auth}`;
    const desk = await get<Record<string, unknown>>(url, 'front_desk');
    const biller = await get<Record<string, unknown>>(url, 'biller');
    const therapist = await get<Record<string, unknown>>(url, 'therapist');
    expect(desk).toMatchObject({ authNumber: 'AUTH-77', extensionsRequested: expect.any(Number) });
    expect(biller).toMatchObject({ authNumber: 'AUTH-77', visitsAuthorized: 100 });
    expect(biller).not.toHaveProperty('extensionsRequested');
    expect(therapist).toMatchObject({ visitsAuthorized: 100, visitsUsed: expect.any(Number) });
    expect(therapist).not.toHaveProperty('authNumber');
    expect(therapist).not.toHaveProperty('needsAttention');
  });
});
