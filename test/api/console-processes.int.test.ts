// The console's process pages and daily lists on the real stack (PostgreSQL, the Temporal dev server, a worker,
// the production app), signed in through the `ptflow dev` sign-in: a claim held for a missing referring provider
// is on "claims held" with its reason, and its page shows state, timeline, the open fix task and the Temporal UI
// link; another practice's staff get the 404 page; an admin's page shows operational metadata only (until
// break-glass, which is audited); a role the REST route refuses gets the 403 page. Then in headless Chromium:
// no serious or critical axe-core violation on a process page and a list page, and their links by keyboard;
// then every console page kind (home, lists index and each list, processes, a page of each of the four process
// kinds), as the admin and as the role each page is for: no serious or critical axe violation, and every link,
// button and field in the page reached by Tab alone.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimIdFor } from '../../activities/shared/derived-ids.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../../db/seed.js';
import { staffMembers } from '../../db/schema.js';
import { freePort } from '../../devtools/ports.js';
import { launchChromium, seriousAxeViolations } from '../helpers/browser.js';
import { devSignInForm, InjectBrowser } from './staff-browser.js';
import {
  authorizationBody,
  onboardingBody,
  planOfCareBody,
  OTHER_PRACTICE_ID,
  startApiStack,
  type ApiStack,
} from './stack.js';

const OTHER_BILLER = '00000000-0000-4000-8000-0000000004dd';
const MEMBER_ID = `SBX-HELD-${randomUUID().slice(0, 8)}`;
let stack: ApiStack;
let claimId: string;
let taskId: string;

const label = (role: string) => {
  const s = DEMO_STAFF.find((p) => p.role === role)!;
  return `${s.displayName} (${s.role})`;
};

async function signIn(buttonLabel: string): Promise<InjectBrowser> {
  const browser = new InjectBrowser(stack.app);
  const page = await browser.get('/auth/sign-in');
  expect(page.statusCode).toBe(200);
  const res = await browser.request('POST', '/auth/dev/sign-in', {
    form: devSignInForm(page.body, buttonLabel),
  });
  expect(res.statusCode).toBe(303);
  return browser;
}

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  await stack.db.db.insert(staffMembers).values({
    id: OTHER_BILLER,
    practiceId: OTHER_PRACTICE_ID,
    displayName: 'Oscar Other',
    role: 'biller',
  });
  // A Medicare claim with everything but the referring provider: the scrubber holds it.
  const visitId = randomUUID();
  const start = await stack.app.inject({
    method: 'POST',
    url: '/v1/claims',
    headers: { ...stack.auth.own.biller, 'idempotency-key': randomUUID() },
    payload: {
      patientId: randomUUID(),
      kxAccruedAllowedCents: 300_000,
      visit: {
        id: visitId,
        payerId: 'medicare-part-b',
        dos: new Date().toISOString().slice(0, 10),
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
          memberId: MEMBER_ID,
          lastName: 'DOE',
          firstName: 'JANE',
          address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
        },
      },
    },
  });
  expect(start.statusCode, start.body).toBe(202);
  claimId = claimIdFor(DEMO_PRACTICE_ID, visitId);
  // Held, and its fix task is in the worklist.
  for (let i = 0; i < 150; i++) {
    const rows = await stack.db.sql<{ id: string }[]>`
      select id from tasks where workflow_id = ${`claim:${claimId}`} and kind = 'fix_claim' and status = 'open'`;
    if (rows[0]) {
      taskId = rows[0].id;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(taskId).toBeDefined();
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

describe('claims held and the claim page', () => {
  it("a biller sees the held claim on 'claims held' with its reason, and its page", async () => {
    const biller = await signIn(label('biller'));
    const list = await biller.get('/console/lists/claims-held');
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-security-policy']).toContain("default-src 'none'");
    expect(list.body).toContain('<title>Claims held · ptflow console</title>');
    const row = list.body.slice(list.body.indexOf(`/console/processes/claim/${claimId}`));
    expect(row).toContain('referring provider missing');
    expect(row).toContain(`/console/tasks/${taskId}`);

    const page = await biller.get(`/console/processes/claim/${claimId}`);
    expect(page.statusCode).toBe(200);
    // No PHI in the title: a fixed word.
    expect(page.body).toContain('<title>Claim · ptflow console</title>');
    expect(page.body).toContain('<strong class="state">needs correction</strong>');
    expect(page.body).toContain('Held because</dt><dd>referring provider missing');
    expect(page.body).toMatch(
      /<ol class="timeline"><li><time datetime="[^"]+">[^<]+<\/time> · Started<\/li><li>/,
    );
    expect(page.body).toContain('A correction of the held claim');
    expect(page.body).toContain(`<a href="/console/tasks/${taskId}">`);
    expect(page.body).toContain(
      `href="http://127.0.0.1:8233/namespaces/${stack.temporal.client.options.namespace}/workflows/claim%3A${claimId}"`,
    );
    // Dates in the practice's time zone (the demo practice is in America/Chicago: CST or CDT).
    expect(page.body).toMatch(/<time datetime="[^"]+">[^<]+ C[SD]T<\/time> · Started/);
    expect(page.body).not.toContain(MEMBER_ID);
    expect(page.body).not.toContain('DOE');
    // The processes page lists it (running claims) and links to the page.
    const processes = await biller.get('/console/processes?kind=claim');
    expect(processes.statusCode).toBe(200);
    expect(processes.body).toContain(`href="/console/processes/claim/${claimId}"`);
    expect(processes.body).toContain('<option value="claim" selected>');
    // The read is audited like the REST status route's.
    const reads = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where resource_type = 'claim' and action = 'R' and resource_id = ${claimId} and actor_id like 'user:%'`;
    expect(reads[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it("another practice's biller gets the 404 page and an empty list", async () => {
    const other = await signIn('Oscar Other (biller)');
    const page = await other.get(`/console/processes/claim/${claimId}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('<title>Not found · ptflow console</title>');
    expect(page.body).not.toContain('needs correction');
    const list = await other.get('/console/lists/claims-held');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(claimId);
    expect(list.body).toContain('None today.');
  });

  it('an admin sees operational metadata only; break-glass shows the full view and is audited', async () => {
    const admin = await signIn(label('admin'));
    const page = await admin.get(`/console/processes/claim/${claimId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong class="state">needs correction</strong>');
    expect(page.body).toContain('/workflows/claim%3A');
    for (const hidden of [
      'referring provider',
      'REFERRING_PROVIDER',
      'decisions',
      'lines',
      '97110',
      MEMBER_ID,
      'DOE',
    ]) {
      expect(page.body).not.toContain(hidden);
    }
    const list = await admin.get('/console/lists/claims-held');
    expect(list.body).toContain(`/console/processes/claim/${claimId}`);
    expect(list.body).toContain('not shown to your role');
    expect(list.body).not.toContain('referring provider missing');

    const adminStaff = DEMO_STAFF.find((s) => s.role === 'admin')!;
    const grant = await stack.breakGlass({
      id: `user:${adminStaff.id}`,
      type: 'user',
      role: 'admin',
      amr: ['dev'],
    });
    const full = await admin.get(`/console/processes/claim/${claimId}`);
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('Break-glass access');
    expect(full.body).toContain('referring provider missing');
    const disclosures = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where resource_type = 'break_glass_disclosure' and resource_id = ${`${grant.id}|.console.processes.claim.:id`}`;
    expect(disclosures[0]!.n).toBe(1);
  });

  it('a role the REST status route refuses gets the 403 page; unknown kinds and ids are 404', async () => {
    const desk = await signIn(label('front_desk'));
    const page = await desk.get(`/console/processes/claim/${claimId}`);
    expect(page.statusCode).toBe(403);
    expect(page.body).not.toContain('needs correction');
    expect((await desk.get('/console/lists/claims-held')).statusCode).toBe(403);
    expect((await desk.get(`/console/processes/nope/${claimId}`)).statusCode).toBe(404);
    expect((await desk.get('/console/processes/onboarding/not-a-uuid')).statusCode).toBe(404);
    expect((await desk.get(`/console/processes/onboarding/${randomUUID()}`)).statusCode).toBe(404);
    const lists = await desk.get('/console/lists');
    expect(lists.body).toContain('/console/lists/intake-forms-missing');
    expect(lists.body).toContain('/console/lists/authorizations-expiring');
    expect(lists.body).not.toContain('/console/lists/claims-held');
    for (const name of ['intake-forms-missing', 'authorizations-expiring']) {
      expect((await desk.get(`/console/lists/${name}`)).statusCode).toBe(200);
    }
  });
});

describe('authorizations expiring', () => {
  it('lists an authorization with 2 visits left and one ending within 7 days, each with why', async () => {
    const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const start = async (decision: object) => {
      const res = await stack.app.inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: { ...stack.auth.own.front_desk, 'idempotency-key': randomUUID() },
        payload: authorizationBody(),
      });
      expect(res.statusCode, res.body).toBe(202);
      const id = res.json<{ id: string }>().id;
      const decided = await stack.app.inject({
        method: 'POST',
        url: `/v1/authorizations/${id}/decision`,
        headers: { ...stack.auth.own.front_desk, 'idempotency-key': randomUUID() },
        payload: decision,
      });
      expect(decided.statusCode, decided.body).toBe(202);
      return id;
    };
    const fewVisits = await start({
      outcome: 'approved',
      authNumber: 'A-1',
      visitsAuthorized: 2,
      endDate: days(60),
    });
    const endingSoon = await start({
      outcome: 'approved',
      authNumber: 'A-2',
      visitsAuthorized: 12,
      endDate: days(5),
    });
    const later = await start({
      outcome: 'approved',
      authNumber: 'A-3',
      visitsAuthorized: 12,
      endDate: days(60),
    });
    const desk = await signIn(label('front_desk'));
    let body = '';
    for (let i = 0; i < 50; i++) {
      body = (await desk.get('/console/lists/authorizations-expiring')).body;
      if (body.includes(fewVisits) && body.includes(endingSoon)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rowOf = (id: string) => {
      const at = body.indexOf(`/console/processes/authorization/${id}`);
      return at < 0 ? '' : body.slice(at, body.indexOf('</tr>', at));
    };
    expect(rowOf(fewVisits)).toContain('2 visits or fewer left');
    expect(rowOf(endingSoon)).toContain('ends within 7 days');
    expect(rowOf(later)).toBe('');
    // Its page: state, what it waits for, the Temporal UI link.
    const page = await desk.get(`/console/processes/authorization/${endingSoon}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/workflows/auth%3A${endingSoon}`);
    expect(page.body).toContain('<h2>Waits for</h2>');
  });
});

describe('onboarding and plan-of-care pages', () => {
  it('an onboarding is on "intake forms missing" and has a page; a plan of care has a page for the therapist', async () => {
    const post = async (url: string, role: 'front_desk' | 'therapist', payload: object) => {
      const res = await stack.app.inject({
        method: 'POST',
        url,
        headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
        payload,
      });
      expect(res.statusCode, res.body).toBe(202);
      return res.json<{ id: string }>().id;
    };
    const onboarding = await post('/v1/onboardings', 'front_desk', onboardingBody());
    const episode = await post('/v1/plans-of-care', 'therapist', planOfCareBody());
    const desk = await signIn(label('front_desk'));
    let list = '';
    for (let i = 0; i < 50 && !list.includes(onboarding); i++) {
      list = (await desk.get('/console/lists/intake-forms-missing')).body;
      if (!list.includes(onboarding)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(list).toContain(`/console/processes/onboarding/${onboarding}`);
    const page = await desk.get(`/console/processes/onboarding/${onboarding}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Onboarding · ptflow console</title>');
    expect(page.body).toContain('Intake forms');
    // The intake's name and e-mail never reach the page (the status view carries no demographics).
    for (const phi of ['Rivera', 'ana.rivera', '1961-02-03']) expect(page.body).not.toContain(phi);

    const therapist = await signIn(label('therapist'));
    const poc = await therapist.get(`/console/processes/plan-of-care/${episode}`);
    expect(poc.statusCode).toBe(200);
    expect(poc.body).toContain('Certification:');
    expect(poc.body).toContain(`/workflows/poc%3A${episode}`);
    expect((await therapist.get('/console/lists/progress-reports-due')).statusCode).toBe(200);
    // The therapist may not read onboardings (the REST route's roles): 403 page.
    expect((await therapist.get(`/console/processes/onboarding/${onboarding}`)).statusCode).toBe(403);
  });
});

describe('console process and list pages in Chromium', () => {
  let browser: Browser;
  let api: string;
  beforeAll(async () => {
    const port = await freePort();
    await stack.app.listen({ host: '127.0.0.1', port });
    api = `http://localhost:${port}`;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Tabs until the focused element's text starts with `name` (at most 60 presses); returns its href. */
  async function tabTo(page: Page, name: string): Promise<string> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
      if (focused.startsWith(name))
        return page.evaluate<string>("document.activeElement?.getAttribute('href') ?? ''");
    }
    throw new Error(`"${name}" is not reachable with Tab`);
  }

  it('a list page and a claim page: no serious or critical axe violations, links reachable by keyboard', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent('/console/lists/claims-held')}`);
      await page.getByRole('button', { name: `Sign in as ${label('biller')}` }).focus();
      await Promise.all([page.waitForURL(`${api}/console/lists/claims-held`), page.keyboard.press('Enter')]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.goto(`${api}/console/processes`);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.goto(`${api}/console/lists/claims-held`);
      // Every row's process link, by keyboard, opens the claim page.
      expect(await tabTo(page, claimId.slice(0, 8))).toBe(`/console/processes/claim/${claimId}`);
      await Promise.all([
        page.waitForURL(`${api}/console/processes/claim/${claimId}`),
        page.keyboard.press('Enter'),
      ]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Claim');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(await tabTo(page, 'Claim needs correction')).toBe(`/console/tasks/${taskId}`);
      expect(await tabTo(page, 'Open this workflow in the Temporal UI')).toContain(
        `/workflows/claim%3A${claimId}`,
      );
      // Nothing in browser storage.
      expect(await page.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
    } finally {
      await context.close();
    }
  });

  /**
   * The links, buttons and fields of the page that Tab never reaches (pressing Tab through the whole page once
   * more than it has focusable elements). Empty means every action is reachable by keyboard.
   */
  async function unreachableByTab(page: Page): Promise<string[]> {
    const count = await page.evaluate<number>(`(() => {
      const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')];
      all.forEach((e, i) => e.setAttribute('data-kb', String(i)));
      return all.length;
    })()`);
    expect(count).toBeGreaterThan(0);
    const reached = new Set<string>();
    await page.evaluate('document.activeElement?.blur()');
    for (let i = 0; i < count + 3; i++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate<string | null>(
        "document.activeElement?.getAttribute('data-kb') ?? null",
      );
      if (at !== null) reached.add(at);
    }
    return page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-kb]')].filter((e) => !${JSON.stringify([...reached])}.includes(e.getAttribute('data-kb'))).map((e) => e.outerHTML.slice(0, 80))`,
    );
  }

  it('every console page kind: no serious or critical axe violation, every action reachable by Tab', async () => {
    const post = async (url: string, role: 'front_desk' | 'therapist', payload: object) => {
      const res = await stack.app.inject({
        method: 'POST',
        url,
        headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
        payload,
      });
      expect(res.statusCode, res.body).toBe(202);
      return res.json<{ id: string }>().id;
    };
    const onboarding = await post('/v1/onboardings', 'front_desk', onboardingBody());
    const authorization = await post('/v1/authorizations', 'front_desk', authorizationBody());
    const episode = await post('/v1/plans-of-care', 'therapist', planOfCareBody());
    const lists = [
      'claims-held',
      'denials',
      'authorizations-expiring',
      'progress-reports-due',
      'intake-forms-missing',
    ].map((n) => `/console/lists/${n}`);
    const pages: Record<string, string[]> = {
      admin: [
        '/console',
        '/console/worklist',
        '/console/processes',
        '/console/lists',
        ...lists,
        `/console/processes/claim/${claimId}`,
        `/console/processes/onboarding/${onboarding}`,
        `/console/processes/authorization/${authorization}`,
        `/console/processes/plan-of-care/${episode}`,
      ],
      front_desk: [
        '/console',
        '/console/lists/intake-forms-missing',
        '/console/lists/authorizations-expiring',
        `/console/processes/onboarding/${onboarding}`,
        `/console/processes/authorization/${authorization}`,
      ],
      therapist: ['/console/lists/progress-reports-due', `/console/processes/plan-of-care/${episode}`],
      biller: ['/console/lists/denials', `/console/tasks/${taskId}`],
    };
    for (const [role, urls] of Object.entries(pages)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent(urls[0]!)}`);
        await Promise.all([
          page.waitForURL(`${api}${urls[0]}`),
          page.getByRole('button', { name: `Sign in as ${label(role)}` }).click(),
        ]);
        for (const url of urls) {
          const res = await page.goto(`${api}${url}`);
          expect(res?.status(), `${role} ${url}`).toBe(200);
          expect(await seriousAxeViolations(page), `${role} ${url}`).toEqual([]);
          expect(await unreachableByTab(page), `${role} ${url}`).toEqual([]);
        }
      } finally {
        await context.close();
      }
    }
  });
});
