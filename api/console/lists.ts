// Over 350 lines for now: five daily lists, each a visibility query plus status reads (to split per list).
// The console's daily lists (GET /console/lists/<name>): claims held and why, denials waiting, authorizations
// expiring within 7 days or within 2 visits, progress reports due, intake forms missing. Sources are those of the
// API: Temporal visibility filtered by the allow-listed search attributes (always PracticeId = the caller's), each
// process's status query through the audited, tenancy-checked read of api/processes.ts shaped by the caller's role
// view, and the tasks table. A list admits the roles of the REST status route it reads. At most 100 processes
// are read per list (the page says so when there were more).
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { tasks } from '../../db/schema.js';
import { parseWorkflowId } from '../../domain/ids.js';
import {
  AuthVisitsRemaining,
  NeedsAttention,
  NextDeadline,
  ProcessStatus,
} from '../../workflows/shared/search-attributes.js';
import { esc } from '../auth/pages.js';
import { principalOf } from '../auth/plugin.js';
import type { Role } from '../auth/principal.js';
import { queryOwned } from '../processes.js';
import { HttpProblem } from '../problem.js';
import { formatInZone } from './layout.js';
import {
  type ConsoleDeps,
  type ConsoleKind,
  consoleKinds,
  openTasksOf,
  processPagePath,
  shapeForCaller,
  todayInZone,
} from './process-data.js';
import { findingInWords, stateOf } from './process-page.js';
import { SERIES_ROLES } from '../routes/care-series.js';

/** How many processes a list reads at most. */
export const LIST_LIMIT = 100;

export interface ListRow {
  /** The process page the row links to. */
  href: string;
  label: string;
  /** Cells after the first (already escaped HTML). */
  cells: string[];
}

export interface ListResult {
  rows: ListRow[];
  truncated: boolean;
}

export interface DailyList {
  name: string;
  title: string;
  /** What question the list answers (shown under the title). */
  question: string;
  roles: readonly Role[];
  columns: string[];
  load(deps: ConsoleDeps, req: FastifyRequest, timeZone: string): Promise<ListResult>;
}

/** Running workflows of the caller's practice matching `clause` (visibility; every value is a fixed literal). */
async function visible(
  deps: ConsoleDeps,
  req: FastifyRequest,
  clause: string,
): Promise<{ ids: { workflowId: string; visitsRemaining?: number }[]; truncated: boolean }> {
  const practiceId = principalOf(req).practiceId;
  const page = await deps.temporal.workflowService.listWorkflowExecutions({
    namespace: deps.temporal.options.namespace,
    query: `PracticeId = '${practiceId}' AND ExecutionStatus = 'Running' AND ${clause}`,
    pageSize: LIST_LIMIT,
  });
  return {
    ids: (page.executions ?? []).flatMap((e) => {
      const wfId = e.execution?.workflowId;
      if (!wfId) return [];
      const remaining = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields).get(
        AuthVisitsRemaining,
      );
      return [{ workflowId: wfId, ...(typeof remaining === 'number' ? { visitsRemaining: remaining } : {}) }];
    }),
    truncated: (page.nextPageToken?.length ?? 0) > 0,
  };
}

/** How long a list waits for one process's status query (a process whose worker is down must not stall the list). */
export const LIST_QUERY_TIMEOUT_MS = 3000;

/**
 * The caller's view of a process's status (audited read, tenancy checked, role-shaped; break-glass as in the API):
 * undefined when it is gone or not the caller's, null when it did not answer in time (shown as unavailable).
 */
async function viewOf(
  deps: ConsoleDeps,
  req: FastifyRequest,
  kind: ConsoleKind,
  wfId: string,
  listName: string,
): Promise<Record<string, unknown> | undefined | null> {
  const parsed = parseWorkflowId(wfId);
  if (!parsed) return undefined;
  const spec = consoleKinds[kind];
  let status: unknown;
  try {
    status = await deps.temporal.withDeadline(Date.now() + LIST_QUERY_TIMEOUT_MS, () =>
      queryOwned(
        deps,
        req,
        { kind: spec.prefix, id: parsed.id, resourceType: spec.resourceType },
        spec.query,
      ),
    );
  } catch (err) {
    // Closed or gone between the listing and the read: not on today's list.
    if (err instanceof HttpProblem && err.problem.status === 404) return undefined;
    // Refusals and an unavailable audit log fail the page (the audit fails closed).
    if (err instanceof HttpProblem) throw err;
    return null;
  }
  return (await shapeForCaller(deps, req, spec, status, `/console/lists/${listName}`)).view;
}

/** A row for a process that did not answer its status query in time. */
function unavailableRow(wfId: string, columns: number): ListRow {
  return {
    href: link(wfId),
    label: label(wfId),
    cells: [
      '<span class="note">status unavailable (the process did not answer in time)</span>',
      ...Array.from({ length: columns - 2 }, () => '—'),
    ],
  };
}

const words = (v: string) => v.replace(/_/g, ' ');
const link = (wfId: string) => processPagePath(wfId) ?? '/console';
const label = (wfId: string) => parseWorkflowId(wfId)?.id.slice(0, 8) ?? wfId;

/** Runs `fn` over the items, a few at a time (each is a Temporal query and an audit entry). */
async function mapLimited<T, R>(items: T[], fn: (item: T) => Promise<R>, width = 16): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

function lastDecision(view: Record<string, unknown>, timeZone: string): string {
  const decisions = Array.isArray(view.decisions) ? (view.decisions as Record<string, string>[]) : undefined;
  if (!decisions) return '<span class="note">not shown to your role</span>';
  const last = decisions.at(-1);
  if (!last) return '—';
  const at = last.at ? `${esc(formatInZone(new Date(last.at), timeZone))}: ` : '';
  return `${at}${esc(words(last.what ?? ''))}${last.reason ? ` — ${esc(last.reason)}` : ''}`;
}

const claimsHeld: DailyList = {
  name: 'claims-held',
  title: 'Claims held',
  question: 'Which claims are held before submission, and why?',
  roles: consoleKinds.claim.roles,
  columns: ['Claim', 'State', 'Why', 'Fix task'],
  async load(deps, req, timeZone) {
    const { ids, truncated } = await visible(
      deps,
      req,
      `ProcessKind = 'claimSubmission' AND ClaimStatus IN ('needs_correction', 'needs_review')`,
    );
    const practiceId = principalOf(req).practiceId;
    const rows = await mapLimited(ids, async ({ workflowId }) => {
      const view = await viewOf(deps, req, 'claim', workflowId, 'claims-held');
      if (view === null) return unavailableRow(workflowId, claimsHeld.columns.length);
      if (!view) return undefined;
      const findings = Array.isArray(view.blockingFindings) ? (view.blockingFindings as string[]) : undefined;
      const why = findings
        ? esc(findings.map(findingInWords).join('; ') || 'under review')
        : '<span class="note">not shown to your role (finding codes are billing data)</span>';
      const open = await openTasksOf(deps, practiceId, workflowId);
      const task = open[0];
      return {
        href: link(workflowId),
        label: label(workflowId),
        cells: [
          esc(words(stateOf(view))),
          why,
          task
            ? `<a href="/console/tasks/${esc(task.id)}">${esc(task.title)}</a> · due ${esc(formatInZone(task.dueAt, timeZone))}`
            : '—',
        ],
      };
    });
    return { rows: rows.filter((r): r is ListRow => r !== undefined), truncated };
  },
};

const denials: DailyList = {
  name: 'denials',
  title: 'Denials waiting',
  question: 'Which denied claims wait for a decision or an appeal?',
  roles: consoleKinds.claim.roles,
  columns: ['Claim', 'State', 'Latest decision'],
  async load(deps, req, timeZone) {
    const { ids, truncated } = await visible(
      deps,
      req,
      `ProcessKind = 'claimSubmission' AND ClaimStatus IN ('denied', 'appeal')`,
    );
    const rows = await mapLimited(ids, async ({ workflowId }) => {
      const view = await viewOf(deps, req, 'claim', workflowId, 'denials');
      if (view === null) return unavailableRow(workflowId, denials.columns.length);
      if (!view) return undefined;
      return {
        href: link(workflowId),
        label: label(workflowId),
        cells: [esc(words(stateOf(view))), lastDecision(view, timeZone)],
      };
    });
    return { rows: rows.filter((r): r is ListRow => r !== undefined), truncated };
  },
};

/** `date` (YYYY-MM-DD) plus `days` calendar days. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const authorizationsExpiring: DailyList = {
  name: 'authorizations-expiring',
  title: 'Authorizations expiring',
  question: 'Which authorizations end within 7 days or within 2 visits?',
  roles: consoleKinds.authorization.roles,
  columns: ['Authorization', 'Status', 'Ends', 'Visits left', 'Why'],
  async load(deps, req, timeZone) {
    const { ids, truncated } = await visible(deps, req, `ProcessKind = 'priorAuthorization'`);
    const today = todayInZone(deps.now(), timeZone);
    const horizon = addDays(today, 7);
    const rows = await mapLimited(ids, async ({ workflowId }) => {
      const view = await viewOf(deps, req, 'authorization', workflowId, 'authorizations-expiring');
      if (view === null) return unavailableRow(workflowId, authorizationsExpiring.columns.length);
      if (!view) return undefined;
      const end = typeof view.endDate === 'string' ? view.endDate : undefined;
      const left = typeof view.visitsRemaining === 'number' ? view.visitsRemaining : undefined;
      const why: string[] = [];
      if (end !== undefined && end <= horizon) why.push(end < today ? 'ended' : 'ends within 7 days');
      if (left !== undefined && left <= 2) why.push('2 visits or fewer left');
      if (why.length === 0) return undefined;
      return {
        href: link(workflowId),
        label: label(workflowId),
        cells: [
          esc(words(stateOf(view))),
          end ? `<time datetime="${esc(end)}">${esc(end)}</time>` : '—',
          left !== undefined ? String(left) : '—',
          esc(why.join('; ')),
        ],
      };
    });
    return { rows: rows.filter((r): r is ListRow => r !== undefined), truncated };
  },
};

async function openTasksOfKind(deps: ConsoleDeps, req: FastifyRequest, kinds: string[]) {
  return deps.db
    .select({
      id: tasks.id,
      title: tasks.title,
      dueAt: tasks.dueAt,
      workflowId: tasks.workflowId,
      status: tasks.status,
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.practiceId, principalOf(req).practiceId),
        inArray(tasks.kind, kinds),
        inArray(tasks.status, ['open', 'escalated']),
      ),
    )
    .orderBy(asc(tasks.dueAt))
    .limit(LIST_LIMIT + 1);
}

const progressReportsDue: DailyList = {
  name: 'progress-reports-due',
  title: 'Progress reports due',
  question: 'Which episodes need a progress report (overdue first)?',
  roles: consoleKinds['plan-of-care'].roles,
  columns: ['Plan of care', 'Task', 'Due'],
  async load(deps, req, timeZone) {
    const found = await openTasksOfKind(deps, req, ['progress_report_due']);
    const now = deps.now();
    return {
      truncated: found.length > LIST_LIMIT,
      rows: found.slice(0, LIST_LIMIT).map((t) => ({
        href: link(t.workflowId),
        label: label(t.workflowId),
        cells: [
          `<a href="/console/tasks/${esc(t.id)}">${esc(t.title)}</a>`,
          `${esc(formatInZone(t.dueAt, timeZone))}${t.dueAt < now ? ' <span class="overdue">overdue</span>' : ''}`,
        ],
      })),
    };
  },
};

const intakeFormsMissing: DailyList = {
  name: 'intake-forms-missing',
  title: 'Intake forms missing',
  question: 'Which patients in onboarding have not completed their intake forms?',
  roles: consoleKinds.onboarding.roles,
  columns: ['Onboarding', 'State', 'Forms', 'Reminders sent', 'Evaluation'],
  async load(deps, req, timeZone) {
    const { ids, truncated } = await visible(deps, req, `ProcessKind = 'onboarding'`);
    const rows = await mapLimited(ids, async ({ workflowId }) => {
      const view = await viewOf(deps, req, 'onboarding', workflowId, 'intake-forms-missing');
      if (view === null) return unavailableRow(workflowId, intakeFormsMissing.columns.length);
      const forms = view?.forms as { state?: string; remindersSent?: number } | undefined;
      if (!view || !forms || forms.state === 'completed') return undefined;
      const appointment = view.appointment as { start?: string } | undefined;
      return {
        href: link(workflowId),
        label: label(workflowId),
        cells: [
          esc(words(stateOf(view))),
          esc(words(forms.state ?? 'unknown')),
          String(forms.remindersSent ?? 0),
          appointment?.start ? esc(formatInZone(new Date(appointment.start), timeZone)) : '—',
        ],
      };
    });
    return { rows: rows.filter((r): r is ListRow => r !== undefined), truncated };
  },
};

/** The daily lists, in the order of the lists page. */
export const dailyLists: DailyList[] = [
  claimsHeld,
  denials,
  authorizationsExpiring,
  progressReportsDue,
  intakeFormsMissing,
];

/** A list's body (an HTML fragment): its question, a table whose first column links to each process page. */
export function listBody(list: DailyList, result: ListResult): string {
  const table = result.rows.length
    ? `<table class="list"><caption>${esc(list.question)}</caption><thead><tr>${list.columns
        .map((c) => `<th scope="col">${esc(c)}</th>`)
        .join('')}</tr></thead><tbody>${result.rows
        .map(
          (r) =>
            `<tr><td><a href="${esc(r.href)}">${esc(r.label)}</a></td>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`,
        )
        .join('')}</tbody></table>`
    : `<p>${esc(list.question)}</p><p>None today.</p>`;
  return (
    table +
    (result.truncated ? `<p class="note">Only the first ${LIST_LIMIT} processes were read.</p>` : '') +
    `<p><a href="/console/lists">All lists</a></p>`
  );
}

/** The lists page: the lists the caller's role may open. */
export function listsIndexBody(role: Role): string {
  const mine = dailyLists.filter((l) => l.roles.includes(role));
  return mine.length
    ? `<ul class="choices">${mine
        .map(
          (l) =>
            `<li><a href="/console/lists/${l.name}">${esc(l.title)}</a> <span class="note">${esc(l.question)}</span></li>`,
        )
        .join('')}</ul>`
    : '<p>No lists for your role.</p>';
}

/** The console kinds a `/console/processes` filter offers, with their ProcessKind search-attribute values. */
const PROCESS_KIND_VALUES: Record<ConsoleKind, string> = {
  onboarding: 'onboarding',
  authorization: 'priorAuthorization',
  claim: 'claimSubmission',
  'plan-of-care': 'planOfCare',
};

export interface ProcessFilters {
  kind?: ConsoleKind;
  attention: boolean;
}

/** Reads the processes page's filters (unknown values are ignored: the filter falls back to "all"). */
export function processFiltersOf(query: Record<string, unknown>): ProcessFilters {
  const kind =
    typeof query.kind === 'string' && Object.hasOwn(consoleKinds, query.kind) ? query.kind : undefined;
  return { ...(kind ? { kind: kind as ConsoleKind } : {}), attention: query.attention === 'true' };
}

/**
 * The processes page (GET /console/processes): the practice's running processes of the four kinds with a page,
 * newest first, from visibility — the operational fields `GET /v1/processes` gives every staff role.
 */
export async function processesBody(
  deps: ConsoleDeps,
  req: FastifyRequest,
  filters: ProcessFilters,
  timeZone: string,
): Promise<string> {
  const kinds = filters.kind ? [filters.kind] : (Object.keys(PROCESS_KIND_VALUES) as ConsoleKind[]);
  const clause =
    `ProcessKind IN (${kinds.map((k) => `'${PROCESS_KIND_VALUES[k]}'`).join(', ')})` +
    (filters.attention ? ' AND NeedsAttention = true' : '');
  const page = await deps.temporal.workflowService.listWorkflowExecutions({
    namespace: deps.temporal.options.namespace,
    query: `PracticeId = '${principalOf(req).practiceId}' AND ExecutionStatus = 'Running' AND ${clause}`,
    pageSize: LIST_LIMIT,
  });
  const rows = (page.executions ?? []).flatMap((e) => {
    const wfId = e.execution?.workflowId;
    const href = wfId ? processPagePath(wfId) : undefined;
    if (!wfId || !href) return [];
    const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
    const deadline = sa.get(NextDeadline);
    const status = sa.get(ProcessStatus);
    const kind = consoleKinds[href.split('/')[3] as ConsoleKind].label;
    // The front desk cannot open a plan of care's page, but books its series (api/routes/console-series.ts).
    const book =
      href.startsWith('/console/processes/plan-of-care/') &&
      (SERIES_ROLES as readonly string[]).includes(principalOf(req).role)
        ? ` · <a href="${esc(href)}/series">Book the series</a>`
        : '';
    return [
      `<tr><td><a href="${esc(href)}">${esc(label(wfId))}</a>${book}</td><td>${esc(kind)}</td>` +
        `<td>${esc(words(status ?? 'unknown'))}${sa.get(NeedsAttention) ? ' · <span class="overdue">needs attention</span>' : ''}</td>` +
        `<td>${deadline ? esc(formatInZone(deadline, timeZone)) : '—'}</td></tr>`,
    ];
  });
  const kindOptions = [
    `<option value="">All kinds</option>`,
    ...(Object.keys(PROCESS_KIND_VALUES) as ConsoleKind[]).map(
      (k) =>
        `<option value="${k}"${filters.kind === k ? ' selected' : ''}>${esc(consoleKinds[k].label)}</option>`,
    ),
  ].join('');
  const form =
    `<form method="get" action="/console/processes" class="filters">` +
    `<div><label for="f-kind">Kind</label><select id="f-kind" name="kind">${kindOptions}</select></div>` +
    `<div><label for="f-attention">Needs attention</label><select id="f-attention" name="attention">` +
    `<option value="">Any</option><option value="true"${filters.attention ? ' selected' : ''}>Only those</option>` +
    `</select></div><div><button type="submit">Filter</button></div></form>`;
  const table = rows.length
    ? `<table class="list"><caption>Running processes, newest first</caption><thead><tr>` +
      `<th scope="col">Process</th><th scope="col">Kind</th><th scope="col">State</th>` +
      `<th scope="col">Next deadline</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p>No running processes match.</p>';
  return (
    form +
    table +
    ((page.nextPageToken?.length ?? 0) > 0
      ? `<p class="note">Only the newest ${LIST_LIMIT} are shown.</p>`
      : '') +
    `<p>Daily questions: <a href="/console/lists">the lists</a>.</p>`
  );
}
