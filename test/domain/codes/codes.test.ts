import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isValidNpi, npiCheckDigit } from '../../../domain/codes/npi.js';
import { isIcd10CmFormat, normalizeIcd10 } from '../../../domain/codes/icd10.js';
import { isTimedCode, lookupCode } from '../../../domain/codes/cpt.js';
import {
  addDays,
  addYears,
  daysBetween,
  fromDayNumber,
  isIsoDate,
  toDayNumber,
} from '../../../domain/core/dates.js';
import { applyBasisPoints } from '../../../domain/core/money.js';

describe('NPI check digit', () => {
  it('accepts the CMS example NPI and rejects a changed digit', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('12345678a3')).toBe(false);
  });
  it('property: exactly one check digit is valid for any nine digits; any single-digit change is caught', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{9}$/),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (base, pos, delta) => {
          const d = npiCheckDigit(base);
          const npi = `${base}${d}`;
          expect(isValidNpi(npi)).toBe(true);
          const changed = npi.slice(0, pos) + String((Number(npi[pos]) + delta) % 10) + npi.slice(pos + 1);
          expect(isValidNpi(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('ICD-10-CM format', () => {
  it.each(['M54.50', 'M5450', 'S83.511A', 'Z96.651', 'M17.11', 'R26.2', 'G35', 'u07.1'])(
    '%s is well-formed',
    (c) => {
      expect(isIcd10CmFormat(c)).toBe(true);
    },
  );
  it.each(['', '54.5', 'M5', 'M54.', 'M5.450', 'M54.50000', 'MM4.5', '123'])('%s is not', (c) => {
    expect(isIcd10CmFormat(c)).toBe(false);
  });
  it('normalizes for the 837P (no dot, upper case)', () => {
    expect(normalizeIcd10('m54.50')).toBe('M5450');
  });
});

describe('code table', () => {
  it('timed flags per domain-rules §2 (97033 is timed; evaluations and supervised modalities are not)', () => {
    expect(isTimedCode('97033')).toBe(true);
    expect(isTimedCode('97110')).toBe(true);
    expect(isTimedCode('97161')).toBe(false);
    expect(isTimedCode('97010')).toBe(false);
    expect(isTimedCode('97150')).toBe(false);
    expect(isTimedCode('99999')).toBeUndefined();
    expect(lookupCode('G0283')?.verify).toBeDefined();
  });
});

describe('dates and money', () => {
  it('civil day arithmetic round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 50_000 }), (n) => {
        expect(toDayNumber(fromDayNumber(n))).toBe(n);
      }),
    );
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(daysBetween('2025-03-03', '2025-06-01')).toBe(90);
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(isIsoDate('2025-02-29')).toBe(false);
  });
  it('basis points in integer arithmetic (85 % of $29.01)', () => {
    expect(applyBasisPoints(2901, 8500)).toBe(2466);
    expect(applyBasisPoints(-2901, 8500)).toBe(-2466);
  });
});
