// Curated PT MUE rows (practitioner services) [R29]. The unit values for timed codes are open VERIFY items:
// they ship flagged and are replaced by the imported CMS quarter.
import type { MueRow } from '../types.js';

const VERIFY_VALUE =
  'MUE value not confirmed against the current CMS practitioner MUE file (domain-rules §14)';

const mue = (code: string, maxUnitsPerDos: number, mai: 1 | 2 | 3, rationale: string): MueRow => ({
  code,
  maxUnitsPerDos,
  mai,
  rationale,
  sourceQuarter: 'curated',
  effectiveFrom: '2017-01-01',
  effectiveTo: null,
  source: 'R29',
  verify: VERIFY_VALUE,
});

/** Once per date of service by the code's own descriptor (MAI 2: a date-of-service edit set by policy). */
const oncePerDay = (...codes: string[]) =>
  codes.map((code) => mue(code, 1, 2, 'Code Descriptor / CPT Instruction'));
/** A limit from CMS's clinical data (MAI 3: a date-of-service edit the clinical record can overturn). */
const clinicalLimit = (maxUnitsPerDos: number, ...codes: string[]) =>
  codes.map((code) => mue(code, maxUnitsPerDos, 3, 'Clinical: Data'));

export const MUE_CURATED: readonly MueRow[] = [
  // Evaluations and re-evaluation: once per date of service by their nature (per-encounter codes).
  ...oncePerDay('97161', '97162', '97163', '97164'),
  ...clinicalLimit(6, '97110', '97112'),
  ...clinicalLimit(4, '97116'),
  ...clinicalLimit(6, '97140', '97530', '97535'),
  ...oncePerDay('97150', '97010'),
  ...clinicalLimit(1, '97012'),
];
