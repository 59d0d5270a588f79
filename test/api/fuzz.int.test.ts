// API-ERR-1/2 and the fuzz harness of security.md §8: walks Fastify's route table and, for every authenticated
// route, sends generated requests with valid credentials of a role the route admits — valid bodies, params and
// query strings from the route's own schema (via the OpenAPI document), and mutated ones (wrong types, dropped
// and extra fields, unicode and oversized strings, random JSON, raw non-JSON bytes, odd content types, bad
// Idempotency-Keys). Properties: never a 5xx; every error is application/problem+json with no stack trace and
// no input value echoed; every 400 names the field (in + JSON pointer); a non-JSON body is a 415 and broken JSON
// a 400 saying so; every success carries only the role's fields. The real stack sits behind it.
// Reproduce a failure with FUZZ_SEED=<seed printed in the failure> (FUZZ_RUNS raises the number of runs).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { roles, type Role } from '../../api/auth/principal.js';
import {
  mutationOf,
  nastyString,
  schemaLiterals,
  stringsIn,
  valueFor,
  type JsonSchema,
} from './fuzz-arbitraries.js';
import { keyPaths, maximal } from './key-sets.js';
import {
  authorizationBody,
  claimBody,
  onboardingBody,
  planOfCareBody,
  startApiStack,
  type ApiStack,
} from './stack.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

let stack: ApiStack;
/** Real ids of the demo practice per path prefix, so generated requests also reach live processes. */
const realIds: Record<string, string[]> = {};
let spec: { paths: Record<string, Record<string, Operation>> };

interface Operation {
  parameters?: { in: 'path' | 'query'; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

async function startedId(url: string, role: Role, body: unknown): Promise<string> {
  const res = await stack.app.inject({
    method: 'POST',
    url,
    headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
    payload: body as object,
  });
  expect(res.statusCode).toBe(202);
  return (res.json() as { id: string }).id;
}

beforeAll(async () => {
  stack = await startApiStack();
  spec = stack.app.swagger() as unknown as typeof spec;
  const poc = await startedId('/v1/plans-of-care', 'therapist', planOfCareBody());
  realIds['/v1/plans-of-care'] = [poc];
  realIds['/v1/onboardings'] = [await startedId('/v1/onboardings', 'front_desk', onboardingBody())];
  realIds['/v1/authorizations'] = [await startedId('/v1/authorizations', 'front_desk', authorizationBody())];
  realIds['/v1/claims'] = [await startedId('/v1/claims', 'biller', claimBody(poc))];
  realIds['/v1/tasks'] = [await stack.startTask('front_desk'), await stack.startTask('biller')];
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const contentTypes = [
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=zz',
  'application/x-www-form-urlencoded',
  'application/problem+json',
  '*/*',
  'application/json\u00e9',
];
const OVERSIZED = `{"zz":"${'a'.repeat(2 * 1024 * 1024)}"}`;

interface Generated {
  role: Role;
  id: string;
  query: Record<string, string>;
  body?: { raw: string; value?: unknown; contentType?: string };
  idempotencyKey?: string;
}

function requestArbitrary(
  method: string,
  url: string,
  op: Operation,
  admitted: Role[],
): fc.Arbitrary<Generated> {
  const prefix = url.replace(/\/:id.*$/, '');
  const real = realIds[prefix] ?? [];
  const id = fc.oneof(
    { weight: 4, arbitrary: real.length ? fc.constantFrom(...real) : fc.uuid({ version: 4 }) },
    { weight: 2, arbitrary: fc.uuid({ version: 4 }) },
    { weight: 1, arbitrary: nastyString.map((s) => s.slice(0, 2000)) },
  );
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const validQuery = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, valueFor(p.schema).map(String)])),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
  ) as fc.Arbitrary<Record<string, string>>;
  const query = queryParams.length
    ? fc.oneof(
        { weight: 3, arbitrary: validQuery },
        {
          weight: 2,
          arbitrary: fc
            .tuple(validQuery, fc.constantFrom(...queryParams.map((p) => p.name), 'zzExtra'), nastyString)
            .map(([q, k, v]) => ({ ...q, [k]: v.slice(0, 3000) })),
        },
      )
    : fc.constant({});
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const json = (v: unknown) => ({ raw: JSON.stringify(v) ?? 'null', value: v });
  const body: fc.Arbitrary<Generated['body']> =
    method === 'GET'
      ? fc.constant(undefined)
      : fc.oneof(
          { weight: 4, arbitrary: bodySchema ? valueFor(bodySchema).map(json) : fc.constant(json({})) },
          {
            weight: 4,
            arbitrary: bodySchema
              ? valueFor(bodySchema).chain(mutationOf).map(json)
              : fc.jsonValue().map(json),
          },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
          {
            weight: 1,
            arbitrary: fc.oneof(
              fc.string({ unit: 'binary', maxLength: 200 }).map((raw) => ({ raw })),
              fc.constant({ raw: '{"a": [1, 2' }),
              fc.constant({ raw: '' }),
            ),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                bodySchema ? valueFor(bodySchema) : fc.constant({}),
                fc.constantFrom(...contentTypes, undefined),
              )
              .map(([v, contentType]) => ({ ...json(v), contentType: contentType ?? '' })),
          },
          { weight: 1, arbitrary: fc.constant({ raw: OVERSIZED }) },
        );
  const idempotencyKey = fc.oneof(
    { weight: 6, arbitrary: fc.uuid({ version: 4 }) },
    { weight: 1, arbitrary: fc.constant('zz-fixed-fuzz-key') },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('', ' ', 'a'.repeat(300), '"quoted",key', 'ZZCANARY-key\u00e9\u202e'),
        nastyString.map((s) => s.slice(0, 400)),
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  return fc.record({
    role: fc.constantFrom(...admitted),
    id,
    query,
    body,
    idempotencyKey,
  }) as fc.Arbitrary<Generated>;
}

/** A path segment; a string that cannot be percent-encoded (a lone surrogate) becomes a malformed escape. */
function pathSegment(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    return '%E0%A4%A';
  }
}

const isJsonType = (type: string) => /^application\/json\s*(;|$)/i.test(type);
function parses(raw: string): boolean {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

/** Header values Node would refuse to send are not a server behaviour; they are skipped by the harness. */
const sendable = (v: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v);

describe('API fuzz', () => {
  it('every authenticated route: no 5xx; errors are problem+json without stacks or echoed input', async () => {
    // HTML pages for people (sign-out, console) are not API operations (staff-sessions.int.test.ts covers them).
    const closed = stack.app.routeTable.filter((r) => !r.public && !r.page);
    expect(closed.length).toBeGreaterThan(20);
    let sent = 0;
    for (const [index, route] of closed.entries()) {
      const op = spec.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url} is in the OpenAPI document`).toBeDefined();
      // The roles this route admits, by asking it (anything but 403 means the role got past the role check).
      const admitted: Role[] = [];
      for (const role of roles) {
        const probe = await stack.app.inject({
          method: route.method as 'GET',
          url: route.url.replace(/:(\w+)/g, () => randomUUID()),
          headers: stack.auth.own[role],
        });
        if (probe.statusCode !== 403) admitted.push(role);
      }
      expect(admitted.length, `${route.method} ${route.url} admits some role`).toBeGreaterThan(0);
      const views = stack.app.responseViews.filter((v) => v.method === route.method && v.url === route.url);
      const seed = SEED + index;

      const property = fc.asyncProperty(
        requestArbitrary(route.method, route.url, op!, admitted),
        async (g) => {
          const url =
            route.url.replace(/:(\w+)/g, () => pathSegment(g.id)) +
            (Object.keys(g.query).length ? `?${new URLSearchParams(g.query).toString()}` : '');
          const headers: Record<string, string> = { ...stack.auth.own[g.role] };
          if (g.idempotencyKey !== undefined && sendable(g.idempotencyKey)) {
            headers['idempotency-key'] = g.idempotencyKey;
          }
          if (g.body) {
            const type = g.body.contentType ?? 'application/json';
            if (type) headers['content-type'] = type;
          }
          const res = await stack.app.inject({
            method: route.method as 'GET',
            url,
            headers,
            ...(g.body ? { payload: g.body.raw } : {}),
          });
          sent++;
          const where = `${route.method} ${route.url} → ${res.statusCode}`;
          expect(res.statusCode, where).toBeLessThan(500);
          // A body in another media type is a 415, not a schema failure; broken JSON says it is not JSON (unless the
          // URL itself was refused first: a malformed escape, an over-long parameter).
          const refused =
            res.statusCode >= 400 ? (res.json() as { errors?: { in?: string; code?: string }[] }) : {};
          const pathRefused = [404, 414].includes(res.statusCode) || refused.errors?.[0]?.in === 'path';
          if (
            op!.requestBody &&
            g.body?.contentType !== undefined &&
            !isJsonType(g.body.contentType) &&
            !pathRefused
          ) {
            expect(res.statusCode, `${where} (${JSON.stringify(g.body.contentType)})`).toBe(415);
          }
          if (g.body?.contentType === undefined && g.body?.raw && !parses(g.body.raw) && !pathRefused) {
            expect(res.statusCode, where).toBe(400);
            expect(refused.errors, where).toEqual([
              expect.objectContaining({ in: 'body', code: 'invalid_json' }),
            ]);
          }
          if (res.statusCode >= 400) {
            expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
            const problem = res.json() as Record<string, unknown>;
            expect(problem, where).toMatchObject({
              type: expect.any(String),
              title: expect.any(String),
              status: res.statusCode,
            });
            expect(res.body, where).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|ZZCANARY/);
            // API-ERR-2: every 400 names what to fix — where (body, query, path, header) and which field (JSON
            // pointer; "" is the whole body) — for schema failures, broken JSON, headers and cursors alike.
            if (res.statusCode === 400) {
              const errors = problem.errors as
                { in?: unknown; pointer?: unknown; detail?: unknown }[] | undefined;
              expect(Array.isArray(errors) && errors.length > 0, `${where} names no field: ${res.body}`).toBe(
                true,
              );
              for (const e of errors!) {
                expect(['body', 'query', 'path', 'header'], `${where}: ${res.body}`).toContain(e.in);
                expect(e.pointer, `${where}: ${res.body}`).toMatch(/^(\/.*)?$/);
                expect(typeof e.detail, where).toBe('string');
              }
            }
            const inputs = [
              g.id,
              ...Object.values(g.query),
              ...(g.body?.value !== undefined ? stringsIn(g.body.value) : []),
              ...(g.idempotencyKey ? [g.idempotencyKey] : []),
            ].filter((s) => s.length >= 8 && !schemaLiterals.has(s));
            for (const s of inputs) {
              const escaped = JSON.stringify(s).slice(1, -1);
              expect(
                res.body.includes(s) || res.body.includes(escaped),
                `${where} echoes ${JSON.stringify(s.slice(0, 80))}: ${res.body.slice(0, 300)}`,
              ).toBe(false);
            }
          } else {
            const view = views.find((v) => v.status === res.statusCode)?.views.byRole[g.role];
            if (view) {
              const allowed = keyPaths(maximal(view as z.ZodType));
              expect(
                keyPaths(res.json()).filter((k) => !allowed.includes(k)),
                where,
              ).toEqual([]);
            }
          }
        },
      );
      try {
        await fc.assert(property, { seed, numRuns: RUNS, endOnFailure: true });
        // Grants the break-glass routes opened would lift later routes to their full views (SEC-AC-3, tested in
        // break-glass.int.test.ts); every route here is fuzzed against the callers' own views.
        await stack.db.sql`update break_glass_grants set ended_at = now() where ended_at is null`;
      } catch (err) {
        throw new Error(
          `${route.method} ${route.url} failed — reproduce with FUZZ_SEED=${SEED} (route seed ${seed}):\n${(err as Error).message.slice(0, 3000)}`,
          { cause: err },
        );
      }
    }
    expect(sent).toBeGreaterThanOrEqual(closed.length * RUNS);
  }, 600_000);
});
