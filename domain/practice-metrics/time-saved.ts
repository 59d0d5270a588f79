// Estimated staff time saved: each automated step ptflow performed in the period × the minutes a person would have
// spent on it by hand. Those minutes are assumptions, not measurements: they are data with an effective date and a
// note saying where they come from, and an admin replaces them for the practice (PUT
// /v1/practice/time-saved-assumptions): the practice's row in force on the period's last day wins over the default.
import type { IsoDate } from '../core/dates.js';

/** The automated steps ptflow counts from its own records. */
export const AUTOMATED_STEPS = [
  'eligibility_check',
  'claim_submission',
  'remittance_posting',
  'patient_message',
  'progress_report_delivery',
] as const;
export type AutomatedStep = (typeof AUTOMATED_STEPS)[number];

/** What each step is and which record counts it (for README, the console and the CSV). */
export const STEP_LABELS: Record<AutomatedStep, { label: string; counted: string }> = {
  eligibility_check: {
    label: 'Eligibility verified electronically (270/271)',
    counted: 'eligibility_checks rows checked in the period with an answer (not error)',
  },
  claim_submission: {
    label: 'Claim coded, scrubbed and submitted (837P)',
    counted: 'Σ submissions of claims with a date of service in the period',
  },
  remittance_posting: {
    label: 'Remittance posted from the 835',
    counted: 'claim_remittances rows posted in the period',
  },
  patient_message: {
    label: 'Patient message sent (reminders, intake links, statements)',
    counted: 'outbound messages sent or delivered, created in the period',
  },
  progress_report_delivery: {
    label: 'Progress report delivered to the physician',
    counted: 'progress_reports delivered in the period',
  },
};

/** One baseline: minutes a person spends per step by hand, from a date, with its source or assumption note. */
export interface TimeSavedAssumption {
  step: AutomatedStep;
  minutes: number;
  effectiveFrom: IsoDate;
  source: string;
}

/**
 * ptflow's defaults, used until an admin records the practice's own. Stated assumptions for a small outpatient
 * practice, to be replaced by the practice's own timings: they are not measured by ptflow.
 */
export const DEFAULT_TIME_SAVED_ASSUMPTIONS: readonly TimeSavedAssumption[] = [
  {
    step: 'eligibility_check',
    minutes: 12,
    effectiveFrom: '2020-01-01',
    source: 'ptflow default assumption: a payer portal look-up or phone call per patient visit verification',
  },
  {
    step: 'claim_submission',
    minutes: 6,
    effectiveFrom: '2020-01-01',
    source: 'ptflow default assumption: keying and checking one claim in the billing system by hand',
  },
  {
    step: 'remittance_posting',
    minutes: 4,
    effectiveFrom: '2020-01-01',
    source: 'ptflow default assumption: posting one claim payment and its adjustments by hand',
  },
  {
    step: 'patient_message',
    minutes: 3,
    effectiveFrom: '2020-01-01',
    source: 'ptflow default assumption: one reminder or follow-up phone call by the front desk',
  },
  {
    step: 'progress_report_delivery',
    minutes: 10,
    effectiveFrom: '2020-01-01',
    source: 'ptflow default assumption: printing, faxing and filing the confirmation of one report',
  },
];

/**
 * The assumption in force for `step` on `date`: among the practice's rows, the latest effectiveFrom ≤ date;
 * without one, the default's. Undefined only for a step with neither.
 */
export function assumptionFor(
  step: AutomatedStep,
  date: IsoDate,
  practiceRows: readonly TimeSavedAssumption[],
  defaults: readonly TimeSavedAssumption[] = DEFAULT_TIME_SAVED_ASSUMPTIONS,
): (TimeSavedAssumption & { origin: 'practice' | 'default' }) | undefined {
  const latest = (rows: readonly TimeSavedAssumption[]) =>
    rows
      .filter((r) => r.step === step && r.effectiveFrom <= date)
      .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  const own = latest(practiceRows);
  if (own) return { ...own, origin: 'practice' };
  const fallback = latest(defaults);
  return fallback ? { ...fallback, origin: 'default' } : undefined;
}

export interface TimeSavedRow {
  step: AutomatedStep;
  label: string;
  count: number;
  minutesEach: number;
  minutes: number;
  effectiveFrom: IsoDate;
  source: string;
  origin: 'practice' | 'default';
}

/**
 * Staff time saved = Σ over automated steps of (times ptflow performed the step in the period × baseline minutes
 * per step), the baseline being the assumption in force on the period's last day (assumptionFor). Hours =
 * minutes ÷ 60, rounded to 1 decimal.
 */
export function staffTimeSaved(
  counts: Readonly<Record<AutomatedStep, number>>,
  asOf: IsoDate,
  practiceRows: readonly TimeSavedAssumption[],
): { rows: TimeSavedRow[]; totalMinutes: number; totalHours: number } {
  const rows: TimeSavedRow[] = [];
  for (const step of AUTOMATED_STEPS) {
    const a = assumptionFor(step, asOf, practiceRows);
    if (!a) continue;
    const count = counts[step] ?? 0;
    rows.push({
      step,
      label: STEP_LABELS[step].label,
      count,
      minutesEach: a.minutes,
      minutes: Math.round(count * a.minutes * 10) / 10,
      effectiveFrom: a.effectiveFrom,
      source: a.source,
      origin: a.origin,
    });
  }
  const totalMinutes = Math.round(rows.reduce((n, r) => n + r.minutes, 0) * 10) / 10;
  return { rows, totalMinutes, totalHours: Math.round((totalMinutes / 60) * 10) / 10 };
}
