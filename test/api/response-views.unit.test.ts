// SEC-AC-6 (minimum necessary): for every route answered through role views and every role the route lets in,
// the key set of what that role receives is the allow-listed one (snapshot below), foreign keys never survive,
// and a route that admits a role without a view cannot even start. Admins get operational metadata only; a role
// that can break glass (SEC-AC-3) gets the full view under a grant, and a break-glass-only role gets nothing.
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../api/app.js';
import { HttpProblem } from '../../api/problem.js';
import { responseShapingPlugin } from '../../api/response-shaping/plugin.js';
import { breakGlassOnly, canBreakGlass, roleViews, shapeFor } from '../../api/response-shaping/role-views.js';
import { connectDb } from '../../db/connection.js';
import { FOREIGN_KEY, FOREIGN_VALUE, keyPaths, maximal } from './key-sets.js';

let app: FastifyInstance;
let db: ReturnType<typeof connectDb>;

beforeAll(async () => {
  // Lazy clients: nothing connects; the route table and its views are all this test reads.
  db = connectDb('postgres://views@127.0.0.1:1/views', { max: 1 });
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: new Client(),
    cursorKey: Buffer.alloc(32),
    readiness: {},
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('role views', () => {
  it('give each role of each route exactly its allow-listed key set', () => {
    const seen: Record<string, string> = {};
    for (const r of app.responseViews) {
      // The widest input: the union of every view's fields, each present, plus foreign keys everywhere.
      const input = Object.assign(
        {},
        maximal(r.views.full) as object,
        ...Object.values(r.views.byRole).map((v) => maximal(v as z.ZodType) as object),
      ) as Record<string, unknown>;
      const full = keyPaths(shapeFor(r.views, 'admin', input, { breakGlass: true }));
      for (const role of r.roles) {
        const key = `${r.method} ${r.url} ${r.status} ${role}`;
        if ((r.views.breakGlassOnly as readonly string[]).includes(role)) {
          expect(() => shapeFor(r.views, role, input)).toThrow(/without break-glass/);
          seen[key] = '(break-glass only)';
        } else {
          const out = shapeFor(r.views, role, input);
          expect(JSON.stringify(out), `${key}`).not.toContain(FOREIGN_VALUE);
          expect(keyPaths(out)).not.toContain(FOREIGN_KEY);
          seen[key] = keyPaths(out).join(' ');
        }
        if (canBreakGlass(role)) {
          // Under a grant: the full response, still an allow-list (foreign keys dropped).
          const elevated = shapeFor(r.views, role, input, { breakGlass: true });
          expect(JSON.stringify(elevated)).not.toContain(FOREIGN_VALUE);
          expect(keyPaths(elevated)).toEqual(full);
        } else {
          expect(() => shapeFor(r.views, role, input, { breakGlass: true })).toThrow(/cannot break glass/);
        }
      }
    }
    expect(seen).toMatchSnapshot();
  });

  it('strip clinical, billing and payer-reference fields from the roles that do not need them', () => {
    const views = (url: string, method = 'GET') => {
      const r = app.responseViews.find((v) => v.url === url && v.method === method);
      if (!r) throw new Error(`no views on ${method} ${url}`);
      return r.views;
    };
    const fullOnboarding = maximal(views('/v1/onboardings/:id').full);
    expect(keyPaths(shapeFor(views('/v1/onboardings/:id'), 'admin', fullOnboarding))).not.toContain(
      'coverages[].copayCents',
    );
    expect(
      keyPaths(shapeFor(views('/v1/onboardings/:id'), 'admin', fullOnboarding, { breakGlass: true })),
    ).toContain('coverages[].copayCents');
    expect(keyPaths(shapeFor(views('/v1/onboardings/:id'), 'front_desk', fullOnboarding))).not.toContain(
      'coverages[].copayCents',
    );
    const auth = maximal(views('/v1/authorizations/:id').full);
    expect(keyPaths(shapeFor(views('/v1/authorizations/:id'), 'admin', auth))).not.toContain('authNumber');
    expect(keyPaths(shapeFor(views('/v1/authorizations/:id'), 'therapist', auth))).not.toContain(
      'authNumber',
    );
    expect(keyPaths(shapeFor(views('/v1/authorizations/:id'), 'biller', auth))).toContain('authNumber');
    const poc = views('/v1/plans-of-care/:id/certification', 'POST');
    const pocFull = maximal(poc.byRole.therapist as z.ZodType);
    expect(keyPaths(shapeFor(poc, 'front_desk', pocFull))).not.toContain('outcomes');
    expect(keyPaths(shapeFor(poc, 'therapist', pocFull))).toContain('outcomes[].improvementFromBaseline');
    expect(keyPaths(shapeFor(poc, 'admin', pocFull))).not.toContain('outcomes');
    const claim = views('/v1/claims/:id');
    const claimFull = maximal(claim.full);
    expect(keyPaths(shapeFor(claim, 'admin', claimFull))).toEqual([
      'attempt',
      'claimId',
      'frequency',
      'state',
    ]);
    expect(keyPaths(shapeFor(claim, 'biller', claimFull))).toContain('paidCents');
  });

  it('keep admins to operational metadata on every route: no amounts, codes, payer references or free text', () => {
    const forbidden =
      /(Cents|authNumber|payerClaimNumber|outcomes|improvement|plateau|discharged|lines|findings|decisions|x12|cancelReason|copay|reason)/;
    for (const r of app.responseViews) {
      if (!r.roles.includes('admin') || r.views.breakGlassOnly.includes('admin')) continue;
      const out = shapeFor(r.views, 'admin', maximal(r.views.full));
      for (const path of keyPaths(out)) expect(path, `${r.method} ${r.url}`).not.toMatch(forbidden);
    }
    const gated = app.responseViews.filter((r) => r.views.breakGlassOnly.includes('admin'));
    expect(gated.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'POST /v1/claims/preview',
      'POST /v1/plans-of-care/:id/outcomes',
    ]);
  });

  it('serialise through the caller view on a live route and refuse a route that admits a role without one', async () => {
    const full = z.object({ id: z.string(), secret: z.string() });
    const views = roleViews('Thing', full, { admin: full, biller: full.pick({ id: true }) });
    const small = Fastify().withTypeProvider<ZodTypeProvider>();
    small.setValidatorCompiler(validatorCompiler);
    small.setSerializerCompiler(serializerCompiler);
    small.setErrorHandler((err, _req, reply) =>
      err instanceof HttpProblem ? reply.code(err.problem.status).send(err.problem) : reply.code(500).send(),
    );
    await small.register(responseShapingPlugin);
    small.addHook('onRequest', async (req) => {
      const role = req.headers['x-role'] === 'admin' ? 'admin' : 'biller';
      req.principal = { id: 'test', type: 'api_key', role, practiceId: 'p', amr: [] };
    });
    small.get(
      '/thing',
      { config: { roles: ['admin', 'biller'] }, schema: { response: { 200: views } } },
      async () => ({ id: 'a', secret: 's', [FOREIGN_KEY]: FOREIGN_VALUE }),
    );
    // A break-glass-only role without a grant (no grant store here: never one) is refused before the handler.
    let ran = 0;
    const gated = roleViews('Gated', full, { admin: breakGlassOnly, biller: full });
    small.get(
      '/gated',
      { config: { roles: ['admin', 'biller'] }, schema: { response: { 200: gated } } },
      async () => {
        ran += 1;
        return { id: 'a', secret: 's' };
      },
    );
    expect(() =>
      small.get(
        '/other',
        { config: { roles: ['admin', 'therapist'] }, schema: { response: { 200: views } } },
        async () => ({ id: 'a', secret: 's' }),
      ),
    ).toThrow(/no view for therapist/);
    const asBiller = await small.inject({ method: 'GET', url: '/thing', headers: { 'x-role': 'biller' } });
    expect(asBiller.json()).toEqual({ id: 'a' });
    const asAdmin = await small.inject({ method: 'GET', url: '/thing', headers: { 'x-role': 'admin' } });
    expect(asAdmin.json()).toEqual({ id: 'a', secret: 's' });
    const gatedAdmin = await small.inject({ method: 'GET', url: '/gated', headers: { 'x-role': 'admin' } });
    expect(gatedAdmin.statusCode).toBe(403);
    expect(gatedAdmin.json()).toMatchObject({ reason: 'BreakGlassRequired' });
    expect(ran).toBe(0);
    const gatedBiller = await small.inject({ method: 'GET', url: '/gated', headers: { 'x-role': 'biller' } });
    expect(gatedBiller.json()).toEqual({ id: 'a', secret: 's' });
    expect(ran).toBe(1);
    expect(() => roleViews('Bad', full, { biller: breakGlassOnly })).toThrow(/cannot break glass/);
    await small.close();
  });
});
