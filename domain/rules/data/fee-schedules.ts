// Fee schedules per practice and payer, effective-dated, integer cents. The demo practice's numbers are
// illustrative (not the MPFS): real schedules are loaded per practice. '*' rows are the practice chargemaster.
import type { FeeRow } from '../types.js';

export const DEMO_PRACTICE_ID = 'practice-demo';
/** The demo practice `ptflow dev` seeds into the database (db/seed.ts) bills from the same demo schedule. */
export const SEEDED_DEMO_PRACTICE_ID = '00000000-0000-4000-8000-000000000001';

const CHARGEMASTER: Record<string, number> = {
  '97161': 18_000,
  '97162': 20_000,
  '97163': 22_000,
  '97164': 12_000,
  '97110': 6_500,
  '97112': 7_000,
  '97113': 7_500,
  '97116': 6_500,
  '97124': 6_000,
  '97140': 7_000,
  '97530': 7_500,
  '97535': 6_500,
  '97542': 6_500,
  '97750': 7_000,
  '97032': 4_000,
  '97033': 4_000,
  '97035': 3_500,
  '97010': 2_000,
  '97012': 3_500,
  '97014': 3_000,
  G0283: 3_000,
  '97016': 3_000,
  '97150': 4_500,
  '20560': 6_000,
  '20561': 8_000,
};

// Expected Medicare allowed per unit (illustrative, near the national MPFS): only used to estimate the
// beneficiary's KX accrual before the 835 arrives.
const MEDICARE_EXPECTED: Record<string, readonly [number, number]> = {
  // code: [2025, 2026]
  '97161': [10_200, 10_000],
  '97162': [10_200, 10_000],
  '97163': [10_200, 10_000],
  '97164': [7_000, 6_900],
  '97110': [2_900, 2_950],
  '97112': [3_300, 3_350],
  '97116': [2_900, 2_950],
  '97140': [2_700, 2_750],
  '97530': [3_500, 3_550],
  '97535': [3_200, 3_250],
  '97150': [1_900, 1_950],
  '97010': [600, 600],
  '97012': [1_400, 1_400],
  G0283: [1_100, 1_100],
};

// The years of MEDICARE_EXPECTED, in its column order: each is its own effective-dated row with its source.
const MEDICARE_YEARS = [
  {
    effectiveFrom: '2025-01-01',
    effectiveTo: '2025-12-31',
    source: 'demo estimate near CY2025 MPFS (CF $32.3465) [R19]',
  },
  {
    effectiveFrom: '2026-01-01',
    effectiveTo: '2026-12-31',
    source: 'demo estimate near CY2026 MPFS (CF $33.40) [R19, R28]',
  },
] as const;

const demoSchedule = (practiceId: string): FeeRow[] => [
  ...Object.entries(CHARGEMASTER).map(([code, chargeCents]): FeeRow => ({
    practiceId,
    payerId: '*',
    code,
    chargeCents,
    expectedAllowedCents: null,
    effectiveFrom: '2021-01-01',
    effectiveTo: null,
    source: 'practice chargemaster (demo)',
  })),
  ...Object.entries(MEDICARE_EXPECTED).flatMap(([code, allowedPerYear]) =>
    MEDICARE_YEARS.map(({ effectiveFrom, effectiveTo, source }, column): FeeRow => ({
      practiceId,
      payerId: 'medicare-part-b',
      code,
      chargeCents: CHARGEMASTER[code] ?? 0,
      expectedAllowedCents: allowedPerYear[column] ?? null,
      effectiveFrom,
      effectiveTo,
      source,
    })),
  ),
];

export const FEE_SCHEDULES: readonly FeeRow[] = [
  ...demoSchedule(DEMO_PRACTICE_ID),
  ...demoSchedule(SEEDED_DEMO_PRACTICE_ID),
];
