// Reads the facts of the practice's numbers (domain/practice-metrics) from ptflow's own records for one period
// [from, to] (calendar dates in the practice's time zone, both inclusive) and optionally one location: the claims
// mirror and its remittances, appointments, therapists' availability, worklist tasks (authorization expiry and
// refusals, progress reports due, intake forms overdue), messages, eligibility checks, progress reports and the
// practice's time-saved baselines. Every query is aggregated in PostgreSQL (a year of a 20-therapist practice is
// tens of thousands of rows; what comes back is a few hundred). Claims carry no location: with a location chosen,
// a claim belongs to it when the patient had an appointment there on the claim's date of service. Worklist tasks
// carry none either: authorizations, progress reports and time saved stay practice-wide (the report says so).
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { addDays, type IsoDate } from '../../domain/core/dates.js';
import { startOfLocalDay } from '../../domain/core/zoned.js';
import {
  CONTRACTUAL_CARCS,
  type AdjudicatedClaim,
  type AvailabilityBlock,
} from '../../domain/practice-metrics/metrics.js';
import type { MetricsPeriod, PracticeMetricFacts } from '../../domain/practice-metrics/report.js';
import {
  AUTOMATED_STEPS,
  type AutomatedStep,
  type TimeSavedAssumption,
} from '../../domain/practice-metrics/time-saved.js';
import type { Database } from '../connection.js';
import { timeSavedAssumptions } from '../schema.js';

/** Where waitlist fills come from: the waitlist feature's counter, wired by the composition root. */
export type WaitlistFillsSource = (q: {
  practiceId: string;
  locationId?: string;
  /** The period as instants, [from, to): its first local midnight and the one after its last day. */
  from: Date;
  to: Date;
}) => Promise<number>;

export interface PracticeMetricsQuery extends MetricsPeriod {
  practiceId: string;
  /** The clock: open items are judged at min(now, end of the period). */
  now: Date;
}

type Row = Record<string, unknown>;

async function rows<T extends Row>(db: Database, query: SQL): Promise<T[]> {
  return (await db.execute(query)) as unknown as T[];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Reads every fact of one period (queries run one after another on one connection's worth of work). */
export async function readPracticeMetricFacts(
  db: Database,
  q: PracticeMetricsQuery,
  waitlistFills?: WaitlistFillsSource,
): Promise<PracticeMetricFacts> {
  const start = startOfLocalDay(q.from, q.timeZone);
  const end = startOfLocalDay(addDays(q.to, 1), q.timeZone);
  const asOf = new Date(Math.min(q.now.getTime(), end.getTime()));
  // Instants go to PostgreSQL as ISO strings cast to timestamptz (the driver takes no Date in raw SQL).
  const [startAt, endAt, asOfAt] = [start, end, asOf].map((d) => d.toISOString());
  const p = q.practiceId;
  const tz = q.timeZone;
  const loc = q.locationId;
  // A claim at the chosen location: the patient had an appointment there on its date of service.
  // One hashed set of (patient, local date) seen at the location, not a lookup per claim (profiled: section 7).
  const claimAtLocation = loc
    ? sql`and (c.patient_id, c.service_date) in (select a.patient_id, (a.starts_at at time zone ${tz})::date
        from appointments a where a.practice_id = ${p}::uuid and a.location_id = ${loc}::uuid
          and a.starts_at < ${endAt}::timestamptz)`
    : sql``;
  const contractual = [...CONTRACTUAL_CARCS];

  // Claims: one pass over the practice's claims up to the period's end, grouped by date of service, with their
  // remittances posted by then aggregated once per claim (a hash join, not a lookup per claim: profiled, see
  // BENCHMARKS.md section 7). In-period sums feed first-pass acceptance and collections; open balances the A/R.
  const claimsByDate = rows<{
    service_date: string;
    in_period: boolean;
    submitted: string;
    accepted: string;
    submissions: string;
    charges: string;
    paid: string;
    contractual: string;
    open_claims: string;
    balance: string;
  }>(
    db,
    sql`with rem as (
          select r.claim_id, sum(r.paid_cents) as paid, sum(x.total) as adjusted, sum(x.contractual) as contractual
          from claim_remittances r
          join claims c on c.id = r.claim_id
          cross join lateral (
            select coalesce(sum((a->>'amountCents')::bigint), 0) as total,
              coalesce(sum((a->>'amountCents')::bigint) filter (where a->>'group' = 'CO'
                and a->>'carc' in ${contractual}), 0) as contractual
            from jsonb_array_elements(r.adjustments) a) x
          where c.practice_id = ${p}::uuid and c.service_date <= ${q.to}::date and r.posted_at < ${endAt}::timestamptz
          group by r.claim_id),
        per_claim as (
          select c.service_date, c.submissions, c.status, c.charge_cents,
            coalesce(rem.paid, 0) as paid, coalesce(rem.contractual, 0) as contractual,
            greatest(0, c.charge_cents - coalesce(rem.paid, 0) - coalesce(rem.adjusted, 0)) as balance
          from claims c left join rem on rem.claim_id = c.id
          where c.practice_id = ${p}::uuid and c.service_date <= ${q.to}::date ${claimAtLocation})
        select service_date::text as service_date, service_date >= ${q.from}::date as in_period,
          count(*) filter (where submissions >= 1) as submitted,
          count(*) filter (where submissions = 1 and status <> 'rejected') as accepted,
          coalesce(sum(submissions), 0) as submissions,
          coalesce(sum(charge_cents) filter (where submissions >= 1 and status <> 'written_off'), 0) as charges,
          coalesce(sum(paid) filter (where submissions >= 1 and status <> 'written_off'), 0) as paid,
          coalesce(sum(contractual) filter (where submissions >= 1 and status <> 'written_off'), 0) as contractual,
          count(*) filter (where submissions >= 1 and status not in ('held', 'written_off') and balance > 0)
            as open_claims,
          coalesce(sum(balance) filter (where submissions >= 1 and status not in ('held', 'written_off')), 0) as balance
        from per_claim group by service_date`,
  );

  const adjudicatedQuery = rows<{ payer_id: string; status_denied: boolean; keys: string[]; n: string }>(
    db,
    sql`with per_claim as (
          select c.payer_id, bool_or(r.claim_status_code = '4') as status_denied,
            coalesce(array_agg(distinct j.k) filter (where j.k is not null), '{}') as keys
          from claim_remittances r
          join claims c on c.id = r.claim_id
          left join lateral (select (a->>'group') || '-' || (a->>'carc') as k
            from jsonb_array_elements(r.adjustments) a where a->>'group' <> 'PR') j on true
          where c.practice_id = ${p}::uuid and r.posted_at >= ${startAt}::timestamptz
            and r.posted_at < ${endAt}::timestamptz ${claimAtLocation}
          group by c.id, c.payer_id)
        select payer_id, status_denied, keys, count(*) as n from per_claim group by 1, 2, 3`,
  );

  const authQuery = rows<Row>(
    db,
    sql`select count(*) filter (where kind = 'auth_expired') as expired,
          count(*) filter (where kind = 'auth_expired' and (details->>'visitsUnused')::int > 0) as expired_unused,
          coalesce(sum((details->>'visitsUnused')::int) filter (where kind = 'auth_expired'), 0) as visits_unused,
          count(*) filter (where kind = 'auth_expired' and not (details ? 'visitsUnused')) as expired_unknown
        from tasks where practice_id = ${p}::uuid and kind = 'auth_expired'
          and created_at >= ${startAt}::timestamptz and created_at < ${endAt}::timestamptz`,
  );
  const overrunQuery = rows<{ code: string; visits: string }>(
    db,
    sql`select coalesce(details->>'reason', 'unknown') as code, count(*) as visits
        from tasks where practice_id = ${p}::uuid and kind = 'authorization_visit_rejected'
          and created_at >= ${startAt}::timestamptz and created_at < ${endAt}::timestamptz
        group by 1 order by 2 desc, 1`,
  );

  const reportQuery = rows<Row>(
    db,
    sql`select count(*) as due,
          count(*) filter (where (completed_at is not null and completed_at > due_at)
            or (completed_at is null and status in ('open', 'escalated') and due_at < ${asOfAt}::timestamptz)) as late
        from tasks where practice_id = ${p}::uuid and kind = 'progress_report_due'
          and due_at >= ${startAt}::timestamptz and due_at < ${endAt}::timestamptz`,
  );

  const apptAtLocation = loc ? sql`and location_id = ${loc}::uuid` : sql``;
  const apptQuery = rows<Row>(
    db,
    sql`select count(*) as scheduled,
          count(*) filter (where status = 'no_show') as no_show,
          count(*) filter (where status in ('cancelled', 'late_cancelled')) as cancelled,
          count(*) filter (where status = 'late_cancelled') as late_cancelled,
          coalesce(sum(minutes) filter (where status in ('checked_in', 'completed')), 0) as attended_minutes,
          coalesce(sum(minutes) filter (where status not in ('cancelled', 'late_cancelled')), 0) as booked_minutes
        from appointments where practice_id = ${p}::uuid and starts_at >= ${startAt}::timestamptz and starts_at < ${endAt}::timestamptz
        ${apptAtLocation}`,
  );

  const availabilityQuery = rows<{ weekly_availability: AvailabilityBlock[] }>(
    db,
    sql`select weekly_availability from therapists where practice_id = ${p}::uuid and active`,
  );

  const firstAtLocation = loc ? sql`and f.location_id = ${loc}::uuid` : sql``;
  const intakeQuery = rows<Row>(
    db,
    sql`with firsts as (
          select distinct on (a.patient_id) a.patient_id, a.starts_at, a.location_id
          from appointments a
          where a.practice_id = ${p}::uuid and a.status in ('checked_in', 'completed')
          order by a.patient_id, a.starts_at)
        select count(*) as first_visits,
          count(*) filter (where not exists (select 1 from tasks t where t.practice_id = ${p}::uuid
            and t.patient_id = f.patient_id and t.kind = 'intake_forms_overdue' and t.created_at <= f.starts_at
            and (t.completed_at is null or t.completed_at > f.starts_at))) as complete_before
        from firsts f
        where f.starts_at >= ${startAt}::timestamptz and f.starts_at < ${endAt}::timestamptz ${firstAtLocation}
          and exists (select 1 from messages m where m.practice_id = ${p}::uuid and m.patient_id = f.patient_id
            and m.direction = 'outbound' and m.template = 'intake_link')`,
  );

  const stepQuery = rows<Row>(
    db,
    sql`select
          (select count(*) from eligibility_checks e join coverages cv on cv.id = e.coverage_id
            where cv.practice_id = ${p}::uuid and e.checked_at >= ${startAt}::timestamptz and e.checked_at < ${endAt}::timestamptz
              and e.outcome <> 'error') as eligibility_check,
          (select count(*) from claim_remittances r join claims c on c.id = r.claim_id
            where c.practice_id = ${p}::uuid and r.posted_at >= ${startAt}::timestamptz and r.posted_at < ${endAt}::timestamptz)
            as remittance_posting,
          (select count(*) from messages where practice_id = ${p}::uuid and direction = 'outbound'
            and status in ('sent', 'delivered') and created_at >= ${startAt}::timestamptz and created_at < ${endAt}::timestamptz)
            as patient_message,
          (select count(*) from progress_reports where practice_id = ${p}::uuid and status = 'delivered'
            and delivered_at >= ${startAt}::timestamptz and delivered_at < ${endAt}::timestamptz) as progress_report_delivery`,
  );
  // The queries are independent: they run side by side on the pool.
  const [
    byDate,
    adjudicatedRows,
    [authRow],
    overrunRows,
    [reportRow],
    [apptRow],
    availabilityRows,
    [intakeRow],
    [stepRow],
    assumptions,
    fills,
  ] = await Promise.all([
    claimsByDate,
    adjudicatedQuery,
    authQuery,
    overrunQuery,
    reportQuery,
    apptQuery,
    availabilityQuery,
    intakeQuery,
    stepQuery,
    listTimeSavedAssumptions(db, p),
    waitlistFills
      ? waitlistFills({ practiceId: p, ...(loc ? { locationId: loc } : {}), from: start, to: end })
      : Promise.resolve(null),
  ]);
  const claimRow = { submitted: 0, accepted: 0, submissions: 0, charges: 0, paid: 0, contractual: 0 };
  for (const r of byDate) {
    if (!r.in_period) continue;
    claimRow.submitted += num(r.submitted);
    claimRow.accepted += num(r.accepted);
    claimRow.submissions += num(r.submissions);
    claimRow.charges += num(r.charges);
    claimRow.paid += num(r.paid);
    claimRow.contractual += num(r.contractual);
  }
  const openRows = byDate.filter((r) => num(r.balance) > 0);
  const adjudicated: AdjudicatedClaim[] = [];
  for (const r of adjudicatedRows) {
    const claim: AdjudicatedClaim = {
      payerId: r.payer_id,
      statusCodes: r.status_denied ? ['4'] : [],
      adjustments: r.keys.map((k) => {
        const [group = '', carc = ''] = k.split('-');
        return { group, carc, amountCents: 0 };
      }),
    };
    for (let i = 0; i < num(r.n); i++) adjudicated.push(claim);
  }
  const steps = Object.fromEntries(AUTOMATED_STEPS.map((s) => [s, 0])) as Record<AutomatedStep, number>;
  steps.eligibility_check = num(stepRow?.eligibility_check);
  steps.remittance_posting = num(stepRow?.remittance_posting);
  steps.patient_message = num(stepRow?.patient_message);
  steps.progress_report_delivery = num(stepRow?.progress_report_delivery);
  steps.claim_submission = num(claimRow.submissions);

  return {
    period: { from: q.from, to: q.to, timeZone: tz, ...(loc ? { locationId: loc } : {}) },
    asOf: asOf.toISOString(),
    claims: { submitted: num(claimRow.submitted), acceptedFirstPass: num(claimRow.accepted) },
    adjudicated,
    ar: {
      chargesCents: num(claimRow.charges),
      open: openRows.map((r) => ({
        serviceDate: r.service_date,
        claims: num(r.open_claims),
        balanceCents: num(r.balance),
      })),
    },
    collection: {
      chargesCents: num(claimRow.charges),
      paidCents: num(claimRow.paid),
      contractualCents: num(claimRow.contractual),
    },
    authorizations: {
      expired: num(authRow?.expired),
      expiredUnused: num(authRow?.expired_unused),
      visitsUnused: num(authRow?.visits_unused),
      expiredUnknown: num(authRow?.expired_unknown),
      overruns: overrunRows.map((r) => ({ code: r.code, visits: num(r.visits) })),
    },
    progressReports: { due: num(reportRow?.due), late: num(reportRow?.late) },
    appointments: {
      scheduled: num(apptRow?.scheduled),
      noShow: num(apptRow?.no_show),
      cancelled: num(apptRow?.cancelled),
      // Late by the missed-visit rule, as the EMR router and the missed-visit process record it.
      lateCancelled: num(apptRow?.late_cancelled),
      attendedMinutes: num(apptRow?.attended_minutes),
      bookedMinutes: num(apptRow?.booked_minutes),
    },
    availability: availabilityRows.map((r) =>
      Array.isArray(r.weekly_availability) ? r.weekly_availability : [],
    ),
    intake: {
      firstVisits: num(intakeRow?.first_visits),
      completeBefore: num(intakeRow?.complete_before),
    },
    steps,
    assumptions,
    waitlistFills: fills,
  };
}

/** The practice's own time-saved baselines (every effective date), oldest first. */
export async function listTimeSavedAssumptions(
  db: Database,
  practiceId: string,
): Promise<TimeSavedAssumption[]> {
  const found = await db
    .select()
    .from(timeSavedAssumptions)
    .where(eq(timeSavedAssumptions.practiceId, practiceId))
    .orderBy(timeSavedAssumptions.step, timeSavedAssumptions.effectiveFrom);
  return found
    .filter((r): r is typeof r & { step: AutomatedStep } =>
      (AUTOMATED_STEPS as readonly string[]).includes(r.step),
    )
    .map((r) => ({ step: r.step, minutes: r.minutes, effectiveFrom: r.effectiveFrom, source: r.source }));
}

/** Records (or replaces, for the same step and date) one of the practice's baselines. */
export async function putTimeSavedAssumption(
  db: Database,
  practiceId: string,
  row: TimeSavedAssumption,
  updatedBy: string,
): Promise<void> {
  await db
    .insert(timeSavedAssumptions)
    .values({ practiceId, ...row, updatedBy })
    .onConflictDoUpdate({
      target: [
        timeSavedAssumptions.practiceId,
        timeSavedAssumptions.step,
        timeSavedAssumptions.effectiveFrom,
      ],
      set: { minutes: row.minutes, source: row.source, updatedBy, updatedAt: new Date() },
    });
}

/** Removes one of the practice's baselines (the default or an earlier row applies again). */
export async function deleteTimeSavedAssumption(
  db: Database,
  practiceId: string,
  step: AutomatedStep,
  effectiveFrom: IsoDate,
): Promise<boolean> {
  const gone = await db
    .delete(timeSavedAssumptions)
    .where(
      and(
        eq(timeSavedAssumptions.practiceId, practiceId),
        eq(timeSavedAssumptions.step, step),
        eq(timeSavedAssumptions.effectiveFrom, effectiveFrom),
      ),
    )
    .returning({ step: timeSavedAssumptions.step });
  return gone.length > 0;
}
