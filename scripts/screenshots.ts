// `npm run screenshots`: regenerates the console screenshots of the README (docs/screenshots/) from a real run.
// Starts `ptflow dev` on free ports with a throw-away data directory (embedded PostgreSQL, the Temporal dev server
// and its Web UI, worker, sandbox payer, the API with the demo staff sign-in and the codec), starts a claim held
// for a missing referring provider through the REST API (demo data only: the sandbox's made-up patient), then in
// headless Chromium (Debian's chromium through playwright-core, found like the browser tests find it: PTFLOW_CHROMIUM,
// else `chromium`/`chromium-browser` on PATH) signs in as the demo biller through the dev sign-in page and takes
//   worklist.png              /console/worklist
//   claim.png                 the held claim's page /console/processes/claim/<id>
//   temporal-ui-decoded.png   the claim's workflow page in the Temporal UI, payloads decoded for the signed-in person
// then signs in as the demo admin and takes the first-run setup wizard (api/routes/console-setup.ts):
//   setup.png                 /console/setup, where the demo practice's setup stands
//   setup-fee-schedule.png    /console/setup/fee-schedule after uploading a CSV with two bad rows (nothing imported)
// and stops everything it started (Ctrl-C included): `ptflow dev` shuts its servers down on SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { claimIdFor } from '../activities/shared/derived-ids.js';
import { createApiKey } from '../api/auth/api-keys.js';
import { loadConfig } from '../cli/config.js';
import { databaseUrl } from '../cli/database.js';
import { connectDb } from '../db/connection.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../db/seed.js';
import { findOnPath } from '../devtools/cli-provision.js';
import { freePort } from '../devtools/ports.js';

const OUT_DIR = path.resolve('docs/screenshots');
const log = (line: string) => process.stdout.write(`screenshots: ${line}\n`);

function chromiumExecutable(): string {
  const given = process.env.PTFLOW_CHROMIUM;
  if (given) return given;
  const found = findOnPath('chromium') ?? findOnPath('chromium-browser');
  if (!found)
    throw new Error('No chromium on PATH: run `npm run setup` (Debian chromium) or set PTFLOW_CHROMIUM.');
  return found;
}

interface Dev {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** `ptflow dev` in a child process; resolves once it prints that it is running. */
async function startDev(env: NodeJS.ProcessEnv): Promise<Dev> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'dev'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (!out.includes('ptflow is running')) {
    if (child.exitCode !== null)
      throw new Error(`ptflow dev exited (${child.exitCode}):\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`ptflow dev did not start in 4 minutes:\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, exited, output: () => out };
}

async function stopDev(dev: Dev): Promise<void> {
  if (dev.child.exitCode !== null) return;
  dev.child.kill('SIGINT');
  const timer = setTimeout(() => dev.child.kill('SIGKILL'), 60_000);
  await dev.exited;
  clearTimeout(timer);
}

/** Starts a Medicare claim with everything but the referring provider (the scrubber holds it) and waits for it. */
async function heldClaim(apiUrl: string, apiKey: string, sql: ReturnType<typeof connectDb>['sql']) {
  const visitId = randomUUID();
  const res = await fetch(`${apiUrl}/v1/claims`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'idempotency-key': randomUUID(),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
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
          memberId: `SBX-DEMO-${randomUUID().slice(0, 8)}`,
          lastName: 'DOE',
          firstName: 'JANE',
          address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
        },
      },
    }),
  });
  if (res.status !== 202) throw new Error(`POST /v1/claims: ${res.status} ${await res.text()}`);
  const claimId = claimIdFor(DEMO_PRACTICE_ID, visitId);
  for (let i = 0; i < 300; i++) {
    const rows = await sql<{ id: string }[]>`
      select id from tasks where workflow_id = ${`claim:${claimId}`} and kind = 'fix_claim' and status = 'open'`;
    if (rows[0]) return claimId;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the claim was not held within a minute');
}

async function until(ok: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Signs in as the demo person of `role` through the dev sign-in page. */
async function signIn(page: Page, apiUrl: string, role: string): Promise<void> {
  const staff = DEMO_STAFF.find((s) => s.role === role)!;
  await page.goto(`${apiUrl}/auth/sign-in`);
  await page.getByRole('button', { name: `Sign in as ${staff.displayName} (${staff.role})` }).click();
  await page.waitForURL(`${apiUrl}/console**`);
}

/** The README's clicks in the UI's Codec Server panel, so the browser sends the session cookie to /codec. */
async function includeCredentials(page: Page, apiUrl: string): Promise<void> {
  await page
    .getByTestId(/^data-encoder-status/)
    .first()
    .click();
  await page.getByRole('button', { name: /Use Cluster-level setting/ }).click();
  await page.getByLabel('Use my browser setting and ignore Cluster-level setting.').check();
  await page.getByRole('button', { name: /Use my browser setting/ }).click();
  await page.getByPlaceholder('Paste your endpoint here').fill(`${apiUrl}/codec`);
  await page.getByText('Include cross-origin credentials').click();
  await page.getByTestId('confirm-data-encoder-button').click();
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-screenshots-'));
  const [port, temporalPort, uiPort, payerPort, pgPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PTFLOW_DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    SANDBOX_PAYER_PORT: String(payerPort),
    PG_PORT: String(pgPort),
    PTFLOW_SCHEDULES: 'off',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_UI_ORIGIN;
  const apiUrl = `http://127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  let dev: Dev | undefined;
  let browser: Browser | undefined;
  let handle: ReturnType<typeof connectDb> | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await handle?.close().catch(() => undefined);
    if (dev) await stopDev(dev);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    log(`starting ptflow dev (data in ${dataDir})…`);
    dev = await startDev(env);
    handle = connectDb(databaseUrl(loadConfig(env)), { max: 2 });
    const key = await createApiKey(handle.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'biller',
      label: 'screenshots',
    });
    log('starting a claim held for a missing referring provider…');
    const claimId = await heldClaim(apiUrl, key.key, handle.sql);

    browser = await chromium.launch({
      executablePath: chromiumExecutable(),
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
      timeout: 60_000,
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    fs.mkdirSync(OUT_DIR, { recursive: true });
    await signIn(page, apiUrl, 'biller');

    await page.goto(`${apiUrl}/console/worklist`);
    await page.screenshot({ path: path.join(OUT_DIR, 'worklist.png'), fullPage: true });
    log('docs/screenshots/worklist.png');

    await page.goto(`${apiUrl}/console/processes/claim/${claimId}`);
    await page.screenshot({ path: path.join(OUT_DIR, 'claim.png'), fullPage: true });
    log('docs/screenshots/claim.png');

    const wfUrl = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(`claim:${claimId}`)}`;
    await page.goto(wfUrl);
    await until(
      async () => (await page.getByText('Input', { exact: true }).count()) > 0,
      'the workflow page',
    );
    await includeCredentials(page, apiUrl);
    const decoded = page.waitForResponse(
      (r) => r.url() === `${apiUrl}/codec/decode` && r.request().method() === 'POST' && r.status() === 200,
      { timeout: 60_000 },
    );
    await page.reload();
    await decoded;
    // The decoded input names the visit's procedure code; wait for it before the picture.
    await until(async () => (await page.locator('body').innerText()).includes('97110'), 'the decoded input');
    await page.screenshot({ path: path.join(OUT_DIR, 'temporal-ui-decoded.png') });
    log('docs/screenshots/temporal-ui-decoded.png');

    const adminContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const admin = await adminContext.newPage();
    await signIn(admin, apiUrl, 'admin');
    await admin.goto(`${apiUrl}/console/setup`);
    await admin.screenshot({ path: path.join(OUT_DIR, 'setup.png'), fullPage: true });
    log('docs/screenshots/setup.png');
    await admin.goto(`${apiUrl}/console/setup/fee-schedule`);
    await admin.getByLabel('Applies to (required)').selectOption('*');
    await admin.fill('#s-effectiveFrom', '2027-01-01');
    await admin.setInputFiles('#s-file', {
      name: 'fees.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('code,charge\n97110,45.00\n97140,abc\n9711X,30.00\n'),
    });
    await Promise.all([
      admin.waitForLoadState('load'),
      admin.getByRole('button', { name: 'Import fee schedule' }).click(),
    ]);
    await admin.locator('#s-file-details').waitFor();
    await admin.screenshot({ path: path.join(OUT_DIR, 'setup-fee-schedule.png'), fullPage: true });
    log('docs/screenshots/setup-fee-schedule.png');
  } finally {
    await stop();
    log('stopped everything it started');
  }
}

await main();
