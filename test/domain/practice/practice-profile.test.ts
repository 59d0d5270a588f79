// The practice profile's identifier checks (NPI check digit, EIN, IANA zone), what a claim still needs from an
// incomplete profile, and the fee schedule CSV: valid rows in, every defect named by line and column, and no
// rows at all from a file with any defect.
import { describe, expect, it } from 'vitest';
import { parseFeeScheduleCsv } from '../../../domain/practice/fee-schedule-csv.js';
import {
  missingProfileFields,
  PracticeCreateSchema,
  profileFindingCode,
} from '../../../domain/practice/profile.js';
import {
  isIanaTimeZone,
  isValidEin,
  isValidOrganizationNpi,
  maskEin,
  normalizeEin,
} from '../../../domain/practice/validators.js';

describe('practice identifiers', () => {
  it('checks the NPI check digit (Luhn over 80840 + the ten digits)', () => {
    // CMS's worked example: 123456789 → check digit 3.
    expect(isValidOrganizationNpi('1234567893')).toBe(true);
    expect(isValidOrganizationNpi('1234567890')).toBe(false);
    expect(isValidOrganizationNpi('1345678902')).toBe(true);
    expect(isValidOrganizationNpi('134567890')).toBe(false);
  });

  it('takes an EIN with or without the dash, refuses unassigned prefixes, and masks it', () => {
    expect(normalizeEin('47-1234567')).toBe('471234567');
    expect(isValidEin('471234567')).toBe(true);
    expect(isValidEin('07-1234567')).toBe(false);
    expect(isValidEin('4712345')).toBe(false);
    expect(maskEin('471234567')).toBe('•••••4567');
  });

  it('accepts IANA zones only', () => {
    expect(isIanaTimeZone('America/Chicago')).toBe(true);
    expect(isIanaTimeZone('UTC')).toBe(true);
    expect(isIanaTimeZone('CST')).toBe(false);
    expect(isIanaTimeZone('America/Nowhere')).toBe(false);
    expect(isIanaTimeZone('+05:00')).toBe(false);
  });

  it('names the fields of a create request that fail, by path', () => {
    const r = PracticeCreateSchema.safeParse({
      name: 'X',
      npi: '1234567890',
      timezone: 'CST',
      taxId: '00-0000000',
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['npi', 'taxId', 'timezone']);
  });
});

describe('what a claim needs from the profile', () => {
  it('names exactly the missing fields, as findings', () => {
    expect(
      missingProfileFields({
        legalName: 'A',
        npi: '1234567893',
        hasTaxId: false,
        phone: null,
        serviceAddress: {},
      }),
    ).toEqual(['taxId', 'phone']);
    expect(
      missingProfileFields({
        legalName: 'A',
        npi: '1234567893',
        hasTaxId: true,
        phone: '1',
        serviceAddress: {},
      }),
    ).toEqual([]);
    expect(profileFindingCode('serviceAddress')).toBe('PRACTICE_PROFILE_MISSING_SERVICE_ADDRESS');
    expect(profileFindingCode('taxId')).toBe('PRACTICE_PROFILE_MISSING_TAX_ID');
  });
});

describe('fee schedule CSV', () => {
  it('reads rows in any column order, dollars to cents, quotes and a BOM', () => {
    const r = parseFeeScheduleCsv(
      '\uFEFFcharge,code,expected_allowed\r\n"$1,250.5",97110,29.50\r\n65,g0283,\r\n',
    );
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 2, code: '97110', chargeCents: 125_050, expectedAllowedCents: 2_950 },
        { line: 3, code: 'G0283', chargeCents: 6_500, expectedAllowedCents: null },
      ],
    });
  });

  it('names every defect by line and column, and yields no rows', () => {
    const r = parseFeeScheduleCsv(
      'code,charge,expected_allowed\n97110,65.00,\n97140,abc,27.50\n9714,70,\n97110,1.001,\n97112,70,x\n97113,70\n"97116,70,\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.column, e.columnNumber])).toEqual([
      [3, 'charge', 2],
      [4, 'code', 1],
      [5, 'code', 1],
      [5, 'charge', 2],
      [6, 'expected_allowed', 3],
      [7, 'row', undefined],
      [8, 'row', undefined],
    ]);
    expect(r.errors[2]!.detail).toContain('first on line 2');
  });

  it('checks the header: unknown, repeated and missing columns; an empty file', () => {
    const r = parseFeeScheduleCsv('code,price,code\n97110,65\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => [e.line, e.column, e.columnNumber])).toEqual([
        [1, 'header', 2],
        [1, 'code', 3],
        [1, 'charge', undefined],
      ]);
    }
    expect(parseFeeScheduleCsv('')).toMatchObject({ ok: false, errors: [{ line: 1, column: 'header' }] });
    expect(parseFeeScheduleCsv('code,charge\n')).toMatchObject({
      ok: false,
      errors: [{ line: 2, column: 'row' }],
    });
  });
});
