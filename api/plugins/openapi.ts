// OpenAPI generated from the zod route schemas, served with Swagger UI at /docs. The docs scope gets the CSP
// Swagger UI needs; every other route keeps `default-src 'none'`.
//
// The route schemas give paths, parameters, bodies and success answers; the document is then completed from
// the route table (what the app really registered): who may call each operation (`x-roles` and a sentence),
// `security: []` on public routes, the problem+json answers each route can give (400/401/403/404/409/413/415/
// 422/429), the routes without a zod schema (/metrics, /docs, the document itself), and a request example per
// operation from `examples/http/<operationId>.json` when that file exists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { PROBLEM_CONTENT_TYPE } from '../problem.js';

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  description?: string;
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { content: Record<string, Json> };
  responses: Record<string, unknown>;
}

/** Where request examples live: `examples/http/<operationId>.json` of the repository (or the working directory). */
export const EXAMPLE_DIRS = [
  fileURLToPath(new URL('../../examples/http', import.meta.url)),
  path.resolve('examples/http'),
];

const tags = Object.entries({
  health: 'Liveness, readiness and metrics for orchestrators and monitoring (public).',
  docs: 'This document and Swagger UI (public).',
  onboardings: 'New-patient onboarding: intake forms, coverage, evaluation booking.',
  authorizations: 'Prior authorizations: request, payer decision, visit counting.',
  'plans-of-care': 'Plans of care: certification, visits, progress, discharge.',
  claims: 'Claims for signed visits: preview, submission, corrections.',
  practitioners: 'The practice practitioner directory: rendering providers named on its claims.',
  waitlist:
    'Patients waiting for a slot: freed slots are offered to them in a fair, explained order (issue 18).',
  billing: 'Billing-system connectivity: charge export (CSV, 837P batch) for a date of service.',
  practice:
    'Practice setup: profile, locations, payers, fee schedules, therapists, referring providers (admin).',
  processes: 'All processes of your practice (Temporal visibility).',
  tasks: 'The staff worklist.',
  'break-glass': 'Time-boxed emergency access to full views (audited, reported).',
  sandbox: 'Sandbox connectors for demos and tests.',
  webhooks: 'Signed inbound webhooks (authenticated by signature, not a bearer token).',
  codec: 'Temporal codec server for the Temporal Web UI and CLI.',
}).map(([name, description]) => ({ name, description }));

const fieldError = {
  type: 'object',
  description: 'One defect of the request; never quotes the submitted value.',
  required: ['in', 'pointer', 'code', 'detail'],
  properties: {
    in: { type: 'string', enum: ['body', 'query', 'path', 'header'] },
    pointer: { type: 'string', description: 'JSON pointer (RFC 6901) to the field; "" is the whole body.' },
    code: { type: 'string', description: 'invalid_type, invalid_value, unrecognized_keys, too_small, …' },
    detail: { type: 'string' },
    expected: { type: 'string', description: 'The expected JSON type.' },
    allowed: { type: 'array', items: {}, description: 'The allowed values.' },
    minimum: { type: 'number' },
    maximum: { type: 'number' },
    format: { type: 'string' },
    pattern: { type: 'string' },
    key: { type: 'string', description: 'The unknown key, by name.' },
  },
};

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; `instance` is the request id (also in X-Request-Id).',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
  },
};

const problemResponses: Record<string, string> = {
  400: 'The request is not valid: `errors` names each field (JSON pointer) and what it expects.',
  401: 'Missing or invalid credentials.',
  403: 'Your role may not use this operation.',
  404: 'No such resource in your practice.',
  409: 'Conflict with the current state (or the same Idempotency-Key is still in progress).',
  413: 'The request body is too large.',
  415: 'The body must be sent as application/json.',
  422: 'The Idempotency-Key was already used with a different request, or the request cannot be applied.',
  429: 'Too many requests; retry after the Retry-After header.',
  503: 'The database is unavailable (down, or refusing writes); retry after the Retry-After header.',
};

function problemResponse(status: string): Json {
  return {
    description: problemResponses[status] ?? 'Error',
    ...(status === '429' || status === '503'
      ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } }
      : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

const statusWords: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  503: 'Service Unavailable',
};

const idempotencyKeyParameter = {
  in: 'header',
  name: 'Idempotency-Key',
  required: true,
  description:
    'A unique key per operation (e.g. a UUID); a retry with the same key replays the first answer.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  example: '6f1c2b0e-8d4a-4f7e-9b3c-2a5d7e9f1c3b',
};

const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** A request example from `examples/http/<operationId>.json`: the body itself, or `{ body, params, query }`. */
function loadExample(operationId: string, dirs: readonly string[]): Json | undefined {
  for (const dir of dirs) {
    const file = path.join(dir, `${operationId}.json`);
    if (!fs.existsSync(file)) continue;
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { body: parsed };
    const envelope = parsed as Json;
    const isEnvelope =
      ['method', 'path', 'url', 'params', 'query', 'headers'].some((k) => k in envelope) ||
      (Object.keys(envelope).length === 1 && 'body' in envelope);
    return isEnvelope ? envelope : { body: envelope };
  }
  return undefined;
}

function applyExample(op: Operation, example: Json): void {
  const json = op.requestBody?.content['application/json'];
  if (json && example.body !== undefined) json.example = example.body;
  const params = {
    ...((example.params as Json | undefined) ?? {}),
    ...((example.query as Json | undefined) ?? {}),
  };
  for (const p of op.parameters ?? []) {
    if ((p.in === 'path' || p.in === 'query') && params[p.name] !== undefined) p.example = params[p.name];
  }
}

/** Operations whose success answer is not JSON (the zod schema only says "a string"): their real media types. */
const nonJsonAnswers: Record<string, Json> = {
  exportCharges: {
    'text/csv': {
      schema: { type: 'string', description: 'One row per claim line (docs/billing-export.md)' },
    },
    'application/edi-x12': { schema: { type: 'string', description: 'An 837P 005010X222A1 interchange' } },
  },
};

/** Operations that exist without a zod schema (Prometheus text, Swagger UI, the document itself). */
const staticPaths: Record<string, Record<string, Operation>> = {
  '/metrics': {
    get: {
      tags: ['health'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (route patterns, status codes, process kinds; never ids)',
      security: [],
      responses: {
        200: {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    },
  },
  '/docs': {
    get: {
      tags: ['docs'],
      operationId: 'getDocs',
      summary: 'Swagger UI for this document',
      security: [],
      responses: {
        200: { description: 'Swagger UI', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
  },
  '/docs/json': {
    get: {
      tags: ['docs'],
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document (the committed openapi.json is the same)',
      security: [],
      responses: {
        200: {
          description: 'OpenAPI 3.1 document',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    },
  },
};

/** Completes the generated document from the route table; see the header comment. */
export function completeDocument(
  doc: Json,
  routes: FastifyInstance['routeTable'],
  exampleDirs: readonly string[] = EXAMPLE_DIRS,
): Json {
  const paths = { ...(doc.paths as Record<string, Record<string, Operation>>) };
  for (const [p, ops] of Object.entries(staticPaths)) {
    if (routes.some((r) => r.method === 'GET' && r.url === p)) paths[p] = structuredClone(ops);
  }
  for (const [p, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const route = routes.find((r) => r.method === method.toUpperCase() && openApiPath(r.url) === p);
      if (!route) continue;
      const webhook = p.startsWith('/v1/webhooks/');
      const sentences: string[] = op.description ? [op.description] : [];
      if (route.public) {
        op.security = [];
        sentences.push(
          webhook
            ? 'Public for bearer tokens: authenticated by the sender’s signature instead.'
            : 'Public: no credentials needed.',
        );
      } else if (route.roles) {
        op['x-roles'] = [...route.roles];
        sentences.push(`Roles: ${route.roles.join(', ')}.`);
      }
      if (route.idempotent) {
        sentences.push('Requires an Idempotency-Key header; a retry replays the first answer.');
        op.parameters = [...(op.parameters ?? []), idempotencyKeyParameter];
      }
      if (sentences.length) op.description = sentences.join('\n\n');

      const statuses = new Set<string>(['429']);
      const hasParams = (op.parameters ?? []).length > 0 || /\{\w+\}/.test(p);
      if (route.body || hasParams || p.startsWith('/v1/') || route.idempotent) statuses.add('400');
      if (!route.public || webhook) statuses.add('401');
      // Every authenticated route reads the database (the key, the audit log), so it can meet an outage.
      if (!route.public || webhook) statuses.add('503');
      if (route.roles || p.startsWith('/v1/webhooks/emr/')) statuses.add('403');
      if (/\{\w+\}/.test(p)) statuses.add('404');
      if (route.idempotent) {
        statuses.add('409');
        statuses.add('422');
      }
      if (route.body) {
        statuses.add('413');
        statuses.add('415');
      }
      for (const [status, response] of Object.entries(op.responses) as [string, Json][]) {
        if (response.description === 'Default Response')
          response.description = statusWords[status] ?? 'Answer';
        // Every error is problem+json (e.g. /readyz's 503 naming the dependency that does not answer).
        const content = response.content as Record<string, unknown> | undefined;
        if (Number(status) >= 400 && content?.['application/json']) {
          response.content = { [PROBLEM_CONTENT_TYPE]: content['application/json'] };
        }
      }
      for (const status of [...statuses].sort()) {
        if (!(status in op.responses)) op.responses[status] = problemResponse(status);
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));

      const answer = op.operationId ? nonJsonAnswers[op.operationId] : undefined;
      if (answer && op.responses['200']) (op.responses['200'] as Json).content = answer;
      if (op.operationId) {
        const example = loadExample(op.operationId, exampleDirs);
        if (example) applyExample(op, example);
      }
    }
  }
  const components = (doc.components ?? {}) as Json;
  return {
    ...doc,
    // Relative: Swagger UI calls the server that serves it; `npm run dev` serves http://127.0.0.1:3000.
    servers: [
      { url: '/', description: 'The ptflow API serving this document (npm run dev: http://127.0.0.1:3000)' },
    ],
    tags,
    components: {
      ...components,
      schemas: {
        ...((components.schemas as Json | undefined) ?? {}),
        Problem: problemSchema,
        FieldError: fieldError,
      },
    },
    paths,
  };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ptflow API',
        version: '1.0.0',
        description:
          'Start, steer and watch physical-therapy practice processes. Errors are RFC 9457 problem+json; a 400 ' +
          'names every bad, missing or unknown field by JSON pointer and never repeats the submitted value.',
        license: { name: 'UNLICENSED (proprietary)', identifier: 'LicenseRef-Proprietary' },
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A practice-scoped API key (ptf_…) or an OIDC access token',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      completeDocument(
        ('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Json,
        app.routeTable,
      ),
  });
  // Swagger UI's own routes are documentation: public, and kept out of the generated part of the document
  // (/docs and /docs/json are described by completeDocument).
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) {
      route.config = { ...(route.config ?? {}), public: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    }
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header,
    uiConfig: { docExpansion: 'list', deepLinking: false },
  });
}
