// Outcome-measure instruments and their minimal clinically important differences (MCIDs).
// MCIDs are effective-dated data rows, never constants in code: the values below are the "commonly cited"
// figures of the domain rules, which cite no primary source, so every row carries a VERIFY review flag until
// it is confirmed against the instrument's validation study for the population.
import type { IsoDate } from '../core/dates.js';
import { findEffective, type Effective } from '../core/effective.js';

export const outcomeInstruments = ['ODI', 'NDI', 'LEFS', 'QuickDASH', 'PSFS', 'NPRS'] as const;
export type OutcomeInstrument = (typeof outcomeInstruments)[number];

export interface InstrumentScale {
  instrument: OutcomeInstrument;
  min: number;
  max: number;
  /** Which direction is better: disability indexes and pain fall, function scales rise. */
  betterIs: 'lower' | 'higher';
}

export interface McidRow extends Effective {
  instrument: OutcomeInstrument;
  /** Absolute change, in scale points, that counts as meaningful. */
  mcid: number;
  population: string;
}

export const instrumentScales: Record<OutcomeInstrument, InstrumentScale> = {
  ODI: { instrument: 'ODI', min: 0, max: 100, betterIs: 'lower' },
  // NDI is stored on its raw 0–50 scale (the MCID row is in the same unit).
  NDI: { instrument: 'NDI', min: 0, max: 50, betterIs: 'lower' },
  LEFS: { instrument: 'LEFS', min: 0, max: 80, betterIs: 'higher' },
  QuickDASH: { instrument: 'QuickDASH', min: 0, max: 100, betterIs: 'lower' },
  PSFS: { instrument: 'PSFS', min: 0, max: 10, betterIs: 'higher' },
  NPRS: { instrument: 'NPRS', min: 0, max: 10, betterIs: 'lower' },
};

const VERIFY_MCID = 'domain-rules §11 cites no primary source: confirm against the validation study';

/**
 * One MCID row as the domain rules give it: open-ended from 2000-01-01 (a floor, not the study's date) until
 * a reviewed value supersedes it, with the review flag and, when given, what the figure's range is.
 */
const commonlyCitedMcid = (
  instrument: OutcomeInstrument,
  mcid: number,
  population: string,
  citedRange?: string,
): McidRow => ({
  instrument,
  mcid,
  population,
  effectiveFrom: '2000-01-01',
  effectiveTo: null,
  source: 'domain-rules §11',
  verify: citedRange === undefined ? VERIFY_MCID : `${VERIFY_MCID} (${citedRange})`,
});

/** Effective-dated MCIDs (open-ended until a reviewed value supersedes them). */
export const MCID_ROWS: readonly McidRow[] = [
  commonlyCitedMcid('ODI', 10, 'low back pain', 'studies 6–12, or 30 % relative'),
  commonlyCitedMcid('NDI', 7.5, 'neck pain / cervical radiculopathy (0–50 scale)', 'range 5–10'),
  commonlyCitedMcid('LEFS', 9, 'lower-extremity conditions'),
  commonlyCitedMcid(
    'QuickDASH',
    16,
    'shoulder pain (8–16 cited across upper-limb populations)',
    '8–16 by population',
  ),
  commonlyCitedMcid('PSFS', 2, 'mean of patient-chosen activities (3 for a single activity)'),
  commonlyCitedMcid('NPRS', 2, 'pain intensity (or ≈ 30 % change)'),
];

export function isOutcomeInstrument(value: unknown): value is OutcomeInstrument {
  return typeof value === 'string' && (outcomeInstruments as readonly string[]).includes(value);
}

/** The MCID in force on `date`; undefined when no reviewed row covers the date (then no automatic flags). */
export function mcidOn(
  instrument: OutcomeInstrument,
  date: IsoDate,
  rows: readonly McidRow[] = MCID_ROWS,
): McidRow | undefined {
  return findEffective(rows, date, (row) => row.instrument === instrument);
}

/** Why a score cannot be recorded for the instrument, or undefined when it is valid. */
export function scoreProblem(instrument: string, score: unknown): string | undefined {
  if (!isOutcomeInstrument(instrument)) return `Unknown outcome instrument ${JSON.stringify(instrument)}.`;
  const scale = instrumentScales[instrument];
  if (typeof score !== 'number' || !Number.isFinite(score)) return `${instrument} score must be a number.`;
  if (score < scale.min || score > scale.max)
    return `${instrument} score ${score} is outside its range ${scale.min}–${scale.max}.`;
  return undefined;
}
