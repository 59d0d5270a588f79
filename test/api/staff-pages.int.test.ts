// The staff sign-in pages in a real browser (Debian's headless Chromium driven by playwright-core; browsers
// cannot be downloaded here; test/helpers/browser.ts finds it): the dev sign-in page and the console
// landing page have no serious or critical axe-core violations, load under their CSP with no violation (the
// stylesheet applies, no script runs), and a person signs in and out with the keyboard alone. The cookie the
// browser holds is HttpOnly (invisible to page scripts) and SameSite=Lax.
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../api/auth/session.js';
import { freePort } from '../../devtools/ports.js';
import { launchChromium, seriousAxeViolations } from '../helpers/browser.js';
import { startApiStack, type ApiStack } from './stack.js';

let stack: ApiStack;
let browser: Browser;
let api: string;

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  const port = await freePort();
  await stack.app.listen({ host: '127.0.0.1', port });
  // `localhost`: the cookie is not Secure there, as on a developer's machine.
  api = `http://localhost:${port}`;
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Presses Tab until the focused element's text is `name` (at most 30 times); fails if never. */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    // Page-side expressions are strings: the project compiles without the DOM library.
    const focused = await page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
    if (focused === name) return;
  }
  throw new Error(`"${name}" is not reachable with Tab`);
}

describe('staff sign-in pages in Chromium', () => {
  it('sign in and out by keyboard, accessible pages, no CSP violation, HttpOnly Lax cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      await page.goto(`${api}/auth/sign-in`);
      expect(await page.title()).toBe('Sign in · ptflow');
      for (const label of [
        'Morgan Reyes (admin)',
        'Jordan Bell (front_desk)',
        'Dana Whitfield (therapist)',
        'Priya Shah (biller)',
      ]) {
        await expect(page.getByRole('button', { name: `Sign in as ${label}` }).count()).resolves.toBe(1);
      }
      // The stylesheet applied under the page CSP (the header bar is coloured).
      const bar = await page.evaluate<string>(
        "getComputedStyle(document.querySelector('.bar')).backgroundColor",
      );
      expect(bar).toBe('rgb(31, 58, 95)');
      expect(await seriousAxeViolations(page)).toEqual([]);

      await tabTo(page, 'Sign in as Jordan Bell (front_desk)');
      await Promise.all([page.waitForURL(`${api}/console`), page.keyboard.press('Enter')]);
      expect(await page.title()).toBe('Staff console · ptflow');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Staff console');
      expect(await page.textContent('main')).toContain('Jordan Bell');
      expect(await seriousAxeViolations(page)).toEqual([]);

      const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(await page.evaluate<string>('document.cookie')).not.toContain(SESSION_COOKIE);

      await tabTo(page, 'Sign out');
      await Promise.all([page.waitForURL(`${api}/auth/sign-in`), page.keyboard.press('Enter')]);
      expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      await page.goto(`${api}/console`);
      expect(new URL(page.url()).pathname).toBe('/auth/sign-in');
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
