// Curated PT MUE rows (practitioner services) [R29]. The unit values for timed codes are open VERIFY items
// (domain-rules §14): they ship flagged and are replaced by the imported CMS quarter.
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

export const MUE_CURATED: readonly MueRow[] = [
  // Evaluations and re-evaluation: once per date of service by their nature (per-encounter codes).
  mue('97161', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97162', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97163', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97164', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97110', 6, 3, 'Clinical: Data'),
  mue('97112', 6, 3, 'Clinical: Data'),
  mue('97116', 4, 3, 'Clinical: Data'),
  mue('97140', 6, 3, 'Clinical: Data'),
  mue('97530', 6, 3, 'Clinical: Data'),
  mue('97535', 6, 3, 'Clinical: Data'),
  mue('97150', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97010', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('97012', 1, 3, 'Clinical: Data'),
];
