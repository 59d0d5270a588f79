// Rule data runs out on known dates: the KX threshold is published once a year (the CMS physician fee
// schedule final rule, usually in November), the targeted-medical-review amount is fixed only through 2027.
// A claim whose date of service has no row in force is held with a finding that names the missing row, which
// is correct but comes as a surprise on 1 January. This module says it ahead of time: which rule families have
// no row for some day in the coming weeks, from when, and what that will do. The API reports it on /readyz and
// the worker logs it at start; nothing here decides a claim.
import { addDays, type IsoDate } from '../core/dates.js';
import type { Effective } from '../core/effective.js';
import { isEffectiveOn } from '../core/effective.js';
import { ASSISTANT_PAYMENT } from './data/assistant-payment.js';
import { MISSED_VISIT_RULES, WAITLIST_RULES } from './data/missed-visits.js';
import { POC_SIGNATURE_RULES } from './data/poc-signature.js';
import { THERAPY_THRESHOLDS } from './data/therapy-thresholds.js';

/** One dated rule family whose rows must cover every date of service ptflow may meet. */
export interface RuleFamily {
  /** Stable name, for logs and /readyz (no values). */
  name: string;
  rows: readonly Effective[];
  /** What ptflow does for a date with no row in force (said to the admin). */
  consequence: string;
  /** Where the next row comes from. */
  nextRowFrom: string;
}

/** A family without a row in force from `missingFrom`, a date within the horizon asked about. */
export interface RuleGap {
  name: string;
  missingFrom: IsoDate;
  consequence: string;
  nextRowFrom: string;
}

/** The rule families ptflow's processes look up by date of service. */
export const RULE_FAMILIES: readonly RuleFamily[] = [
  {
    name: 'kx_threshold',
    rows: THERAPY_THRESHOLDS.filter((r) => r.kind === 'kx'),
    consequence:
      'Medicare claims with these dates of service are held (finding KX_THRESHOLD_MISSING) until the row is loaded',
    nextRowFrom:
      'the CMS physician fee schedule final rule for that year (domain/rules/data/therapy-thresholds.ts)',
  },
  {
    name: 'targeted_medical_review_threshold',
    rows: THERAPY_THRESHOLDS.filter((r) => r.kind === 'tmr'),
    consequence: 'the targeted-medical-review warning is not evaluated for these dates',
    nextRowFrom: 'the MEI-indexed amount CMS publishes (domain/rules/data/therapy-thresholds.ts)',
  },
  {
    name: 'assistant_payment',
    rows: ASSISTANT_PAYMENT,
    consequence: 'CQ/CO lines are not priced for these dates',
    nextRowFrom: 'the CMS physician fee schedule final rule (domain/rules/data/assistant-payment.ts)',
  },
  {
    name: 'missed_visit_policy',
    rows: MISSED_VISIT_RULES,
    consequence: 'missed visits are recorded but not followed up for these dates',
    nextRowFrom: 'the practice attendance policy (domain/rules/data/missed-visits.ts)',
  },
  {
    name: 'waitlist_policy',
    rows: WAITLIST_RULES,
    consequence: 'freed slots are not offered to the waitlist for these dates',
    nextRowFrom: 'the practice waitlist policy (domain/rules/data/missed-visits.ts)',
  },
  {
    name: 'poc_signature',
    rows: POC_SIGNATURE_RULES,
    consequence: 'plan-of-care signature requests are not sent for these dates',
    nextRowFrom: 'the certification rules cited there (domain/rules/data/poc-signature.ts)',
  },
];

/** The first date in [from, from + days] with no row of `rows` in force, or undefined when all are covered. */
export function firstUncoveredDate(
  rows: readonly Effective[],
  from: IsoDate,
  days: number,
): IsoDate | undefined {
  const last = addDays(from, days);
  let day = from;
  // Jump from row end to row end instead of walking every day: at most one step per row.
  for (let guard = 0; guard <= rows.length; guard++) {
    if (day > last) return undefined;
    const covering = rows.filter((r) => isEffectiveOn(r, day));
    if (covering.length === 0) return day;
    if (covering.some((r) => r.effectiveTo === null)) return undefined;
    const reach = covering.reduce((m, r) => (r.effectiveTo! > m ? r.effectiveTo! : m), day);
    day = addDays(reach, 1);
  }
  return day > last ? undefined : day;
}

/**
 * The rule families with a date in the next `days` days (from `today`, inclusive) on which no row is in force.
 * A gap is a deployment task, not a patient's problem: it is found here weeks before a claim meets it.
 */
export function ruleDataGaps(
  today: IsoDate,
  days: number,
  families: readonly RuleFamily[] = RULE_FAMILIES,
): RuleGap[] {
  const gaps: RuleGap[] = [];
  for (const f of families) {
    const missingFrom = firstUncoveredDate(f.rows, today, days);
    if (missingFrom !== undefined) {
      gaps.push({ name: f.name, missingFrom, consequence: f.consequence, nextRowFrom: f.nextRowFrom });
    }
  }
  return gaps;
}

/** One line per gap, names and dates only (for /readyz and the worker's start log). */
export function describeRuleGaps(gaps: readonly RuleGap[]): string {
  return gaps
    .map((g) => `${g.name}: no row from ${g.missingFrom}; ${g.consequence}. Load it from ${g.nextRowFrom}`)
    .join('; ');
}

/** How far ahead /readyz and the worker look: long enough to ship a data release before the date arrives. */
export const RULE_HORIZON_DAYS = 45;
