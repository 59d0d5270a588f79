// API9 (inventory): the committed openapi.json is what the code serves, and every registered route is in it —
// with a stable operationId, who may call it, the problem+json answers it can give, and its request example
// when examples/http/<operationId>.json exists. Regenerate with `npm run openapi`; `npm run lint:openapi`
// (Redocly, part of `npm test`) lints the committed file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { documentedApp, openApiDocument } from '../../api/openapi-document.js';
import { completeDocument } from '../../api/plugins/openapi.js';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  'x-roles'?: string[];
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

let app: FastifyInstance;
let close: () => Promise<void>;
let doc: { paths: Paths };
beforeAll(async () => {
  ({ app, close } = await documentedApp());
  doc = app.swagger() as unknown as typeof doc;
});
afterAll(async () => close?.());

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ p, m, op })));

describe('openapi.json', () => {
  it('matches the document generated from the route schemas', async () => {
    const generated = await openApiDocument();
    const committed = JSON.parse(fs.readFileSync('openapi.json', 'utf8')) as Record<string, unknown>;
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
    expect(JSON.parse(JSON.stringify(doc))).toEqual(committed);
  });

  it('documents every registered route, codec, metrics and docs included', () => {
    const documented = new Set(operations().map(({ p, m }) => `${m.toUpperCase()} ${p}`));
    const registered = app.routeTable
      // CORS preflights and Swagger UI's static assets are not operations.
      .filter((r) => r.method !== 'OPTIONS' && !(r.url.startsWith('/docs/') && r.url !== '/docs/json'))
      .filter((r) => r.url !== '/docs/')
      // HTML pages for people (staff sign-in, console) are not API operations.
      .filter((r) => !r.page)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect([...documented].sort()).toEqual([...new Set(registered)].sort());
    for (const p of ['/metrics', '/docs', '/docs/json', '/codec/decode', '/codec/encode', '/v1/claims']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('gives every operation a unique operationId and a summary', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { p, m, op } of operations()) expect(op.summary, `${m} ${p}`).toBeTruthy();
  });

  it('marks public routes public and shows the roles of every other one', () => {
    for (const { p, m, op } of operations()) {
      const route = app.routeTable.find(
        (r) => r.method === m.toUpperCase() && r.url.replace(/:(\w+)/g, '{$1}') === p,
      )!;
      if (route.public) {
        expect(op.security, `${m} ${p}`).toEqual([]);
        expect(op['x-roles']).toBeUndefined();
      } else {
        expect(op.security, `${m} ${p}`).toBeUndefined();
        expect(op['x-roles'], `${m} ${p}`).toEqual([...route.roles!]);
        expect(op.description).toContain(`Roles: ${route.roles!.join(', ')}.`);
        expect(op.responses).toHaveProperty('401');
        expect(op.responses).toHaveProperty('403');
      }
    }
    for (const p of ['/healthz', '/readyz', '/metrics', '/docs'])
      expect(doc.paths[p]!.get!.security).toEqual([]);
  });

  it('answers errors as problem+json: 400/413/415 with a body, 404 with an id, 409/422 when idempotent, 429', () => {
    for (const { p, m, op } of operations()) {
      const where = `${m} ${p}`;
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^4/.test(status)) continue;
        expect(response.content?.['application/problem+json']?.schema?.$ref, `${where} ${status}`).toBe(
          '#/components/schemas/Problem',
        );
      }
      expect(op.responses, where).toHaveProperty('429');
      if (op.requestBody)
        for (const s of ['400', '413', '415']) expect(op.responses, where).toHaveProperty(s);
      if (p.includes('{')) expect(op.responses, where).toHaveProperty('404');
      if (op.description?.includes('Idempotency-Key')) {
        expect(op.responses, where).toHaveProperty('409');
        expect(op.responses, where).toHaveProperty('422');
        expect(op.parameters, where).toContainEqual(
          expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: true }),
        );
      }
    }
  });
});

describe('request examples from examples/http/<operationId>.json', () => {
  const generated = () => structuredClone(app.swagger()) as unknown as Record<string, unknown>;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-examples-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses a file holding the body itself as the operation’s request example', () => {
    const body = { outcome: 'done' };
    fs.writeFileSync(path.join(dir, 'completeTask.json'), JSON.stringify(body));
    const out = completeDocument(generated(), app.routeTable, [dir]) as unknown as { paths: Paths };
    const op = out.paths['/v1/tasks/{id}/complete']!.post!;
    expect(op.requestBody!.content['application/json']!.example).toEqual(body);
    // Operations without a file in the directory keep what the document already had.
    const before = generated() as unknown as { paths: Paths };
    expect(out.paths['/v1/claims']!.post!.requestBody!.content['application/json']!.example).toEqual(
      before.paths['/v1/claims']!.post!.requestBody!.content['application/json']!.example,
    );
  });

  it('reads an envelope { method, path, params, query, body } into the body and parameter examples', () => {
    const id = '3f0c1a52-5d7e-4b8a-9c1d-2e3f4a5b6c7d';
    fs.writeFileSync(
      path.join(dir, 'recordAuthorizationVisit.json'),
      JSON.stringify({
        method: 'POST',
        path: `/v1/authorizations/${id}/visits`,
        params: { id },
        body: { visitId: 'v-1', dos: '2026-01-05', units: 3 },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'listTasks.json'),
      JSON.stringify({ query: { status: 'open', limit: 5 } }),
    );
    const out = completeDocument(generated(), app.routeTable, [dir]) as unknown as { paths: Paths };
    const visit = out.paths['/v1/authorizations/{id}/visits']!.post!;
    expect(visit.requestBody!.content['application/json']!.example).toEqual({
      visitId: 'v-1',
      dos: '2026-01-05',
      units: 3,
    });
    expect(visit.parameters!.find((p) => p.name === 'id')!.example).toBe(id);
    const tasks = out.paths['/v1/tasks']!.get!;
    expect(tasks.parameters!.find((p) => p.name === 'limit')!.example).toBe(5);
  });
});
