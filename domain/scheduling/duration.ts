// How long to book an initial evaluation, by acuity, as effective-dated data. CPT gives only *typical*
// face-to-face times for the evaluation codes (97161 20 min, 97162 30 min, 97163 45 min;
// [R6, R28]) and no payer sets a booking length, so these are practice scheduling defaults that leave room
// for history, tests and measures, and documentation. Practices override the table; the defaults carry a
// VERIFY flag until a clinical director signs them off.
import { findEffective, type Effective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import type { Acuity } from './types.js';

export interface EvaluationDurationRow extends Effective {
  acuity: Acuity;
  minutes: number;
  why: string;
}

const DEFAULTS_SOURCE = 'practice scheduling default; floor = CPT 97163 typical time 45 min (R6, R28)';
const DEFAULTS_VERIFY = 'VERIFY: booking lengths are practice policy, confirm with the clinical director';

/** A practice default booking length, in force since 2017-01-01 (the evaluation codes' start). */
const practiceDefault = (acuity: Acuity, minutes: number, why: string): EvaluationDurationRow => ({
  acuity,
  minutes,
  why,
  effectiveFrom: '2017-01-01',
  effectiveTo: null,
  source: DEFAULTS_SOURCE,
  verify: DEFAULTS_VERIFY,
});

export const EVALUATION_DURATIONS: readonly EvaluationDurationRow[] = [
  practiceDefault('acute', 45, 'single region, recent onset: usually low/moderate complexity'),
  practiceDefault('subacute', 45, 'as acute; history is longer but examination is similar'),
  practiceDefault(
    'chronic',
    60,
    'comorbidities, personal factors and several body regions push toward high complexity',
  ),
  practiceDefault(
    'post-surgical',
    75,
    'protocol review, wound/ROM/precaution checks and surgeon orders take longer',
  ),
];

/** Minutes to book for an evaluation on `date`; throws when the table has no row (a data error). */
export function evaluationMinutes(
  acuity: Acuity,
  date: IsoDate,
  table: readonly EvaluationDurationRow[] = EVALUATION_DURATIONS,
): number {
  const row = findEffective(table, date, (row) => row.acuity === acuity);
  if (!row) throw new RangeError(`no evaluation duration for acuity ${acuity} on ${date}`);
  return row.minutes;
}
