// The routes every process resource repeats, made by one factory: the status (GET /v1/<resource>/:id, a query),
// "tell the process something" (POST …/:id/<action>, a signal answered 202) and "change the process and see the
// result" (POST …/:id/<action>, an update answered 200, 409 when refused). Each resource passes its own query,
// signal and update definitions, schemas and roles; tenancy, audit and problem answers are those of processes.ts.
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPracticeRepository, type Practice } from '../../db/repositories/practices.js';
import type { ProcessKindPrefix } from '../../domain/ids.js';
import { principalOf } from '../auth/plugin.js';
import type { Role } from '../auth/principal.js';
import { type ProcessRouteDeps, queryOwned, signalOwned, updateOwned } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';

/** The instance a route plugin registers on (zod type provider). */
type RouteApp = Parameters<FastifyPluginAsyncZod>[0];

/** The path parameter of every process route. */
export const processIdParams = z.strictObject({ id: z.uuid() });

/** The 202 of a start. */
export const startedResponse = z.object({
  id: z.uuid(),
  status: z.literal('started'),
  links: z.object({ self: z.string() }),
});

/** The 202 of a signal. */
export const acceptedResponse = z.object({ id: z.uuid(), status: z.literal('accepted') });

/** A process resource: where its routes live and how its processes are named and audited. */
export interface ProcessResource {
  /** Workflow id prefix (`auth`, `poc` …). */
  kind: ProcessKindPrefix;
  /** Resource type of the audit entries. */
  resourceType: string;
  /** OpenAPI tag. */
  tag: string;
  /** Collection path, e.g. `/v1/claims`. */
  path: string;
}

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  roles: readonly Role[];
}

function operationSchema(resource: ProcessResource, spec: OperationSpec) {
  return {
    tags: [resource.tag],
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    params: processIdParams,
  };
}

const target = (resource: ProcessResource, id: string) => ({
  kind: resource.kind,
  id,
  resourceType: resource.resourceType,
});

/** GET <path>/:id: the process's status query, audited as a read. */
export function statusRoute<Ret>(
  app: RouteApp,
  deps: ProcessRouteDeps,
  resource: ProcessResource,
  spec: OperationSpec & { response: z.ZodType; query: QueryDefinition<Ret> },
): void {
  app.get(
    `${resource.path}/:id`,
    {
      config: { roles: spec.roles },
      schema: { ...operationSchema(resource, spec), response: { 200: spec.response } },
    },
    async (req) => queryOwned(deps, req, target(resource, req.params.id), spec.query),
  );
}

/**
 * What a message route sends: the validated body itself, or what `payload` makes of it (e.g. adding who did it).
 */
type MessagePayload<Body extends z.ZodType, Payload> =
  | { body: Body & z.ZodType<Payload>; payload?: undefined }
  | { body: Body; payload: (body: z.infer<Body>, req: FastifyRequest) => Payload };

/** POST <path>/:id/<action>: a signal carrying the body (or what `payload` makes of it), answered 202. */
export function signalRoute<Body extends z.ZodType, Payload>(
  app: RouteApp,
  deps: ProcessRouteDeps,
  resource: ProcessResource,
  spec: OperationSpec & { action: string; signal: SignalDefinition<[Payload]> } & MessagePayload<
      Body,
      Payload
    >,
): void {
  app.post(
    `${resource.path}/:id/${spec.action}`,
    {
      config: { roles: spec.roles, idempotent: true },
      schema: { ...operationSchema(resource, spec), body: spec.body, response: { 202: acceptedResponse } },
    },
    async (req, reply) => {
      const body = req.body as z.infer<Body>;
      const payload = spec.payload ? spec.payload(body, req) : (body as Payload);
      return reply
        .code(202)
        .send(await signalOwned(deps, req, target(resource, req.params.id), spec.signal, payload));
    },
  );
}

/**
 * POST <path>/:id/<action>: a validated update carrying the body (or what `payload` makes of it), answered 200
 * with its result; 409 with the workflow's reason when refused. `mapError` may turn a failure into another answer.
 */
export function updateRoute<Body extends z.ZodType, Payload, Ret>(
  app: RouteApp,
  deps: ProcessRouteDeps,
  resource: ProcessResource,
  spec: OperationSpec & {
    action: string;
    response: z.ZodType;
    update: UpdateDefinition<Ret, [Payload]>;
    mapError?: (err: unknown) => never;
  } & MessagePayload<Body, Payload>,
): void {
  app.post(
    `${resource.path}/:id/${spec.action}`,
    {
      config: { roles: spec.roles, idempotent: true },
      schema: { ...operationSchema(resource, spec), body: spec.body, response: { 200: spec.response } },
    },
    async (req) => {
      const body = req.body as z.infer<Body>;
      const payload = spec.payload ? spec.payload(body, req) : (body as Payload);
      const running = updateOwned(deps, req, target(resource, req.params.id), spec.update, payload);
      return spec.mapError ? running.catch(spec.mapError) : running;
    },
  );
}

/** The caller's practice (its time zone dates the process), or 404. */
export async function callerPractice(deps: ProcessRouteDeps, req: FastifyRequest): Promise<Practice> {
  const practice = await createPracticeRepository(deps.db).get(principalOf(req).practiceId);
  if (!practice) throw new HttpProblem(problem(404, 'No such practice.'));
  return practice;
}
