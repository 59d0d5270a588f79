// The rule-data horizon: which dated rule families run out within the coming weeks (domain/rules/horizon.ts).
import { describe, expect, it } from 'vitest';
import {
  describeRuleGaps,
  firstUncoveredDate,
  RULE_FAMILIES,
  ruleDataGaps,
  type RuleFamily,
} from '../../../domain/rules/horizon.js';

const row = (effectiveFrom: string, effectiveTo: string | null) => ({
  effectiveFrom,
  effectiveTo,
  source: 'T',
});

describe('firstUncoveredDate', () => {
  it('walks consecutive yearly rows and finds the first day after the last one', () => {
    const rows = [row('2025-01-01', '2025-12-31'), row('2026-01-01', '2026-12-31')];
    expect(firstUncoveredDate(rows, '2025-06-01', 600)).toBe('2027-01-01');
    expect(firstUncoveredDate(rows, '2026-12-07', 24)).toBeUndefined();
    expect(firstUncoveredDate(rows, '2026-12-07', 25)).toBe('2027-01-01');
  });

  it('finds a hole between rows and a start before the first row', () => {
    expect(
      firstUncoveredDate([row('2025-01-01', '2025-03-31'), row('2025-04-02', null)], '2025-03-01', 90),
    ).toBe('2025-04-01');
    expect(firstUncoveredDate([row('2025-01-10', null)], '2025-01-01', 30)).toBe('2025-01-01');
  });

  it('treats an open-ended row as covering everything after it, and overlapping rows as one span', () => {
    expect(firstUncoveredDate([row('2020-01-01', null)], '2026-12-07', 10_000)).toBeUndefined();
    const overlapping = [row('2025-01-01', '2025-06-30'), row('2025-03-01', '2025-12-31')];
    expect(firstUncoveredDate(overlapping, '2025-02-01', 365)).toBe('2026-01-01');
    expect(firstUncoveredDate([], '2025-02-01', 0)).toBe('2025-02-01');
  });
});

describe('ruleDataGaps', () => {
  it('names the KX threshold for the next year when its row is not loaded yet, with the date it is needed from', () => {
    const kx = RULE_FAMILIES.find((f) => f.name === 'kx_threshold');
    expect(kx).toBeDefined();
    const lastTo = kx!.rows
      .map((r) => r.effectiveTo ?? '9999-12-31')
      .sort()
      .at(-1)!;
    const dayBefore = new Date(Date.parse(`${lastTo}T00:00:00Z`) - 10 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const gaps = ruleDataGaps(dayBefore, 45);
    const gap = gaps.find((g) => g.name === 'kx_threshold');
    expect(gap?.missingFrom).toBe(
      new Date(Date.parse(`${lastTo}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
    );
    expect(describeRuleGaps(gaps)).toContain(`kx_threshold: no row from ${gap!.missingFrom}`);
    expect(describeRuleGaps(gaps)).toContain('KX_THRESHOLD_MISSING');
    // Well inside a loaded year nothing is due.
    expect(ruleDataGaps('2024-03-01', 45).filter((g) => g.name === 'kx_threshold')).toEqual([]);
  });

  it('reports nothing for families covered through the horizon', () => {
    const families: RuleFamily[] = [
      { name: 'a', rows: [row('2020-01-01', null)], consequence: 'c', nextRowFrom: 'n' },
      { name: 'b', rows: [row('2020-01-01', '2026-12-31')], consequence: 'c', nextRowFrom: 'n' },
    ];
    expect(ruleDataGaps('2026-12-07', 24, families)).toEqual([]);
    expect(ruleDataGaps('2026-12-07', 30, families).map((g) => [g.name, g.missingFrom])).toEqual([
      ['b', '2027-01-01'],
    ]);
  });
});
