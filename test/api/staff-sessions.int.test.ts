// Staff sessions (SEC-AC-4, issue 12 "Sessions") over the real stack: PostgreSQL, the Temporal dev server, a
// worker, the production app. A demo staff member signs in through the `ptflow dev` sign-in page (one button per
// role), and the session cookie then works on the API exactly like an API key of the same role and practice;
// state-changing requests need the session's CSRF token; sign-out, idle expiry, absolute expiry, rotation,
// server-side revocation and forged cookies all end in 401 (or the sign-in page for a browser), leak nothing,
// and every sign-in, sign-out and failure is on the audit hash chain.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { revokeSessions, SESSION_COOKIE } from '../../api/auth/session.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../../db/seed.js';
import { staffMembers } from '../../db/schema.js';
import { devSignInForm, hiddenValue, InjectBrowser } from './staff-browser.js';
import { OTHER_PRACTICE_ID, startApiStack, type ApiStack } from './stack.js';

const IDLE_MS = 5 * 60_000;
const ABSOLUTE_MS = 60 * 60_000;
let stack: ApiStack;

beforeAll(async () => {
  stack = await startApiStack({
    staffAuth: {
      cookieSecret: randomBytes(32),
      devSignIn: true,
      idleMs: IDLE_MS,
      absoluteMs: ABSOLUTE_MS,
    },
  });
  // A person of the second practice, to show tenancy holds for sessions too.
  await stack.db.db.insert(staffMembers).values({
    id: '00000000-0000-4000-8000-0000000003dd',
    practiceId: OTHER_PRACTICE_ID,
    displayName: 'Olive Other',
    role: 'front_desk',
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const label = (role: string) => {
  const s = DEMO_STAFF.find((p) => p.role === role)!;
  return `${s.displayName} (${s.role})`;
};

/** Signs in through the dev sign-in page as the button `Sign in as <label>`; returns the browser. */
async function signIn(buttonLabel: string, browser = new InjectBrowser(stack.app), returnTo?: string) {
  const page = await browser.get(
    `/auth/sign-in${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`,
  );
  expect(page.statusCode).toBe(200);
  const res = await browser.request('POST', '/auth/dev/sign-in', {
    form: devSignInForm(page.body, buttonLabel),
  });
  expect(res.statusCode).toBe(303);
  return { browser, res };
}

async function csrfOf(browser: InjectBrowser): Promise<string> {
  const console = await browser.get('/console');
  expect(console.statusCode).toBe(200);
  return hiddenValue(console.body, '_csrf');
}

async function auditRows(resourceType: string) {
  return stack.db.sql<
    { actor_id: string; actor_role: string | null; resource_id: string; outcome: string }[]
  >`
    select actor_id, actor_role, resource_id, outcome from audit_events
    where resource_type = ${resourceType} order by id`;
}

describe('dev sign-in page', () => {
  it('lists the demo staff, one button per role, in an accessible page with a strict CSP', async () => {
    const res = await new InjectBrowser(stack.app).get('/auth/sign-in');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const role of ['admin', 'front_desk', 'therapist', 'biller']) {
      expect(res.body).toContain(`>Sign in as ${label(role)}</button>`);
    }
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toMatch(/<h1>Sign in<\/h1>/);
    expect(res.body).not.toContain('<script');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  for (const role of ['admin', 'front_desk', 'therapist', 'biller'] as const) {
    it(`signs in ${role} with a session cookie that acts as that role on the API`, async () => {
      const { browser, res } = await signIn(label(role));
      expect(res.headers.location).toBe('/console');
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
      const session = setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Lax/i);
      expect(session).toMatch(/Path=\//);
      // inject addresses localhost: no Secure there (a browser would drop it over http://localhost).
      expect(session).not.toMatch(/Secure/i);
      const console = await browser.get('/console');
      expect(console.statusCode).toBe(200);
      expect(console.body).toContain(
        `Signed in as <strong>${DEMO_STAFF.find((s) => s.role === role)!.displayName}`,
      );
      // Every staff role may list its worklist (GET /v1/tasks), as with an API key of the role.
      const tasks = await browser.get('/v1/tasks', { accept: 'application/json' });
      expect(tasks.statusCode).toBe(200);
    });
  }

  it('puts the session cookie under Secure when the request is not to loopback', async () => {
    const browser = new InjectBrowser(stack.app);
    const page = await browser.get('/auth/sign-in', { host: 'ptflow.clinic.example' });
    const res = await browser.request('POST', '/auth/dev/sign-in', {
      form: devSignInForm(page.body, label('biller')),
      headers: { host: 'ptflow.clinic.example' },
    });
    const session = ([] as string[])
      .concat(res.headers['set-cookie'] as string[])
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(session).toMatch(/; Secure/i);
  });

  it('goes back to a safe returnTo path, never to another origin', async () => {
    expect((await signIn(label('admin'), undefined, '/console/claims')).res.headers.location).toBe(
      '/console/claims',
    );
    expect((await signIn(label('admin'), undefined, '//evil.example/x')).res.headers.location).toBe(
      '/console',
    );
    expect((await signIn(label('admin'), undefined, 'https://evil.example/')).res.headers.location).toBe(
      '/console',
    );
  });

  it('refuses a sign-in form posted without the page token (login CSRF), audited', async () => {
    const before = (await auditRows('staff_sign_in')).length;
    const browser = new InjectBrowser(stack.app);
    const page = await browser.get('/auth/sign-in');
    const form = devSignInForm(page.body, label('admin'));
    const res = await new InjectBrowser(stack.app).request('POST', '/auth/dev/sign-in', { form });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
    const rows = await auditRows('staff_sign_in');
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ resource_id: 'failure:bad_csrf', outcome: 'denied' });
  });
});

describe('session on the API', () => {
  it('keeps tenancy: a second practice’s person sees none of the demo practice’s tasks', async () => {
    const taskId = await stack.startTask('front_desk');
    const own = await signIn(label('front_desk'));
    const other = await signIn('Olive Other (front_desk)');
    const ownList = await own.browser.get('/v1/tasks', { accept: 'application/json' });
    expect(ownList.statusCode).toBe(200);
    expect(ownList.body).toContain(taskId);
    const otherList = await other.browser.get('/v1/tasks', { accept: 'application/json' });
    expect(otherList.statusCode).toBe(200);
    expect(otherList.body).not.toContain(taskId);
    const csrf = await csrfOf(other.browser);
    const complete = await other.browser.request('POST', `/v1/tasks/${taskId}/complete`, {
      json: { outcome: {} },
      headers: { accept: 'application/json', 'idempotency-key': randomUUID(), 'x-csrf-token': csrf },
    });
    expect(complete.statusCode).toBe(404);
  });

  it('refuses a role the route does not admit (403), like an API key of that role', async () => {
    const therapist = await signIn(label('therapist'));
    const res = await therapist.browser.get('/v1/practitioners', { accept: 'application/json' });
    expect(res.statusCode).toBe(403);
    const biller = await signIn(label('biller'));
    expect((await biller.browser.get('/v1/practitioners', { accept: 'application/json' })).statusCode).toBe(
      200,
    );
  });

  it('needs the CSRF token on a state-changing request (403 without, success with)', async () => {
    const taskId = await stack.startTask('front_desk');
    const { browser } = await signIn(label('front_desk'));
    const url = `/v1/tasks/${taskId}/complete`;
    const headers = { accept: 'application/json', 'idempotency-key': randomUUID() };
    const without = await browser.request('POST', url, { json: { outcome: {} }, headers });
    expect(without.statusCode).toBe(403);
    expect(without.headers['content-type']).toMatch(/^application\/problem\+json/);
    const wrong = await browser.request('POST', url, {
      json: { outcome: {} },
      headers: { ...headers, 'x-csrf-token': 'A'.repeat(43) },
    });
    expect(wrong.statusCode).toBe(403);
    const csrf = await csrfOf(browser);
    expect(wrong.body).not.toContain(csrf);
    const ok = await browser.request('POST', url, {
      json: { outcome: {} },
      headers: { ...headers, 'x-csrf-token': csrf },
    });
    expect(ok.statusCode).toBe(202);
    // Another session's token does not fit this one.
    const { browser: second } = await signIn(label('front_desk'));
    const taskId2 = await stack.startTask('front_desk');
    const cross = await second.request('POST', `/v1/tasks/${taskId2}/complete`, {
      json: { outcome: {} },
      headers: { ...headers, 'idempotency-key': randomUUID(), 'x-csrf-token': csrf },
    });
    expect(cross.statusCode).toBe(403);
  });

  it('does not ask API-key or bearer callers for a CSRF token', async () => {
    const taskId = await stack.startTask('front_desk');
    const res = await stack.app.inject({
      method: 'POST',
      url: `/v1/tasks/${taskId}/complete`,
      headers: { ...stack.auth.own.front_desk, 'idempotency-key': randomUUID() },
      payload: { outcome: {} },
    });
    expect(res.statusCode).toBe(202);
  });
});

describe('session end', () => {
  it('signs out server-side: the old cookie then answers 401 (API) or the sign-in page (browser)', async () => {
    const { browser } = await signIn(label('biller'));
    const stolen = browser.jar[SESSION_COOKIE]!.value;
    const csrf = await csrfOf(browser);
    const noToken = await browser.request('POST', '/auth/sign-out', { form: {} });
    expect(noToken.statusCode).toBe(403);
    const out = await browser.request('POST', '/auth/sign-out', { form: { _csrf: csrf } });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/auth/sign-in');
    expect(browser.jar[SESSION_COOKIE]).toBeUndefined();
    // Replaying the cookie captured before sign-out.
    const api = await stack.app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { cookie: `${SESSION_COOKIE}=${stolen}` },
    });
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.body).not.toContain(stolen);
    const page = await stack.app.inject({
      method: 'GET',
      url: '/console',
      headers: { cookie: `${SESSION_COOKIE}=${stolen}`, accept: 'text/html' },
    });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/auth/sign-in?returnTo=%2Fconsole');
    const rows = await auditRows('staff_sign_out');
    expect(rows.at(-1)).toMatchObject({ outcome: 'success', actor_role: 'biller' });
  });

  it('expires after the idle timeout, and a request inside it keeps the session alive', async () => {
    const { browser } = await signIn(label('therapist'));
    try {
      stack.clock.offsetMs += IDLE_MS - 60_000;
      expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(200);
      stack.clock.offsetMs += IDLE_MS - 60_000;
      expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(200);
      stack.clock.offsetMs += IDLE_MS + 1_000;
      const res = await browser.get('/v1/tasks', { accept: 'application/json' });
      expect(res.statusCode).toBe(401);
      const page = await browser.get('/console');
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toMatch(/^\/auth\/sign-in/);
    } finally {
      stack.clock.offsetMs = 0;
    }
  });

  it('expires at the absolute lifetime however busy the session is', async () => {
    const { browser } = await signIn(label('therapist'));
    try {
      for (let t = 0; t < ABSOLUTE_MS; t += IDLE_MS / 2) {
        stack.clock.offsetMs = t;
        expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(200);
      }
      stack.clock.offsetMs = ABSOLUTE_MS + 1_000;
      expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(401);
    } finally {
      stack.clock.offsetMs = 0;
    }
  });

  it('rotates the session id on every sign-in: the previous one is dead', async () => {
    const { browser } = await signIn(label('admin'));
    const first = browser.jar[SESSION_COOKIE]!.value;
    await signIn(label('admin'), browser);
    const second = browser.jar[SESSION_COOKIE]!.value;
    expect(second).not.toBe(first);
    const old = await stack.app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { cookie: `${SESSION_COOKIE}=${first}` },
    });
    expect(old.statusCode).toBe(401);
    expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(200);
  });

  it('revokes every session of a person server-side (admin/CLI path)', async () => {
    const a = await signIn(label('front_desk'));
    const b = await signIn(label('front_desk'));
    const frontDesk = DEMO_STAFF.find((s) => s.role === 'front_desk')!;
    const n = await revokeSessions(stack.db.db, {
      actorId: `user:${frontDesk.id}`,
      practiceId: DEMO_PRACTICE_ID,
    });
    expect(n).toBeGreaterThanOrEqual(2);
    for (const { browser } of [a, b]) {
      expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(401);
    }
  });

  it('revokes and disables through the CLI (`ptflow staff revoke|disable`), audited', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const ptflow = (...args: string[]) =>
      promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), ['cli/main.ts', 'staff', ...args], {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: stack.db.url,
          PTFLOW_DATA_DIR: path.join(os.tmpdir(), `ptflow-staff-cli-${randomUUID()}`),
          LOG_LEVEL: 'silent',
          NODE_ENV: 'development',
        },
        timeout: 60_000,
      });
    const biller = DEMO_STAFF.find((s) => s.role === 'biller')!;
    const a = await signIn(label('biller'));
    const revoked = await ptflow('revoke', biller.id);
    // Every live biller session (earlier tests signed in as her too), this one included.
    expect(revoked.stderr + revoked.stdout).toMatch(/[1-9]\d* sessions? revoked/);
    expect((await a.browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(401);
    // A second biller, disabled: sessions gone and no new sign-in.
    const id = randomUUID();
    await stack.db.db
      .insert(staffMembers)
      .values({ id, practiceId: DEMO_PRACTICE_ID, displayName: 'Leaving Person', role: 'biller' });
    const b = await signIn('Leaving Person (biller)');
    await ptflow('disable', id);
    expect((await b.browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(401);
    const page = await new InjectBrowser(stack.app).get('/auth/sign-in');
    expect(page.body).not.toContain('Leaving Person');
    const rows = await stack.db.sql<{ resource_type: string; resource_id: string }[]>`
      select resource_type, resource_id from audit_events
      where resource_type in ('staff_member', 'staff_session_revoke') order by id`;
    expect(rows).toEqual(
      expect.arrayContaining([
        { resource_type: 'staff_session_revoke', resource_id: biller.id },
        { resource_type: 'staff_member', resource_id: id },
      ]),
    );
  }, 120_000);

  it('ends the sessions of a person disabled straight in the staff table', async () => {
    const id = randomUUID();
    await stack.db.db
      .insert(staffMembers)
      .values({ id, practiceId: DEMO_PRACTICE_ID, displayName: 'Quiet Leaver', role: 'therapist' });
    const { browser } = await signIn('Quiet Leaver (therapist)');
    expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(200);
    await stack.db.sql`update staff_members set disabled_at = now() where id = ${id}`;
    expect((await browser.get('/v1/tasks', { accept: 'application/json' })).statusCode).toBe(401);
  });

  it('lets a signed-in person use the codec server with their role, audited as them', async () => {
    const { browser } = await signIn(label('therapist'));
    const csrf = await csrfOf(browser);
    const res = await browser.request('POST', '/codec/encode', {
      json: {
        payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'e30=' }],
      },
      headers: { accept: 'application/json', 'x-csrf-token': csrf },
    });
    expect(res.statusCode).toBe(200);
    const therapist = DEMO_STAFF.find((s) => s.role === 'therapist')!;
    const [row] = await stack.db.sql<{ actor_id: string; actor_role: string }[]>`
      select actor_id, actor_role from audit_events where resource_type = 'temporal_payload' order by id desc limit 1`;
    expect(row).toEqual({ actor_id: `user:${therapist.id}`, actor_role: 'therapist' });
  });

  it('answers 401 to a forged or tampered cookie without echoing it', async () => {
    const { browser } = await signIn(label('admin'));
    const real = browser.jar[SESSION_COOKIE]!.value;
    const [token] = decodeURIComponent(real).split('.');
    for (const forged of [
      `${token}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      randomBytes(32).toString('base64url'),
      'x'.repeat(2000),
    ]) {
      const res = await stack.app.inject({
        method: 'GET',
        url: '/v1/tasks',
        headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(forged)}` },
      });
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain(forged.slice(0, 20));
      expect(res.body).not.toContain(token!.slice(0, 20));
      // A browser gets 401 too (a page with the way to sign in), and the cookie is dropped.
      const page = await stack.app.inject({
        method: 'GET',
        url: '/console',
        headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(forged)}`, accept: 'text/html' },
      });
      expect(page.statusCode).toBe(401);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('href="/auth/sign-in"');
      expect(page.body).not.toContain(forged.slice(0, 20));
      expect(String(page.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    }
  });

  it('keeps the dev sign-in closed when not configured (audited)', async () => {
    const app = await buildApp({
      logLevel: 'silent',
      db: stack.db.db,
      temporal: stack.temporal.client,
      cursorKey: Buffer.alloc(32, 1),
      readiness: {},
      staffAuth: { cookieSecret: randomBytes(32) },
    });
    try {
      const page = await app.inject({ method: 'GET', url: '/auth/sign-in' });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Sign in as');
      const res = await app.inject({
        method: 'POST',
        url: '/auth/dev/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `staffId=${DEMO_STAFF[0].id}`,
      });
      expect(res.statusCode).toBe(404);
      expect(res.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
      expect((await auditRows('staff_sign_in')).at(-1)).toMatchObject({
        resource_id: 'failure:dev_sign_in_disabled',
        outcome: 'denied',
      });
    } finally {
      await app.close();
    }
  });

  it('writes sign-ins, sign-outs and failures on an intact audit chain, with no secrets', async () => {
    const rows = await stack.db.sql<Record<string, unknown>[]>`
      select * from audit_events where resource_type in ('staff_sign_in', 'staff_sign_out') order by id`;
    expect(rows.some((r) => r.outcome === 'success' && String(r.resource_id).startsWith('session:'))).toBe(
      true,
    );
    expect(rows.some((r) => r.outcome === 'denied')).toBe(true);
    const tokens = await stack.db.sql<{ token_hash: string }[]>`select token_hash from staff_sessions`;
    const text = JSON.stringify(rows);
    for (const t of tokens) expect(text).not.toContain(t.token_hash);
    expect(text).not.toMatch(/Morgan|Jordan|Dana|Priya/);
    expect((await verifyAuditChain(stack.db.db)).ok).toBe(true);
  });
});
