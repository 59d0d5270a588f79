import type { ThresholdRow } from '../types.js';

const kx = (year: number, dollars: number, source: string): ThresholdRow => ({
  kind: 'kx',
  amountCents: dollars * 100,
  effectiveFrom: `${year}-01-01`,
  effectiveTo: `${year}-12-31`,
  source,
});

/**
 * KX threshold per calendar year, PT+SLP combined (OT separate, same amount).
 * A year without a row has no threshold on file: the KX decision reports that instead of guessing.
 */
export const THERAPY_THRESHOLDS: readonly ThresholdRow[] = [
  kx(2021, 2110, 'R15'),
  kx(2022, 2150, 'R15'),
  kx(2023, 2230, 'R15'),
  kx(2024, 2330, 'R15'),
  kx(2025, 2410, 'R15'),
  kx(2026, 2480, 'R16, R17'),
  // Targeted medical review: $3,000 per bucket, fixed through 2027, indexed by MEI from 2028 (BBA 2018 §50202).
  {
    kind: 'tmr',
    amountCents: 300_000,
    effectiveFrom: '2018-01-01',
    effectiveTo: '2027-12-31',
    source: 'R18, R16',
  },
];
