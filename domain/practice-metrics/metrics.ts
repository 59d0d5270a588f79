// The practice's numbers (issue 18 point 4): pure formulas over facts the data-access module
// (db/repositories/practice-metrics.ts) reads from ptflow's own records for one period [from, to] (calendar dates,
// inclusive, in the practice's time zone) and optionally one location. No I/O, no clock: the "as of" instant
// comes in with the facts. Every function's doc comment is its formula; README "The practice's numbers" repeats
// them for people. A rate whose denominator is 0 is null ("no data"), never 0 or NaN.
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';

/** numerator ÷ denominator, or null when there is nothing to divide by; rounded to 4 decimals. */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator <= 0) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}

/** A rate together with what it was computed from (so tables and CSV can show both). */
export interface Rate {
  numerator: number;
  denominator: number;
  value: number | null;
}

export const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  value: ratio(numerator, denominator),
});

/** Days in the period [from, to], both inclusive. */
export function periodDays(from: IsoDate, to: IsoDate): number {
  return daysBetween(from, to) + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Claims

/**
 * First-pass claim acceptance = claims accepted on their first submission ÷ claims submitted at least once,
 * over claims whose date of service is in the period. "Accepted on the first submission": exactly one 837P
 * envelope was sent (`submissions = 1`) and the claim is not front-end rejected (999/277CA) now. A claim
 * resubmitted for any reason (rejection, corrected replacement) is not first-pass.
 */
export function firstPassAcceptance(facts: { submitted: number; acceptedFirstPass: number }): Rate {
  return rate(facts.acceptedFirstPass, facts.submitted);
}

/** A CAS adjustment as posted from an 835 (group code, CARC, amount in cents). */
export interface Adjustment {
  group: string;
  carc: string;
  amountCents: number;
}

/**
 * Contractual adjustments (the payer's fee schedule below the charge, and sequestration): they reduce what is
 * collectible but are not denials. CO-45 (charge exceeds fee schedule) and CO-253 (sequestration).
 */
export const CONTRACTUAL_CARCS: ReadonlySet<string> = new Set(['45', '253']);

/**
 * Is this adjustment a denial? Every adjustment that is neither patient cost share (group PR: deductible,
 * coinsurance, copay) nor contractual (CO-45, CO-253): e.g. CO-50 medical necessity, CO-197 no authorization,
 * CO-97 bundled, OA-18 duplicate.
 */
export function isDenialAdjustment(a: Adjustment): boolean {
  if (a.group === 'PR') return false;
  return !(a.group === 'CO' && CONTRACTUAL_CARCS.has(a.carc));
}

/** One adjudicated claim (at least one remittance posted in the period): payer, 835 status codes, adjustments. */
export interface AdjudicatedClaim {
  payerId: string;
  /** CLP02 of each remittance posted in the period ('4' = denied). */
  statusCodes: string[];
  adjustments: Adjustment[];
}

export interface DenialBreakdownRow extends Rate {
  key: string;
}

export interface DenialRates {
  overall: Rate;
  byPayer: DenialBreakdownRow[];
  /** By CAS group code (CO, OA, PI, CR): claims with a denial adjustment of that group ÷ adjudicated claims. */
  byGroup: DenialBreakdownRow[];
  /** By group and CARC ("CO-50"): claims with that denial adjustment ÷ adjudicated claims. */
  byCarc: DenialBreakdownRow[];
}

/**
 * Denial rate = denied claims ÷ adjudicated claims, where adjudicated = at least one 835 remittance posted in
 * the period, and denied = one of those remittances says denied (CLP02 = 4) or carries a denial adjustment
 * (isDenialAdjustment: not PR cost share, not contractual CO-45/CO-253). By payer: the same ratio within each
 * payer's claims. By CARC group and by group-CARC: claims with at least one such denial adjustment ÷ all
 * adjudicated claims (a claim denied for two reasons counts under both, so these rows may sum to more than
 * the overall rate). Rows are ordered by numerator, largest first, then by key.
 */
export function denialRates(claims: readonly AdjudicatedClaim[]): DenialRates {
  const payers = new Map<string, { denied: number; total: number }>();
  const groups = new Map<string, number>();
  const carcs = new Map<string, number>();
  let denied = 0;
  for (const c of claims) {
    const denials = c.adjustments.filter(isDenialAdjustment);
    const isDenied = c.statusCodes.includes('4') || denials.length > 0;
    const p = payers.get(c.payerId) ?? { denied: 0, total: 0 };
    p.total++;
    if (isDenied) {
      p.denied++;
      denied++;
    }
    payers.set(c.payerId, p);
    for (const g of new Set(denials.map((d) => d.group))) groups.set(g, (groups.get(g) ?? 0) + 1);
    for (const k of new Set(denials.map((d) => `${d.group}-${d.carc}`)))
      carcs.set(k, (carcs.get(k) ?? 0) + 1);
  }
  const total = claims.length;
  const rows = (m: Map<string, number>) =>
    [...m.entries()].map(([key, n]) => ({ key, ...rate(n, total) })).sort(byNumerator);
  return {
    overall: rate(denied, total),
    byPayer: [...payers.entries()].map(([key, p]) => ({ key, ...rate(p.denied, p.total) })).sort(byNumerator),
    byGroup: rows(groups),
    byCarc: rows(carcs),
  };
}

function byNumerator(a: DenialBreakdownRow, b: DenialBreakdownRow): number {
  return b.numerator - a.numerator || a.key.localeCompare(b.key);
}

/** The aging buckets of A/R, by days since the date of service at the end of the period. */
export const AGING_BUCKETS = [
  { key: '0-30', min: 0, max: 30 },
  { key: '31-60', min: 31, max: 60 },
  { key: '61-90', min: 61, max: 90 },
  { key: '91-120', min: 91, max: 120 },
  { key: '121+', min: 121, max: Number.POSITIVE_INFINITY },
] as const;

/** Open balance grouped by date of service (the data-access module sums claims per date). */
export interface OpenBalance {
  serviceDate: IsoDate;
  claims: number;
  balanceCents: number;
}

export interface AccountsReceivable {
  /** Insurance A/R at the end of the period, cents. */
  balanceCents: number;
  /** Charges of claims with a date of service in the period, cents. */
  chargesCents: number;
  /** Average daily charges = chargesCents ÷ days in the period. */
  averageDailyChargesCents: number;
  daysInAR: number | null;
  buckets: { key: string; claims: number; balanceCents: number; share: number | null }[];
}

/**
 * Days in A/R = A/R balance at the end of the period ÷ average daily charges of the period, where average daily
 * charges = charges of the claims with a date of service in the period ÷ days in the period. A/R balance =
 * Σ over filed claims (not held, not written off) with a date of service ≤ the period's end of
 * max(0, charge − payer payments − every CAS adjustment), counting only remittances posted by the end of the
 * period (patient responsibility leaves insurance A/R with its PR adjustment). Aging buckets: that balance by
 * days from the date of service to the period's last day (0–30, 31–60, 61–90, 91–120, 121+); share = bucket ÷
 * balance. Days in A/R is rounded to 1 decimal.
 */
export function accountsReceivable(input: {
  to: IsoDate;
  days: number;
  chargesCents: number;
  open: readonly OpenBalance[];
}): AccountsReceivable {
  const buckets = AGING_BUCKETS.map((b) => ({ key: b.key, claims: 0, balanceCents: 0 }));
  let balance = 0;
  for (const o of input.open) {
    if (o.balanceCents <= 0) continue;
    const age = Math.max(0, daysBetween(o.serviceDate, input.to));
    const i = AGING_BUCKETS.findIndex((b) => age >= b.min && age <= b.max);
    const bucket = buckets[i]!;
    bucket.claims += o.claims;
    bucket.balanceCents += o.balanceCents;
    balance += o.balanceCents;
  }
  const averageDaily = input.days > 0 ? input.chargesCents / input.days : 0;
  return {
    balanceCents: balance,
    chargesCents: input.chargesCents,
    averageDailyChargesCents: Math.round(averageDaily),
    daysInAR: averageDaily > 0 ? Math.round((balance / averageDaily) * 10) / 10 : null,
    buckets: buckets.map((b) => ({ ...b, share: ratio(b.balanceCents, balance) })),
  };
}

/**
 * Net collection rate = payer payments ÷ (charges − contractual adjustments), over claims with a date of service
 * in the period and remittances posted by the period's end; contractual = CO-45 and CO-253
 * (CONTRACTUAL_CARCS). Gross collection rate = payer payments ÷ charges. Amounts in cents.
 */
export function collectionRates(facts: {
  chargesCents: number;
  paidCents: number;
  contractualCents: number;
}): {
  net: Rate;
  gross: Rate;
} {
  return {
    net: rate(facts.paidCents, facts.chargesCents - facts.contractualCents),
    gross: rate(facts.paidCents, facts.chargesCents),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Authorizations and progress reports

export interface AuthorizationFacts {
  /** Authorizations that expired in the period (their `auth_expired` worklist task was raised then). */
  expired: number;
  /** Of those, with approved visits left unused at expiry (the task's `visitsUnused` > 0). */
  expiredUnused: number;
  /** Approved visits lost with them (Σ visitsUnused). */
  visitsUnused: number;
  /** Expired before the unused count was recorded on the task (older rows): unknown. */
  expiredUnknown: number;
  /** Visits the authorization refused in the period (`authorization_visit_rejected` tasks), by refusal code. */
  overruns: { code: string; visits: number }[];
}

/**
 * Authorizations: expired unused = authorizations that expired in the period with at least one approved visit
 * never used (visitsAuthorized − visitsUsed > 0 at expiry), also as a share of all expiries; overran = signed
 * visits the authorization refused in the period (visit over the approved count, units over, or a date outside
 * the window), by refusal code.
 */
export function authorizationNumbers(f: AuthorizationFacts): AuthorizationFacts & {
  expiredUnusedShare: Rate;
  overranVisits: number;
} {
  return {
    ...f,
    expiredUnusedShare: rate(f.expiredUnused, f.expired - f.expiredUnknown),
    overranVisits: f.overruns.reduce((n, o) => n + o.visits, 0),
  };
}

/**
 * Progress reports late = progress-report tasks due in the period that were done after their due time, or are
 * still not done at the end of the period (or now, if earlier) with the due time passed ÷ progress-report tasks
 * due in the period. "Done" is the task's completion time (the report recorded or the task completed).
 */
export function progressReportsLate(f: { due: number; late: number }): Rate {
  return rate(f.late, f.due);
}

// ---------------------------------------------------------------------------------------------------------------
// Schedule

export interface AppointmentCounts {
  /** Appointments starting in the period, every status. */
  scheduled: number;
  noShow: number;
  cancelled: number;
  /** Of those, late by the missed-visit rule (status late_cancelled; see attendanceRates). */
  lateCancelled: number;
}

/**
 * No-show rate = appointments marked no_show ÷ appointments of our patients scheduled to start in the period
 * (every status: booked, checked in, completed, cancelled, late-cancelled, no-show). Late-cancel rate = appointments
 * marked late_cancelled ÷ the same; "late" is the missed-visit rule in force on the appointment's date
 * (domain/visits: cancelled by the patient or for another reason less than `lateCancelHours` before the start;
 * clinic and weather cancellations are never late), applied by the EMR router when the EMR reports the cancellation
 * (`lateCancelBasis: 'missed_visit_rule'`). Cancel rate = every cancellation, late or not, ÷ the same. The
 * appointments mirror follows the EMR's webhooks (booked at the EMR's own screen too), so the denominator is the
 * EMR's schedule of our patients, not only what ptflow booked.
 */
export function attendanceRates(c: AppointmentCounts): { noShow: Rate; lateCancel: Rate; cancel: Rate } {
  return {
    noShow: rate(c.noShow, c.scheduled),
    lateCancel: rate(c.lateCancelled, c.scheduled),
    cancel: rate(c.cancelled, c.scheduled),
  };
}

/** One weekly availability block of a therapist: weekday 0 (Sunday) – 6, "HH:MM" local times, its location. */
export interface AvailabilityBlock {
  weekday: number;
  start: string;
  end: string;
  locationId?: string;
}

const minuteOf = (hhmm: string): number => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Weekday (0 = Sunday) of a calendar date. */
export function weekdayOf(date: IsoDate): number {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * Available minutes = Σ over the period's dates and the active therapists' weekly availability blocks that fall
 * on that weekday (at the location, when one is chosen) of the block's length in wall-clock minutes.
 */
export function availableMinutes(
  therapists: readonly (readonly AvailabilityBlock[])[],
  from: IsoDate,
  to: IsoDate,
  locationId?: string,
): number {
  const perWeekday = new Array<number>(7).fill(0);
  for (const blocks of therapists) {
    for (const b of blocks) {
      if (locationId && b.locationId !== locationId) continue;
      if (!Number.isInteger(b.weekday) || b.weekday < 0 || b.weekday > 6) continue;
      perWeekday[b.weekday]! += Math.max(0, minuteOf(b.end) - minuteOf(b.start));
    }
  }
  let total = 0;
  for (let d = from, n = 0; d <= to && n < 3700; d = addDays(d, 1), n++) total += perWeekday[weekdayOf(d)]!;
  return total;
}

/**
 * Slot utilization = minutes of appointments attended (checked in or completed) in the period ÷ available
 * therapist minutes (availableMinutes). Booked utilization = minutes of appointments not cancelled (booked,
 * checked in, completed, no-show) ÷ the same.
 */
export function slotUtilization(f: {
  attendedMinutes: number;
  bookedMinutes: number;
  availableMinutes: number;
}): {
  attended: Rate;
  booked: Rate;
} {
  return {
    attended: rate(f.attendedMinutes, f.availableMinutes),
    booked: rate(f.bookedMinutes, f.availableMinutes),
  };
}

/**
 * Intake completion before the first visit = new patients whose first attended visit is in the period and whose
 * intake forms were complete when it started ÷ new patients whose first attended visit is in the period. "New
 * patient": ptflow sent them the intake link (an outbound `intake_link` message); "first attended visit": their
 * earliest appointment checked in or completed; "complete when it started": no `intake_forms_overdue` task of
 * theirs (raised 24 h before the evaluation when forms are missing) was still open at the visit's start.
 */
export function intakeBeforeFirstVisit(f: { firstVisits: number; completeBefore: number }): Rate {
  return rate(f.completeBefore, f.firstVisits);
}

// ---------------------------------------------------------------------------------------------------------------
// Waitlist (source supplied by the waitlist feature)

/**
 * Waitlist fills = freed slots filled from the waitlist in the period, as the waitlist feature counts them
 * (`waitlistFills({ practiceId, locationId?, from, to })`); null when no source is wired.
 */
export function waitlistFillsValue(fills: number | null): { value: number | null; wired: boolean } {
  return { value: fills, wired: fills !== null };
}
