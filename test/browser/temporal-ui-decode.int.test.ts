// The Temporal Web UI decodes ptflow's encrypted payloads for signed-in staff only, tried in real headless
// Chromium (Debian's chromium, driven by playwright-core): a Temporal dev server with its Web UI, started like
// `ptflow dev` starts it (127.0.0.1 only, `--ui-codec-endpoint` at the API's /codec), the production-shaped API
// (buildApp, real PostgreSQL, the audit log), and an onboarding started with a patient's name in its input.
//   - With no session the workflow page shows the encoded payload (ciphertext), never the name, and /codec
//     answered 401 — also after the README's Codec Server clicks ("Include cross-origin credentials").
//   - After signing in as staff (the dev sign-in page, as in `ptflow dev`) the same page shows the name decoded,
//     the decode audited under that person.
//   - The UI's OIDC access token (`pass_access_token`): /codec verifies it against the IdP's JWKS, served here
//     over real HTTP, and audits each decode; a token of another issuer, audience or key is a 401.
import fs from 'node:fs';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { and, eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createOidcVerifier } from '../../api/auth/oidc.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { auditEvents } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF, seedDemoPractice } from '../../db/seed.js';
import { startDevServer, type DevServer } from '../../devtools/dev-server.js';
import { freePort } from '../../devtools/ports.js';
import { workflowId as processWorkflowId } from '../../domain/ids.js';
import { OnboardingInputSchema, type OnboardingInput } from '../../domain/onboarding/intake.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec.js';
import { launchChromium } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** The patient's family name: PHI that must appear decoded for staff only. */
const MARKER = `Zzdecodeq${randomBytes(3).toString('hex')}`;
const AUDIENCE = 'ptflow-api';
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let db: TestDatabase;
let temporal: DevServer;
let connection: Connection;
let app: FastifyInstance;
let jwks: http.Server;
let browser: Browser;
let apiUrl: string;
let uiUrl: string;
let issuer: string;
let signingKey: SigningKey;
let otherKey: SigningKey;
let wfId: string;
/** Base64 of the encrypted input payload as Temporal stores it (what the UI shows without the codec). */
let ciphertext: string;
let storedMetadata: Record<string, string>;

function onboardingInput(): OnboardingInput {
  return OnboardingInputSchema.parse({
    onboardingId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    clinicTimeZone: 'America/Chicago',
    patientTimeZone: 'America/Chicago',
    demographics: {
      given: ['Ada'],
      family: MARKER,
      birthDate: '1961-04-12',
      sex: 'female',
      phone: '3125550177',
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    coverages: [],
    evaluation: { acuity: 'chronic' },
    intakeFormLink: 'https://forms.example/intake',
    insuranceUpdateLink: 'https://forms.example/insurance',
  });
}

async function token(opts: { key?: SigningKey; iss?: string; aud?: string; expSeconds?: number } = {}) {
  return new SignJWT({ role: 'front_desk', practice_id: DEMO_PRACTICE_ID, amr: ['pwd', 'mfa'] })
    .setProtectedHeader({ alg: 'ES256', kid: opts.key === otherKey ? 'other' : 'idp-1' })
    .setSubject('ui-user-1')
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.expSeconds ?? 300))
    .sign(opts.key ?? signingKey);
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The workflow's page in the UI, its Input shown (decoded or not). */
async function openWorkflow(page: Page): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(wfId)}`);
  await expect
    .poll(() => page.getByText('Input', { exact: true }).count(), { timeout: 30_000 })
    .toBeGreaterThan(0);
}

/** Waits for the UI's next call to /codec/decode and returns its status. */
function nextDecode(page: Page): Promise<number> {
  return page
    .waitForResponse((r) => r.url() === `${apiUrl}/codec/decode` && r.request().method() === 'POST', {
      timeout: 30_000,
    })
    .then((r) => r.status());
}

/**
 * The README's clicks in the UI's Codec Server panel: "Use my browser setting and ignore Cluster-level
 * setting", the endpoint, "Include cross-origin credentials", Apply. The dev server's embedded UI has no flag for
 * includeCredentials (only --ui-codec-endpoint), so this is how the browser sends the session cookie to /codec.
 */
async function includeCredentials(page: Page): Promise<void> {
  await page
    .getByTestId(/^data-encoder-status/)
    .first()
    .click();
  await page.getByRole('button', { name: /Use Cluster-level setting/ }).click();
  await page.getByLabel('Use my browser setting and ignore Cluster-level setting.').check();
  // Fold the choice list again so the rest of the panel is not under the top bar.
  await page.getByRole('button', { name: /Use my browser setting/ }).click();
  await page.getByPlaceholder('Paste your endpoint here').fill(`${apiUrl}/codec`);
  await page.getByText('Include cross-origin credentials').click();
  await page.getByTestId('confirm-data-encoder-button').click();
}

/**
 * A dev server with its Web UI, flags as `ptflow dev` passes them. Its ports are chosen free a moment before it
 * binds them (and it picks internal ports of its own), so a start that loses a port race is retried once on
 * fresh ports; the first failure's log tail is kept in the error.
 */
async function startUiDevServer(runDir: string): Promise<DevServer> {
  let firstFailure = '';
  for (let attempt = 1; ; attempt++) {
    const [port, uiPort] = [await freePort(), await freePort()];
    const logFile = path.join(runDir, `temporal-ui-${port}.log`);
    try {
      return await startDevServer({
        cliPath: inject('temporalCliPath'),
        port,
        uiPort,
        // As `ptflow dev` sets it: the browser calls the API's codec endpoint.
        uiCodecEndpoint: `${apiUrl}/codec`,
        logFile,
        logLevel: 'error',
        readyTimeoutMs: 120_000,
      });
    } catch (err) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      if (attempt >= 2) {
        throw new Error(`${(err as Error).message}\n${firstFailure}\n${tail}`, { cause: err });
      }
      firstFailure = `first attempt: ${(err as Error).message}\n${tail}`;
    }
  }
}

beforeAll(async () => {
  const runDir = inject('runDir');
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;

  // The IdP's JWKS over real HTTP (createRemoteJWKSet fetches it), with one key; `otherKey` is unpublished.
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  jwks = http.createServer((req, res) => {
    if (req.url !== '/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  const jwksPort = await listen(jwks);
  issuer = `http://127.0.0.1:${jwksPort}`;

  const keyring = generateKeyring('ui-decode');
  const [database, server] = await Promise.all([createTestDatabase(), startUiDevServer(runDir)]);
  db = database;
  temporal = server;
  await seedDemoPractice(db.db);
  uiUrl = temporal.uiUrl!;
  connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: dataConverterFor(keyring) });

  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: client,
    readiness: {},
    cursorKey: randomBytes(32),
    oidc: createOidcVerifier({ issuer, audience: AUDIENCE, jwksUrl: `${issuer}/jwks.json` }),
    codec: { codec: new EncryptionCodec(keyring), allowedOrigin: uiUrl },
    // As `ptflow dev` configures it: the demo staff sign-in page.
    staffAuth: { cookieSecret: randomBytes(32), devSignIn: true },
  });
  await app.listen({ host: '127.0.0.1', port: apiPort });

  // An onboarding as the API starts it; no worker polls its queue, so its input stays the first event.
  const input = onboardingInput();
  wfId = processWorkflowId('onboarding', input.onboardingId);
  await client.workflow.start('patientOnboarding', {
    taskQueue: `nobody-${randomUUID()}`,
    workflowId: wfId,
    args: [input],
  });
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: wfId },
  });
  const stored = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  expect(Buffer.from(stored.data!).toString()).not.toContain(MARKER);
  ciphertext = Buffer.from(stored.data!).toString('base64');
  storedMetadata = Object.fromEntries(
    Object.entries(stored.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );

  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await connection?.close();
  await temporal?.stop();
  await new Promise((resolve) => (jwks ? jwks.close(resolve) : resolve(undefined)));
  await db?.drop();
});

/** Local addresses (ip:port) of the TCP sockets process `pid` listens on (Linux /proc). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set(
    fs
      .readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((i): i is string => i !== undefined),
  );
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st … inode; st 0A = LISTEN.
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      const [hexIp, hexPort] = cols[1]!.split(':') as [string, string];
      const ip =
        hexIp.length === 8
          ? Buffer.from(hexIp, 'hex').reverse().join('.')
          : hexIp === '00000000000000000000000000000000'
            ? '::'
            : hexIp;
      out.push(`${ip}:${parseInt(hexPort, 16)}`);
    }
  }
  return out;
}

describe('the dev server as `ptflow dev` starts it', () => {
  it('listens on 127.0.0.1 only: gRPC frontend, HTTP API, metrics and the Web UI', () => {
    const addresses = listeningAddresses(temporal.process.pid);
    expect(addresses).toContain(temporal.address);
    expect(addresses).toContain(new URL(uiUrl).host);
    for (const a of addresses) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('Temporal UI without a staff session', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
  });
  afterAll(() => context.close());

  it('shows the encoded payload, not the patient, and /codec answers 401', async () => {
    const decode = nextDecode(page);
    await openWorkflow(page);
    expect(await decode).toBe(401);
    // The UI falls back to the payload as stored: its base64 ciphertext (the first 40 characters suffice).
    await expect
      .poll(() => page.locator('body').innerText(), { timeout: 30_000 })
      .toContain(ciphertext.slice(0, 40));
    expect(await page.content()).not.toContain(MARKER);
  });

  it('stays ciphertext after "Include cross-origin credentials" as long as nobody signed in', async () => {
    await includeCredentials(page);
    const decode = nextDecode(page);
    await page.reload();
    expect(await decode).toBe(401);
    await expect
      .poll(() => page.locator('body').innerText(), { timeout: 30_000 })
      .toContain(ciphertext.slice(0, 40));
    expect(await page.content()).not.toContain(MARKER);
    // What the panel stored in the UI's origin (the browser's choice, not the cluster's).
    const stored = await page.evaluate(() => {
      // Runs in the page (the test's tsconfig has no DOM types).
      const storage = (globalThis as unknown as { localStorage: { getItem(k: string): string | null } })
        .localStorage;
      return {
        include: storage.getItem('includeCredentials'),
        override: storage.getItem('overrideRemoteCodecConfiguration'),
      };
    });
    expect(stored).toEqual({ include: 'true', override: 'true' });
  });
});

describe('Temporal UI for a signed-in staff member', () => {
  const frontDesk = DEMO_STAFF.find((s) => s.role === 'front_desk')!;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
  });
  afterAll(() => context.close());

  it('shows the decoded input after signing in, and audits the decode under that person', async () => {
    // The README's steps: sign in on the API, set the UI's Codec Server panel once, open the workflow.
    const signIn = await context.newPage();
    await signIn.goto(`${apiUrl}/auth/sign-in`);
    await signIn
      .getByRole('button', { name: `Sign in as ${frontDesk.displayName} (${frontDesk.role})` })
      .click();
    await signIn.waitForURL(`${apiUrl}/console**`);
    const cookies = await context.cookies(apiUrl);
    expect(cookies.find((c) => c.name === 'ptflow_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    await signIn.close();

    await openWorkflow(page);
    await includeCredentials(page);
    const decode = nextDecode(page);
    await page.reload();
    expect(await decode).toBe(200);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 30_000 }).toContain(MARKER);
    expect(await page.locator('body').innerText()).not.toContain(ciphertext.slice(0, 40));
    expect(await page.getByText('Codec Server could not connect').count()).toBe(0);

    const audited = await db.db
      .select({ role: auditEvents.actorRole, type: auditEvents.actorType })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.resourceType, 'temporal_payload'),
          eq(auditEvents.actorId, `user:${frontDesk.id}`),
          eq(auditEvents.action, 'R'),
          eq(auditEvents.outcome, 'success'),
        ),
      );
    expect(audited.length).toBeGreaterThan(0);
    expect(audited[0]).toEqual({ role: 'front_desk', type: 'user' });
  });

  it('refuses the session cookie from any origin but the UI (403, nothing decoded)', async () => {
    const cookie = (await context.cookies(apiUrl)).find((c) => c.name === 'ptflow_session')!;
    const res = await fetch(`${apiUrl}/codec/decode`, {
      method: 'POST',
      headers: {
        origin: 'http://127.0.0.1:9',
        cookie: `${cookie.name}=${cookie.value}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ payloads: [{ metadata: storedMetadata, data: ciphertext }] }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.text()).not.toContain(MARKER);
  });
});

describe("the UI's OIDC access token (pass_access_token) at /codec", () => {
  async function decodeWith(authorization: string | undefined) {
    return fetch(`${apiUrl}/codec/decode`, {
      method: 'POST',
      headers: {
        origin: uiUrl,
        'content-type': 'application/json',
        'x-namespace': 'default',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ payloads: [{ metadata: storedMetadata, data: ciphertext }] }),
    });
  }

  it('decodes for a token the JWKS verifies, with credentialed CORS for the UI origin, and audits it', async () => {
    const res = await decodeWith(`Bearer ${await token()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiUrl);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const body = (await res.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toContain(MARKER);
    await expect
      .poll(
        async () =>
          (
            await db.db
              .select({ id: auditEvents.id })
              .from(auditEvents)
              .where(
                and(
                  eq(auditEvents.resourceType, 'temporal_payload'),
                  eq(auditEvents.actorId, 'user:ui-user-1'),
                  eq(auditEvents.action, 'R'),
                  eq(auditEvents.outcome, 'success'),
                ),
              )
          ).length,
        { timeout: 10_000 },
      )
      .toBe(1);
  });

  it('answers the preflight for the headers the UI sends with a token', async () => {
    const res = await fetch(`${apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: uiUrl,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,authorization-extras,content-type,x-namespace',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiUrl);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization-extras');
  });

  it('refuses a token of another key, issuer or audience, an expired one, and none, with a 401 and no data', async () => {
    const bad = [
      await token({ key: otherKey }),
      await token({ iss: 'https://idp.elsewhere.example' }),
      await token({ aud: 'another-api' }),
      await token({ expSeconds: -120 }),
    ];
    for (const t of [...bad.map((b) => `Bearer ${b}`), undefined]) {
      const res = await decodeWith(t);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(Buffer.from(MARKER).toString('base64').slice(0, 8));
    }
  });
});
