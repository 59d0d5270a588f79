// Progress reports: at least once every 10 treatment days. The first period starts on the first day of the
// episode (the evaluation counts as treatment day 1); each progress report starts a new period, a
// recertification restarts it, and discharge cancels the pending requirement.
import type { IsoDate } from '../core/dates.js';

export const DEFAULT_PROGRESS_INTERVAL = 10;

export interface ProgressReportInput {
  /** Dates with a finalized note with charges for this discipline (no-charge visits do not count). */
  treatmentDays: readonly IsoDate[];
  /** Dates of complete progress reports (written by the PT; a PTA may not write one). */
  progressReports: readonly IsoDate[];
  recertifications?: readonly IsoDate[];
  dischargeDate?: IsoDate;
  intervalTreatmentDays?: number;
}

export type ProgressReportStatus =
  'ok' | 'due_soon' | 'due_today' | 'overdue' | 'report_included' | 'not_required';

export interface ProgressReportState {
  status: ProgressReportStatus;
  /** Treatment day number of `dos` within the current reporting period (1-based). */
  treatmentDayInPeriod: number;
  periodStart: IsoDate;
  intervalTreatmentDays: number;
}

/** Where `dos` (itself a treatment day) falls in the reporting period, and whether a report is owed. */
export function progressReportState(input: ProgressReportInput, dos: IsoDate): ProgressReportState {
  const interval = input.intervalTreatmentDays ?? DEFAULT_PROGRESS_INTERVAL;
  const days = [...new Set([...input.treatmentDays, dos])].filter((d) => d <= dos).sort();
  const reports = input.progressReports;
  const recerts = input.recertifications ?? [];
  let count = 0;
  // `days` holds `dos` at least, so the loop sets the period start on its first day.
  let periodStart = dos;
  let prev: IsoDate | null = null;
  for (const d of days) {
    const recertReset = recerts.some((r) => (prev === null || r > prev) && r <= d);
    // A report written on a non-treatment day between visits closes the period before `d`.
    const reportReset = reports.some((p) => prev !== null && p > prev && p < d);
    if (recertReset || reportReset) {
      count = 0;
    }
    if (count === 0) periodStart = d;
    count += 1;
    if (d !== dos && reports.includes(d)) count = 0; // the report on that visit covers it
    prev = d;
  }
  const base = { treatmentDayInPeriod: count, periodStart, intervalTreatmentDays: interval };
  if (input.dischargeDate !== undefined && input.dischargeDate <= dos)
    return { ...base, status: 'not_required' };
  if (reports.includes(dos)) return { ...base, status: 'report_included' };
  if (count > interval) return { ...base, status: 'overdue' };
  if (count === interval) return { ...base, status: 'due_today' };
  // Warn two treatment days ahead, as EMRs do (WebPT alerts after the 8th counted note).
  if (count >= interval - 2) return { ...base, status: 'due_soon' };
  return { ...base, status: 'ok' };
}
