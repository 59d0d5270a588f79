// The console's process pages and daily lists (HTML for signed-in staff; the same principal, tenancy, audited
// reads and role views as the REST API):
//   GET /console/processes/:kind/:id   onboarding | authorization | claim | plan-of-care: state, timeline, what it
//                                      waits for, open tasks, the caller's view of its status, its Temporal UI link
//   GET /console/processes             running processes (kind and needs-attention filters), each linked
//   GET /console/lists                 the daily lists the caller's role may open
//   GET /console/lists/:name           one list (claims-held, denials, authorizations-expiring,
//                                      progress-reports-due, intake-forms-missing)
// Another practice's id, an unknown id or kind is the 404 page; a role the REST status route refuses is a 403
// page. URLs and titles carry only opaque process ids and fixed words.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../../domain/ids.js';
import { esc } from '../auth/pages.js';
import { principalOf } from '../auth/plugin.js';
import { staffRoles } from '../auth/session.js';
import {
  consoleContext,
  sendConsoleNotFound,
  sendConsolePage,
  type ConsoleContext,
  type ConsoleSection,
} from '../console/layout.js';
import { dailyLists, listBody, listsIndexBody, processesBody, processFiltersOf } from '../console/lists.js';
import {
  type ConsoleDeps,
  type ConsoleKind,
  consoleKinds,
  loadProcessPage,
} from '../console/process-data.js';
import { processPageBody } from '../console/process-page.js';
import { HttpProblem, problem } from '../problem.js';
import { SERIES_ROLES } from './care-series.js';
import { seriesPagePath } from './console-series.js';

/** Answers a problem raised by the shared code paths as a console page (never problem+json to a browser). */
function sendProblemPage(
  reply: FastifyReply,
  ctx: ConsoleContext,
  section: ConsoleSection,
  err: unknown,
): FastifyReply {
  if (!(err instanceof HttpProblem)) throw err;
  const status = err.problem.status;
  if (status === 404) return sendConsoleNotFound(reply, ctx, section);
  const title = status === 403 ? 'Not for your role' : 'Try again';
  const text =
    status === 403
      ? 'Your role may not open this page.'
      : 'This page cannot be shown right now. Please try again in a moment.';
  return sendConsolePage(reply, status, ctx, {
    title,
    section,
    body: `<p class="notice" role="alert">${esc(text)}</p><p><a href="/console">Back to the console</a></p>`,
  });
}

/**
 * The "Book the series" link of a plan of care (on its page, and on the onboarding page once the onboarding has
 * handed over to it), for the roles that may book (api/routes/console-series.ts).
 */
export function seriesAction(
  kind: string,
  id: string,
  view: Record<string, unknown>,
  ctx: ConsoleContext,
): string {
  if (!(SERIES_ROLES as readonly string[]).includes(ctx.principal.role)) return '';
  const handedOver = typeof view.planOfCareWorkflowId === 'string' ? view.planOfCareWorkflowId : '';
  const poc =
    kind === 'plan-of-care'
      ? id
      : kind === 'onboarding' && /^poc:/.test(handedOver)
        ? handedOver.slice(4)
        : '';
  if (!isUuid(poc)) return '';
  return `\n<h2>Actions</h2>\n<p><a href="${esc(seriesPagePath(poc))}">Book the series</a> of the plan of care (preview the visits first)</p>`;
}

/** The process pages and daily lists of the console. */
export function consoleProcessRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const options = { config: { roles: staffRoles, page: true }, schema: { hide: true } } as const;

    app.get<{ Params: { kind: string; id: string } }>(
      '/console/processes/:kind/:id',
      options,
      async (req: FastifyRequest<{ Params: { kind: string; id: string } }>, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const { kind, id } = req.params;
        if (!Object.hasOwn(consoleKinds, kind) || !isUuid(id)) {
          return sendConsoleNotFound(reply, ctx, 'processes');
        }
        try {
          const data = await loadProcessPage(deps, req, kind as ConsoleKind, id);
          return sendConsolePage(reply, 200, ctx, {
            title: data.spec.label,
            section: 'processes',
            body: processPageBody(data, ctx.timeZone) + seriesAction(kind, id, data.view, ctx),
          });
        } catch (err) {
          return sendProblemPage(reply, ctx, 'processes', err);
        }
      },
    );

    app.get('/console/processes', options, async (req, reply) => {
      const ctx = await consoleContext(app, deps.db, req);
      const filters = processFiltersOf(req.query as Record<string, unknown>);
      return sendConsolePage(reply, 200, ctx, {
        title: 'Processes',
        section: 'processes',
        body: await processesBody(deps, req, filters, ctx.timeZone),
      });
    });

    app.get('/console/lists', options, async (req, reply) => {
      const ctx = await consoleContext(app, deps.db, req);
      return sendConsolePage(reply, 200, ctx, {
        title: 'Daily lists',
        section: 'lists',
        body: listsIndexBody(principalOf(req).role),
      });
    });

    app.get<{ Params: { name: string } }>(
      '/console/lists/:name',
      options,
      async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
        const ctx = await consoleContext(app, deps.db, req);
        const list = dailyLists.find((l) => l.name === req.params.name);
        if (!list) return sendConsoleNotFound(reply, ctx, 'lists');
        if (!list.roles.includes(principalOf(req).role)) {
          return sendProblemPage(reply, ctx, 'lists', new HttpProblem(problem(403)));
        }
        try {
          const result = await list.load(deps, req, ctx.timeZone);
          return sendConsolePage(reply, 200, ctx, {
            title: list.title,
            section: 'lists',
            body: listBody(list, result),
          });
        } catch (err) {
          return sendProblemPage(reply, ctx, 'lists', err);
        }
      },
    );
  };
}
