// The practice's numbers as the API, the console page, the CSV export and the Prometheus gauges use them: the
// period query (validated by one zod schema, so every bad field is named in the problem answer), the practice's
// time zone and locations, and the report built from the facts db/repositories/practice-metrics.ts reads.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/connection.js';
import { readPracticeMetricFacts, type WaitlistFillsSource } from '../db/repositories/practice-metrics.js';
import { locations, practices } from '../db/schema.js';
import { daysBetween, isIsoDate } from '../domain/core/dates.js';
import { buildPracticeNumbers, type PracticeNumbers } from '../domain/practice-metrics/report.js';
import { HttpProblem, fieldProblem, problem } from './problem.js';

export interface PracticeMetricsDeps {
  db: Database;
  now: () => Date;
  /** Waitlist fills from the waitlist feature; without it the figure reads "not available". */
  waitlistFills?: WaitlistFillsSource;
}

/** Longest period one request computes (a year and a day: a leap year's 366 dates). */
export const MAX_PERIOD_DAYS = 366;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a calendar date YYYY-MM-DD' })
  .refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' })
  .refine((d) => d >= '1900-01-01' && d <= '2999-12-31', { message: 'expected a date from 1900 to 2999' });

/** GET /v1/practice/metrics and /console/metrics query: the period, the location, the format. */
export const metricsQuerySchema = z
  .strictObject({
    from: isoDate.describe('First day of the period (YYYY-MM-DD, in the practice time zone)'),
    to: isoDate.describe('Last day of the period, inclusive (YYYY-MM-DD); at most 366 days after `from`'),
    locationId: z.uuid().optional().describe('Only this location of the practice'),
    format: z.enum(['json', 'csv']).default('json').describe('json (default) or csv'),
  })
  .superRefine((q, ctx) => {
    if (!isIsoDate(q.from) || !isIsoDate(q.to)) return;
    const span = daysBetween(q.from, q.to);
    if (span < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (span + 1 > MAX_PERIOD_DAYS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the period may span at most ${MAX_PERIOD_DAYS} days`,
      });
  });
export type MetricsQuery = z.infer<typeof metricsQuerySchema>;

/** Computes the report for the caller's practice; an unknown location is a 400 naming `locationId`. */
export async function practiceNumbers(
  deps: PracticeMetricsDeps,
  practiceId: string,
  q: { from: string; to: string; locationId?: string | undefined },
): Promise<PracticeNumbers> {
  const [practice] = await deps.db
    .select({ timezone: practices.timezone })
    .from(practices)
    .where(eq(practices.id, practiceId))
    .limit(1);
  if (!practice) throw new HttpProblem(problem(404, 'No such practice.'));
  if (q.locationId) {
    const [loc] = await deps.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.id, q.locationId), eq(locations.practiceId, practiceId)))
      .limit(1);
    if (!loc) {
      throw new HttpProblem(
        fieldProblem(
          'The request is not valid. Query parameter /locationId: no such location in your practice.',
          {
            in: 'query',
            pointer: '/locationId',
            code: 'unknown_location',
            detail: 'no such location in your practice',
          },
        ),
      );
    }
  }
  const facts = await readPracticeMetricFacts(
    deps.db,
    {
      practiceId,
      from: q.from,
      to: q.to,
      timeZone: practice.timezone,
      ...(q.locationId ? { locationId: q.locationId } : {}),
      now: deps.now(),
    },
    deps.waitlistFills,
  );
  return buildPracticeNumbers(facts);
}

/** The practice's locations (id and name) for the console's location picker. */
export async function practiceLocations(
  db: Database,
  practiceId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: locations.id, name: locations.name })
    .from(locations)
    .where(eq(locations.practiceId, practiceId))
    .orderBy(locations.name);
}
