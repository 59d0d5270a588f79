// The console's first-run setup wizard (issue 17, point 1) on the real stack (PostgreSQL, the Temporal dev server,
// a worker, the production app on a loopback port) and in real headless Chromium (Debian's package through
// playwright-core). A second practice is opened through the REST API (POST /v1/practices: name, NPI, time zone
// only); its administrator signs in through the dev sign-in page, sees "Setup 0 of 7" in the navigation and the
// worklist banner, and walks every step: a wrong NPI check digit is named beside the NPI field (by keyboard
// alone), a CSV with bad rows is refused naming each line and column and imports nothing, the review page names
// exactly what is missing until nothing is, and the profile is then complete through the service and
// GET /v1/practice. axe-core finds no serious or critical violation on any step. Over inject: other roles get the
// 403 page (GET and POST, nothing saved), a POST without the CSRF token is refused, another practice's admin sees
// only their own practice's profile, and an unknown step is the 404 page.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupProgress } from '../../api/console/setup-steps.js';
import { practiceService } from '../../api/practice-service.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { seriousAxeViolations } from '../helpers/browser.js';
import {
  startConsoleFixture,
  tabToId,
  tabToText,
  type ConsoleFixture,
  type StaffPerson,
} from './console-fixture.js';
import { hiddenValue } from './staff-browser.js';

let fx: ConsoleFixture;
let practiceId: string;
let practiceKey: string;
let admin: StaffPerson;
let frontDesk: StaffPerson;

const BAD_CSV = 'code,charge,expected_allowed\n97110,45.00,30.00\n97140,abc,\n9711X,30.00,\n';
const GOOD_CSV = 'code,charge,expected_allowed\n97110,45.00,30.00\n97140,42.00,\n97161,120.00,95.50\n';

beforeAll(async () => {
  fx = await startConsoleFixture({ chromium: true });
  const created = await fx.stack.app.inject({
    method: 'POST',
    url: '/v1/practices',
    headers: { ...fx.stack.auth.own.admin, 'idempotency-key': randomUUID() },
    payload: { name: 'Lakeside Physio', npi: '1234567893', timezone: 'America/Denver' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const body = created.json<{ practice: { id: string }; adminKey: { key: string } }>();
  practiceId = body.practice.id;
  practiceKey = body.adminKey.key;
  admin = await fx.addStaff(practiceId, 'admin', 'Ada Lakeside');
  frontDesk = await fx.addStaff(practiceId, 'front_desk', 'Fred Lakeside');
}, 240_000);
afterAll(async () => {
  await fx?.close();
});

const setupDeps = () => ({ db: fx.stack.db.db, keyring: fx.stack.dataKeyring });

describe('setup wizard: who may use it', () => {
  it('other roles get the 403 page, on GET and POST, and nothing is saved; CSRF is required', async () => {
    const desk = await fx.signIn(frontDesk);
    const page = await desk.get('/console/setup/identity');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Only an administrator sets up the practice.');
    expect(page.body).not.toContain('name="legalName"');
    // Their navigation has no setup entry.
    expect((await desk.get('/console/worklist')).body).not.toContain('href="/console/setup"');
    const csrf = hiddenValue((await desk.get('/console/worklist')).body, '_csrf');
    const post = await desk.request('POST', '/console/setup/identity', {
      form: { _csrf: csrf, name: 'Hijack', legalName: 'HIJACK LLC', npi: '1234567893', taxId: '12-3456789' },
    });
    expect(post.statusCode).toBe(403);
    const therapist = await fx.signIn(fx.demo('therapist'));
    expect((await therapist.get('/console/setup')).statusCode).toBe(403);

    const boss = await fx.signIn(admin);
    const forged = await boss.request('POST', '/console/setup/identity', {
      form: { name: 'Hijack', legalName: 'HIJACK LLC', npi: '1234567893', taxId: '12-3456789' },
    });
    expect(forged.statusCode).toBe(403);
    // The multipart CSV upload needs the token too.
    const form = new FormData();
    form.set('payerId', '*');
    form.set('effectiveFrom', '2027-01-01');
    form.set('file', new Blob([GOOD_CSV]), 'fees.csv');
    const multipart = new Request('http://x/', { method: 'POST', body: form });
    const upload = await fx.stack.app.inject({
      method: 'POST',
      url: '/console/setup/fee-schedule',
      headers: {
        accept: 'text/html',
        cookie: Object.entries(boss.jar)
          .map(([k, c]) => `${k}=${c.value}`)
          .join('; '),
        'content-type': multipart.headers.get('content-type')!,
      },
      payload: Buffer.from(await multipart.arrayBuffer()),
    });
    expect(upload.statusCode).toBe(403);
    expect(await practiceService(setupDeps()).feeSchedules(practiceId)).toEqual([]);
    const profile = await practiceService(setupDeps()).profile(practiceId);
    expect(profile.legalName).toBeNull();
    expect(profile.taxId).toBeNull();
    expect((await boss.get('/console/setup/nothing-like-it')).statusCode).toBe(404);
  });

  it('the demo practice’s admin sees their own practice’s profile, not the new one', async () => {
    const demoAdmin = await fx.signIn(fx.demo('admin'));
    const page = await demoAdmin.get('/console/setup/identity');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Lakeside');
  });
});

/** Fills the visible fields by label (Playwright's fill) and submits with the step's button. */
async function fillAndSubmit(page: Page, values: Record<string, string>, button: string): Promise<void> {
  for (const [label, value] of Object.entries(values)) {
    const field = page.getByLabel(label, { exact: true });
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button }).click()]);
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await seriousAxeViolations(page), what).toEqual([]);
}

describe('setup wizard in Chromium', () => {
  it('an admin walks a new practice through every step to a complete profile', async () => {
    const { context, page } = await fx.signInChromium(admin, '/console/worklist');
    const api = fx.api;
    try {
      // The navigation and the worklist banner say where setup stands.
      expect(await page.getByRole('link', { name: 'Setup 0 of 7' }).count()).toBe(1);
      expect(await page.textContent('main')).toContain('Practice setup is not finished: 0 of 7 steps done.');
      await expectAccessible(page, 'worklist with the setup banner');
      await Promise.all([
        page.waitForURL(`${api}/console/setup`),
        page.getByRole('link', { name: 'Continue the setup' }).click(),
      ]);
      await expectAccessible(page, 'overview');
      await Promise.all([
        page.waitForURL(`${api}/console/setup/identity`),
        page.getByRole('link', { name: 'Continue with practice identity' }).click(),
      ]);
      await expectAccessible(page, 'identity step');

      // Identity by keyboard alone, first with a wrong NPI check digit.
      await tabToId(page, 's-legalName');
      await page.keyboard.type('Lakeside Physio LLC');
      await tabToId(page, 's-npi');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('1234567890');
      await tabToId(page, 's-taxId');
      await page.keyboard.type('36-1234567');
      await tabToText(page, 'Save and continue');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      expect(new URL(page.url()).pathname).toBe('/console/setup/identity');
      const npiError = await page.textContent('#s-npi-error');
      expect(npiError).toBe('Type-2 NPI: the NPI check digit is wrong.');
      expect(await page.getAttribute('#s-npi', 'aria-describedby')).toBe('s-npi-hint s-npi-error');
      expect(await page.getAttribute('#s-npi', 'aria-invalid')).toBe('true');
      expect(await page.inputValue('#s-legalName')).toBe('Lakeside Physio LLC');
      await expectAccessible(page, 'identity step with an error');
      expect((await practiceService(setupDeps()).profile(practiceId)).legalName).toBeNull();
      // The summary links to the field; fix it and save.
      await page.getByRole('link', { name: 'Type-2 NPI: the NPI check digit is wrong.' }).click();
      await page.fill('#s-npi', '1234567893');
      await page.fill('#s-taxId', '36-1234567');
      await Promise.all([
        page.waitForURL(`${api}/console/setup/contact?saved=identity`),
        page.getByRole('button', { name: 'Save and continue' }).click(),
      ]);
      expect(await page.textContent('[role="status"]')).toBe('Practice identity saved.');
      expect(await page.getByRole('link', { name: 'Setup 1 of 7' }).count()).toBe(1);
      await expectAccessible(page, 'contact step');

      // Resumable: the review names what is still missing, by step.
      await page.goto(`${api}/console/setup/review`);
      const review = await page.textContent('main');
      for (const missing of [
        'the service address',
        'the phone number',
        'at least one location',
        'at least one payer',
        'a fee schedule',
        'at least one therapist',
        'at least one referring provider',
      ]) {
        expect(review).toContain(missing);
      }
      expect(review).not.toContain('the legal name');
      await expectAccessible(page, 'review (incomplete)');
      await page.getByRole('link', { name: 'Addresses, phone and time zone' }).first().click();
      await page.waitForURL(`${api}/console/setup/contact`);

      await fillAndSubmit(
        page,
        {
          'Service address: street (required)': '200 Lake Shore Dr',
          'Service address: city (required)': 'Boulder',
          'Service address: state (required)': 'CO',
          'Service address: ZIP code (required)': '80302',
          'Phone (required)': '3035550100',
        },
        'Save and continue',
      );
      expect(page.url()).toBe(`${api}/console/setup/locations?saved=contact`);
      await expectAccessible(page, 'locations step');

      await fillAndSubmit(
        page,
        {
          'Location name (required)': 'Lakeside Boulder',
          'Address: street (required)': '200 Lake Shore Dr',
          'Address: city (required)': 'Boulder',
          'Address: state (required)': 'CO',
          'Address: ZIP code (required)': '80302',
        },
        'Add location',
      );
      expect(page.url()).toBe(`${api}/console/setup/locations?saved=locations`);
      expect(await page.textContent('table')).toContain('Lakeside Boulder');
      await page.getByRole('link', { name: 'Next: Payers' }).click();
      await page.waitForURL(`${api}/console/setup/payers`);
      await expectAccessible(page, 'payers step');

      await fillAndSubmit(
        page,
        {
          'Payer id (required)': 'medicare-part-b',
          'Payer name (required)': 'Medicare Part B',
          'Payer rules (required)': 'medicare-part-b',
        },
        'Add payer',
      );
      expect(await page.textContent('table')).toContain('Medicare Part B');
      await page.getByRole('link', { name: 'Next: Fee schedule' }).click();
      await page.waitForURL(`${api}/console/setup/fee-schedule`);
      await expectAccessible(page, 'fee schedule step');

      // A CSV with two bad rows: each named by line and column beside the file field; nothing imported.
      await page.getByLabel('Applies to (required)').selectOption('*');
      await page.fill('#s-effectiveFrom', '2027-01-01');
      await page.setInputFiles('#s-file', {
        name: 'fees.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(BAD_CSV),
      });
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Import fee schedule' }).click(),
      ]);
      expect(await page.textContent('#s-file-error')).toBe(
        'CSV file: 2 errors; nothing was imported. Fix the file and upload it again.',
      );
      const rows = await page.$$eval('#s-file-details li', (lis) => lis.map((l) => l.textContent));
      expect(rows).toEqual([
        'Line 3, column charge (2): not a positive dollar amount (e.g. 65.00)',
        'Line 4, column code (1): not a CPT or HCPCS code (five characters, e.g. 97110 or G0283)',
      ]);
      expect(await page.getAttribute('#s-file', 'aria-describedby')).toBe('s-file-error s-file-details');
      expect(await page.inputValue('#s-effectiveFrom')).toBe('2027-01-01');
      await expectAccessible(page, 'fee schedule step with errors');
      expect(await practiceService(setupDeps()).feeSchedules(practiceId)).toEqual([]);
      const [count] = await fx.stack.db.sql<
        { n: number }[]
      >`select count(*)::int as n from fee_schedule_rows r
        join fee_schedules s on s.id = r.schedule_id where s.practice_id = ${practiceId}`;
      expect(count?.n).toBe(0);

      await page.setInputFiles('#s-file', {
        name: 'fees.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(GOOD_CSV),
      });
      await Promise.all([
        page.waitForURL(`${api}/console/setup/fee-schedule?saved=fee-schedule`),
        page.getByRole('button', { name: 'Import fee schedule' }).click(),
      ]);
      expect(await page.textContent('table')).toContain('every payer');
      await page.getByRole('link', { name: 'Next: Therapists' }).click();
      await page.waitForURL(`${api}/console/setup/therapists`);
      await expectAccessible(page, 'therapists step');

      await fillAndSubmit(
        page,
        {
          'Individual NPI (required)': '1987654328',
          'Last name (required)': 'Nguyen',
          'First name': 'Lan',
          'Discipline (required)': 'PT',
          'Credentials (optional)': 'DPT',
          'License state (required)': 'CO',
          'License number (required)': 'PT-12345',
          'License expires (required)': '2028-06-30',
        },
        'Add therapist',
      );
      expect(await page.textContent('table')).toContain('1987654328');
      await page.getByRole('link', { name: 'Next: Referring providers' }).click();
      await page.waitForURL(`${api}/console/setup/referring-providers`);
      await expectAccessible(page, 'referring providers step');

      await fillAndSubmit(
        page,
        {
          'NPI (required)': '1245319599',
          'Last name (required)': 'Okafor',
          'First name': 'Chidi',
          'Fax (optional)': '3035550199',
        },
        'Add referring provider',
      );
      expect(await page.textContent('table')).toContain('1245319599');
      await page.getByRole('link', { name: 'Review what is missing' }).click();
      await page.waitForURL(`${api}/console/setup/review`);
      expect(await page.textContent('[role="status"]')).toContain('The practice profile is complete.');
      expect(await page.getByRole('link', { name: 'Practice profile' }).count()).toBe(1);
      await expectAccessible(page, 'review (complete)');
    } finally {
      await context.close();
    }

    // Complete through the service and the REST API, every party from this practice.
    expect((await setupProgress({ db: fx.stack.db.db }, practiceId)).done).toBe(7);
    const rest = await fx.stack.app.inject({
      url: '/v1/practice',
      headers: { authorization: `Bearer ${practiceKey}` },
    });
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json()).toMatchObject({
      id: practiceId,
      legalName: 'LAKESIDE PHYSIO LLC',
      npi: '1234567893',
      taxId: '•••••4567',
      phone: '3035550100',
      timezone: 'America/Denver',
      serviceAddress: { line1: '200 LAKE SHORE DR', city: 'BOULDER', state: 'CO', postalCode: '80302' },
      missing: [],
    });
    const list = async (path: string) =>
      (await fx.stack.app.inject({ url: path, headers: { authorization: `Bearer ${practiceKey}` } })).json<{
        items: unknown[];
      }>().items;
    expect(await list('/v1/practice/locations')).toHaveLength(1);
    expect(await list('/v1/practice/payers')).toHaveLength(1);
    expect(await list('/v1/practice/fee-schedules')).toEqual([
      expect.objectContaining({ payerId: '*', effectiveFrom: '2027-01-01', rowCount: 3 }),
    ]);
    expect(await list('/v1/practice/therapists')).toEqual([
      expect.objectContaining({ npi: '1987654328', discipline: 'PT', licenseState: 'CO' }),
    ]);
    expect(await list('/v1/practice/referrers')).toEqual([
      expect.objectContaining({ npi: '1245319599', source: 'admin' }),
    ]);
    // Every save is audited under the admin's session principal (no value in the audit row).
    const audited = await fx.stack.db.sql<{ resource_type: string }[]>`select resource_type from audit_events
      where actor_id = ${`user:${admin.id}`} and resource_type in
        ('practice', 'practice_location', 'practice_payer', 'fee_schedule', 'practice_therapist', 'referring_provider')`;
    expect(new Set(audited.map((r) => r.resource_type)).size).toBe(6);
    // The demo practice is untouched.
    expect((await practiceService(setupDeps()).profile(DEMO_PRACTICE_ID)).legalName).not.toBe(
      'LAKESIDE PHYSIO LLC',
    );
  });
});
