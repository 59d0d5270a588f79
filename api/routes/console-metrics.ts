// The console's "Practice numbers" page (issue 18 point 4), for admins and billers:
//   GET /console/metrics?from&to&locationId      the figures of a period (default: the 30 days ending yesterday in
//                                                the practice's time zone) as charts and tables; a bad field is
//                                                shown next to it (400), never a stack trace
//   GET /console/metrics.csv?from&to&locationId  the same figures as the CSV of GET /v1/practice/metrics?format=csv
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { practiceNumbersCsv } from '../../domain/practice-metrics/report.js';
import { HttpProblem } from '../problem.js';
import { consoleContext, sendConsolePage } from '../console/layout.js';
import { metricsBody, metricsForm, type MetricsFormState } from '../console/metrics-page.js';
import {
  metricsQuerySchema,
  practiceLocations,
  practiceNumbers,
  type PracticeMetricsDeps,
} from '../practice-metrics.js';

const ROLES = ['admin', 'biller'] as const;

/** The query as given, with defaults for an empty form, and the per-field errors of the shared schema. */
function readQuery(raw: Record<string, unknown>, timeZone: string, now: Date): MetricsFormState {
  const yesterday = addDays(localDate(now, timeZone), -1);
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const state: MetricsFormState = {
    from: str('from') || addDays(yesterday, -29),
    to: str('to') || yesterday,
    locationId: str('locationId'),
    errors: {},
  };
  const parsed = metricsQuerySchema.safeParse({
    from: state.from,
    to: state.to,
    ...(state.locationId ? { locationId: state.locationId } : {}),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === 'from' || field === 'to' || field === 'locationId') {
        state.errors[field] ??=
          field === 'locationId'
            ? 'Choose a location from the list.'
            : `${issue.message}.`.replace('..', '.');
      }
    }
  }
  return state;
}

export function consoleMetricsRoutes(deps: PracticeMetricsDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const config = { roles: ROLES, page: true } as const;

    const compute = async (state: MetricsFormState, practiceId: string) => {
      try {
        return await practiceNumbers(deps, practiceId, {
          from: state.from,
          to: state.to,
          ...(state.locationId ? { locationId: state.locationId } : {}),
        });
      } catch (err) {
        // A location of another practice (or none): the field's error, like a malformed one.
        if (err instanceof HttpProblem && err.problem.status === 400) {
          state.errors.locationId = 'Choose a location from the list.';
          return undefined;
        }
        throw err;
      }
    };

    app.get('/console/metrics', { config, schema: { hide: true } }, async (req, reply) => {
      const ctx = await consoleContext(app, deps.db, req);
      const state = readQuery((req.query ?? {}) as Record<string, unknown>, ctx.timeZone, deps.now());
      const numbers =
        Object.keys(state.errors).length === 0 ? await compute(state, ctx.principal.practiceId) : undefined;
      const locations = await practiceLocations(deps.db, ctx.principal.practiceId);
      const bad = Object.keys(state.errors).length > 0;
      return sendConsolePage(reply, bad ? 400 : 200, ctx, {
        title: 'Practice numbers',
        section: 'metrics',
        body:
          (bad
            ? `<p class="notice" role="alert">The period or location is not valid: see the field marked below.</p>`
            : '') +
          metricsForm(state, locations) +
          (numbers ? metricsBody(numbers) : ''),
      });
    });

    app.get('/console/metrics.csv', { config, schema: { hide: true } }, async (req, reply: FastifyReply) => {
      const ctx = await consoleContext(app, deps.db, req);
      const state = readQuery((req.query ?? {}) as Record<string, unknown>, ctx.timeZone, deps.now());
      const numbers =
        Object.keys(state.errors).length === 0 ? await compute(state, ctx.principal.practiceId) : undefined;
      if (!numbers) {
        return reply
          .code(400)
          .type('text/plain; charset=utf-8')
          .send(`Not valid: ${Object.keys(state.errors).join(', ')}\n`);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="practice-metrics-${state.from}-${state.to}.csv"`,
        )
        .send(practiceNumbersCsv(numbers));
    });
  };
}
