// The shared fixture of console tests: the real API stack (PostgreSQL, the Temporal dev server, a worker, the
// production app) with the `ptflow dev` staff sign-in, listening on a free loopback port; staff added to any
// practice; sign-in through the sign-in page's buttons, over inject (InjectBrowser) or in real Chromium; and the
// keyboard helpers of the browser tests. New console tests start here instead of copying the setup again.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { staffMembers } from '../../db/schema.js';
import { DEMO_STAFF } from '../../db/seed.js';
import { freePort } from '../../devtools/ports.js';
import { launchChromium } from '../helpers/browser.js';
import { startApiStack, type ApiStack } from './stack.js';
import { devSignInForm, InjectBrowser } from './staff-browser.js';

export interface StaffPerson {
  id: string;
  displayName: string;
  role: 'admin' | 'front_desk' | 'therapist' | 'biller';
  /** The sign-in page's button text after "Sign in as ". */
  label: string;
}

export interface ConsoleFixture {
  stack: ApiStack;
  /** The API's base URL (http://localhost:<port>): for Chromium. */
  api: string;
  /** Headless Chromium, when started with `{ chromium: true }`. */
  browser?: Browser;
  /** The demo practice's person of a role. */
  demo(role: StaffPerson['role']): StaffPerson;
  /** Adds a staff member to a practice (the sign-in page then offers them). */
  addStaff(practiceId: string, role: StaffPerson['role'], displayName: string): Promise<StaffPerson>;
  /** Signs `person` in through the dev sign-in page over inject; the returned browser keeps the cookies. */
  signIn(person: StaffPerson): Promise<InjectBrowser>;
  /** Signs `person` in by the sign-in page's button in a fresh Chromium context, landing on `path`. */
  signInChromium(person: StaffPerson, path: string): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Starts the stack (and Chromium when asked). Call in `beforeAll` (allow ~3 minutes). */
export async function startConsoleFixture(opts: { chromium?: boolean } = {}): Promise<ConsoleFixture> {
  const stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  const port = await freePort();
  await stack.app.listen({ host: '127.0.0.1', port });
  const api = `http://localhost:${port}`;
  const browser = opts.chromium ? await launchChromium() : undefined;
  const person = (s: { id: string; displayName: string; role: string }): StaffPerson => ({
    id: s.id,
    displayName: s.displayName,
    role: s.role as StaffPerson['role'],
    label: `${s.displayName} (${s.role})`,
  });
  return {
    stack,
    api,
    ...(browser ? { browser } : {}),
    demo: (role) => person(DEMO_STAFF.find((s) => s.role === role)!),
    async addStaff(practiceId, role, displayName) {
      const id = randomUUID();
      await stack.db.db.insert(staffMembers).values({ id, practiceId, role, displayName });
      return person({ id, displayName, role });
    },
    async signIn(who) {
      const b = new InjectBrowser(stack.app);
      const page = await b.get('/auth/sign-in');
      expect(page.statusCode).toBe(200);
      const res = await b.request('POST', '/auth/dev/sign-in', { form: devSignInForm(page.body, who.label) });
      expect(res.statusCode).toBe(303);
      return b;
    },
    async signInChromium(who, path) {
      if (!browser) throw new Error('start the fixture with { chromium: true }');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${api}/auth/sign-in?returnTo=${encodeURIComponent(path)}`);
      await Promise.all([
        page.waitForURL(`${api}${path}`),
        page.getByRole('button', { name: `Sign in as ${who.label}` }).click(),
      ]);
      return { context, page };
    },
    async close() {
      await browser?.close();
      await stack.close();
    },
  };
}

/** Presses Tab until `test` (a page-side expression on the focused element `e`) is true; fails if never. */
export async function tabUntil(page: Page, test: string, what: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate<boolean>(`(() => { const e = document.activeElement; return !!e && (${test}); })()`)
    )
      return;
  }
  throw new Error(`${what} is not reachable with Tab`);
}

/** Tabs to the element whose id is `id`. */
export const tabToId = (page: Page, id: string) => tabUntil(page, `e.id === ${JSON.stringify(id)}`, `#${id}`);

/** Tabs to the link or button whose text is `text`. */
export const tabToText = (page: Page, text: string) =>
  tabUntil(page, `e.textContent.trim() === ${JSON.stringify(text)}`, `"${text}"`);
