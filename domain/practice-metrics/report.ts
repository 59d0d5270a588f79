// The whole set of a practice's numbers for one period, from the facts the data-access module read, and its CSV
// form (one row per figure). Pure: the formulas are in metrics.ts and time-saved.ts.
import type { IsoDate } from '../core/dates.js';
import {
  accountsReceivable,
  attendanceRates,
  authorizationNumbers,
  availableMinutes,
  collectionRates,
  denialRates,
  firstPassAcceptance,
  intakeBeforeFirstVisit,
  periodDays,
  progressReportsLate,
  slotUtilization,
  waitlistFillsValue,
  type AdjudicatedClaim,
  type AppointmentCounts,
  type AuthorizationFacts,
  type AvailabilityBlock,
  type OpenBalance,
  type Rate,
} from './metrics.js';
import { staffTimeSaved, type AutomatedStep, type TimeSavedAssumption } from './time-saved.js';

export interface MetricsPeriod {
  from: IsoDate;
  to: IsoDate;
  /** IANA zone the dates are read in (the practice's). */
  timeZone: string;
  locationId?: string;
}

/** What the data-access module reads for one period (see db/repositories/practice-metrics.ts). */
export interface PracticeMetricFacts {
  period: MetricsPeriod;
  /** ISO instant the open items were judged at: the period's end, or now when that is earlier. */
  asOf: string;
  claims: { submitted: number; acceptedFirstPass: number };
  adjudicated: AdjudicatedClaim[];
  ar: { chargesCents: number; open: OpenBalance[] };
  collection: { chargesCents: number; paidCents: number; contractualCents: number };
  authorizations: AuthorizationFacts;
  progressReports: { due: number; late: number };
  appointments: AppointmentCounts & { attendedMinutes: number; bookedMinutes: number };
  availability: AvailabilityBlock[][];
  intake: { firstVisits: number; completeBefore: number };
  steps: Record<AutomatedStep, number>;
  assumptions: TimeSavedAssumption[];
  waitlistFills: number | null;
}

/** Which figures a location filter applies to (records without a location are practice-wide). */
export const PRACTICE_WIDE_WHEN_FILTERED = ['authorizations', 'progressReports', 'staffTimeSaved'] as const;

export function buildPracticeNumbers(f: PracticeMetricFacts) {
  const { from, to } = f.period;
  const days = periodDays(from, to);
  const available = availableMinutes(f.availability, from, to, f.period.locationId);
  return {
    period: { ...f.period, days },
    asOf: f.asOf,
    firstPassAcceptance: firstPassAcceptance(f.claims),
    denials: denialRates(f.adjudicated),
    accountsReceivable: accountsReceivable({ to, days, chargesCents: f.ar.chargesCents, open: f.ar.open }),
    collection: collectionRates(f.collection),
    authorizations: authorizationNumbers(f.authorizations),
    progressReportsLate: progressReportsLate(f.progressReports),
    attendance: {
      ...attendanceRates(f.appointments),
      counts: {
        scheduled: f.appointments.scheduled,
        noShow: f.appointments.noShow,
        cancelled: f.appointments.cancelled,
        lateCancelled: f.appointments.lateCancelled,
      },
      lateCancelBasis: 'missed_visit_rule' as const,
    },
    slotUtilization: {
      ...slotUtilization({
        attendedMinutes: f.appointments.attendedMinutes,
        bookedMinutes: f.appointments.bookedMinutes,
        availableMinutes: available,
      }),
      availableMinutes: available,
    },
    intakeBeforeFirstVisit: intakeBeforeFirstVisit(f.intake),
    waitlistFills: waitlistFillsValue(f.waitlistFills),
    staffTimeSaved: staffTimeSaved(f.steps, to, f.assumptions),
    practiceWideWhenFiltered: f.period.locationId ? [...PRACTICE_WIDE_WHEN_FILTERED] : [],
  };
}

export type PracticeNumbers = ReturnType<typeof buildPracticeNumbers>;

/** One line of the CSV / one figure. */
export interface FigureRow {
  metric: string;
  dimension: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  unit: string;
}

const rateRow = (metric: string, r: Rate, dimension = ''): FigureRow => ({
  metric,
  dimension,
  value: r.value,
  numerator: r.numerator,
  denominator: r.denominator,
  unit: 'ratio',
});
const valueRow = (metric: string, value: number | null, unit: string, dimension = ''): FigureRow => ({
  metric,
  dimension,
  value,
  numerator: null,
  denominator: null,
  unit,
});

/** Every figure of the report as flat rows (the CSV's rows, the Prometheus gauges' source). */
export function figureRows(n: PracticeNumbers): FigureRow[] {
  const ar = n.accountsReceivable;
  return [
    rateRow('first_pass_acceptance', n.firstPassAcceptance),
    rateRow('denial_rate', n.denials.overall),
    ...n.denials.byPayer.map((r) => rateRow('denial_rate_by_payer', r, r.key)),
    ...n.denials.byGroup.map((r) => rateRow('denial_rate_by_carc_group', r, r.key)),
    ...n.denials.byCarc.map((r) => rateRow('denial_rate_by_carc', r, r.key)),
    valueRow('ar_balance', ar.balanceCents / 100, 'USD'),
    valueRow('average_daily_charges', ar.averageDailyChargesCents / 100, 'USD'),
    valueRow('days_in_ar', ar.daysInAR, 'days'),
    ...ar.buckets.map((b) => valueRow('ar_aging_balance', b.balanceCents / 100, 'USD', b.key)),
    ...ar.buckets.map((b) => valueRow('ar_aging_claims', b.claims, 'claims', b.key)),
    rateRow('net_collection_rate', n.collection.net),
    rateRow('gross_collection_rate', n.collection.gross),
    valueRow('authorizations_expired', n.authorizations.expired, 'authorizations'),
    valueRow('authorizations_expired_unused', n.authorizations.expiredUnused, 'authorizations'),
    valueRow('authorization_visits_unused', n.authorizations.visitsUnused, 'visits'),
    valueRow('authorization_overrun_visits', n.authorizations.overranVisits, 'visits'),
    ...n.authorizations.overruns.map((o) =>
      valueRow('authorization_overrun_visits', o.visits, 'visits', o.code),
    ),
    rateRow('progress_reports_late', n.progressReportsLate),
    rateRow('no_show_rate', n.attendance.noShow),
    rateRow('late_cancel_rate', n.attendance.lateCancel),
    rateRow('slot_utilization', n.slotUtilization.attended),
    rateRow('slot_utilization_booked', n.slotUtilization.booked),
    rateRow('intake_before_first_visit', n.intakeBeforeFirstVisit),
    valueRow('waitlist_fills', n.waitlistFills.value, 'slots'),
    ...n.staffTimeSaved.rows.map((r) => ({
      metric: 'staff_minutes_saved',
      dimension: r.step,
      value: r.minutes,
      numerator: r.count,
      denominator: null,
      unit: `minutes (${r.minutesEach} per step)`,
    })),
    valueRow('staff_hours_saved', n.staffTimeSaved.totalHours, 'hours'),
  ];
}

const CSV_HEADER = [
  'metric',
  'dimension',
  'value',
  'numerator',
  'denominator',
  'unit',
  'from',
  'to',
  'location_id',
];

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // Formula injection: a cell a spreadsheet would evaluate is prefixed with a quote.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The report as CSV (RFC 4180, CRLF): one row per figure, with the period on every row. */
export function practiceNumbersCsv(n: PracticeNumbers): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of figureRows(n)) {
    lines.push(
      [
        r.metric,
        r.dimension,
        r.value,
        r.numerator,
        r.denominator,
        r.unit,
        n.period.from,
        n.period.to,
        n.period.locationId ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
