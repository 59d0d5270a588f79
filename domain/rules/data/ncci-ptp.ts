// Curated PT subset of the NCCI practitioner PTP edits. These are the domain rules' *example rows*:
// orientation and indicators must be confirmed against the current CMS quarter, so every row carries a
// review flag. The full quarter is loaded with scripts/import-ncci.ts (parser: domain/rules/ncci-parser.ts).
import { addDays } from '../../core/dates.js';
import type { PtpRow } from '../types.js';

const VERIFY_INDICATOR =
  'Indicator and orientation from domain-rules §4 example rows: verify against the current CMS quarter';

function rows(
  column1: readonly string[],
  column2: readonly string[],
  effectiveFrom: string,
  deletedOn: string | null,
  modifierIndicator: string,
  source: string,
  sourceQuarter: string,
  rationale: string,
): PtpRow[] {
  const effectiveTo = deletedOn === null ? null : addDays(deletedOn, -1);
  return column1.flatMap((first) =>
    column2.map((second): PtpRow => ({
      column1: first,
      column2: second,
      modifierIndicator,
      deletedOn,
      effectiveFrom,
      effectiveTo,
      edition: 'practitioner',
      sourceQuarter,
      source,
      rationale,
      verify: VERIFY_INDICATOR,
    })),
  );
}

const EVALS_PT = ['97161', '97162', '97163'] as const;
const EVALS_PT_OT = ['97161', '97162', '97163', '97165', '97166', '97167'] as const;
const EVALS_ALL = ['97161', '97162', '97163', '97164', '97165', '97166', '97167', '97168'] as const;
const ED_VISITS = ['99281', '99282', '99283', '99284', '99285'] as const;

// "Long-standing" pairs have no date in the doc; 2017-01-01 (the evaluation codes' start) is a floor, not a
// claim about when CMS added them.
const LONG_STANDING = '2017-01-01';

// The different set reinstated effective 2020-10-01 [R14]. The 2020 manual required 59/X for 97140 with an
// evaluation and for 97530/97150 with 97164, which implies indicator 1 (VERIFY in the current file).
const reinstated = (column1: readonly string[], column2: readonly string[]) =>
  rows(column1, column2, '2020-10-01', null, '1', 'R14', '2020Q4', 'reinstated set');
// Long-standing pairs [R25].
const longStanding = (column1: readonly string[], column2: readonly string[], rationale: string) =>
  rows(column1, column2, LONG_STANDING, null, '1', 'R25', 'curated', rationale);

export const NCCI_PTP_CURATED: readonly PtpRow[] = [
  // Added January 2020 with no modifier bypass, rescinded 2020-01-24 after APTA objections [R12, R13].
  ...rows(
    EVALS_PT_OT,
    ['97530', '97150'],
    '2020-01-01',
    '2020-01-24',
    '0',
    'R12, R13',
    '2020Q1',
    'rescinded Jan 2020',
  ),
  ...reinstated(['97530'], ['97116', '97164']),
  ...reinstated(EVALS_PT, ['97140']),
  ...reinstated(ED_VISITS, EVALS_ALL),
  ...reinstated(['97110', '97112', '97113', '97116', '97140'], ['97164']),
  ...reinstated(['97150'], ['97110', '97112', '97116', '97164']),
  ...longStanding(['97140'], ['97530'], 'mutually exclusive'),
  ...longStanding(['97012'], ['97140'], 'mutually exclusive'),
  ...longStanding(['97113'], ['97110'], 'column 1 / column 2'),
  ...longStanding(['97150'], ['97535'], 'column 1 / column 2'),
];
