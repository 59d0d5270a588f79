import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatDate,
  formatMoney,
  formatQuantity,
  parseDate,
  parseDateByFormat,
  parseMoney,
  parsePercentBasisPoints,
  parseQuantity,
  parseTime,
} from '../../../../connectors/payer/x12/values.js';
import { X12ParseError } from '../../../../connectors/payer/x12/errors.js';

describe('money as integer cents', () => {
  it('parses decimals exactly', () => {
    expect(parseMoney('123.45')).toBe(12345);
    expect(parseMoney('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(parseMoney('1.1')).toBe(110);
    expect(parseMoney('100')).toBe(10000);
    expect(parseMoney('.5')).toBe(50);
    expect(parseMoney('-2.15')).toBe(-215);
    expect(parseMoney('12.340')).toBe(1234);
  });

  it('refuses non-numbers and sub-cent precision with a typed error', () => {
    for (const bad of ['', '12a', '1.234', '1e5', '--1', '.']) {
      expect(() => parseMoney(bad)).toThrow(X12ParseError);
    }
  });

  it('formats with the fewest characters, as X12 asks', () => {
    expect(formatMoney(12345)).toBe('123.45');
    expect(formatMoney(10000)).toBe('100');
    expect(formatMoney(12340)).toBe('123.4');
    expect(formatMoney(5)).toBe('0.05');
    expect(formatMoney(-215)).toBe('-2.15');
    expect(formatMoney(0)).toBe('0');
  });

  it('round-trips every cent amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }), (cents) => {
        expect(parseMoney(formatMoney(cents))).toBe(cents);
      }),
    );
  });

  it('percentages become basis points; quantities keep decimals', () => {
    expect(parsePercentBasisPoints('0.2')).toBe(2000);
    expect(parsePercentBasisPoints('0.125')).toBe(1250);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(formatQuantity(2)).toBe('2');
    expect(formatQuantity(1.25)).toBe('1.25');
  });
});

describe('dates', () => {
  it('converts CCYYMMDD to ISO and back', () => {
    expect(parseDate('20250701')).toBe('2025-07-01');
    expect(formatDate('2024-02-29')).toBe('20240229');
    expect(parseDateByFormat('RD8', '20250101-20251231')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(parseDateByFormat('D8', '20250701')).toEqual({ from: '2025-07-01', to: '2025-07-01' });
    expect(parseTime('0930')).toBe('09:30');
    expect(parseTime('093015')).toBe('09:30:15');
  });

  it('rejects impossible calendar dates', () => {
    for (const bad of ['20250230', '20230229', '20251301', '2025070', 'abcdefgh']) {
      expect(() => parseDate(bad)).toThrow(X12ParseError);
    }
    expect(() => formatDate('2025-02-30')).toThrow();
  });

  it('round-trips every calendar date', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(parseDate(formatDate(iso))).toBe(iso);
        },
      ),
    );
  });
});
