// The console's worklist and task page in real headless Chromium (Debian's package via playwright-core, see
// test/helpers/browser.ts): a front-desk person signs in, opens the worklist, and completes a verify-by-phone task
// with the keyboard alone; the task's workflow ends completed with the answer given; axe-core finds no serious or
// critical violation on the worklist or the task page, and the pages load under their CSP with no violation.
// Then each demo role signs in by its button in a fresh browser context: the worklist shows that role's tasks
// (the admin: every role's) with due times in the practice's time zone (America/Chicago), and no other role's;
// a second practice's staff member sees none of the demo practice's tasks, in a worklist in their own time zone
// (UTC), and gets the 404 page on a demo task's URL. Last, an update_insurance task's coverage form, filled in by
// keyboard alone, resumes its onboarding (the coverage is verified again and found active). The "Book the series"
// page of a plan of care (issue 18 part 3): the front desk fills it in, previews a real series on the dev server
// (visits table and explanation), books it; the admin's equipment page lists the device and the visits on it;
// both pages pass axe with no CSP violation.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../../db/seed.js';
import { staffMembers, tasks } from '../../db/schema.js';
import { workflowId } from '../../domain/ids.js';
import { freePort } from '../../devtools/ports.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { launchChromium, seriousAxeViolations } from '../helpers/browser.js';
import { addDays } from '../../domain/core/dates.js';
import {
  onboardingBody,
  OTHER_PRACTICE_ID,
  planOfCareBody,
  startApiStack,
  today,
  until,
  type ApiStack,
} from './stack.js';

let stack: ApiStack;
let browser: Browser;
let api: string;

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  const port = await freePort();
  await stack.app.listen({ host: '127.0.0.1', port });
  api = `http://localhost:${port}`;
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Presses Tab until `test` (a page-side expression on the focused element `e`) is true; fails if never. */
async function tabUntil(page: Page, test: string, what: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate<boolean>(`(() => { const e = document.activeElement; return !!e && (${test}); })()`)
    )
      return;
  }
  throw new Error(`${what} is not reachable with Tab`);
}
const tabToText = (page: Page, text: string) =>
  tabUntil(page, `e.textContent.trim() === ${JSON.stringify(text)}`, `"${text}"`);

describe('console worklist in Chromium', () => {
  it('sign in, open the worklist, complete a task by keyboard only; accessible pages', async () => {
    const taskId = randomUUID();
    const handle = await stack.temporal.client.workflow.start(humanTask, {
      taskQueue: stack.taskQueue,
      workflowId: workflowId('task', taskId),
      args: [
        {
          taskId,
          practiceId: DEMO_PRACTICE_ID,
          kind: 'verify_eligibility_by_phone',
          assigneeRole: 'front_desk',
          title: 'Verify coverage by phone',
          dueAt: new Date(Date.now() - 3_600_000).toISOString(),
          parentWorkflowId: workflowId('onboarding', randomUUID()),
          processKind: 'patientOnboarding',
        },
      ],
    });
    await until(
      async () => (await stack.db.sql`select 1 from tasks where id = ${taskId}`).length === 1,
      'task row',
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      await page.goto(`${api}/console/worklist`);
      // Not signed in: the sign-in page, coming back to the worklist afterwards.
      expect(new URL(page.url()).pathname).toBe('/auth/sign-in');
      await tabToText(page, 'Sign in as Jordan Bell (front_desk)');
      await Promise.all([page.waitForURL(`${api}/console/worklist`), page.keyboard.press('Enter')]);
      expect(await page.title()).toBe('Worklist · ptflow console');
      expect(await page.textContent('main')).toContain('Overdue');
      expect(await seriousAxeViolations(page)).toEqual([]);

      await tabToText(page, 'Verify coverage by phone');
      await Promise.all([page.waitForURL(`${api}/console/tasks/${taskId}`), page.keyboard.press('Enter')]);
      expect(await page.title()).toBe('Task · ptflow console');
      expect(await seriousAxeViolations(page)).toEqual([]);

      await tabUntil(page, `e.name === 'coverageActive'`, 'the coverage question');
      await page.keyboard.press('Space');
      await tabToText(page, 'Complete task');
      await Promise.all([page.waitForURL(`${api}/console/worklist?done=1`), page.keyboard.press('Enter')]);
      expect(await page.textContent('[role="status"]')).toContain('Task completed');
      expect(await seriousAxeViolations(page)).toEqual([]);

      const result = await handle.result();
      expect(result).toMatchObject({
        state: 'completed',
        completion: { outcome: { coverageActive: true } },
      });
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('each role signs in and sees its own tasks in the practice time zone; a second practice sees none', async () => {
    const other = { id: randomUUID(), displayName: 'Olive Otherpractice', role: 'front_desk' } as const;
    await stack.db.db.insert(staffMembers).values({ ...other, practiceId: OTHER_PRACTICE_ID } as never);
    // One task per role at a fixed instant; winter in Chicago is CST (UTC-6), so 15:00 UTC reads 09:00 CST.
    const seeded = {
      front_desk: { id: randomUUID(), at: '2031-01-14T15:00:00Z', local: 'Tue, Jan 14, 2031, 09:00 CST' },
      therapist: { id: randomUUID(), at: '2031-01-14T16:15:00Z', local: 'Tue, Jan 14, 2031, 10:15 CST' },
      biller: { id: randomUUID(), at: '2031-01-14T22:45:00Z', local: 'Tue, Jan 14, 2031, 16:45 CST' },
    } as const;
    const otherTask = { id: randomUUID(), at: '2031-01-14T15:00:00Z', local: 'Tue, Jan 14, 2031, 15:00 UTC' };
    const title = (role: string) => `Browser role check: ${role}`;
    const row = (id: string, practiceId: string, role: string, dueAt: string, t: string) => ({
      id,
      practiceId,
      dedupeKey: `console-browser:${id}`,
      kind: 'call_patient',
      assigneeRole: role,
      title: t,
      dueAt: new Date(dueAt),
      workflowId: `task:${id}`,
      processKind: 'patientOnboarding',
    });
    await stack.db.db
      .insert(tasks)
      .values([
        ...Object.entries(seeded).map(([role, s]) => row(s.id, DEMO_PRACTICE_ID, role, s.at, title(role))),
        row(otherTask.id, OTHER_PRACTICE_ID, 'front_desk', otherTask.at, title('other practice')),
      ] as never);

    /** Signs in by the sign-in page's button in a fresh context; returns the worklist's rows for our tasks. */
    async function worklistAs(name: string, role: string) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${api}/console/worklist`);
      expect(new URL(page.url()).pathname).toBe('/auth/sign-in');
      await Promise.all([
        page.waitForURL(`${api}/console/worklist`),
        page.getByRole('button', { name: `Sign in as ${name} (${role})` }).click(),
      ]);
      expect(await page.textContent('header')).toContain(name);
      const rows = await page.$$eval('main tr', (trs) =>
        trs
          .map((tr) => tr.textContent ?? '')
          .filter((text) => text.includes('Browser role check: '))
          .map((text) => text.replace(/\s+/g, ' ').trim()),
      );
      return { context, page, rows };
    }
    const rowFor = (rows: string[], role: string) => rows.filter((r) => r.includes(title(role)));

    for (const staff of DEMO_STAFF) {
      const { context, rows } = await worklistAs(staff.displayName, staff.role);
      try {
        const mine = staff.role === 'admin' ? Object.keys(seeded) : [staff.role];
        for (const [role, s] of Object.entries(seeded)) {
          if (mine.includes(role)) {
            expect(rowFor(rows, role), `${staff.role} sees the ${role} task`).toHaveLength(1);
            expect(rowFor(rows, role)[0]).toContain(s.local);
          } else {
            expect(rowFor(rows, role), `${staff.role} does not see the ${role} task`).toEqual([]);
          }
        }
        expect(rowFor(rows, 'other practice')).toEqual([]);
        expect(rows).toHaveLength(mine.length);
      } finally {
        await context.close();
      }
    }

    const { context, page, rows } = await worklistAs(other.displayName, other.role);
    try {
      expect(rows).toEqual([expect.stringContaining(otherTask.local)]);
      expect(rows[0]).toContain(title('other practice'));
      for (const s of Object.values(seeded)) {
        const res = await page.goto(`${api}/console/tasks/${s.id}`);
        expect(res?.status()).toBe(404);
        expect(await page.title()).toBe('Not found · ptflow console');
        expect(await page.textContent('body')).not.toContain('Browser role check');
      }
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the update-insurance form, by keyboard, resumes the onboarding; accessible page', async () => {
    const body = onboardingBody();
    body.coverages[0]!.memberId = `SBX-INACTIVE-${randomUUID().slice(0, 8)}`;
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

    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent(`/console/tasks/${taskId}`)}`);
      await Promise.all([
        page.waitForURL(`${api}/console/tasks/${taskId}`),
        page.getByRole('button', { name: 'Sign in as Jordan Bell (front_desk)' }).click(),
      ]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await tabUntil(page, `e.id === 'c-payerId'`, 'the payer field');
      await page.keyboard.type('commercial-ama');
      await tabUntil(page, `e.id === 'c-memberId'`, 'the member id field');
      await page.keyboard.type(`SBX-PR3-${randomUUID().slice(0, 8)}`);
      await tabToText(page, 'Save insurance and verify again');
      await Promise.all([page.waitForURL(`${api}/console/worklist?done=1`), page.keyboard.press('Enter')]);
      await until(async () => (await state()) !== 'awaiting_coverage_update', 'the onboarding to resume');
      await until(async () => {
        const [c] = await stack.db.sql<{ status: string }[]>`select status from coverages
          where id = ${body.coverages[0]!.coverageId}`;
        return c?.status === 'active';
      }, 'the coverage verified again and active');
    } finally {
      await context.close();
    }
  });

  it('Book the series: preview a real series, book it; the equipment page; accessible pages', async () => {
    const body = onboardingBody();
    const post = (role: 'admin' | 'front_desk' | 'therapist', url: string, payload: object) =>
      stack.app.inject({
        method: 'POST',
        url,
        headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
        payload,
      });
    const started = await post('front_desk', '/v1/onboardings', body);
    expect(started.statusCode, started.body).toBe(202);
    const onboardingId = started.json<{ id: string }>().id;
    await until(async () => {
      const res = await stack.app.inject({
        url: `/v1/onboardings/${onboardingId}`,
        headers: stack.auth.own.front_desk,
      });
      return !['registering', 'started'].includes(res.json<{ state: string }>().state);
    }, 'the patient registered in the EMR');
    const poc = await post('therapist', '/v1/plans-of-care', {
      ...planOfCareBody(),
      patientId: body.patientId,
    });
    expect(poc.statusCode, poc.body).toBe(202);
    const pocId = poc.json<{ id: string }>().id;
    const device = await post('admin', '/v1/practice/equipment', {
      locationId: '00000000-0000-4000-8000-000000000101',
      kind: 'balance-system',
      name: 'Biodex Balance SD (browser)',
    });
    expect(device.statusCode, device.body).toBe(201);

    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    const url = `${api}/console/processes/plan-of-care/${pocId}/series`;
    try {
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent(new URL(url).pathname)}`);
      await Promise.all([
        page.waitForURL(url),
        page.getByRole('button', { name: 'Sign in as Jordan Bell (front_desk)' }).click(),
      ]);
      expect(await page.title()).toBe('Book the series · ptflow console');
      expect(await seriousAxeViolations(page)).toEqual([]);
      // A bad value first: named beside its field, in an accessible page.
      await page.getByLabel('Weeks').fill('30');
      await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Preview' }).click()]);
      expect(await page.textContent('#series-weeks-error')).toMatch(/^Weeks: /);
      expect(await page.getAttribute('#series-weeks', 'aria-invalid')).toBe('true');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.getByLabel('Acuity').selectOption('acute');
      await page.getByLabel('Weeks').fill('2');
      await page.getByLabel('First day the series may start').fill(addDays(today(), 2));
      await page.getByLabel('Window 1: weekday').selectOption('2');
      await page.getByLabel('Window 1: from').fill('12:00');
      await page.getByLabel('Window 1: until').fill('18:00');
      await page.getByLabel('Window 2: weekday').selectOption('4');
      await page.getByLabel('Window 2: from').fill('12:00');
      await page.getByLabel('Window 2: until').fill('18:00');
      await page.getByLabel('Every visit needs').selectOption('balance-system');
      await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Preview' }).click()]);
      const table = page.getByRole('table', { name: /^Proposed visits: \d+ of 4 visits/ });
      const planned = await table.locator('tbody tr').count();
      expect(planned).toBeGreaterThan(0);
      expect(await table.locator('tbody tr').first().textContent()).toContain('Biodex Balance SD (browser)');
      expect(await page.textContent('.explanation')).toMatch(/Booked \d+ of 4 visits/);
      expect(await seriousAxeViolations(page)).toEqual([]);

      await Promise.all([
        page.waitForURL(url),
        page.getByRole('button', { name: `Book these ${planned} visits` }).click(),
      ]);
      expect(
        await page
          .getByRole('table', { name: /^Booked visits: / })
          .locator('tbody tr')
          .count(),
      ).toBe(planned);
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    admin.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      await admin.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent('/console/equipment')}`);
      const adminStaff = DEMO_STAFF.find((s) => s.role === 'admin')!;
      await Promise.all([
        admin.waitForURL(`${api}/console/equipment`),
        admin.getByRole('button', { name: `Sign in as ${adminStaff.displayName} (admin)` }).click(),
      ]);
      expect(await admin.title()).toBe('Equipment · ptflow console');
      const row = admin.getByRole('row', { name: /Biodex Balance SD \(browser\)/ });
      expect(await row.textContent()).toContain('a visit');
      expect(await seriousAxeViolations(admin)).toEqual([]);
      expect(cspErrors).toEqual([]);
    } finally {
      await adminContext.close();
    }
  }, 240_000);
});

describe('console waitlist in Chromium', () => {
  it('the front desk opens the waitlist from the nav, adds a patient (errors beside the field), removes them; accessible pages', async () => {
    // A synthetic patient of the demo practice in our mirror (the page names patients by our id only).
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
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent('/console/worklist')}`);
      await Promise.all([
        page.waitForURL(`${api}/console/worklist`),
        page.getByRole('button', { name: 'Sign in as Jordan Bell (front_desk)' }).click(),
      ]);
      await tabToText(page, 'Waitlist');
      await Promise.all([page.waitForURL(`${api}/console/waitlist`), page.keyboard.press('Enter')]);
      expect(await page.title()).toBe('Waitlist · ptflow console');
      expect(await page.getAttribute('nav a[href="/console/waitlist"]', 'aria-current')).toBe('page');
      expect(await seriousAxeViolations(page)).toEqual([]);

      // A malformed patient id: the page again (400), the error beside the field, the values kept.
      await page.fill('#w-patientId', 'not-an-id');
      await page.selectOption('#w-locationId', '00000000-0000-4000-8000-000000000101');
      await page.fill('#w-minutes', '60');
      await Promise.all([
        page.waitForLoadState(),
        page.getByRole('button', { name: 'Add to the waitlist' }).click(),
      ]);
      expect(await page.getAttribute('#w-patientId', 'aria-invalid')).toBe('true');
      expect(await page.textContent('#w-patientId-error')).toMatch(/^Patient id: /);
      expect(await page.inputValue('#w-minutes')).toBe('60');
      expect(await seriousAxeViolations(page)).toEqual([]);

      await page.fill('#w-patientId', patientId);
      await page.selectOption('#w-acuity', '3');
      await Promise.all([
        page.waitForURL(`${api}/console/waitlist?added=1`),
        page.getByRole('button', { name: 'Add to the waitlist' }).click(),
      ]);
      expect(await page.textContent('[role="status"]')).toContain('Added to the waitlist');
      expect(await page.textContent('main')).toContain(patientId);
      expect(await seriousAxeViolations(page)).toEqual([]);
      const [entry] = await stack.db.sql<{ id: string; status: string; acuity: number; minutes: number }[]>`
        select id, status, acuity, minutes from waitlist_entries where patient_id = ${patientId}`;
      expect(entry).toMatchObject({ status: 'waiting', acuity: 3, minutes: 60 });

      // The same wish again: refused in words on the page (409), nothing added.
      await page.fill('#w-patientId', patientId);
      await page.selectOption('#w-locationId', '00000000-0000-4000-8000-000000000101');
      const again = await Promise.all([
        page.waitForResponse((r) => r.url() === `${api}/console/waitlist` && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Add to the waitlist' }).click(),
      ]);
      expect(again[0].status()).toBe(409);
      expect(await page.textContent('main')).toContain('already waiting at this location');

      await Promise.all([
        page.waitForURL(`${api}/console/waitlist?removed=1`),
        page.locator(`form[action="/console/waitlist/${entry!.id}/remove"] button`).click(),
      ]);
      expect(await page.textContent('[role="status"]')).toContain('Removed from the waitlist');
      expect(await page.textContent('main')).not.toContain(patientId);
      expect(await seriousAxeViolations(page)).toEqual([]);
      const [removed] = await stack.db.sql<{ status: string }[]>`
        select status from waitlist_entries where id = ${entry!.id}`;
      expect(removed?.status).toBe('removed');
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a therapist has no waitlist entry in the nav and gets the not-for-your-role page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent('/console/worklist')}`);
      await Promise.all([
        page.waitForURL(`${api}/console/worklist`),
        page.getByRole('button', { name: 'Sign in as Dana Whitfield (therapist)' }).click(),
      ]);
      expect(await page.locator('nav a[href="/console/waitlist"]').count()).toBe(0);
      const res = await page.goto(`${api}/console/waitlist`);
      expect(res?.status()).toBe(403);
      expect(await page.textContent('main')).toContain('kept by the front desk');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
