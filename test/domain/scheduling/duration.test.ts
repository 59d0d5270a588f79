import { describe, expect, it } from 'vitest';
import { ACUITIES, EVALUATION_DURATIONS, evaluationMinutes } from '../../../domain/scheduling/index.js';
import { findOverlaps } from '../../../domain/core/effective.js';

describe('acuity-adjusted evaluation duration', () => {
  it('acute/subacute 45, chronic 60, post-surgical longest (75)', () => {
    expect(evaluationMinutes('acute', '2025-03-03')).toBe(45);
    expect(evaluationMinutes('subacute', '2025-03-03')).toBe(45);
    expect(evaluationMinutes('chronic', '2025-03-03')).toBe(60);
    expect(evaluationMinutes('post-surgical', '2025-03-03')).toBe(75);
    const others = ACUITIES.filter((a) => a !== 'post-surgical').map((a) =>
      evaluationMinutes(a, '2025-03-03'),
    );
    expect(evaluationMinutes('post-surgical', '2025-03-03')).toBeGreaterThan(Math.max(...others));
  });

  it('is effective-dated: a practice table with a newer row supersedes by date', () => {
    const table = [
      ...EVALUATION_DURATIONS.map((r) => (r.acuity === 'chronic' ? { ...r, effectiveTo: '2025-06-30' } : r)),
      {
        acuity: 'chronic' as const,
        minutes: 50,
        why: 'test',
        effectiveFrom: '2025-07-01',
        effectiveTo: null,
        source: 'test',
      },
    ];
    expect(evaluationMinutes('chronic', '2025-06-30', table)).toBe(60);
    expect(evaluationMinutes('chronic', '2025-07-01', table)).toBe(50);
  });

  it('throws on a date without a row (a data error, not a silent default)', () => {
    expect(() => evaluationMinutes('acute', '2016-12-31')).toThrow(RangeError);
  });

  it('data integrity: one row per acuity at a time, sourced, flagged for review, never below 97163 typical time', () => {
    expect(findOverlaps(EVALUATION_DURATIONS, (r) => r.acuity)).toEqual([]);
    for (const row of EVALUATION_DURATIONS) {
      expect(row.source).not.toBe('');
      expect(row.verify).toMatch(/^VERIFY/);
      expect(row.minutes).toBeGreaterThanOrEqual(45);
    }
    for (const a of ACUITIES) expect(() => evaluationMinutes(a, '2025-01-01')).not.toThrow();
  });
});
