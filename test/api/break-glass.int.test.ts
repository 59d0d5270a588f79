// SEC-AC-3 (break-glass, 45 CFR 164.312(a)(2)(ii)) and the admin's minimum-necessary views (security.md §1) over
// the real stack: PostgreSQL, the Temporal dev server, a worker with sandbox connectors, real HTTP injection.
// Before a grant an admin sees a claim's operational metadata and is refused the claim preview (403); opening a
// grant writes the grant, an ETREAT audit event and a privacy-officer row; while it lasts the admin gets full
// views and each such response is audited; past its window (fake clock) the admin is back to metadata and 403.
// The reason is stored only encrypted (SEC-ENC-1): a raw SELECT never shows it, it decrypts only in its own
// place, and a server composed without a data keyring opens no grant at all (503) rather than store it in clear.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../api/auth/principal.js';
import { buildApp } from '../../api/app.js';
import { reasonContext } from '../../api/break-glass/grants.js';
import { BREAK_GLASS_DISABLED } from '../../api/routes/break-glass.js';
import { decryptFieldText, fieldKeyId } from '../../db/crypto/field-encryption.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { breakGlassPolicyAt } from '../../domain/break-glass.js';
import { claimBody, startApiStack, visitBody, type ApiStack } from './stack.js';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const REASON = 'ZZCANARY-77 unresponsive in clinic, need coverage and claim history';

/** A request by a person of `side` with `role`, signed in through OIDC with a second factor just now. */
async function call(
  method: 'GET' | 'POST' | 'DELETE',
  role: Role,
  url: string,
  body?: object,
  side: 'own' | 'other' = 'own',
) {
  return stack.app.inject({
    method,
    url,
    headers: {
      ...(await stack.userAuth(side, role)),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body ? { payload: body } : {}),
  });
}

// Users are `user:<sub>`; the stack's users are `<side>-<role>`.
const adminId = () => 'user:own-admin';

async function auditRows(where: { resourceType: string; purpose?: string }) {
  return stack.db.sql<
    { actor_id: string; resource_id: string; fields_disclosed: string[] | null; outcome: string }[]
  >`
    select actor_id, resource_id, fields_disclosed, outcome from audit_events
    where resource_type = ${where.resourceType}
      and (${where.purpose ?? null}::text is null or purpose_of_use = ${where.purpose ?? null})
    order by id`;
}

describe('break-glass', () => {
  let claimId: string;
  let grantId: string;
  const policy = breakGlassPolicyAt(new Date());

  beforeAll(async () => {
    const started = await call('POST', 'biller', '/v1/claims', claimBody());
    expect(started.statusCode).toBe(202);
    claimId = (started.json() as { id: string }).id;
  }, 60_000);

  it('before a grant: an admin sees operational metadata only and is refused the all-billing preview', async () => {
    const claim = await call('GET', 'admin', `/v1/claims/${claimId}`);
    expect(claim.statusCode).toBe(200);
    expect(Object.keys(claim.json() as object).sort()).toEqual(['attempt', 'claimId', 'frequency', 'state']);
    const biller = await call('GET', 'biller', `/v1/claims/${claimId}`);
    expect(biller.json()).toHaveProperty('lines');

    const preview = await call('POST', 'admin', '/v1/claims/preview', { visit: visitBody() });
    expect(preview.statusCode).toBe(403);
    expect(preview.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(preview.json()).toMatchObject({ reason: 'BreakGlassRequired' });
    const denied = await stack.db.sql`
      select 1 from audit_events where resource_type = 'api_route' and outcome = 'denied'
        and request_id = ${preview.headers['x-request-id'] as string}`;
    expect(denied).toHaveLength(1);
    expect((await call('GET', 'admin', '/v1/break-glass')).json()).toEqual({ data: [] });
  });

  it('is refused to roles that may not break glass and to a reason that says nothing', async () => {
    for (const role of ['front_desk', 'biller', 'integration'] as const) {
      expect((await call('POST', role, '/v1/break-glass', { reason: REASON })).statusCode).toBe(403);
    }
    const short = await call('POST', 'admin', '/v1/break-glass', { reason: 'because' });
    expect(short.statusCode).toBe(400);
    expect(short.body).not.toContain('because');
    const long = await call('POST', 'admin', '/v1/break-glass', {
      reason: 'x'.repeat(policy.reasonMaxChars + 1),
    });
    expect(long.statusCode).toBe(400);
    expect(await stack.db.sql`select 1 from break_glass_grants`).toHaveLength(0);
  });

  it('needs a recent second factor from a sign-in: API keys 403, no or stale MFA 401 with a step-up challenge', async () => {
    const open = (headers: { authorization: string }) =>
      stack.app.inject({
        method: 'POST',
        url: '/v1/break-glass',
        headers: { ...headers, 'idempotency-key': randomUUID() },
        payload: { reason: REASON },
      });
    // An API key cannot carry a second factor: refused whatever its role may do otherwise.
    for (const role of ['admin', 'therapist'] as const) {
      const byKey = await open(stack.auth.own[role]);
      expect(byKey.statusCode).toBe(403);
      expect(byKey.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(byKey.json()).toMatchObject({ status: 403, reason: 'InteractiveSignInRequired' });
      expect(byKey.body).not.toContain('ZZCANARY');
    }
    const maxAge = policy.secondFactor!.maxAgeMinutes * 60;
    const refusedSignIns = [
      await stack.userAuth('own', 'admin', { amr: ['pwd'] }),
      await stack.userAuth('own', 'admin', { amr: [] }),
      await stack.userAuth('own', 'admin', { amr: ['pwd', 'otp'], authAgeSeconds: maxAge + 60 }),
      await stack.userAuth('own', 'admin', { amr: ['mfa'], authAgeSeconds: null }),
    ];
    for (const headers of refusedSignIns) {
      const res = await open(headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 401, reason: 'MfaRequired' });
      expect(res.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');
      expect(res.headers['www-authenticate']).toContain(`max_age=${maxAge}`);
      expect(res.body).not.toContain('ZZCANARY');
    }
    // The same person's other routes do not need the second factor.
    const listed = await stack.app.inject({
      method: 'GET',
      url: '/v1/break-glass',
      headers: await stack.userAuth('own', 'admin', { amr: ['pwd'] }),
    });
    expect(listed.statusCode).toBe(200);
    expect(await stack.db.sql`select 1 from break_glass_grants`).toHaveLength(0);
    const audited = await stack.db.sql`select 1 from audit_events where resource_type = 'break_glass_grant'`;
    expect(audited).toHaveLength(0);
  });

  it('opens a time-boxed grant: grant row, ETREAT audit event and a queued privacy-officer notification', async () => {
    const now = stack.clock.now();
    const opened = await call('POST', 'admin', '/v1/break-glass', { reason: REASON });
    expect(opened.statusCode).toBe(201);
    const grant = opened.json() as { id: string; scope: string; grantedAt: string; expiresAt: string };
    grantId = grant.id;
    expect(grant.scope).toBe('practice');
    expect(opened.body).not.toContain('ZZCANARY');
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)).toBe(policy.grantMinutes * 60_000);
    expect(Date.parse(grant.grantedAt)).toBeGreaterThanOrEqual(now.getTime());

    const [row] = await stack.db.sql<
      { principal_id: string; principal_role: string; reason_enc: Buffer; key_id: string; whole: string }[]
    >`
      select principal_id, principal_role, reason_enc, key_id, row_to_json(g)::text as whole
      from break_glass_grants g where id = ${grant.id}`;
    expect(row).toMatchObject({ principal_id: adminId(), principal_role: 'admin' });
    // Raw SELECT: no column of the row, and not the ciphertext bytes, holds the reason.
    expect(row!.whole).not.toContain('ZZCANARY');
    expect(row!.whole).not.toContain('unresponsive');
    expect(Buffer.from(row!.reason_enc).toString('latin1')).not.toContain('ZZCANARY');
    expect(row!.key_id).toBe(stack.dataKeyring.activeKeyId);
    expect(fieldKeyId(row!.reason_enc)).toBe(stack.dataKeyring.activeKeyId);
    // The privacy officer's read: only the data keyring, only in its own place (practice, grant id).
    const place = reasonContext({ practiceId: DEMO_PRACTICE_ID, id: grant.id });
    expect(decryptFieldText(row!.reason_enc, place, stack.dataKeyring)).toBe(REASON);
    expect(() => decryptFieldText(row!.reason_enc, { ...place, rowId: claimId }, stack.dataKeyring)).toThrow(
      /authentication failed/,
    );
    expect(() =>
      decryptFieldText(row!.reason_enc, { ...place, tenant: randomUUID() }, stack.dataKeyring),
    ).toThrow(/authentication failed/);

    const audit = await auditRows({ resourceType: 'break_glass_grant', purpose: 'ETREAT' });
    expect(audit).toEqual([
      expect.objectContaining({ actor_id: adminId(), resource_id: grant.id, outcome: 'success' }),
    ]);

    const outbox = await stack.db.sql<
      { template: string; status: string; context: unknown; patient_id: string | null }[]
    >`
      select template, status, context, patient_id from messages where dedupe_key = ${`break-glass:${grant.id}`}`;
    expect(outbox).toEqual([
      {
        template: 'privacy_officer_break_glass',
        status: 'queued',
        patient_id: null,
        context: { breakGlassGrantId: grant.id, actorId: adminId(), actorRole: 'admin' },
      },
    ]);
    // The reason lives in the grant row only: not in the audit log, not in the notification.
    const leaked = await stack.db.sql`
      select 1 from audit_events where row_to_json(audit_events)::text like '%ZZCANARY%'
      union all select 1 from messages where row_to_json(messages)::text like '%ZZCANARY%'`;
    expect(leaked).toHaveLength(0);

    const listed = await call('GET', 'admin', '/v1/break-glass');
    expect(listed.json()).toEqual({ data: [grant] });
  });

  it('while active: full views for the admin, each response audited with purpose ETREAT', async () => {
    const claim = await call('GET', 'admin', `/v1/claims/${claimId}`);
    expect(claim.statusCode).toBe(200);
    const body = claim.json() as Record<string, unknown>;
    expect(body).toHaveProperty('lines');
    expect(body).toHaveProperty('blockingFindings');
    const disclosed = await stack.db.sql<{ resource_id: string; fields_disclosed: string[] }[]>`
      select resource_id, fields_disclosed from audit_events
      where resource_type = 'break_glass_disclosure' and purpose_of_use = 'ETREAT'
        and request_id = ${claim.headers['x-request-id'] as string}`;
    expect(disclosed).toHaveLength(1);
    expect(disclosed[0]!.resource_id).toBe(`${grantId}|.v1.claims.:id`);
    expect(disclosed[0]!.fields_disclosed).toEqual(expect.arrayContaining(['lines', 'claimId', 'state']));

    const preview = await call('POST', 'admin', '/v1/claims/preview', { visit: visitBody() });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toHaveProperty('lines');
  });

  it("never reaches another practice's objects, with or without a grant", async () => {
    expect((await call('GET', 'admin', `/v1/claims/${claimId}`, undefined, 'other')).statusCode).toBe(404);
    const theirs = await call('POST', 'admin', '/v1/break-glass', { reason: REASON }, 'other');
    expect(theirs.statusCode).toBe(201);
    const elevated = await call('GET', 'admin', `/v1/claims/${claimId}`, undefined, 'other');
    expect(elevated.statusCode).toBe(404);
    expect(elevated.body).not.toContain('lines');
    // Nor can they see or end our grant.
    expect((await call('GET', 'admin', '/v1/break-glass', undefined, 'other')).json()).toEqual({
      data: [expect.objectContaining({ id: (theirs.json() as { id: string }).id })],
    });
    expect((await call('DELETE', 'admin', `/v1/break-glass/${grantId}`, undefined, 'other')).statusCode).toBe(
      404,
    );
  });

  it('expires by itself: past its window (fake clock) the admin is back to metadata and 403', async () => {
    stack.clock.offsetMs = policy.grantMinutes * 60_000 + 1_000;
    try {
      expect((await call('GET', 'admin', '/v1/break-glass')).json()).toEqual({ data: [] });
      const claim = await call('GET', 'admin', `/v1/claims/${claimId}`);
      expect(Object.keys(claim.json() as object).sort()).toEqual([
        'attempt',
        'claimId',
        'frequency',
        'state',
      ]);
      const preview = await call('POST', 'admin', '/v1/claims/preview', { visit: visitBody() });
      expect(preview.statusCode).toBe(403);
      // An expired grant cannot be ended either.
      expect((await call('DELETE', 'admin', `/v1/break-glass/${grantId}`)).statusCode).toBe(404);
    } finally {
      stack.clock.offsetMs = 0;
    }
  });

  it('can be ended early; ending is audited and the full view stops at once', async () => {
    const opened = await call('POST', 'therapist', '/v1/break-glass', { reason: REASON });
    expect(opened.statusCode).toBe(201);
    const id = (opened.json() as { id: string }).id;
    expect((await call('DELETE', 'therapist', `/v1/break-glass/${id}`)).statusCode).toBe(204);
    expect((await call('DELETE', 'therapist', `/v1/break-glass/${id}`)).statusCode).toBe(404);
    expect((await call('GET', 'therapist', '/v1/break-glass')).json()).toEqual({ data: [] });
    const ended = await stack.db.sql`
      select 1 from audit_events where resource_type = 'break_glass_grant' and action = 'U' and resource_id = ${id}`;
    expect(ended).toHaveLength(1);
  });

  it('is rate-limited per principal, also under parallel requests', async () => {
    // The other practice's therapist has opened none yet.
    const results = await Promise.all(
      Array.from({ length: policy.maxGrantsPerWindow + 2 }, () =>
        call('POST', 'therapist', '/v1/break-glass', { reason: REASON }, 'other'),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([
      ...Array<number>(policy.maxGrantsPerWindow).fill(201),
      ...Array<number>(2).fill(429),
    ]);
    const limited = results.find((r) => r.statusCode === 429)!;
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other principals are not affected by it.
    expect((await call('POST', 'admin', '/v1/break-glass', { reason: REASON })).statusCode).toBe(201);
  });

  it('a server composed without a data keyring refuses to open a grant (503) and stores nothing', async () => {
    const bare = await buildApp({
      logLevel: 'silent',
      db: stack.db.db,
      temporal: stack.temporal.client,
      taskQueue: stack.taskQueue,
      cursorKey: Buffer.alloc(32, 9),
      rateLimit: { perMinute: 100_000, authFailuresPerMinute: 100_000 },
      readiness: {},
      now: () => stack.clock.now(),
    });
    try {
      const before = await stack.db.sql`select id from break_glass_grants`;
      const opened = await bare.inject({
        method: 'POST',
        url: '/v1/break-glass',
        headers: stack.auth.own.admin,
        payload: { reason: REASON },
      });
      expect(opened.statusCode).toBe(503);
      expect(opened.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(opened.json()).toMatchObject({ status: 503, detail: BREAK_GLASS_DISABLED });
      expect(opened.body).not.toContain('ZZCANARY');
      expect(await stack.db.sql`select id from break_glass_grants`).toHaveLength(before.length);
      // Roles are still enforced first, and the grants that exist can still be listed.
      const biller = await bare.inject({
        method: 'POST',
        url: '/v1/break-glass',
        headers: stack.auth.own.biller,
        payload: { reason: REASON },
      });
      expect(biller.statusCode).toBe(403);
      const listed = await bare.inject({
        method: 'GET',
        url: '/v1/break-glass',
        headers: stack.auth.own.admin,
      });
      expect(listed.statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
