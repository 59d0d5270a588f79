// Staff sign-in through a REAL OpenID Provider (`oidc-provider`, in-process, over HTTP on a free port) and the
// API over real HTTP: the whole authorization-code + PKCE flow with fetch and manual redirects, then the session
// on the API (roles, tenancy, CSRF, break-glass with the IdP's second factor), sign-out, rotation, and every
// failed attempt (bad state, missing state, wrong PKCE verifier, unknown user, disabled staff, IdP refusal)
// refused and written on the audit hash chain without a code, state, verifier or claim value in it.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../api/auth/session.js';
import { OIDC_PENDING_COOKIE } from '../../api/routes/staff-auth.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { staffMembers } from '../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { freePort } from '../../devtools/ports.js';
import { startTestIdp, type TestIdp } from '../helpers/oidc-idp.js';
import { hiddenValue, HttpBrowser } from './staff-browser.js';
import { startApiStack, type ApiStack } from './stack.js';

let stack: ApiStack;
let idp: TestIdp;
let api: string;
let redirectUri: string;

beforeAll(async () => {
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  redirectUri = `${api}/auth/oidc/callback`;
  idp = await startTestIdp(redirectUri);
  stack = await startApiStack({
    staffAuth: {
      cookieSecret: randomBytes(32),
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUri,
        scope: 'openid profile',
        allowHttp: true,
      },
    },
  });
  await stack.app.listen({ host: '127.0.0.1', port });
  idp.accounts.set('therapist-1', {
    claims: { practice_id: DEMO_PRACTICE_ID, role: 'therapist', name: 'Theo Therapist' },
  });
  idp.accounts.set('desk-1', {
    claims: { practice_id: DEMO_PRACTICE_ID, role: 'front_desk', name: 'Dee Desk' },
  });
  // Known to the IdP, but with no ptflow practice or role anywhere.
  idp.accounts.set('stranger', { claims: { name: 'Sam Stranger' } });
  // Mapped by a staff row (issuer + subject), with no role claims at the IdP.
  idp.accounts.set('row-biller', { claims: { name: 'Rowan Row' } });
  idp.accounts.set('row-disabled', { claims: { practice_id: DEMO_PRACTICE_ID, role: 'admin' } });
  await stack.db.db.insert(staffMembers).values([
    {
      id: randomUUID(),
      practiceId: DEMO_PRACTICE_ID,
      displayName: 'Rowan Row',
      role: 'biller',
      oidcIssuer: idp.issuer,
      oidcSubject: 'row-biller',
    },
    {
      id: randomUUID(),
      practiceId: DEMO_PRACTICE_ID,
      displayName: 'Dis Abled',
      role: 'admin',
      oidcIssuer: idp.issuer,
      oidcSubject: 'row-disabled',
      disabledAt: new Date(),
    },
  ]);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await idp?.close();
});

const isCallback = (u: URL) => u.href.startsWith(redirectUri);

/** Start → IdP (login, consent) → the callback URL the IdP sends the browser to (not yet visited). */
async function toCallback(browser: HttpBrowser, returnTo = '/console') {
  const start = await browser.request(
    'GET',
    `${api}/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`,
  );
  expect(start.status).toBe(302);
  const authorize = new URL(start.location!);
  expect(authorize.origin).toBe(idp.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(authorize.searchParams.get('state')).toBeTruthy();
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  const { stoppedAt } = await browser.follow(authorize.href, isCallback);
  expect(stoppedAt, 'the IdP redirects back to the API').toBeDefined();
  return new URL(stoppedAt!);
}

async function signInOidc(accountId: string, amr?: string[], browser = new HttpBrowser()) {
  idp.nextLogin = { accountId, ...(amr ? { amr } : {}) };
  const callback = await toCallback(browser);
  const res = await browser.request('GET', callback.href);
  return { browser, res, callback };
}

async function lastSignIn() {
  const [row] = await stack.db.sql<
    { actor_id: string; actor_role: string | null; resource_id: string; outcome: string }[]
  >`
    select actor_id, actor_role, resource_id, outcome from audit_events
    where resource_type = 'staff_sign_in' order by id desc limit 1`;
  return row!;
}

describe('OIDC authorization code + PKCE against a real provider', () => {
  it('signs a person in, and the session works on the API with their role, tenancy and CSRF', async () => {
    const { browser, res } = await signInOidc('therapist-1', ['pwd', 'otp']);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${api}/console`);
    const cookie = res.setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    // The pending sign-in (state, nonce, verifier) is gone once used.
    expect(browser.jar[OIDC_PENDING_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({
      actor_id: 'user:therapist-1',
      actor_role: 'therapist',
      outcome: 'success',
    });

    const page = await browser.request('GET', `${api}/console`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Theo Therapist');
    expect(page.body).toContain('identity provider');
    const csrf = hiddenValue(page.body, '_csrf');

    const json = { accept: 'application/json' };
    expect((await browser.request('GET', `${api}/v1/tasks`, { headers: json })).status).toBe(200);
    expect((await browser.request('GET', `${api}/v1/practitioners`, { headers: json })).status).toBe(403);

    // Break-glass builds on the IdP's second factor (amr otp, auth_time now) — and needs the CSRF token.
    const reason = { reason: 'Covering for a colleague, patient in clinic now' };
    const noCsrf = await browser.request('POST', `${api}/v1/break-glass`, { json: reason, headers: json });
    expect(noCsrf.status).toBe(403);
    const opened = await browser.request('POST', `${api}/v1/break-glass`, {
      json: reason,
      headers: { ...json, 'x-csrf-token': csrf },
    });
    expect(opened.status).toBe(201);

    const out = await browser.request('POST', `${api}/auth/sign-out`, { form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    expect(out.location).toBe(`${api}/auth/sign-in`);
    const after = await browser.request('GET', `${api}/console`);
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/\/auth\/sign-in/);
  });

  it('without a second factor at the IdP, break-glass asks for a step-up sign-in', async () => {
    const { browser } = await signInOidc('therapist-1', ['pwd']);
    const csrf = hiddenValue((await browser.request('GET', `${api}/console`)).body, '_csrf');
    const res = await browser.request('POST', `${api}/v1/break-glass`, {
      json: { reason: 'Covering for a colleague, patient in clinic now' },
      headers: { accept: 'application/json', 'x-csrf-token': csrf },
    });
    // The API's step-up answer (RFC 9470): sign in again with a second factor. The session itself lives on.
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ reason: 'MfaRequired' });
    expect((await browser.request('GET', `${api}/console`)).status).toBe(200);
  });

  it('maps a person by a staff row (issuer + subject) when the IdP carries no role', async () => {
    const { browser, res } = await signInOidc('row-biller');
    expect(res.status).toBe(303);
    const console = await browser.request('GET', `${api}/console`);
    expect(console.body).toContain('Rowan Row');
    expect(console.body).toContain('Biller');
    expect(
      (await browser.request('GET', `${api}/v1/practitioners`, { headers: { accept: 'application/json' } }))
        .status,
    ).toBe(200);
  });

  it('rotates: a new sign-in in the same browser kills the previous session id', async () => {
    const { browser } = await signInOidc('desk-1');
    const first = browser.jar[SESSION_COOKIE]!.value;
    await signInOidc('desk-1', undefined, browser);
    const second = browser.jar[SESSION_COOKIE]!.value;
    expect(second).not.toBe(first);
    const old = await fetch(`${api}/v1/tasks`, { headers: { cookie: `${SESSION_COOKIE}=${first}` } });
    expect(old.status).toBe(401);
    expect(await old.text()).not.toContain(first);
    expect(
      (await browser.request('GET', `${api}/v1/tasks`, { headers: { accept: 'application/json' } })).status,
    ).toBe(200);
  });
});

describe('failed OIDC sign-ins are refused and audited', () => {
  it('bad state: a callback whose state is not the one this browser started with', async () => {
    const browser = new HttpBrowser();
    idp.nextLogin = { accountId: 'desk-1' };
    const callback = await toCallback(browser);
    callback.searchParams.set('state', 'forged-state-value');
    const res = await browser.request('GET', callback.href);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('forged-state-value');
    expect(res.setCookie.some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:bad_state', outcome: 'denied' });
  });

  it('bad state: a callback in a browser that never started a sign-in (login CSRF)', async () => {
    const attacker = new HttpBrowser();
    idp.nextLogin = { accountId: 'desk-1' };
    const callback = await toCallback(attacker);
    const victim = new HttpBrowser();
    const res = await victim.request('GET', callback.href);
    expect(res.status).toBe(400);
    expect(victim.jar[SESSION_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:bad_state', outcome: 'denied' });
  });

  it('bad PKCE: the IdP refuses the code for a wrong verifier', async () => {
    const browser = new HttpBrowser();
    idp.nextLogin = { accountId: 'desk-1' };
    const callback = await toCallback(browser);
    // Swap the verifier inside the pending sign-in (re-signed with the server's secret, as only a bug or a
    // stolen secret could): the IdP checks it against the challenge and says invalid_grant.
    const raw = decodeURIComponent(browser.jar[OIDC_PENDING_COOKIE]!.value);
    const unsigned = stack.app.unsignCookie(raw);
    expect(unsigned.valid).toBe(true);
    const pending = JSON.parse(unsigned.value!) as { codeVerifier: string };
    pending.codeVerifier = randomBytes(32).toString('base64url');
    browser.jar[OIDC_PENDING_COOKIE]!.value = encodeURIComponent(
      stack.app.signCookie(JSON.stringify(pending)),
    );
    const res = await browser.request('GET', callback.href);
    expect(res.status).toBe(400);
    expect(browser.jar[SESSION_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:invalid_grant', outcome: 'denied' });
  });

  it('a tampered pending sign-in cookie is bad state', async () => {
    const browser = new HttpBrowser();
    idp.nextLogin = { accountId: 'desk-1' };
    const callback = await toCallback(browser);
    browser.jar[OIDC_PENDING_COOKIE]!.value = browser.jar[OIDC_PENDING_COOKIE]!.value.replace(/.$/, (c) =>
      c === 'A' ? 'B' : 'A',
    );
    const res = await browser.request('GET', callback.href);
    expect(res.status).toBe(400);
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:bad_state', outcome: 'denied' });
  });

  it('unknown user: signed in at the IdP but neither a staff row nor practice/role claims', async () => {
    const { browser, res } = await signInOidc('stranger');
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('Sam Stranger');
    expect(browser.jar[SESSION_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:unknown_user', outcome: 'denied' });
  });

  it('disabled staff member: refused even though the IdP vouches for them', async () => {
    const { browser, res } = await signInOidc('row-disabled');
    expect(res.status).toBe(400);
    expect(browser.jar[SESSION_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:staff_disabled', outcome: 'denied' });
  });

  it('IdP error: the IdP sends the browser back with access_denied', async () => {
    const browser = new HttpBrowser();
    idp.nextLogin = { refuse: true };
    const callback = await toCallback(browser);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const res = await browser.request('GET', callback.href);
    expect(res.status).toBe(502);
    expect(browser.jar[SESSION_COOKIE]).toBeUndefined();
    expect(await lastSignIn()).toMatchObject({ resource_id: 'failure:idp_error', outcome: 'denied' });
  });

  it('keeps codes, states, verifiers and names out of the audit log, whose chain verifies', async () => {
    const rows = await stack.db.sql<Record<string, unknown>[]>`
      select * from audit_events where resource_type in ('staff_sign_in', 'staff_sign_out') order by id`;
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/Theo|Dee Desk|Stranger|Rowan|code=|state=/);
    const failures = new Set(rows.filter((r) => r.outcome === 'denied').map((r) => r.resource_id));
    for (const f of ['bad_state', 'invalid_grant', 'unknown_user', 'staff_disabled', 'idp_error']) {
      expect(failures).toContain(`failure:${f}`);
    }
    expect((await verifyAuditChain(stack.db.db)).ok).toBe(true);
  });
});
