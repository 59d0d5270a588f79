// The charge export's CSV (domain/billing/charge-export.ts): documented columns in order, one row per claim line,
// amounts with two decimals, pointers resolved to the claim's codes, RFC 4180 quoting, no patient identifiers.
import { describe, expect, it } from 'vitest';
import {
  CHARGE_CSV_COLUMNS,
  chargesCsv,
  formatAmount,
  type ExportClaim,
} from '../../../domain/billing/charge-export.js';

const claim: ExportClaim = {
  claimId: 'c1',
  patientId: '5b0e1a52-0000-4000-8000-000000000001',
  patientControlNumber: 'PCN1',
  payerId: 'medicare-b',
  status: 'submitted',
  diagnoses: ['M54.50', 'M25.561'],
  renderingNpi: '1234567893',
  lines: [
    {
      lineNumber: 2,
      code: '97140',
      modifiers: ['GP', '59'],
      units: 1,
      chargeCents: 5500,
      diagnosisPointers: [2],
      dos: '2026-03-09',
    },
    {
      lineNumber: 1,
      code: '97110',
      modifiers: ['GP'],
      units: 2,
      chargeCents: 12005,
      diagnosisPointers: [1, 2],
      dos: '2026-03-09',
    },
  ],
};

describe('chargesCsv', () => {
  it('writes the documented header and one row per line, sorted by line', () => {
    const text = chargesCsv([claim]);
    const [header, first, second, end] = text.split('\r\n');
    expect(header).toBe(CHARGE_CSV_COLUMNS.join(','));
    expect(first).toBe(
      '2026-03-09,c1,PCN1,5b0e1a52-0000-4000-8000-000000000001,medicare-b,1,97110,GP,2,1:2,M54.50:M25.561,1234567893,120.05,submitted',
    );
    expect(second).toBe(
      '2026-03-09,c1,PCN1,5b0e1a52-0000-4000-8000-000000000001,medicare-b,2,97140,GP:59,1,2,M25.561,1234567893,55.00,submitted',
    );
    expect(end).toBe('');
  });

  it('quotes fields that need it and formats amounts', () => {
    expect(chargesCsv([{ ...claim, status: 'a,"b"', lines: [claim.lines[0]!] }])).toContain(',"a,""b"""\r\n');
    expect([formatAmount(0), formatAmount(5), formatAmount(-1234)]).toEqual(['0.00', '0.05', '-12.34']);
  });

  it('an empty day is a header only', () => {
    expect(chargesCsv([])).toBe(`${CHARGE_CSV_COLUMNS.join(',')}\r\n`);
  });
});
