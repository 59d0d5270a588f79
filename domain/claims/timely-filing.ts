// Timely filing. Medicare: received within one calendar year of the DOS (42 CFR 424.44);
// a DOS of Feb 29 is due Feb 28 of the next year. Commercial: per contract, on the payer profile.
// Front-end rejections (999/277CA) were never filed: the clock keeps running.
import { addDays, addYears, daysBetween, type IsoDate } from '../core/dates.js';
import type { TimelyFiling } from '../model/payer-profile.js';

export function timelyFilingDeadline(rule: TimelyFiling, dos: IsoDate): IsoDate {
  return rule.kind === 'calendar_year' ? addYears(dos, 1) : addDays(dos, rule.days);
}

export interface Submission {
  receivedDate: IsoDate;
  /** Front-end outcome: only an accepted submission counts as filed. */
  outcome: 'accepted' | 'rejected' | 'pending';
}

/** The date the claim counts as filed: the earliest submission the payer accepted into adjudication. */
export function filedDate(submissions: readonly Submission[]): IsoDate | undefined {
  return submissions
    .filter((s) => s.outcome === 'accepted')
    .map((s) => s.receivedDate)
    .sort()[0];
}

export type TimelyFilingStatus =
  | { status: 'filed'; filedOn: IsoDate; deadline: IsoDate; timely: boolean }
  | { status: 'open'; deadline: IsoDate; daysLeft: number }
  | { status: 'expired'; deadline: IsoDate; daysLate: number };

export function timelyFilingStatus(
  rule: TimelyFiling,
  dos: IsoDate,
  asOf: IsoDate,
  submissions: readonly Submission[] = [],
): TimelyFilingStatus {
  const deadline = timelyFilingDeadline(rule, dos);
  const filedOn = filedDate(submissions);
  if (filedOn !== undefined) return { status: 'filed', filedOn, deadline, timely: filedOn <= deadline };
  const left = daysBetween(asOf, deadline);
  return left >= 0
    ? { status: 'open', deadline, daysLeft: left }
    : { status: 'expired', deadline, daysLate: -left };
}
