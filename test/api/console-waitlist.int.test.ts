// The console's waitlist page over inject on the real stack (issue 18 §2; PostgreSQL, the production app with
// staff sessions): who may use it (therapists get the 403 page on GET and POST, nothing saved), CSRF (a form
// without the session's token is refused, nothing saved), field errors beside the fields with the values kept,
// a successful add audited under the signed-in person, a filled entry's removal refused in words, and tenancy
// (another practice's front desk neither sees nor removes the demo practice's entries: the 404 page).
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createWaitlistRepository } from '../../db/repositories/visits.js';
import { auditEvents, waitlistEntries } from '../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { startConsoleFixture, type ConsoleFixture } from './console-fixture.js';
import { OTHER_PRACTICE_ID } from './stack.js';
import { hiddenValue } from './staff-browser.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
let fx: ConsoleFixture;

beforeAll(async () => {
  fx = await startConsoleFixture();
}, 240_000);
afterAll(async () => {
  await fx?.close();
});

async function patient(): Promise<string> {
  const patientId = randomUUID();
  await createPatientRepository(fx.stack.db.db, fx.stack.repositoryKeys).upsert({
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

const entriesOf = (patientId: string) =>
  fx.stack.db.db.select().from(waitlistEntries).where(eq(waitlistEntries.patientId, patientId));

describe('console waitlist', () => {
  it('therapists get the 403 page on GET and POST; a form without the CSRF token is refused; nothing saved', async () => {
    const patientId = await patient();
    const therapist = await fx.signIn(fx.demo('therapist'));
    const page = await therapist.get('/console/waitlist');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('kept by the front desk');
    const csrf = hiddenValue((await therapist.get('/console/worklist')).body, '_csrf');
    const post = await therapist.request('POST', '/console/waitlist', {
      form: { _csrf: csrf, patientId, locationId: DOWNTOWN },
    });
    expect(post.statusCode).toBe(403);

    const desk = await fx.signIn(fx.demo('front_desk'));
    const forged = await desk.request('POST', '/console/waitlist', {
      form: { patientId, locationId: DOWNTOWN },
    });
    expect(forged.statusCode).toBe(403);
    expect(await entriesOf(patientId)).toEqual([]);
  });

  it('shows errors beside the fields with the values kept; a valid add is audited under the person', async () => {
    const patientId = await patient();
    const desk = await fx.signIn(fx.demo('front_desk'));
    const csrf = hiddenValue((await desk.get('/console/waitlist')).body, '_csrf');
    const bad = await desk.request('POST', '/console/waitlist', {
      form: { _csrf: csrf, patientId: 'x', locationId: DOWNTOWN, minutes: '5' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="w-patientId-error"');
    expect(bad.body).toContain('id="w-minutes-error"');
    expect(bad.body).toMatch(/id="w-minutes"[^>]*value="5"/);
    // The message comes from the schema's side (the limit), never the submitted value.
    expect(/id="w-minutes-error">([^<]*)</.exec(bad.body)?.[1]).toMatch(/^Visit length \(minutes\): .*15/);

    const unknown = await desk.request('POST', '/console/waitlist', {
      form: { _csrf: csrf, patientId: randomUUID(), locationId: DOWNTOWN },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('id="w-patientId-error"');

    const ok = await desk.request('POST', '/console/waitlist', {
      form: { _csrf: csrf, patientId, locationId: DOWNTOWN, acuity: '2', minutes: '30' },
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/console/waitlist?added=1');
    const [entry] = await entriesOf(patientId);
    expect(entry).toMatchObject({ status: 'waiting', acuity: 2, minutes: 30, locationId: DOWNTOWN });
    const audit = await fx.stack.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.resourceType, 'waitlist_entry'), eq(auditEvents.resourceId, entry!.id)));
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'C',
        actorId: `user:${fx.demo('front_desk').id}`,
        actorRole: 'front_desk',
      }),
    ]);
    const list = await desk.get(`/console/waitlist?locationId=${DOWNTOWN}`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(patientId);
    expect(list.body).toContain(`action="/console/waitlist/${entry!.id}/remove"`);
  });

  it('a filled entry cannot be removed (409, said in words); another practice gets the 404 page', async () => {
    const patientId = await patient();
    const desk = await fx.signIn(fx.demo('front_desk'));
    const csrf = hiddenValue((await desk.get('/console/waitlist')).body, '_csrf');
    await desk.request('POST', '/console/waitlist', {
      form: { _csrf: csrf, patientId, locationId: DOWNTOWN },
    });
    const [entry] = await entriesOf(patientId);

    const stranger = await fx.signIn(await fx.addStaff(OTHER_PRACTICE_ID, 'front_desk', 'Otto Other'));
    const theirList = await stranger.get('/console/waitlist');
    expect(theirList.statusCode).toBe(200);
    expect(theirList.body).not.toContain(patientId);
    const theirCsrf = hiddenValue(theirList.body, '_csrf');
    const theirs = await stranger.request('POST', `/console/waitlist/${entry!.id}/remove`, {
      form: { _csrf: theirCsrf },
    });
    expect(theirs.statusCode).toBe(404);
    expect((await entriesOf(patientId))[0]?.status).toBe('waiting');

    await createWaitlistRepository(fx.stack.db.db).markFilled({
      practiceId: DEMO_PRACTICE_ID,
      entryId: entry!.id,
      emrAppointmentId: randomUUID(),
      slotStart: new Date(Date.now() + 86_400_000),
      workflowId: 'waitfill:test',
      at: new Date(),
    });
    const filled = await desk.request('POST', `/console/waitlist/${entry!.id}/remove`, {
      form: { _csrf: csrf },
    });
    expect(filled.statusCode).toBe(409);
    expect(filled.body).toContain('already got a freed slot');
    expect((await entriesOf(patientId))[0]?.status).toBe('filled');
  });
});
