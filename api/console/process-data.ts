// What the console's process pages and daily lists read, through the API's own code paths: tenancy and audited
// status reads of api/processes.ts, the per-role response views of api/response-shaping/ (a page renders only the
// fields the caller's role view keeps; break-glass serves the full view and is audited as in the API), the tasks
// table for open tasks, and Temporal's describe/visibility for operational metadata (start, close, next deadline).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { appendAuditGrouped } from '../../db/audit/append.js';
import { tasks } from '../../db/schema.js';
import type { ProcessKindPrefix } from '../../domain/ids.js';
import { priorAuthorizationStatusQuery as authorizationStatusQuery } from '../../workflows/prior-authorization/messages.js';
import { claimStatusQuery } from '../../workflows/claim/messages.js';
import { onboardingStatusQuery } from '../../workflows/onboarding/messages.js';
import { planOfCareStatusQuery } from '../../workflows/plan-of-care/messages.js';
import { NextDeadline } from '../../workflows/shared/search-attributes.js';
import { principalOf } from '../auth/plugin.js';
import type { Role } from '../auth/principal.js';
import { activeGrants, BREAK_GLASS_PURPOSE } from '../break-glass/grants.js';
import { ownedProcess, queryOwned, type ProcessRouteDeps } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { canBreakGlass, shapeFor, viewsOf, type RoleViews } from '../response-shaping/role-views.js';
import {
  authorizationStatusViews,
  claimStatusViews,
  onboardingStatusViews,
  planOfCareStatusViews,
} from '../response-shaping/views.js';

/** A process kind as the console names it in URLs (`/console/processes/<kind>/<id>`). */
export type ConsoleKind = 'onboarding' | 'authorization' | 'claim' | 'plan-of-care';

export interface ConsoleKindSpec {
  label: string;
  prefix: ProcessKindPrefix;
  /** Audit resource type: the same as the REST status route's. */
  resourceType: string;
  /** The roles of the REST status route (GET /v1/<resource>/:id): the page admits exactly these. */
  roles: readonly Role[];
  views: RoleViews;
  query: QueryDefinition<unknown>;
}

function views(schema: unknown): RoleViews {
  const found = viewsOf(schema);
  if (!found) throw new Error('not a view set');
  return found;
}

/** The four process kinds with a page: roles, views, query and audit type as their REST status routes. */
export const consoleKinds: Record<ConsoleKind, ConsoleKindSpec> = {
  onboarding: {
    label: 'Onboarding',
    prefix: 'onboarding',
    resourceType: 'onboarding',
    roles: ['admin', 'front_desk'],
    views: views(onboardingStatusViews),
    query: onboardingStatusQuery as QueryDefinition<unknown>,
  },
  authorization: {
    label: 'Prior authorization',
    prefix: 'auth',
    resourceType: 'authorization',
    roles: ['admin', 'front_desk', 'biller', 'therapist'],
    views: views(authorizationStatusViews),
    query: authorizationStatusQuery as QueryDefinition<unknown>,
  },
  claim: {
    label: 'Claim',
    prefix: 'claim',
    resourceType: 'claim',
    roles: ['admin', 'biller'],
    views: views(claimStatusViews),
    query: claimStatusQuery as QueryDefinition<unknown>,
  },
  'plan-of-care': {
    label: 'Plan of care',
    prefix: 'poc',
    resourceType: 'plan_of_care',
    roles: ['admin', 'therapist'],
    views: views(planOfCareStatusViews),
    query: planOfCareStatusQuery as QueryDefinition<unknown>,
  },
};

/** The console kind of a workflow id prefix (for links from lists and tasks). */
export function consoleKindOf(prefix: string): ConsoleKind | undefined {
  return (Object.keys(consoleKinds) as ConsoleKind[]).find((k) => consoleKinds[k].prefix === prefix);
}

/** The process page of a workflow id (`claim:<uuid>` → `/console/processes/claim/<uuid>`), if it has one. */
export function processPagePath(wfId: string): string | undefined {
  const [prefix, id] = wfId.split(':');
  const kind = prefix ? consoleKindOf(prefix) : undefined;
  return kind && id ? `/console/processes/${kind}/${id}` : undefined;
}

export interface ConsoleDeps extends ProcessRouteDeps {
  now: () => Date;
  /** Origin of the Temporal Web UI (TEMPORAL_UI_ORIGIN; dev: http://127.0.0.1:8233). */
  temporalUiOrigin: string;
}

/** The Temporal UI page of a workflow (its id carries no PHI). */
export function temporalUiLink(deps: ConsoleDeps, wfId: string): string {
  const ns = encodeURIComponent(deps.temporal.options.namespace);
  return `${deps.temporalUiOrigin}/namespaces/${ns}/workflows/${encodeURIComponent(wfId)}`;
}

/** Today's calendar date (YYYY-MM-DD) in the time zone. */
export function todayInZone(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** 403 unless the caller's role may read this kind (the REST status route's roles). */
export function requireRole(req: FastifyRequest, spec: ConsoleKindSpec): void {
  if (!spec.roles.includes(principalOf(req).role)) {
    throw new HttpProblem(problem(403, 'Your role may not use this page.'));
  }
}

/**
 * Shapes a status snapshot through the caller's role view, exactly as the REST status route's serializer does:
 * break-glass (an active grant) serves the full view and writes the same `break_glass_disclosure` audit entry.
 */
export async function shapeForCaller(
  deps: ConsoleDeps,
  req: FastifyRequest,
  spec: ConsoleKindSpec,
  payload: unknown,
  routeLabel: string,
): Promise<{ view: Record<string, unknown>; breakGlass: boolean }> {
  const principal = principalOf(req);
  const grant = canBreakGlass(principal.role)
    ? (await activeGrants(deps.db, principal, deps.now()))[0]
    : undefined;
  if (!grant && !spec.views.byRole[principal.role]) {
    throw new HttpProblem(problem(403, 'Your role needs an active break-glass grant for this page.'));
  }
  const view = shapeFor(spec.views, principal.role, payload, { breakGlass: grant !== undefined }) as Record<
    string,
    unknown
  >;
  if (grant) {
    const patientId = view.patientId;
    try {
      await appendAuditGrouped(deps.db, {
        actorId: principal.id,
        actorType: principal.type,
        actorRole: principal.role,
        sourceIp: req.ip,
        action: 'R',
        resourceType: 'break_glass_disclosure',
        resourceId: `${grant.id}|${routeLabel.replace(/[^A-Za-z0-9:._|-]/g, '.')}`,
        purposeOfUse: BREAK_GLASS_PURPOSE,
        outcome: 'success',
        requestId: req.id,
        fieldsDisclosed: Object.keys(view).filter((k) => /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k)),
        ...(typeof patientId === 'string' && /^[0-9a-f-]{36}$/.test(patientId)
          ? { patientRef: patientId }
          : {}),
      });
    } catch {
      throw new HttpProblem(problem(503, 'The audit log is unavailable; try again.'));
    }
  }
  return { view, breakGlass: grant !== undefined };
}

export interface OpenTask {
  id: string;
  kind: string;
  title: string;
  assigneeRole: string;
  status: string;
  dueAt: Date;
}

/** Open (or escalated) tasks a process raised, in the caller's practice, soonest due first. */
export async function openTasksOf(deps: ConsoleDeps, practiceId: string, wfId: string): Promise<OpenTask[]> {
  return deps.db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      title: tasks.title,
      assigneeRole: tasks.assigneeRole,
      status: tasks.status,
      dueAt: tasks.dueAt,
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.practiceId, practiceId),
        eq(tasks.workflowId, wfId),
        inArray(tasks.status, ['open', 'escalated']),
      ),
    )
    .orderBy(asc(tasks.dueAt));
}

/** How long a process page waits for the status query and describe. */
export const PAGE_QUERY_TIMEOUT_MS = 10_000;

export interface ProcessPageData {
  kind: ConsoleKind;
  spec: ConsoleKindSpec;
  id: string;
  workflowId: string;
  /** RUNNING, COMPLETED, FAILED … (Temporal's execution status). */
  execution: string;
  startedAt?: Date;
  closedAt?: Date;
  nextDeadline?: Date;
  view: Record<string, unknown>;
  breakGlass: boolean;
  openTasks: OpenTask[];
  temporalUi: string;
}

/**
 * Everything a process page shows: tenancy first (another practice's id is the API's 404), then the audited
 * status query, the caller's view of it, the execution's metadata and the process's open tasks.
 */
export async function loadProcessPage(
  deps: ConsoleDeps,
  req: FastifyRequest,
  kind: ConsoleKind,
  id: string,
): Promise<ProcessPageData> {
  const spec = consoleKinds[kind];
  requireRole(req, spec);
  const handle = await ownedProcess(deps, req, spec.prefix, id);
  const [status, description] = await deps.temporal
    .withDeadline(Date.now() + PAGE_QUERY_TIMEOUT_MS, () =>
      Promise.all([
        queryOwned(deps, req, { kind: spec.prefix, id, resourceType: spec.resourceType }, spec.query),
        handle.describe(),
      ]),
    )
    .catch((err: unknown) => {
      if (err instanceof HttpProblem) throw err;
      if (err instanceof WorkflowNotFoundError) throw new HttpProblem(problem(404, 'No such process.'));
      // No answer in time (e.g. no worker polls its task queue): a "try again" page, not a hung request.
      throw new HttpProblem(problem(503, 'The process did not answer in time; try again.'));
    });
  const { view, breakGlass } = await shapeForCaller(
    deps,
    req,
    spec,
    status,
    `/console/processes/${kind}/:id`,
  );
  const deadline = description.typedSearchAttributes.get(NextDeadline);
  return {
    kind,
    spec,
    id,
    workflowId: handle.workflowId,
    execution: description.status.name,
    ...(description.startTime ? { startedAt: description.startTime } : {}),
    ...(description.closeTime ? { closedAt: description.closeTime } : {}),
    ...(deadline ? { nextDeadline: deadline } : {}),
    view,
    breakGlass,
    openTasks: await openTasksOf(deps, principalOf(req).practiceId, handle.workflowId),
    temporalUi: temporalUiLink(deps, handle.workflowId),
  };
}
