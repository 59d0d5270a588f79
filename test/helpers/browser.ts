// Real headless Chromium for browser tests: Debian's `chromium` package driven by playwright-core through its
// executable path (no browser is ever downloaded). `npm run setup` provisions it (scripts/ensure-chromium.sh);
// here it is only looked up, in the same order: PTFLOW_CHROMIUM, then `chromium`/`chromium-browser` on PATH.
// A missing browser fails the test with the command that provisions it; it never skips.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findOnPath } from '../../devtools/cli-provision.js';

export class ChromiumUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `${detail}\nThe browser tests need Chromium: run \`npm run setup\` (installs Debian's chromium package ` +
        `with apt-get), or set PTFLOW_CHROMIUM to a Chromium executable.`,
    );
    this.name = 'ChromiumUnavailableError';
  }
}

/** The Chromium executable the browser tests drive. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.PTFLOW_CHROMIUM;
  if (given) {
    try {
      fs.accessSync(given, fs.constants.X_OK);
      if (fs.statSync(given).isFile()) return given;
    } catch {
      // reported below
    }
    throw new ChromiumUnavailableError(`PTFLOW_CHROMIUM=${given} is not an executable file.`);
  }
  const found = findOnPath('chromium', env.PATH) ?? findOnPath('chromium-browser', env.PATH);
  if (!found) throw new ChromiumUnavailableError('No chromium or chromium-browser on PATH.');
  return found;
}

/** One headless browser (launch once per test file; a context per scenario keeps cookies apart). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    // Containers often run as root without a user namespace for the sandbox, and /dev/shm may be tiny.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations of the page (WCAG 2.x A/AA and best practices), by rule id. Throws
 * when axe checked next to nothing, so an empty answer always means a page that was really examined.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate<{ violations: { id: string; impact: string }[]; passes: unknown[] }>(
    'axe.run()',
  );
  if (result.passes.length <= 5)
    throw new Error(`axe checked almost nothing (${result.passes.length} passes)`);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}
