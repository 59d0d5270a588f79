// `ptflow waitlist add|list|remove` against the real API (issue 18 §2) over real HTTP on the real stack: options
// are refused naming the option before anything is sent; add → list → remove → list round-trips; the API's
// refusals (a second waiting entry, a wrong role) are one line with the status and reason.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../api/auth/principal.js';
import { ApiCliError } from '../../cli/commands/api-client.js';
import {
  runWaitlistAdd,
  runWaitlistList,
  runWaitlistRemove,
  waitlistAddBody,
} from '../../cli/commands/waitlist.js';
import { loadApiClientConfig } from '../../cli/config.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { startApiStack, type ApiStack } from '../api/stack.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
let stack: ApiStack;
let api: string;

beforeAll(async () => {
  stack = await startApiStack();
  api = await stack.app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const config = (role: Role) =>
  loadApiClientConfig({ PTFLOW_API_URL: api, PTFLOW_API_KEY: stack.keys.own[role] });

async function patient(): Promise<string> {
  const patientId = randomUUID();
  await createPatientRepository(stack.db.db, stack.repositoryKeys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics: {
      given: ['Pat'],
      family: 'Synthetic',
      birthDate: '1961-05-06',
      sex: 'female',
      preferredLanguage: 'en',
    },
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
  return patientId;
}

describe('ptflow waitlist', () => {
  it('refuses bad options naming the option, before any request', () => {
    const ok = { patient: randomUUID(), location: DOWNTOWN };
    for (const [opts, option] of [
      [{ ...ok, patient: 'nope' }, '--patient'],
      [{ ...ok, therapist: '12' }, '--therapist'],
      [{ ...ok, acuity: '4' }, '--acuity'],
      [{ ...ok, minutes: '10' }, '--minutes'],
      [{ ...ok, authorizationEnds: '2026-02-30' }, '--authorization-ends'],
    ] as const) {
      expect(() => waitlistAddBody(opts)).toThrow(ApiCliError);
      expect(() => waitlistAddBody(opts)).toThrow(option);
    }
    expect(waitlistAddBody({ ...ok, acuity: '3', minutes: '60', authorizationEnds: '2027-01-31' })).toEqual({
      patientId: ok.patient,
      locationId: DOWNTOWN,
      acuity: 3,
      minutes: 60,
      authorizationEndsOn: '2027-01-31',
    });
  });

  it('add, list, remove over the API; a second add and a wrong role are one line', async () => {
    const patientId = await patient();
    let out = '';
    const write = (s: string) => (out += s);
    const added = await runWaitlistAdd(config('front_desk'), write, {
      patient: patientId,
      location: DOWNTOWN,
      acuity: '2',
      minutes: '60',
    });
    expect(added).toMatchObject({
      patientId,
      locationId: DOWNTOWN,
      acuity: 2,
      minutes: 60,
      status: 'waiting',
    });
    expect(out).toContain(`added ${added.id} waiting: patient ${patientId}`);

    // The same key again answers the same entry (a retry after a lost answer).
    const key = randomUUID();
    const other = await patient();
    const first = await runWaitlistAdd(config('front_desk'), write, {
      patient: other,
      location: DOWNTOWN,
      idempotencyKey: key,
    });
    const retry = await runWaitlistAdd(config('front_desk'), write, {
      patient: other,
      location: DOWNTOWN,
      idempotencyKey: key,
    });
    expect(retry.id).toBe(first.id);

    const dup = runWaitlistAdd(config('front_desk'), write, { patient: patientId, location: DOWNTOWN });
    await expect(dup).rejects.toThrow(/^409 Conflict: .*already waiting.*\(AlreadyWaiting\)/);
    await expect(runWaitlistList(config('therapist'), write, {})).rejects.toMatchObject({ status: 403 });

    out = '';
    const listed = await runWaitlistList(config('admin'), write, { location: DOWNTOWN });
    expect(listed.map((e) => e.id)).toEqual(expect.arrayContaining([added.id, first.id]));
    expect(out.split('\n')[0]).toMatch(
      /^ID\s+PATIENT\s+LOCATION\s+THERAPIST\s+ACUITY\s+MIN\s+AUTH ENDS\s+WAITING SINCE$/,
    );
    expect(out).toContain(added.id);

    out = '';
    const removed = await runWaitlistRemove(config('front_desk'), write, added.id);
    expect(removed).toMatchObject({ id: added.id, status: 'removed' });
    expect(out).toMatch(new RegExp(`^removed ${added.id} removed:`));
    // Repeatable.
    expect((await runWaitlistRemove(config('front_desk'), write, added.id)).status).toBe('removed');
    await expect(runWaitlistRemove(config('front_desk'), write, randomUUID())).rejects.toMatchObject({
      status: 404,
    });
    const after = await runWaitlistList(config('front_desk'), () => undefined, {});
    expect(after.map((e) => e.id)).not.toContain(added.id);
  }, 60_000);
});
