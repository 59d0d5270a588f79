// Over 350 lines for now: worklist, task page and three task forms in one route factory (forms to move out next).
// The staff console's worklist and task pages (server-rendered HTML, no script; see api/console/layout.ts):
//   GET  /console/worklist               the caller's practice's tasks for their role (admins: every role, the
//                                        same operational fields the API's admin view has), overdue first, then
//                                        by due date, times in the practice's time zone; filters as query
//                                        parameters that carry no PHI (status, dueBefore, kind, role)
//   GET  /console/tasks/:id              one task: what it asks, and a form with exactly the fields its kind's
//                                        outcome needs (domain/task-outcomes.ts)
//   POST /console/tasks/:id/complete     the form: validated field by field (errors next to the field, values
//                                        kept), then `completeTask` — the code path of POST /v1/tasks/:id/complete
//                                        — and a redirect to the worklist (post/redirect/get)
//   POST /console/tasks/:id/coverage     an update_insurance task's form: the corrected payer, member id and group
//                                        number, validated by the REST body's schema (errors next to the field),
//                                        then `submitOnboardingCoverage` — the code path of
//                                        POST /v1/onboardings/:id/coverage — which resumes the waiting onboarding
//                                        (it verifies eligibility again and closes the task itself)
//   POST /console/tasks/:id/authorization-decision  an authorization task's form (the payer's decision is
//                                        overdue or unreadable): the decision, the authorization number (required
//                                        when approved), visits and dates, validated by the REST decision body's
//                                        schema, then `submitAuthorizationDecision` — the code path of
//                                        POST /v1/authorizations/:id/decision — which resumes the waiting process
// Tenancy as in the API: another practice's task is a 404 page. CSRF: the auth plugin checks the form's token.
import formbody from '@fastify/formbody';
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/connection.js';
import { tasks } from '../../db/schema.js';
import {
  outcomeFieldsFor,
  outcomeFromForm,
  RESOLVED_ELSEWHERE,
  type OutcomeField,
} from '../../domain/task-outcomes.js';
import { staffRoles } from '../../domain/tasks.js';
import { esc } from '../auth/pages.js';
import {
  consoleContext,
  consoleCsrf,
  formatInZone,
  ROLE_LABELS,
  sendConsoleNotFound,
  sendConsolePage,
  type ConsoleContext,
} from '../console/layout.js';
import { HttpProblem, problem } from '../problem.js';
import { processPagePath } from '../console/process-data.js';
import { completeTask, type TaskServiceDeps } from '../task-service.js';
import { authorizationDecisionBody, submitAuthorizationDecision } from './authorizations.js';
import { coverageUpdateBody, submitOnboardingCoverage } from './onboardings.js';

export type ConsoleWorklistDeps = TaskServiceDeps & { db: Database; now?: () => Date };

const consoleRoles = ['admin', 'front_desk', 'therapist', 'biller'] as const;
/** How many rows the worklist page shows (the total is counted). */
export const WORKLIST_PAGE_ROWS = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KIND = /^[a-z][a-z0-9_]{1,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC instant of 00:00 on `date` (YYYY-MM-DD) in `timeZone`. */
export function zonedMidnight(date: string, timeZone: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  const offsetAt = (at: Date) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    const local = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return local - at.getTime();
  };
  const first = new Date(guess.getTime() - offsetAt(guess));
  return new Date(guess.getTime() - offsetAt(first));
}

interface Filters {
  status: 'open' | 'all';
  dueBefore?: string;
  kind?: string;
  role?: (typeof staffRoles)[number];
}

function parseFilters(
  q: Record<string, unknown>,
  isAdmin: boolean,
): { filters: Filters; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const filters: Filters = { status: 'open' };
  const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
  const status = str('status');
  if (status === 'all' || status === 'open') filters.status = status;
  else if (status !== '') errors.status = 'Status: choose open or all.';
  const dueBefore = str('dueBefore');
  if (dueBefore !== '') {
    if (DATE.test(dueBefore) && !Number.isNaN(Date.parse(`${dueBefore}T00:00:00Z`)))
      filters.dueBefore = dueBefore;
    else errors.dueBefore = 'Due before: enter a date as YYYY-MM-DD.';
  }
  const kind = str('kind');
  if (kind !== '') {
    if (KIND.test(kind)) filters.kind = kind;
    else errors.kind = 'Task kind: not a task kind.';
  }
  const role = str('role');
  if (role !== '' && isAdmin) {
    if ((staffRoles as readonly string[]).includes(role)) filters.role = role as Filters['role'];
    else errors.role = 'Role: choose a role.';
  }
  return { filters, errors };
}

const kindLabel = (kind: string) => kind.replace(/_/g, ' ');

function errorBlock(id: string, message: string | undefined): string {
  return message ? `<p class="error" id="${id}-error">${esc(message)}</p>` : '';
}

/** The fields of the update-insurance form: the REST coverage body's, less the coverage id the task names. */
const COVERAGE_FIELDS = [
  { key: 'payerId', label: 'Payer id', hint: 'Lowercase letters, digits and dashes, e.g. medicare-part-b.' },
  { key: 'memberId', label: 'Member id', hint: 'Letters, digits and dashes, as on the insurance card.' },
  { key: 'groupNumber', label: 'Group number (optional)', hint: 'Letters, digits and dashes.' },
] as const;

/** The onboarding and coverage an update_insurance task is about (its process and its details), if it names them. */
function coverageTarget(task: {
  kind: string;
  workflowId: string;
  details: unknown;
}): { onboardingId: string; coverageId: string } | undefined {
  if (task.kind !== 'update_insurance') return undefined;
  const [prefix, onboardingId] = task.workflowId.split(':');
  const coverageId = (task.details as Record<string, unknown> | null)?.coverageId;
  if (prefix !== 'onboarding' || !onboardingId || !UUID.test(onboardingId)) return undefined;
  if (typeof coverageId !== 'string' || !UUID.test(coverageId)) return undefined;
  return { onboardingId, coverageId };
}

/** The authorization task kinds whose process waits for the payer's decision (workflows/prior-authorization). */
const DECISION_TASK_KINDS = ['auth_decision_overdue', 'auth_decision_unreadable'];

/** The fields of the decision form: the REST decision body's, as text. */
const DECISION_FIELDS = [
  {
    key: 'authNumber',
    label: 'Authorization number',
    hint: 'Letters, digits and dashes (required when approved).',
  },
  { key: 'visitsAuthorized', label: 'Visits approved (optional)', hint: 'A whole number, 0 to 500.' },
  { key: 'startDate', label: 'Approved from (optional)', hint: 'A date as YYYY-MM-DD.' },
  { key: 'endDate', label: 'Approved until (optional)', hint: 'A date as YYYY-MM-DD.' },
] as const;
const DECISION_OUTCOMES = [
  ['approved', 'Approved'],
  ['partially_approved', 'Partially approved'],
  ['denied', 'Denied'],
] as const;

/** The authorization a decision task is about (its process), if it is one. */
function decisionTarget(task: { kind: string; workflowId: string }): { authorizationId: string } | undefined {
  if (!DECISION_TASK_KINDS.includes(task.kind)) return undefined;
  const [prefix, authorizationId] = task.workflowId.split(':');
  if (prefix !== 'auth' || !authorizationId || !UUID.test(authorizationId)) return undefined;
  return { authorizationId };
}

/** The decision form's values as the REST body (numbers as numbers), and the field errors of the form itself. */
function decisionFromForm(values: Record<string, string>) {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    body[k] = k === 'visitsAuthorized' && /^\d+$/.test(v) ? Number(v) : v;
  }
  const parsed = authorizationDecisionBody.safeParse(body);
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      if (errors[key]) continue;
      if (key === 'outcome') errors.outcome = 'Decision: choose approved, partially approved or denied.';
      const field = DECISION_FIELDS.find((f) => f.key === key);
      if (field) errors[key] = `${field.label}: ${field.hint}`;
    }
  }
  // What the task asks for: an approval is recorded with its number (the REST body leaves it to the caller).
  if (values.outcome !== undefined && values.outcome !== 'denied' && values.authNumber === undefined) {
    errors.authNumber ??= 'Authorization number: enter the number the payer gave with the approval.';
  }
  if (values.outcome === 'pended')
    errors.outcome = 'Decision: choose approved, partially approved or denied.';
  return { decision: parsed.success ? parsed.data : undefined, errors };
}

function describedBy(id: string, error: string | undefined, hint: boolean): string {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (ids ? ` aria-describedby="${ids}"` : '') + (error ? ' aria-invalid="true"' : '');
}

/** The console's worklist and task routes. */
export function consoleWorklistRoutes(deps: ConsoleWorklistDeps) {
  const now = deps.now ?? (() => new Date());
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    const pageConfig = { roles: consoleRoles, page: true } as const;

    app.get('/console/worklist', { config: pageConfig, schema: { hide: true } }, async (req, reply) => {
      const ctx = await consoleContext(app, deps.db, req);
      const isAdmin = ctx.principal.role === 'admin';
      const query = (req.query ?? {}) as Record<string, unknown>;
      const { filters, errors } = parseFilters(query, isAdmin);
      // Staff see their own role's queue; admins any role's (as GET /v1/tasks).
      const role = isAdmin ? filters.role : (ctx.principal.role as Filters['role']);
      const at = now();
      const openStates = ['open', 'escalated'] as const;
      const where = and(
        eq(tasks.practiceId, ctx.principal.practiceId),
        filters.status === 'open' ? inArray(tasks.status, [...openStates]) : undefined,
        role ? eq(tasks.assigneeRole, role) : undefined,
        filters.kind ? eq(tasks.kind, filters.kind) : undefined,
        filters.dueBefore ? lt(tasks.dueAt, zonedMidnight(filters.dueBefore, ctx.timeZone)) : undefined,
      );
      const overdue = sql<boolean>`(${tasks.status} in ('open', 'escalated') and ${tasks.dueAt} < ${at.toISOString()}::timestamptz)`;
      const [rows, totals, kinds] = await Promise.all([
        deps.db
          .select({
            id: tasks.id,
            kind: tasks.kind,
            title: tasks.title,
            assigneeRole: tasks.assigneeRole,
            status: tasks.status,
            dueAt: tasks.dueAt,
            processKind: tasks.processKind,
            overdue,
          })
          .from(tasks)
          .where(where)
          .orderBy(desc(overdue), asc(tasks.dueAt), asc(tasks.id))
          .limit(WORKLIST_PAGE_ROWS),
        deps.db.select({ n: count() }).from(tasks).where(where),
        deps.db
          .selectDistinct({ kind: tasks.kind })
          .from(tasks)
          .where(
            and(
              eq(tasks.practiceId, ctx.principal.practiceId),
              inArray(tasks.status, [...openStates]),
              role ? eq(tasks.assigneeRole, role) : undefined,
            ),
          )
          .orderBy(asc(tasks.kind)),
      ]);
      const total = totals[0]?.n ?? 0;
      const kindOptions = [
        ...new Set([...kinds.map((k) => k.kind), ...(filters.kind ? [filters.kind] : [])]),
      ];
      const option = (value: string, label: string, selected: boolean) =>
        `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
      const filterForm =
        `<form method="get" action="/console/worklist" class="filters" aria-label="Filter the worklist">` +
        `<div><label for="f-status">Status</label><select id="f-status" name="status"${describedBy('f-status', errors.status, false)}>` +
        option('open', 'Open', filters.status === 'open') +
        option('all', 'All', filters.status === 'all') +
        `</select>${errorBlock('f-status', errors.status)}</div>` +
        `<div><label for="f-due">Due before</label><input type="date" id="f-due" name="dueBefore" value="${esc(filters.dueBefore ?? '')}"${describedBy('f-due', errors.dueBefore, false)}>${errorBlock('f-due', errors.dueBefore)}</div>` +
        `<div><label for="f-kind">Task kind</label><select id="f-kind" name="kind"${describedBy('f-kind', errors.kind, false)}>` +
        option('', 'Any', !filters.kind) +
        kindOptions.map((k) => option(k, kindLabel(k), k === filters.kind)).join('') +
        `</select>${errorBlock('f-kind', errors.kind)}</div>` +
        (isAdmin
          ? `<div><label for="f-role">Role</label><select id="f-role" name="role"${describedBy('f-role', errors.role, false)}>` +
            option('', 'Any', !filters.role) +
            staffRoles.map((r) => option(r, ROLE_LABELS[r] ?? r, r === filters.role)).join('') +
            `</select>${errorBlock('f-role', errors.role)}</div>`
          : '') +
        `<div><button type="submit">Apply filters</button></div></form>`;
      const table =
        rows.length === 0
          ? `<p>No tasks match.</p>`
          : `<table class="list"><caption>${rows.length < total ? `First ${rows.length} of ${total} tasks` : `${total} task${total === 1 ? '' : 's'}`}, overdue first, then by due date (${esc(ctx.timeZone)})</caption>` +
            `<thead><tr><th scope="col">Due</th><th scope="col">Task</th><th scope="col">Kind</th>` +
            (isAdmin ? `<th scope="col">Role</th>` : '') +
            `<th scope="col">Process</th><th scope="col">Status</th></tr></thead><tbody>` +
            rows
              .map(
                (t) =>
                  `<tr><td${t.overdue ? ' class="overdue"' : ''}>${t.overdue ? 'Overdue · ' : ''}<time datetime="${t.dueAt.toISOString()}">${esc(formatInZone(t.dueAt, ctx.timeZone))}</time></td>` +
                  `<td><a href="/console/tasks/${t.id}">${esc(t.title)}</a></td>` +
                  `<td>${esc(kindLabel(t.kind))}</td>` +
                  (isAdmin ? `<td>${esc(ROLE_LABELS[t.assigneeRole] ?? t.assigneeRole)}</td>` : '') +
                  `<td>${esc(t.processKind)}</td><td>${esc(t.status)}</td></tr>`,
              )
              .join('') +
            `</tbody></table>`;
      const hasErrors = Object.keys(errors).length > 0;
      return sendConsolePage(reply, hasErrors ? 400 : 200, ctx, {
        title: 'Worklist',
        section: 'worklist',
        ...(query.done === '1' ? { notice: 'Task completed. The waiting process continues.' } : {}),
        body:
          `<p class="note">${isAdmin ? 'Every role’s tasks' : `Tasks for ${esc(ROLE_LABELS[ctx.principal.role] ?? ctx.principal.role)}`} at ${esc(ctx.practiceName)}. Times in ${esc(ctx.timeZone)}.</p>` +
          filterForm +
          table,
      });
    });

    const loadTask = async (ctx: ConsoleContext, id: string) => {
      if (!UUID.test(id)) return undefined;
      const [row] = await deps.db
        .select({
          id: tasks.id,
          kind: tasks.kind,
          title: tasks.title,
          assigneeRole: tasks.assigneeRole,
          status: tasks.status,
          dueAt: tasks.dueAt,
          processKind: tasks.processKind,
          workflowId: tasks.workflowId,
          details: tasks.details,
          completedAt: tasks.completedAt,
        })
        .from(tasks)
        .where(and(eq(tasks.id, id), eq(tasks.practiceId, ctx.principal.practiceId)))
        .limit(1);
      return row;
    };
    type TaskRow = NonNullable<Awaited<ReturnType<typeof loadTask>>>;

    const renderField = (f: OutcomeField, value: string, error: string | undefined) => {
      const id = `o-${f.key}`;
      const req = f.required ? ' <span class="note">(required)</span>' : '';
      const hint = f.hint ? `<p class="hint" id="${id}-hint">${esc(f.hint)}</p>` : '';
      if (f.type === 'yesno') {
        const radio = (v: string, label: string) =>
          `<label><input type="radio" name="${f.key}" value="${v}"${value === v ? ' checked' : ''}${f.required ? ' required' : ''}> ${label}</label> `;
        return (
          `<fieldset class="field"${describedBy(id, error, false).replace(' aria-invalid="true"', '')}>` +
          `<legend>${esc(f.label)}${req}</legend>${errorBlock(id, error)}${radio('yes', 'Yes')}${radio('no', 'No')}</fieldset>`
        );
      }
      if (f.type === 'checkbox') {
        return `<div class="field"><label><input type="checkbox" id="${id}" name="${f.key}" value="true"${value === 'true' || value === 'on' ? ' checked' : ''}> ${esc(f.label)}</label>${errorBlock(id, error)}</div>`;
      }
      return (
        `<div class="field"><label for="${id}">${esc(f.label)}${req}</label>${hint}${errorBlock(id, error)}` +
        `<input id="${id}" name="${f.key}" type="text"${f.type === 'integer' ? ' inputmode="numeric"' : ''} value="${esc(value)}" autocomplete="off"${describedBy(id, error, Boolean(f.hint))}></div>`
      );
    };

    const taskPage = (
      ctx: ConsoleContext,
      task: TaskRow,
      values: Record<string, string> = {},
      errors: Record<string, string> = {},
      message?: string,
      coverage: { values: Record<string, string>; errors: Record<string, string> } = {
        values: {},
        errors: {},
      },
      decision: { values: Record<string, string>; errors: Record<string, string> } = {
        values: {},
        errors: {},
      },
    ) => {
      const details = Object.entries((task.details ?? {}) as Record<string, unknown>);
      const open = task.status === 'open' || task.status === 'escalated';
      const mayComplete = ctx.principal.role === 'admin' || ctx.principal.role === task.assigneeRole;
      const fields = outcomeFieldsFor(task.kind, (task.details ?? {}) as Record<string, unknown>);
      const errorCount = Object.keys(errors).length;
      const coverageErrors = Object.entries(coverage.errors);
      const coverageForm =
        open && mayComplete && coverageTarget(task)
          ? `<h2>Record the updated insurance</h2>` +
            (coverageErrors.length > 0
              ? `<div class="notice" role="alert"><p>${coverageErrors.length === 1 ? 'One field needs' : `${coverageErrors.length} fields need`} attention:</p><ul>${coverageErrors
                  .map(([k, m]) => `<li><a href="#c-${esc(k)}">${esc(m)}</a></li>`)
                  .join('')}</ul></div>`
              : '') +
            `<form method="post" action="/console/tasks/${task.id}/coverage">${consoleCsrf(ctx)}` +
            COVERAGE_FIELDS.map((f) => {
              const id = `c-${f.key}`;
              const error = coverage.errors[f.key];
              return (
                `<div class="field"><label for="${id}">${esc(f.label)}</label>` +
                `<p class="hint" id="${id}-hint">${esc(f.hint)}</p>${errorBlock(id, error)}` +
                `<input id="${id}" name="${f.key}" type="text" value="${esc(coverage.values[f.key] ?? '')}" autocomplete="off"${f.key === 'groupNumber' ? '' : ' required'}${describedBy(id, error, true)}></div>`
              );
            }).join('') +
            `<p><button type="submit">Save insurance and verify again</button></p></form>`
          : '';
      const decisionErrors = Object.entries(decision.errors);
      const decisionForm =
        open && mayComplete && decisionTarget(task)
          ? `<h2>Record the payer's decision</h2>` +
            (decisionErrors.length > 0
              ? `<div class="notice" role="alert"><p>${decisionErrors.length === 1 ? 'One field needs' : `${decisionErrors.length} fields need`} attention:</p><ul>${decisionErrors
                  .map(([k, m]) => `<li><a href="#d-${esc(k)}">${esc(m)}</a></li>`)
                  .join('')}</ul></div>`
              : '') +
            `<form method="post" action="/console/tasks/${task.id}/authorization-decision">${consoleCsrf(ctx)}` +
            `<fieldset class="field"${decision.errors.outcome ? ' aria-describedby="d-outcome-error"' : ''} id="d-outcome"><legend>Decision <span class="note">(required)</span></legend>${errorBlock('d-outcome', decision.errors.outcome)}` +
            DECISION_OUTCOMES.map(
              ([v, label]) =>
                `<label><input type="radio" name="outcome" value="${v}"${decision.values.outcome === v ? ' checked' : ''} required> ${label}</label> `,
            ).join('') +
            `</fieldset>` +
            DECISION_FIELDS.map((f) => {
              const id = `d-${f.key}`;
              const error = decision.errors[f.key];
              return (
                `<div class="field"><label for="${id}">${esc(f.label)}</label>` +
                `<p class="hint" id="${id}-hint">${esc(f.hint)}</p>${errorBlock(id, error)}` +
                `<input id="${id}" name="${f.key}" type="${f.key.endsWith('Date') ? 'date' : 'text'}"${f.key === 'visitsAuthorized' ? ' inputmode="numeric"' : ''} value="${esc(decision.values[f.key] ?? '')}" autocomplete="off"${describedBy(id, error, true)}></div>`
              );
            }).join('') +
            `<p><button type="submit">Record the decision</button></p></form>`
          : '';
      const form = !open
        ? `<p>This task is ${esc(task.status)}${task.completedAt ? ` (${esc(formatInZone(task.completedAt, ctx.timeZone))})` : ''}.</p>`
        : !mayComplete
          ? `<p>This task is assigned to ${esc(ROLE_LABELS[task.assigneeRole] ?? task.assigneeRole)}.</p>`
          : `<h2>Complete the task</h2>` +
            (errorCount > 0
              ? `<div class="notice" role="alert"><p>${errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} attention:</p><ul>${Object.entries(
                  errors,
                )
                  .map(([k, m]) => `<li><a href="#o-${esc(k)}">${esc(m)}</a></li>`)
                  .join('')}</ul></div>`
              : '') +
            (message ? `<p class="notice" role="alert">${esc(message)}</p>` : '') +
            (RESOLVED_ELSEWHERE[task.kind]
              ? `<p class="note">${esc(RESOLVED_ELSEWHERE[task.kind]!)}</p>`
              : '') +
            `<form method="post" action="/console/tasks/${task.id}/complete">${consoleCsrf(ctx)}` +
            (fields.length === 0
              ? `<p>Nothing to fill in: completing it tells the process the work is done.</p>`
              : fields.map((f) => renderField(f, values[f.key] ?? '', errors[f.key])).join('')) +
            `<p><button type="submit">Complete task</button></p></form>`;
      return {
        title: 'Task',
        section: 'worklist' as const,
        body:
          `<h2>${esc(task.title)}</h2>` +
          `<dl class="who"><dt>Kind</dt><dd>${esc(kindLabel(task.kind))}</dd>` +
          `<dt>Due</dt><dd><time datetime="${task.dueAt.toISOString()}">${esc(formatInZone(task.dueAt, ctx.timeZone))}</time>${open && task.dueAt < now() ? ' <span class="overdue">Overdue</span>' : ''}</dd>` +
          `<dt>Role</dt><dd>${esc(ROLE_LABELS[task.assigneeRole] ?? task.assigneeRole)}</dd>` +
          `<dt>Status</dt><dd>${esc(task.status)}</dd>` +
          `<dt>Process</dt><dd>${processLink(task.processKind, task.workflowId)}</dd>` +
          details.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`).join('') +
          `</dl>` +
          coverageForm +
          decisionForm +
          form +
          `<p><a href="/console/worklist">Back to the worklist</a></p>`,
      };
    };

    app.get<{ Params: { id: string } }>(
      '/console/tasks/:id',
      { config: pageConfig, schema: { hide: true } },
      async (req, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const task = await loadTask(ctx, req.params.id);
        if (!task) return sendConsoleNotFound(reply, ctx, 'worklist');
        return sendConsolePage(reply, 200, ctx, taskPage(ctx, task));
      },
    );

    app.post<{ Params: { id: string } }>(
      '/console/tasks/:id/complete',
      { config: pageConfig, schema: { hide: true } },
      async (req, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const task = await loadTask(ctx, req.params.id);
        if (!task) return sendConsoleNotFound(reply, ctx, 'worklist');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const fields = outcomeFieldsFor(task.kind, (task.details ?? {}) as Record<string, unknown>);
        const values: Record<string, string> = {};
        for (const f of fields) if (typeof body[f.key] === 'string') values[f.key] = body[f.key] as string;
        const { outcome, errors } = outcomeFromForm(task.kind, fields, values);
        if (Object.keys(errors).length > 0) {
          return sendConsolePage(reply, 400, ctx, taskPage(ctx, task, values, errors));
        }
        try {
          await completeTask(deps, ctx.principal, task.id, outcome);
        } catch (err) {
          if (!(err instanceof HttpProblem)) throw err;
          if (err.problem.status === 404) return sendConsoleNotFound(reply, ctx, 'worklist');
          return sendConsolePage(
            reply,
            err.problem.status,
            ctx,
            taskPage(ctx, task, values, {}, err.problem.detail ?? err.problem.title),
          );
        }
        return reply.redirect('/console/worklist?done=1', 303);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/console/tasks/:id/coverage',
      { config: pageConfig, schema: { hide: true } },
      async (req, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const task = await loadTask(ctx, req.params.id);
        const target = task && coverageTarget(task);
        if (!task || !target) return sendConsoleNotFound(reply, ctx, 'worklist');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const values: Record<string, string> = {};
        for (const f of COVERAGE_FIELDS) {
          const v = body[f.key];
          if (typeof v === 'string' && v.trim() !== '') values[f.key] = v.trim();
        }
        const parsed = coverageUpdateBody.safeParse({ coverageId: target.coverageId, ...values });
        if (!parsed.success) {
          const errors: Record<string, string> = {};
          for (const issue of parsed.error.issues) {
            const field = COVERAGE_FIELDS.find((f) => f.key === issue.path[0]);
            if (field && !errors[field.key]) {
              errors[field.key] =
                `${field.label}: ${values[field.key] === undefined ? 'enter a value' : field.hint}`;
            }
          }
          return sendConsolePage(reply, 400, ctx, taskPage(ctx, task, {}, {}, undefined, { values, errors }));
        }
        const open = task.status === 'open' || task.status === 'escalated';
        const mayComplete = ctx.principal.role === 'admin' || ctx.principal.role === task.assigneeRole;
        const refused = !open
          ? { status: 409, text: 'The task is no longer open.' }
          : !mayComplete
            ? { status: 403, text: 'This task is assigned to another role.' }
            : undefined;
        try {
          if (refused) throw new HttpProblem(problem(refused.status, refused.text));
          await submitOnboardingCoverage(deps, req, target.onboardingId, parsed.data);
        } catch (err) {
          if (!(err instanceof HttpProblem)) throw err;
          if (err.problem.status === 404) return sendConsoleNotFound(reply, ctx, 'worklist');
          return sendConsolePage(
            reply,
            err.problem.status,
            ctx,
            taskPage(ctx, task, {}, {}, err.problem.detail ?? err.problem.title, {
              values,
              errors: {},
            }),
          );
        }
        return reply.redirect('/console/worklist?done=1', 303);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/console/tasks/:id/authorization-decision',
      { config: pageConfig, schema: { hide: true } },
      async (req, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const task = await loadTask(ctx, req.params.id);
        const target = task && decisionTarget(task);
        if (!task || !target) return sendConsoleNotFound(reply, ctx, 'worklist');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const values: Record<string, string> = {};
        for (const key of ['outcome', ...DECISION_FIELDS.map((f) => f.key)]) {
          const v = body[key];
          if (typeof v === 'string' && v.trim() !== '') values[key] = v.trim();
        }
        const { decision, errors } = decisionFromForm(values);
        if (!decision || Object.keys(errors).length > 0) {
          return sendConsolePage(
            reply,
            400,
            ctx,
            taskPage(ctx, task, {}, {}, undefined, undefined, { values, errors }),
          );
        }
        const open = task.status === 'open' || task.status === 'escalated';
        const mayComplete = ctx.principal.role === 'admin' || ctx.principal.role === task.assigneeRole;
        const refused = !open
          ? { status: 409, text: 'The task is no longer open.' }
          : !mayComplete
            ? { status: 403, text: 'This task is assigned to another role.' }
            : undefined;
        try {
          if (refused) throw new HttpProblem(problem(refused.status, refused.text));
          await submitAuthorizationDecision(deps, req, target.authorizationId, decision);
          // An unreadable answer's task is closed by the process once decided; the overdue reminder is not.
          if (task.kind === 'auth_decision_overdue') {
            await completeTask(deps, ctx.principal, task.id, {}).catch((err: unknown) => {
              if (!(err instanceof HttpProblem && err.problem.status === 409)) throw err;
            });
          }
        } catch (err) {
          if (!(err instanceof HttpProblem)) throw err;
          if (err.problem.status === 404) return sendConsoleNotFound(reply, ctx, 'worklist');
          return sendConsolePage(
            reply,
            err.problem.status,
            ctx,
            taskPage(ctx, task, {}, {}, err.problem.detail ?? err.problem.title, undefined, {
              values,
              errors: {},
            }),
          );
        }
        return reply.redirect('/console/worklist?done=1', 303);
      },
    );
  };
}

/** The process a task belongs to: a link to its console page when the console has one for its kind. */
function processLink(processKind: string, workflowId: string): string {
  const path = processPagePath(workflowId);
  const label = `${esc(processKind)} <code>${esc(workflowId)}</code>`;
  return path ? `<a href="${esc(path)}">${label}</a>` : label;
}
