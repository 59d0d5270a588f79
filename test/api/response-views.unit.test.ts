// SEC-AC-6 (minimum necessary): for every route answered through role views and every role the route lets in,
// the key set of what that role receives is the allow-listed one (snapshot below), foreign keys never survive,
// and a route that admits a role without a view cannot even start.
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../api/app.js';
import { responseShapingPlugin } from '../../api/response-shaping/plugin.js';
import { roleViews, shapeFor } from '../../api/response-shaping/role-views.js';
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
        ...Object.values(r.views.byRole).map((v) => maximal(v as z.ZodType) as object),
      ) as Record<string, unknown>;
      for (const role of r.roles) {
        const out = shapeFor(r.views, role, input);
        const serialized = JSON.stringify(out);
        expect(serialized, `${r.method} ${r.url} as ${role}`).not.toContain(FOREIGN_VALUE);
        expect(keyPaths(out)).not.toContain(FOREIGN_KEY);
        seen[`${r.method} ${r.url} ${r.status} ${role}`] = keyPaths(out).join(' ');
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
    const fullOnboarding = maximal(views('/v1/onboardings/:id').byRole.admin as z.ZodType);
    expect(keyPaths(shapeFor(views('/v1/onboardings/:id'), 'admin', fullOnboarding))).toContain(
      'coverages[].copayCents',
    );
    expect(keyPaths(shapeFor(views('/v1/onboardings/:id'), 'front_desk', fullOnboarding))).not.toContain(
      'coverages[].copayCents',
    );
    const auth = maximal(views('/v1/authorizations/:id').byRole.admin as z.ZodType);
    expect(keyPaths(shapeFor(views('/v1/authorizations/:id'), 'therapist', auth))).not.toContain(
      'authNumber',
    );
    expect(keyPaths(shapeFor(views('/v1/authorizations/:id'), 'biller', auth))).toContain('authNumber');
    const poc = views('/v1/plans-of-care/:id/certification', 'POST');
    const pocFull = maximal(poc.byRole.therapist as z.ZodType);
    expect(keyPaths(shapeFor(poc, 'front_desk', pocFull))).not.toContain('outcomes');
    expect(keyPaths(shapeFor(poc, 'therapist', pocFull))).toContain('outcomes[].improvementFromBaseline');
  });

  it('serialise through the caller view on a live route and refuse a route that admits a role without one', async () => {
    const full = z.object({ id: z.string(), secret: z.string() });
    const views = roleViews('Thing', full, { admin: full, biller: full.pick({ id: true }) });
    const small = Fastify().withTypeProvider<ZodTypeProvider>();
    small.setValidatorCompiler(validatorCompiler);
    small.setSerializerCompiler(serializerCompiler);
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
    await small.close();
  });
});
