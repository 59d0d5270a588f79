// The console's "Book the series" page and equipment page (issue 18 part 3) over the real stack: PostgreSQL, the
// Temporal dev server, a worker with the sandbox EMR, the production app. A patient onboarded through the API (so
// the EMR knows them) has a plan of care; the front desk opens its series page, a form without the CSRF token is
// refused, bad values are named beside their fields, a preview shows the visits and the explanation and books
// nothing, Book books exactly the previewed visits (with an AlterG reserved at each), a Book with a preview made
// stale by that booking is refused with the new plan shown, a series nothing fits says what blocks it and what
// to change, and a refused start date is named beside its field. Roles as the REST route: a therapist gets the
// 403 page, another practice the 404 page. The admin's equipment page lists the device, its maintenance window
// and the visits just reserved on it.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF } from '../../db/seed.js';
import { staffMembers } from '../../db/schema.js';
import { addDays } from '../../domain/core/dates.js';
import { devSignInForm, hiddenValue, InjectBrowser } from './staff-browser.js';
import {
  onboardingBody,
  OTHER_PRACTICE_ID,
  planOfCareBody,
  startApiStack,
  today,
  until,
  type ApiStack,
} from './stack.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const OTHER_STAFF = {
  id: '00000000-0000-4000-8000-0000000005de',
  displayName: 'Oona Other',
  role: 'front_desk',
};
const OTHER_ADMIN = { id: '00000000-0000-4000-8000-0000000005df', displayName: 'Otis Other', role: 'admin' };
let stack: ApiStack;
let poc: string;
let patientId: string;
let deviceId: string;

const api = (role: 'admin' | 'front_desk' | 'therapist', url: string, payload?: object, method = 'POST') =>
  stack.app.inject({
    method: method as 'POST',
    url,
    headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
    ...(payload ? { payload } : {}),
  });

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  await stack.db.db
    .insert(staffMembers)
    .values([OTHER_STAFF, OTHER_ADMIN].map((s) => ({ ...s, practiceId: OTHER_PRACTICE_ID })) as never);
  // A patient the EMR knows (the onboarding registers them), with a plan of care.
  const body = onboardingBody();
  patientId = body.patientId;
  const started = await api('front_desk', '/v1/onboardings', body);
  expect(started.statusCode, started.body).toBe(202);
  const onboardingId = started.json<{ id: string }>().id;
  await until(async () => {
    const res = await stack.app.inject({
      url: `/v1/onboardings/${onboardingId}`,
      headers: stack.auth.own.front_desk,
    });
    return !['registering', 'started'].includes(res.json<{ state: string }>().state);
  }, 'the patient registered in the EMR');
  const created = await api('therapist', '/v1/plans-of-care', { ...planOfCareBody(), patientId });
  expect(created.statusCode, created.body).toBe(202);
  poc = created.json<{ id: string }>().id;
  // An AlterG downtown, in maintenance on Mondays at 07:00–08:00.
  const device = await api('admin', '/v1/practice/equipment', {
    locationId: DOWNTOWN,
    kind: 'anti-gravity-treadmill',
    name: 'AlterG Via 400 (series page)',
  });
  expect(device.statusCode, device.body).toBe(201);
  deviceId = device.json<{ id: string }>().id;
  const rules = await api(
    'admin',
    `/v1/practice/equipment/${deviceId}/maintenance`,
    {
      rules: [
        {
          weekday: 1,
          start: '07:00',
          end: '08:00',
          effectiveFrom: today(),
          source: 'test: maker service contract',
        },
      ],
    },
    'PUT',
  );
  expect(rules.statusCode, rules.body).toBe(200);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const label = (role: string) => {
  const s =
    role === 'other'
      ? OTHER_STAFF
      : role === 'otherAdmin'
        ? OTHER_ADMIN
        : DEMO_STAFF.find((p) => p.role === role)!;
  return `${s.displayName} (${s.role})`;
};

async function signIn(role: string): Promise<InjectBrowser> {
  const browser = new InjectBrowser(stack.app);
  const page = await browser.get('/auth/sign-in');
  const res = await browser.request('POST', '/auth/dev/sign-in', {
    form: devSignInForm(page.body, label(role)),
  });
  expect(res.statusCode).toBe(303);
  return browser;
}

const seriesUrl = () => `/console/processes/plan-of-care/${poc}/series`;

/** The form's values for a 2×/week, 2-week series on Tuesday and Thursday afternoons with an AlterG. */
const form = (over: Record<string, string> = {}) => ({
  acuity: 'acute',
  visitsPerWeek: '2',
  weeks: '2',
  startDate: addDays(today(), 2),
  'availability.0.weekday': '2',
  'availability.0.start': '12:00',
  'availability.0.end': '18:00',
  'availability.1.weekday': '4',
  'availability.1.start': '12:00',
  'availability.1.end': '18:00',
  equipmentKind: 'anti-gravity-treadmill',
  ...over,
});

const bookedCount = async () =>
  Number(
    (
      await stack.db.sql<{ n: string }[]>`select count(*) as n from appointments
        where patient_id = ${patientId} and kind = 'treatment' and status = 'booked'`
    )[0]!.n,
  );

/** The hidden fields of the page's Book form (values, fingerprint, CSRF). */
function bookForm(html: string): Record<string, string> {
  const at = html.indexOf('name="intent" value="book"');
  expect(at, 'a Book button').toBeGreaterThan(0);
  const start = html.lastIndexOf('<form', at);
  const fields: Record<string, string> = {};
  for (const m of html.slice(start, at).matchAll(/name="([^"]+)" value="([^"]*)"/g))
    fields[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return { ...fields, intent: 'book' };
}

describe('console: Book the series', () => {
  it('previews, books exactly the preview, refuses a stale preview, explains what blocks', async () => {
    const desk = await signIn('front_desk');
    const page = await desk.get(seriesUrl());
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('<title>Book the series · ptflow console</title>');
    const csrf = hiddenValue(page.body, '_csrf', '<main');

    const noToken = await desk.request('POST', seriesUrl(), { form: { ...form(), intent: 'preview' } });
    expect(noToken.statusCode).toBe(403);

    const bad = await desk.request('POST', seriesUrl(), {
      form: {
        ...form({ visitsPerWeek: '9', 'availability.1.start': '18:00', 'availability.1.end': '12:00' }),
        intent: 'preview',
        _csrf: csrf,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/<p class="error" id="series-visitsPerWeek-error">Visits per week: [^<]+<\/p>/);
    expect(bad.body).toMatch(
      /<p class="error" id="series-availability-1-end-error">Window 2: until: window start must be before its end\.<\/p>/,
    );
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toContain('value="9"');

    const preview = await desk.request('POST', seriesUrl(), {
      form: { ...form(), intent: 'preview', _csrf: csrf },
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.body).toContain('<h2 id="series-result">Proposed visits</h2>');
    expect(preview.body).toMatch(/Booked \d+ of 4 visits \(2×\/week for 2 weeks\)/);
    expect(preview.body).toContain('Every visit has the anti gravity treadmill reserved');
    const planned = (preview.body.match(/<tr><td>\d+<\/td>/g) ?? []).length;
    expect(planned).toBeGreaterThan(0);
    expect(preview.body).toContain('AlterG Via 400 (series page)');
    expect(await bookedCount()).toBe(0);

    const book = bookForm(preview.body);
    const booked = await desk.request('POST', seriesUrl(), { form: book });
    expect(booked.statusCode, booked.body).toBe(200);
    expect(booked.body).toContain('<h2 id="series-result">Booked visits</h2>');
    expect(booked.body).not.toContain('taken by another booking');
    expect(await bookedCount()).toBe(planned);
    // Each booked visit holds the AlterG.
    const held = await stack.db.sql<{ n: string }[]>`select count(*) as n from equipment_reservations
      where equipment_id = ${deviceId} and purpose = 'visit' and released_at is null`;
    expect(Number(held[0]!.n)).toBe(planned);

    // The same preview booked again: its times are taken now, so the plan differs and nothing is booked.
    const stale = await desk.request('POST', seriesUrl(), { form: book });
    expect(stale.statusCode, stale.body).toBe(409);
    expect(stale.body).toContain('The free times changed since your preview, so nothing was booked.');
    expect(stale.body).toContain('<h2 id="series-result">Proposed visits</h2>');
    expect(await bookedCount()).toBe(planned);

    // Nothing fits a Sunday-only patient: what blocks, and what the front desk can change.
    const none = await desk.request('POST', seriesUrl(), {
      form: {
        ...form({
          'availability.0.weekday': '0',
          'availability.1.weekday': '',
          'availability.1.start': '',
          'availability.1.end': '',
        }),
        intent: 'preview',
        _csrf: csrf,
      },
    });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.body).toContain('No visit of the series could be placed.');
    expect(none.body).toContain('<h3>What you can change</h3>');
    expect(none.body).toContain('Ask the patient for more times they can come');
    expect(none.body).not.toContain('name="intent" value="book"');

    // A start date the process refuses: named beside the field.
    const refused = await desk.request('POST', seriesUrl(), {
      form: { ...form({ startDate: '2019-06-04' }), intent: 'preview', _csrf: csrf },
    });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.body).toMatch(
      /<p class="error" id="series-startDate-error">First day the series may start: no visit-length rule/,
    );
  }, 240_000);

  it('admits the REST route roles only; another practice gets the 404 page', async () => {
    const therapist = await signIn('therapist');
    expect((await therapist.get(seriesUrl())).statusCode).toBe(403);
    const admin = await signIn('admin');
    const pocPage = await admin.get(`/console/processes/plan-of-care/${poc}`);
    expect(pocPage.statusCode, pocPage.body).toBe(200);
    expect(pocPage.body).toContain(`<a href="${seriesUrl()}">Book the series</a> of the plan of care`);
    // The front desk cannot open the plan of care's page; the processes list links its series page.
    const desk = await signIn('front_desk');
    expect((await desk.get(`/console/processes/plan-of-care/${poc}`)).statusCode).toBe(403);
    await until(
      async () =>
        (await desk.get('/console/processes?kind=plan-of-care')).body.includes(
          `<a href="${seriesUrl()}">Book the series</a>`,
        ),
      'the series link in the processes list',
    );
    const other = await signIn('other');
    const res = await other.get(seriesUrl());
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('<title>Not found · ptflow console</title>');
  });
});

describe('console: Equipment', () => {
  it('lists devices per location with maintenance windows and reservations; admins only', async () => {
    const admin = await signIn('admin');
    const res = await admin.get('/console/equipment');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('<a href="/console/equipment" aria-current="page">Equipment</a>');
    expect(res.body).toContain('AlterG Via 400 (series page)');
    expect(res.body).toContain('Monday 07:00–08:00');
    expect(res.body).toContain('test: maker service contract');
    // The visits booked by the series test above hold the device (this file's tests run in order).
    expect(res.body).toContain('a visit');
    const desk = await signIn('front_desk');
    const refused = await desk.get('/console/equipment');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('href="/console/equipment"');
    const csrfDesk = hiddenValue((await desk.get('/console/worklist')).body, '_csrf');
    expect(
      (await desk.request('POST', '/console/equipment', { form: { _csrf: csrfDesk, name: 'x' } })).statusCode,
    ).toBe(403);
  });

  it('adds a device and maintenance windows through the REST route code; errors beside the fields', async () => {
    const admin = await signIn('admin');
    const csrf = hiddenValue((await admin.get('/console/equipment')).body, '_csrf', '<main');
    const noToken = await admin.request('POST', '/console/equipment', { form: { name: 'x' } });
    expect(noToken.statusCode).toBe(403);

    const bad = await admin.request('POST', '/console/equipment', {
      form: { _csrf: csrf, locationId: DOWNTOWN, kind: 'balance-system', sessionMinutes: '2' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<p class="error" id="d-name-error">Name: enter a value.</p>');
    expect(bad.body).toMatch(
      /<p class="error" id="d-sessionMinutes-error">Minutes per visit \(optional\): [^<]+<\/p>/,
    );
    expect(bad.body).toContain('value="2"');

    const added = await admin.request('POST', '/console/equipment', {
      form: { _csrf: csrf, locationId: DOWNTOWN, kind: 'balance-system', name: 'Biodex Balance SD (form)' },
    });
    expect(added.statusCode, added.body).toBe(303);
    expect(added.headers.location).toBe('/console/equipment?saved=device');
    const [device] = await stack.db.sql<{ id: string }[]>`select id from equipment
      where name = 'Biodex Balance SD (form)'`;
    expect(device).toBeDefined();
    const audited = await stack.db.sql`select 1 from audit_events
      where resource_type = 'equipment' and resource_id = ${device!.id} and action = 'C'`;
    expect(audited).toHaveLength(1);

    const window = (over: Record<string, string>) =>
      admin.request('POST', `/console/equipment/${device!.id}/maintenance`, {
        form: {
          _csrf: csrf,
          weekday: '3',
          start: '12:00',
          end: '13:00',
          effectiveFrom: today(),
          source: 'test: service contract',
          ...over,
        },
      });
    const backwards = await window({ start: '13:00', end: '12:00' });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain(
      `<p class="error" id="w-${device!.id}-end-error">Until: must be after start.</p>`,
    );
    expect((await window({})).statusCode).toBe(303);
    expect((await window({ weekday: '5', start: '07:00', end: '08:00' })).statusCode).toBe(303);
    const page = await admin.get('/console/equipment?saved=window');
    expect(page.body).toContain('Maintenance window added');
    expect(page.body).toContain('Wednesday 12:00–13:00');
    expect(page.body).toContain('Friday 07:00–08:00');
    const ruleId = hiddenValue(page.body, 'ruleId', 'Wednesday 12:00–13:00');
    const removed = await admin.request('POST', `/console/equipment/${device!.id}/maintenance/remove`, {
      form: { _csrf: csrf, ruleId },
    });
    expect(removed.statusCode).toBe(303);
    const after = await admin.get('/console/equipment');
    expect(after.body).not.toContain('Wednesday 12:00–13:00');
    expect(after.body).toContain('Friday 07:00–08:00');

    // Another practice's admin: the device does not exist for them.
    const other = await signIn('otherAdmin');
    const otherCsrf = hiddenValue((await other.get('/console/equipment')).body, '_csrf', '<main');
    const foreign = await other.request('POST', `/console/equipment/${device!.id}/maintenance`, {
      form: {
        _csrf: otherCsrf,
        weekday: '3',
        start: '12:00',
        end: '13:00',
        effectiveFrom: today(),
        source: 'x',
      },
    });
    expect(foreign.statusCode).toBe(404);
    expect((await admin.get('/console/equipment')).body).toContain('Friday 07:00–08:00');
  });
});
