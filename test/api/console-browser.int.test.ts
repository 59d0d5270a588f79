// The console's worklist and task page in real headless Chromium (Debian's package via playwright-core, see
// test/helpers/browser.ts): a front-desk person signs in, opens the worklist, and completes a verify-by-phone task
// with the keyboard alone; the task's workflow ends completed with the answer given; axe-core finds no serious or
// critical violation on the worklist or the task page, and the pages load under their CSP with no violation.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { freePort } from '../../devtools/ports.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { launchChromium, seriousAxeViolations } from '../helpers/browser.js';
import { startApiStack, until, type ApiStack } from './stack.js';

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
});
