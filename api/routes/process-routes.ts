// The routes every process resource repeats, each made by one factory: the start (POST /v1/<resource>, answered
// 202), the status (GET /v1/<resource>/:id, a query), "tell the process something" (POST …/:id/<action>, a signal
// answered 202) and "change the process and see the result" (POST …/:id/<action>, an update answered 200, 409 when
// refused). Each resource passes its own workflow, query, signal and update definitions, schemas and roles;
// tenancy, audit and problem answers are those of processes.ts.
import type { QueryDefinition, SignalDefinition, UpdateDefinition, Workflow } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPracticeRepository, type Practice } from '../../db/repositories/practices.js';
import type { ProcessKindPrefix } from '../../domain/ids.js';
import { principalOf } from '../auth/plugin.js';
import type { Role } from '../auth/principal.js';
import { type ProcessRouteDeps, queryOwned, signalOwned, startProcess, updateOwned } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';

/** The instance a route plugin registers on (zod type provider). */
type RouteApp = Parameters<FastifyPluginAsyncZod>[0];

/** The path parameter of every process route. */
const processIdParams = z.strictObject({ id: z.uuid() });

/** The 202 of a start. */
const startedResponse = z.object({
  id: z.uuid(),
  status: z.literal('started'),
  links: z.object({ self: z.string() }),
});

/** The 202 of a signal. */
const acceptedResponse = z.object({ id: z.uuid(), status: z.literal('accepted') });

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
  /** ProcessKind search attribute and metrics label of its starts. */
  processKind: string;
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
  };
}

/** The schema of an operation on one process (`:id` in the path). */
function processOperationSchema(resource: ProcessResource, spec: OperationSpec) {
  return { ...operationSchema(resource, spec), params: processIdParams };
}

const target = (resource: ProcessResource, id: string) => ({
  kind: resource.kind,
  id,
  resourceType: resource.resourceType,
});

/**
 * A process named by its workflow type (the `…_WORKFLOW_TYPE` of its messages.ts), carrying the workflow's
 * function type so the start route checks the input: the API never imports workflow code.
 */
export type WorkflowTypeName<W extends Workflow> = string & { readonly workflowFunction?: W };

/** Names a process by its workflow type for a start route (`W` is its `<Name>Workflow` type from messages.ts). */
export function workflowType<W extends Workflow>(name: string): WorkflowTypeName<W> {
  return name;
}

/** What a start route decides per request: the new process's id, its input, and what it is filed under. */
export type ProcessStart<W extends Workflow> = Pick<
  Parameters<typeof startProcess>[2],
  'id' | 'patientId' | 'searchAttributes' | 'rejectDuplicate'
> & {
  /** The workflow's input (its one argument). */
  input: Parameters<W>[0];
};

/**
 * POST <path>: starts the resource's process from the body (idempotently: the id comes from the caller's
 * Idempotency-Key record or a business key), answered 202 with its id and link.
 */
export function startRoute<Body extends z.ZodType, W extends Workflow>(
  app: RouteApp,
  deps: ProcessRouteDeps,
  resource: ProcessResource,
  spec: OperationSpec & {
    body: Body;
    workflow: WorkflowTypeName<W>;
    start: (body: z.infer<Body>, req: FastifyRequest) => Promise<ProcessStart<NoInfer<W>>>;
  },
): void {
  app.post(
    resource.path,
    {
      config: { roles: spec.roles, idempotent: true },
      schema: { ...operationSchema(resource, spec), body: spec.body, response: { 202: startedResponse } },
    },
    async (req, reply) => {
      const { input, ...start } = await spec.start(req.body as z.infer<Body>, req);
      return reply.code(202).send(
        await startProcess<W>(deps, req, {
          ...start,
          workflow: spec.workflow,
          args: [input] as Parameters<W>,
          kind: resource.kind,
          processKind: resource.processKind,
          resourceType: resource.resourceType,
          path: resource.path,
        }),
      );
    },
  );
}

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
      schema: { ...processOperationSchema(resource, spec), response: { 200: spec.response } },
    },
    // Bounded: a process whose worker is down never answers its query; the caller gets a 503 to retry
    // (problem-answers.ts maps Temporal's deadline error) instead of a request held until the socket closes.
    async (req) =>
      deps.temporal.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
        queryOwned(deps, req, target(resource, req.params.id), spec.query),
      ),
  );
}

/** How long GET <path>/:id waits for the process to answer its status query (as the console's process page). */
export const STATUS_QUERY_TIMEOUT_MS = 10_000;

/**
 * What a message route sends: the validated body itself, or what `payload` makes of it (e.g. adding who did it).
 */
type MessagePayload<Body extends z.ZodType, Payload> =
  | { body: Body & z.ZodType<NoInfer<Payload>>; payload?: undefined }
  | { body: Body; payload: (body: z.infer<Body>, req: FastifyRequest) => NoInfer<Payload> };

/** What a message route (POST <path>/:id/<action>) is given besides its message definition. */
type MessageSpec<Body extends z.ZodType, Payload> = OperationSpec & { action: string } & MessagePayload<
    Body,
    Payload
  >;

/** The route options of a message route: idempotent, the body's schema and the answer's. */
function messageRouteOptions(
  resource: ProcessResource,
  spec: OperationSpec & { body: z.ZodType },
  response: Record<number, z.ZodType>,
) {
  return {
    config: { roles: spec.roles, idempotent: true },
    schema: { ...processOperationSchema(resource, spec), body: spec.body, response },
  };
}

/** The message a route sends for a validated body. */
function payloadOf<Body extends z.ZodType, Payload>(
  spec: MessagePayload<Body, Payload>,
  body: unknown,
  req: FastifyRequest,
): Payload {
  return spec.payload ? spec.payload(body as z.infer<Body>, req) : (body as Payload);
}

/** POST <path>/:id/<action>: a signal carrying the body (or what `payload` makes of it), answered 202. */
export function signalRoute<Body extends z.ZodType, Payload>(
  app: RouteApp,
  deps: ProcessRouteDeps,
  resource: ProcessResource,
  spec: MessageSpec<Body, Payload> & { signal: SignalDefinition<[Payload]> },
): void {
  app.post(
    `${resource.path}/:id/${spec.action}`,
    messageRouteOptions(resource, spec, { 202: acceptedResponse }),
    async (req, reply) => {
      const payload = payloadOf(spec, req.body, req);
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
  spec: MessageSpec<Body, Payload> & {
    response: z.ZodType;
    update: UpdateDefinition<Ret, [Payload]>;
    mapError?: (err: unknown) => never;
  },
): void {
  app.post(
    `${resource.path}/:id/${spec.action}`,
    messageRouteOptions(resource, spec, { 200: spec.response }),
    async (req) => {
      const payload = payloadOf(spec, req.body, req);
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
