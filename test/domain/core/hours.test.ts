import { describe, expect, it } from 'vitest';
import { wholeHoursBetween } from '../../../domain/core/hours.js';

describe('wholeHoursBetween', () => {
  const from = '2026-11-27T10:00:00Z';
  it('rounds a partial hour down or up as asked', () => {
    expect(wholeHoursBetween(from, '2026-11-27T12:30:00Z', 'floor')).toBe(2);
    expect(wholeHoursBetween(from, '2026-11-27T12:30:00Z', 'ceil')).toBe(3);
  });
  it('is exact on whole hours, across offsets, and negative for a past instant', () => {
    expect(wholeHoursBetween(from, '2026-11-27T08:00:00-06:00', 'floor')).toBe(4);
    expect(wholeHoursBetween(from, '2026-11-27T08:30:00Z', 'floor')).toBe(-2);
    expect(wholeHoursBetween(from, '2026-11-27T08:30:00Z', 'ceil')).toBe(-1);
  });
});
