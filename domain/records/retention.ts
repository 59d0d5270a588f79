// How long records must be kept before they may be destroyed, as effective-dated data. The audit log adopts
// the HIPAA documentation retention period: six years from creation, 45 CFR 164.316(b)(2)(i), so no monthly
// partition of it younger than 72 months is ever dropped.
// Pure: the caller passes today's date.
import { findEffective, type Effective } from '../core/effective.js';
import { parseIsoDate, type IsoDate } from '../core/dates.js';

export type RetainedRecord = 'audit_event';

export interface RetentionRule extends Effective {
  record: RetainedRecord;
  /** Minimum age, in whole months, of the NEWEST record of a batch before the batch may be destroyed. */
  months: number;
}

export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    record: 'audit_event',
    months: 72,
    // The Security Rule's compliance date for covered entities.
    effectiveFrom: '2005-04-20',
    effectiveTo: null,
    source: '45 CFR 164.316(b)(2)(i)',
  },
];

export function retentionMonths(record: RetainedRecord, today: IsoDate): number {
  const rule = findEffective(RETENTION_RULES, today, (r) => r.record === record);
  if (!rule) throw new Error(`no retention rule for ${record} on ${today}`);
  return rule.months;
}

/** The first day of the month `months` months after (negative: before) the month of `date`. */
export function monthStart(date: IsoDate, months = 0): IsoDate {
  const civil = parseIsoDate(date);
  if (!civil) throw new Error(`not an ISO date: ${date}`);
  const index = civil.year * 12 + (civil.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}

export type RetentionVerdict =
  { destroy: true } | { destroy: false; reason: 'too_young'; ageMonths: number; minimumMonths: number };

/**
 * May a batch whose records all lie before `endExclusive` (e.g. a monthly partition's upper bound) be destroyed
 * on `today`? Only when even its newest possible record is at least the retention period old: `endExclusive`
 * must not be later than today minus the period.
 */
export function mayDestroy(record: RetainedRecord, endExclusive: IsoDate, today: IsoDate): RetentionVerdict {
  const minimumMonths = retentionMonths(record, today);
  const todayCivil = parseIsoDate(today);
  const endCivil = parseIsoDate(endExclusive);
  if (!todayCivil || !endCivil) throw new Error('not an ISO date');
  // Whole months from endExclusive to today (a partial month does not count).
  let ageMonths = (todayCivil.year - endCivil.year) * 12 + (todayCivil.month - endCivil.month);
  if (todayCivil.day < endCivil.day) ageMonths -= 1;
  return ageMonths >= minimumMonths
    ? { destroy: true }
    : { destroy: false, reason: 'too_young', ageMonths, minimumMonths };
}
