// The practice's numbers over REST (issue 18 point 4):
//   GET    /v1/practice/metrics?from&to&locationId&format=json|csv   the figures of a period (README "The practice's
//                                                                   numbers" defines each), JSON or CSV
//   GET    /v1/practice/time-saved-assumptions                      the baselines of the time-saved estimate
//   PUT    /v1/practice/time-saved-assumptions                      an admin records the practice's own baseline
//   DELETE /v1/practice/time-saved-assumptions/:step/:effectiveFrom an admin removes one
// Aggregates only (counts, amounts, rates by payer and code): no patient appears, so admins and billers read them
// without break-glass. Bad input is a problem+json naming the field.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deleteTimeSavedAssumption,
  listTimeSavedAssumptions,
  putTimeSavedAssumption,
} from '../../db/repositories/practice-metrics.js';
import { isIsoDate } from '../../domain/core/dates.js';
import { practiceNumbersCsv } from '../../domain/practice-metrics/report.js';
import {
  AUTOMATED_STEPS,
  DEFAULT_TIME_SAVED_ASSUMPTIONS,
  STEP_LABELS,
} from '../../domain/practice-metrics/time-saved.js';
import { principalOf } from '../auth/plugin.js';
import { HttpProblem, problem } from '../problem.js';
import { metricsQuerySchema, practiceNumbers, type PracticeMetricsDeps } from '../practice-metrics.js';

const rate = z.object({ numerator: z.number(), denominator: z.number(), value: z.number().nullable() });
const keyedRate = rate.extend({ key: z.string() });

/** The JSON answer (formulas: README "The practice's numbers"). */
export const practiceNumbersResponse = z.object({
  period: z.object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    locationId: z.string().optional(),
    days: z.number(),
  }),
  asOf: z.string(),
  firstPassAcceptance: rate,
  denials: z.object({
    overall: rate,
    byPayer: z.array(keyedRate),
    byGroup: z.array(keyedRate),
    byCarc: z.array(keyedRate),
  }),
  accountsReceivable: z.object({
    balanceCents: z.number(),
    chargesCents: z.number(),
    averageDailyChargesCents: z.number(),
    daysInAR: z.number().nullable(),
    buckets: z.array(
      z.object({
        key: z.string(),
        claims: z.number(),
        balanceCents: z.number(),
        share: z.number().nullable(),
      }),
    ),
  }),
  collection: z.object({ net: rate, gross: rate }),
  authorizations: z.object({
    expired: z.number(),
    expiredUnused: z.number(),
    visitsUnused: z.number(),
    expiredUnknown: z.number(),
    expiredUnusedShare: rate,
    overranVisits: z.number(),
    overruns: z.array(z.object({ code: z.string(), visits: z.number() })),
  }),
  progressReportsLate: rate,
  attendance: z.object({
    noShow: rate,
    lateCancel: rate,
    cancel: rate,
    counts: z.object({
      scheduled: z.number(),
      noShow: z.number(),
      cancelled: z.number(),
      lateCancelled: z.number(),
    }),
    lateCancelBasis: z.literal('missed_visit_rule'),
  }),
  slotUtilization: z.object({ attended: rate, booked: rate, availableMinutes: z.number() }),
  intakeBeforeFirstVisit: rate,
  waitlistFills: z.object({ value: z.number().nullable(), wired: z.boolean() }),
  staffTimeSaved: z.object({
    rows: z.array(
      z.object({
        step: z.string(),
        label: z.string(),
        count: z.number(),
        minutesEach: z.number(),
        minutes: z.number(),
        effectiveFrom: z.string(),
        source: z.string(),
        origin: z.enum(['practice', 'default']),
      }),
    ),
    totalMinutes: z.number(),
    totalHours: z.number(),
  }),
  practiceWideWhenFiltered: z.array(z.string()),
});

const assumption = z.object({
  step: z.enum(AUTOMATED_STEPS),
  label: z.string(),
  minutes: z.number(),
  effectiveFrom: z.string(),
  source: z.string(),
  origin: z.enum(['practice', 'default']),
});

const assumptionBody = z.strictObject({
  step: z.enum(AUTOMATED_STEPS).describe('The automated step'),
  minutes: z.number().int().min(0).max(600).describe('Minutes a person spends on one such step by hand'),
  effectiveFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' })
    .describe('First day the baseline applies (YYYY-MM-DD)'),
  source: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .describe('Where the figure comes from (a time study, an assumption …)'),
});

export const practiceMetricsRoutes = (deps: PracticeMetricsDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.get(
      '/v1/practice/metrics',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          operationId: 'getPracticeMetrics',
          tags: ['practice'],
          summary:
            "The practice's numbers for a period (claims, denials, A/R, collections, authorizations, schedule, intake, time saved); JSON or CSV",
          querystring: metricsQuerySchema,
          response: {
            200: practiceNumbersResponse.describe(
              'The figures (JSON), or text/csv with one row per figure (format=csv)',
            ),
          },
        },
      },
      async (req, reply) => {
        const numbers = await practiceNumbers(deps, principalOf(req).practiceId, req.query);
        reply.header('cache-control', 'no-store');
        if (req.query.format === 'csv') {
          const name = `practice-metrics-${req.query.from}-${req.query.to}.csv`;
          return (
            reply
              .type('text/csv; charset=utf-8')
              .header('content-disposition', `attachment; filename="${name}"`)
              .serializer((s: string) => s)
              // The CSV bypasses the JSON schema's serializer: it is the same figures, one row each.
              .send(practiceNumbersCsv(numbers) as never)
          );
        }
        return numbers;
      },
    );

    app.get(
      '/v1/practice/time-saved-assumptions',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          operationId: 'listTimeSavedAssumptions',
          tags: ['practice'],
          summary: 'Baselines of the staff-time-saved estimate: the practice’s own rows and the defaults',
          response: { 200: z.object({ practice: z.array(assumption), defaults: z.array(assumption) }) },
        },
      },
      async (req) => {
        const own = await listTimeSavedAssumptions(deps.db, principalOf(req).practiceId);
        const label = (step: (typeof AUTOMATED_STEPS)[number]) => STEP_LABELS[step].label;
        return {
          practice: own.map((r) => ({ ...r, label: label(r.step), origin: 'practice' as const })),
          defaults: DEFAULT_TIME_SAVED_ASSUMPTIONS.map((r) => ({
            ...r,
            label: label(r.step),
            origin: 'default' as const,
          })),
        };
      },
    );

    app.put(
      '/v1/practice/time-saved-assumptions',
      {
        config: { roles: ['admin'] },
        schema: {
          operationId: 'putTimeSavedAssumption',
          tags: ['practice'],
          summary:
            'Record the practice’s own baseline minutes for an automated step, from a date, with its source',
          body: assumptionBody,
          response: { 200: assumption },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        await putTimeSavedAssumption(deps.db, principal.practiceId, req.body, principal.id);
        return { ...req.body, label: STEP_LABELS[req.body.step].label, origin: 'practice' as const };
      },
    );

    app.delete(
      '/v1/practice/time-saved-assumptions/:step/:effectiveFrom',
      {
        config: { roles: ['admin'] },
        schema: {
          operationId: 'deleteTimeSavedAssumption',
          tags: ['practice'],
          summary: 'Remove one of the practice’s baselines (the earlier one or the default applies again)',
          params: z.strictObject({
            step: z.enum(AUTOMATED_STEPS),
            effectiveFrom: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' }),
          }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const gone = await deleteTimeSavedAssumption(
          deps.db,
          principalOf(req).practiceId,
          req.params.step,
          req.params.effectiveFrom,
        );
        if (!gone) throw new HttpProblem(problem(404, 'No such baseline.'));
        return reply.code(204).send(null);
      },
    );
  };
