// Meaningful change and plateau detection for outcome measures (read by the plan-of-care progress reviews).
// "Meaningful" = a change of at least the instrument's MCID in its better direction. A plateau is "no
// meaningful improvement across the last two reports or three weeks", encoded as: the latest score compared
// with the score two reports earlier, or with the latest score taken at least 21 days before it, improved by
// less than the MCID. Either window must exist (a single follow-up a week after baseline is not a plateau).
import { daysBetween, type IsoDate } from '../core/dates.js';
import { instrumentScales, mcidOn, type McidRow, type OutcomeInstrument, MCID_ROWS } from './instruments.js';

export interface OutcomeMeasurement {
  instrument: OutcomeInstrument;
  score: number;
  date: IsoDate;
}

export const PLATEAU_WINDOW_DAYS = 21;

export type OutcomeTrend = 'insufficient_data' | 'improving' | 'plateau' | 'worsening';

export interface OutcomeAssessment {
  instrument: OutcomeInstrument;
  baseline: OutcomeMeasurement;
  latest: OutcomeMeasurement;
  /** Improvement since baseline in scale points (positive = better, whatever the instrument's direction). */
  improvementFromBaseline: number;
  mcid?: number;
  /** Whether the change since baseline reaches the MCID. */
  meaningfulSinceBaseline: boolean;
  trend: OutcomeTrend;
  /** Review flag of the MCID row used (VERIFY items). */
  mcidReview?: string;
}

/** Improvement from `from` to `to` in the instrument's better direction. */
export function improvement(instrument: OutcomeInstrument, from: number, to: number): number {
  const delta = instrumentScales[instrument].betterIs === 'lower' ? from - to : to - from;
  return Math.round(delta * 1000) / 1000;
}

/** Assess one instrument's series (any order; same-date entries keep their recorded order). */
export function assessOutcome(
  series: readonly OutcomeMeasurement[],
  rows: readonly McidRow[] = MCID_ROWS,
): OutcomeAssessment | undefined {
  const sorted = [...series].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const baseline = sorted[0];
  const latest = sorted[sorted.length - 1];
  if (!baseline || !latest) return undefined;
  const instrument = baseline.instrument;
  const row = mcidOn(instrument, latest.date, rows);
  const sinceBaseline = improvement(instrument, baseline.score, latest.score);
  const base = {
    instrument,
    baseline,
    latest,
    improvementFromBaseline: sinceBaseline,
    mcid: row?.mcid,
    meaningfulSinceBaseline: row !== undefined && sinceBaseline >= row.mcid,
    mcidReview: row?.verify,
  };
  const previous = sorted.at(-2);
  if (!row || previous === undefined) return { ...base, trend: 'insufficient_data' };

  // Compare the latest with the score two reports back and with the last score ≥ 21 days earlier.
  const earlier = sorted.slice(0, -1);
  const twoBack = sorted.at(-3);
  const threeWeeksBack = [...earlier]
    .reverse()
    .find((m) => daysBetween(m.date, latest.date) >= PLATEAU_WINDOW_DAYS);
  const windows = [twoBack, threeWeeksBack].filter((m): m is OutcomeMeasurement => m !== undefined);
  if (improvement(instrument, previous.score, latest.score) <= -row.mcid)
    return { ...base, trend: 'worsening' };
  if (windows.length === 0) return { ...base, trend: 'insufficient_data' };
  const stalled = windows.some((m) => improvement(instrument, m.score, latest.score) < row.mcid);
  return { ...base, trend: stalled ? 'plateau' : 'improving' };
}

/** Assess every instrument recorded in the episode. */
export function assessOutcomes(
  measurements: readonly OutcomeMeasurement[],
  rows: readonly McidRow[] = MCID_ROWS,
): OutcomeAssessment[] {
  const byInstrument = new Map<OutcomeInstrument, OutcomeMeasurement[]>();
  for (const m of measurements)
    byInstrument.set(m.instrument, [...(byInstrument.get(m.instrument) ?? []), m]);
  return [...byInstrument.values()]
    .map((series) => assessOutcome(series, rows))
    .filter((a): a is OutcomeAssessment => a !== undefined);
}

/** Suggested next steps for the therapist's worklist, as short codes (the UI words them; no free-text PHI). */
export function suggestedNextSteps(trend: OutcomeTrend): string[] {
  switch (trend) {
    case 'plateau':
      return [
        'reassess_goals',
        'progress_or_modify_interventions',
        'consider_discharge_to_home_program',
        'update_referring_physician',
      ];
    case 'worsening':
      return ['reassess_patient', 'review_red_flags', 'consult_referring_physician', 'modify_plan_of_care'];
    default:
      return [];
  }
}
