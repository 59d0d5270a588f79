// The staff console's worklist and task pages (issue 12, item 4) over the real stack: PostgreSQL, the Temporal
// dev server, a worker, the production app. Demo staff sign in through the `ptflow dev` sign-in page; the
// worklist shows only their role's tasks of their practice, overdue first, times in the practice's time zone
// (America/Chicago); completing a verify-by-phone task through the console form resumes the onboarding waiting
// for it (its state, through the API); a form without the CSRF token is refused (403); a field left out is
// named next to the field; the second practice's staff see none of it (404). An update_insurance task's form
// takes the corrected payer and member id and resumes the onboarding through the REST coverage route's code
// (the coverage is verified again and found active; the onboarding closes the task).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../../db/seed.js';
import { staffMembers, tasks } from '../../db/schema.js';
import { devSignInForm, hiddenValue, InjectBrowser } from './staff-browser.js';
import { onboardingBody, OTHER_PRACTICE_ID, startApiStack, until, type ApiStack } from './stack.js';

let stack: ApiStack;
const OTHER_STAFF = {
  id: '00000000-0000-4000-8000-0000000004dd',
  displayName: 'Olive Other',
  role: 'front_desk',
};
const ids = {
  overdue: randomUUID(),
  later: randomUUID(),
  fixed: randomUUID(),
  biller: randomUUID(),
  therapist: randomUUID(),
  other: randomUUID(),
};

const row = (
  id: string,
  practiceId: string,
  role: 'front_desk' | 'biller' | 'therapist',
  title: string,
  dueAt: Date,
) => ({
  id,
  practiceId,
  dedupeKey: `console-test:${id}`,
  kind: 'call_patient',
  assigneeRole: role,
  title,
  dueAt,
  workflowId: `task:${id}`,
  processKind: 'patientOnboarding',
});

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  await stack.db.db.insert(staffMembers).values({ ...OTHER_STAFF, practiceId: OTHER_PRACTICE_ID } as never);
  const day = 86_400_000;
  await stack.db.db.insert(tasks).values([
    row(
      ids.later,
      DEMO_PRACTICE_ID,
      'front_desk',
      'Console test: due in two days',
      new Date(Date.now() + 2 * day),
    ),
    row(
      ids.overdue,
      DEMO_PRACTICE_ID,
      'front_desk',
      'Console test: overdue since yesterday',
      new Date(Date.now() - day),
    ),
    // A fixed instant: 15:30 UTC on 15 Jan 2030 is 09:30 in Chicago (CST, UTC-6).
    row(
      ids.fixed,
      DEMO_PRACTICE_ID,
      'front_desk',
      'Console test: fixed time',
      new Date('2030-01-15T15:30:00Z'),
    ),
    row(ids.biller, DEMO_PRACTICE_ID, 'biller', 'Console test: biller work', new Date(Date.now() + day)),
    row(
      ids.therapist,
      DEMO_PRACTICE_ID,
      'therapist',
      'Console test: therapist work',
      new Date(Date.now() + day),
    ),
    row(
      ids.other,
      OTHER_PRACTICE_ID,
      'front_desk',
      'Console test: other practice',
      new Date(Date.now() + day),
    ),
  ]);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const label = (role: string) => {
  const s = role === 'other' ? OTHER_STAFF : DEMO_STAFF.find((p) => p.role === role)!;
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

const titlesOf = (html: string) => [...html.matchAll(/>(Console test: [^<]+)</g)].map((m) => m[1]);

describe('console worklist', () => {
  it('shows the front desk only its own role’s tasks of its practice, overdue first, in the practice time zone', async () => {
    const browser = await signIn('front_desk');
    const res = await browser.get('/console/worklist');
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(res.body).not.toContain('<script');
    expect(res.body).toContain('<title>Worklist · ptflow console</title>');
    expect(res.body).toContain('aria-current="page"');
    expect(res.body).toContain('Jordan Bell');
    expect(titlesOf(res.body)).toEqual([
      'Console test: overdue since yesterday',
      'Console test: due in two days',
      'Console test: fixed time',
    ]);
    expect(res.body).toMatch(/class="overdue">Overdue · <time/);
    expect(res.body).toContain('Tue, Jan 15, 2030, 09:30 CST');
    expect(res.body).toContain('datetime="2030-01-15T15:30:00.000Z"');
  });

  it('shows the biller and the therapist their own queues; the admin every role’s, with a role filter', async () => {
    expect(titlesOf((await (await signIn('biller')).get('/console/worklist')).body)).toEqual([
      'Console test: biller work',
    ]);
    expect(titlesOf((await (await signIn('therapist')).get('/console/worklist')).body)).toEqual([
      'Console test: therapist work',
    ]);
    const admin = await signIn('admin');
    const all = titlesOf((await admin.get('/console/worklist')).body);
    expect(all).toHaveLength(5);
    expect(all).not.toContain('Console test: other practice');
    expect(titlesOf((await admin.get('/console/worklist?role=biller')).body)).toEqual([
      'Console test: biller work',
    ]);
  });

  it('filters by due date (practice time zone) and kind; a bad filter is named next to its field', async () => {
    const browser = await signIn('front_desk');
    const before = await browser.get('/console/worklist?dueBefore=2030-01-15');
    expect(titlesOf(before.body)).toEqual([
      'Console test: overdue since yesterday',
      'Console test: due in two days',
    ]);
    // 15 Jan 2030 00:00 Chicago is 06:00 UTC: the 15:30 UTC task is due on the 15th, kept by "before the 16th".
    expect(titlesOf((await browser.get('/console/worklist?dueBefore=2030-01-16')).body)).toHaveLength(3);
    expect(titlesOf((await browser.get('/console/worklist?kind=nothing_like_it')).body)).toEqual([]);
    const bad = await browser.get('/console/worklist?dueBefore=tomorrow');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="f-due-error">Due before: enter a date as YYYY-MM-DD.');
    expect(bad.body).toContain('aria-describedby="f-due-error" aria-invalid="true"');
    expect(bad.body).not.toContain('tomorrow</');
  });

  it('a second practice’s staff see none of it: other tasks are 404 pages, their worklist holds only their own', async () => {
    const other = await signIn('other');
    const list = await other.get('/console/worklist');
    expect(titlesOf(list.body)).toEqual(['Console test: other practice']);
    const page = await other.get(`/console/tasks/${ids.overdue}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('Console test');
    const csrf = hiddenValue(list.body, '_csrf');
    const post = await other.request('POST', `/console/tasks/${ids.overdue}/complete`, {
      form: { _csrf: csrf },
    });
    expect(post.statusCode).toBe(404);
    const [still] = await stack.db.sql`select status from tasks where id = ${ids.overdue}`;
    expect(still).toMatchObject({ status: 'open' });
    expect((await other.get('/console/tasks/not-a-uuid')).statusCode).toBe(404);
  });

  it('completing a verify-by-phone task through the form resumes the waiting onboarding; CSRF is required', async () => {
    // SBX-GARBLE: the payer answers a broken 271, so the onboarding asks the front desk to verify by phone.
    const body = onboardingBody();
    body.coverages[0]!.memberId = `SBX-GARBLE-${randomUUID().slice(0, 8)}`;
    const started = await stack.app.inject({
      method: 'POST',
      url: '/v1/onboardings',
      headers: { ...stack.auth.own.front_desk, 'idempotency-key': randomUUID() },
      payload: body,
    });
    expect(started.statusCode).toBe(202);
    const onboardingId = (started.json() as { id: string }).id;
    const state = async () =>
      (
        (
          await stack.app.inject({
            url: `/v1/onboardings/${onboardingId}`,
            headers: stack.auth.own.front_desk,
          })
        ).json() as { state: string }
      ).state;
    let taskId = '';
    await until(async () => {
      const [t] = await stack.db.sql<{ id: string }[]>`select id from tasks
        where patient_id = ${body.patientId} and kind = 'verify_eligibility_by_phone' and status = 'open'`;
      taskId = t?.id ?? '';
      return taskId !== '' && (await state()) === 'awaiting_phone_verification';
    }, 'the verify-by-phone task');

    const browser = await signIn('front_desk');
    const list = await browser.get('/console/worklist');
    expect(list.body).toContain(`href="/console/tasks/${taskId}"`);
    const page = await browser.get(`/console/tasks/${taskId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      '<legend>Is the coverage active? <span class="note">(required)</span></legend>',
    );
    expect(page.body).toContain('name="coverageActive" value="yes"');
    expect(page.body).not.toContain(body.demographics.family);
    const csrf = hiddenValue(page.body, '_csrf');

    // No CSRF token: refused, nothing signalled.
    const forged = await browser.request('POST', `/console/tasks/${taskId}/complete`, {
      form: { coverageActive: 'yes' },
    });
    expect(forged.statusCode).toBe(403);
    expect(await state()).toBe('awaiting_phone_verification');

    // The required answer left out: named next to its field, the other answer kept.
    const missing = await browser.request('POST', `/console/tasks/${taskId}/complete`, {
      form: { _csrf: csrf, authorizationRequired: 'no' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="o-coverageActive-error">Is the coverage active?: enter a value.');
    expect(missing.body).toContain('name="authorizationRequired" value="no" checked');
    expect(await state()).toBe('awaiting_phone_verification');

    const done = await browser.request('POST', `/console/tasks/${taskId}/complete`, {
      form: { _csrf: csrf, coverageActive: 'yes', authorizationRequired: 'no' },
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/worklist?done=1');
    const after = await browser.get('/console/worklist?done=1');
    expect(after.body).toContain('role="status">Task completed. The waiting process continues.');
    await until(async () => (await state()) !== 'awaiting_phone_verification', 'the onboarding to resume');
    const [task] = await stack.db.sql`select status, completed_by from tasks where id = ${taskId}`;
    expect(task).toMatchObject({ status: 'completed', completed_by: `user:${DEMO_STAFF[1].id}` });
    const [coverage] = await stack.db
      .sql`select status from coverages where id = ${body.coverages[0]!.coverageId}`;
    expect(coverage).toMatchObject({ status: 'active' });
    // The task is closed: its page says so and offers no form any more.
    const closed = await browser.get(`/console/tasks/${taskId}`);
    expect(closed.body).toContain('This task is completed');
    expect(closed.body).not.toContain('Complete task</button>');
  });

  it('an update_insurance task takes the corrected coverage and resumes the waiting onboarding', async () => {
    // SBX-INACTIVE: the payer answers "inactive", so the onboarding asks the front desk for updated insurance.
    const body = onboardingBody();
    body.coverages[0]!.memberId = `SBX-INACTIVE-${randomUUID().slice(0, 8)}`;
    const coverageId = body.coverages[0]!.coverageId;
    const started = await stack.app.inject({
      method: 'POST',
      url: '/v1/onboardings',
      headers: { ...stack.auth.own.front_desk, 'idempotency-key': randomUUID() },
      payload: body,
    });
    expect(started.statusCode, started.body).toBe(202);
    const onboardingId = started.json<{ id: string }>().id;
    const state = async () =>
      (
        await stack.app.inject({
          url: `/v1/onboardings/${onboardingId}`,
          headers: stack.auth.own.front_desk,
        })
      ).json<{ state: string }>().state;
    let taskId = '';
    await until(async () => {
      const [t] = await stack.db.sql<{ id: string }[]>`select id from tasks
        where patient_id = ${body.patientId} and kind = 'update_insurance' and status = 'open'`;
      taskId = t?.id ?? '';
      return taskId !== '' && (await state()) === 'awaiting_coverage_update';
    }, 'the update_insurance task');

    const browser = await signIn('front_desk');
    const page = await browser.get(`/console/tasks/${taskId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<form method="post" action="/console/tasks/${taskId}/coverage">`);
    expect(page.body).toContain('<label for="c-memberId">Member id</label>');
    expect(page.body).not.toContain(body.demographics.family);
    const csrf = hiddenValue(page.body, '_csrf');
    const url = `/console/tasks/${taskId}/coverage`;
    const newMember = `SBX-PR3-${randomUUID().slice(0, 8)}`;

    // No CSRF token: refused, nothing signalled.
    const forged = await browser.request('POST', url, {
      form: { payerId: 'commercial-ama', memberId: newMember },
    });
    expect(forged.statusCode).toBe(403);
    // A bad member id and a missing payer: each named next to its field, the typed value kept.
    const bad = await browser.request('POST', url, { form: { _csrf: csrf, memberId: 'no spaces!' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="c-payerId-error">Payer id: enter a value');
    expect(bad.body).toContain(
      'id="c-memberId-error">Member id: Letters, digits and dashes, as on the insurance card.',
    );
    expect(bad.body).toContain('aria-describedby="c-memberId-hint c-memberId-error" aria-invalid="true"');
    expect(bad.body).toContain('value="no spaces!"');
    // Another practice's staff: the 404 page.
    const other = await signIn('other');
    const otherCsrf = hiddenValue((await other.get('/console/worklist')).body, '_csrf');
    const foreign = await other.request('POST', url, {
      form: { _csrf: otherCsrf, payerId: 'commercial-ama', memberId: newMember },
    });
    expect(foreign.statusCode).toBe(404);
    expect(await state()).toBe('awaiting_coverage_update');

    const done = await browser.request('POST', url, {
      form: { _csrf: csrf, payerId: 'commercial-ama', memberId: newMember },
    });
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/console/worklist?done=1');
    await until(async () => (await state()) !== 'awaiting_coverage_update', 'the onboarding to resume');
    await until(async () => {
      const [c] = await stack.db.sql<
        { status: string }[]
      >`select status from coverages where id = ${coverageId}`;
      return c?.status === 'active';
    }, 'the coverage verified again and active');
    await until(async () => {
      const [t] = await stack.db.sql<{ status: string }[]>`select status from tasks where id = ${taskId}`;
      return t?.status === 'cancelled';
    }, 'the onboarding to close the task');
    // The same audit trail as the REST route: an update of the onboarding by the signed-in person.
    const audit = await stack.db.sql`select actor_id, outcome from audit_events
      where resource_type = 'onboarding' and resource_id = ${onboardingId} and action = 'U'`;
    expect(audit).toEqual([{ actor_id: `user:${DEMO_STAFF[1].id}`, outcome: 'success' }]);
  });
});
