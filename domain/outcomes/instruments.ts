// Outcome-measure instruments and their minimal clinically important differences (domain-rules §11).
// MCIDs are effective-dated data rows, never constants in code: the values below are the "commonly cited"
// figures of domain-rules §11, which cites no primary source, so every row carries a VERIFY review flag until
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

const VERIFY_11 = 'domain-rules §11 cites no primary source: confirm against the validation study';

/** Effective-dated MCIDs (source §11 of domain-rules; open-ended until a reviewed value supersedes them). */
export const MCID_ROWS: readonly McidRow[] = [
  {
    instrument: 'ODI',
    mcid: 10,
    population: 'low back pain',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: `${VERIFY_11} (studies 6–12, or 30 % relative)`,
  },
  {
    instrument: 'NDI',
    mcid: 7.5,
    population: 'neck pain / cervical radiculopathy (0–50 scale)',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: `${VERIFY_11} (range 5–10)`,
  },
  {
    instrument: 'LEFS',
    mcid: 9,
    population: 'lower-extremity conditions',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: VERIFY_11,
  },
  {
    instrument: 'QuickDASH',
    mcid: 16,
    population: 'shoulder pain (8–16 cited across upper-limb populations)',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: `${VERIFY_11} (8–16 by population)`,
  },
  {
    instrument: 'PSFS',
    mcid: 2,
    population: 'mean of patient-chosen activities (3 for a single activity)',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: VERIFY_11,
  },
  {
    instrument: 'NPRS',
    mcid: 2,
    population: 'pain intensity (or ≈ 30 % change)',
    effectiveFrom: '2000-01-01',
    effectiveTo: null,
    source: 'domain-rules §11',
    verify: VERIFY_11,
  },
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
  return findEffective(rows, date, (r) => r.instrument === instrument);
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
