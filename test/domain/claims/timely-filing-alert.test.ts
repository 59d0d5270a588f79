// The timely-filing sweep's decision: the limit and lead time of the payer profile in force on the date of
// service (dated rule rows), Medicare's calendar year with its Feb-29 rule, commercial day counts, and the
// day boundaries on both sides of the lead time and the deadline.
import { describe, expect, it } from 'vitest';
import { timelyFilingAlert } from '../../../domain/claims/timely-filing-alert.js';
import { PayerProfileSchema, type PayerProfile } from '../../../domain/model/payer-profile.js';
import { COMMERCIAL_AMA, MEDICARE_PART_B } from '../../../domain/rules/data/payer-profiles.js';
import { profile } from '../helpers.js';

describe('timelyFilingAlert: Medicare Part B (1 calendar year from the DOS, 30-day lead)', () => {
  const claim = { payerId: MEDICARE_PART_B, serviceDate: '2025-03-10' };

  it('is not due 31 days before the deadline', () => {
    expect(timelyFilingAlert(claim, '2026-02-07')).toEqual({
      kind: 'not_due',
      deadline: '2026-03-10',
      daysLeft: 31,
      leadDays: 30,
    });
  });
  it('approaches exactly at the lead time (30 days left)', () => {
    expect(timelyFilingAlert(claim, '2026-02-08')).toEqual({
      kind: 'approaching',
      deadline: '2026-03-10',
      daysLeft: 30,
      leadDays: 30,
    });
  });
  it('is still approaching on the deadline itself (received that day is timely)', () => {
    expect(timelyFilingAlert(claim, '2026-03-10')).toMatchObject({ kind: 'approaching', daysLeft: 0 });
  });
  it('has expired the day after the deadline', () => {
    expect(timelyFilingAlert(claim, '2026-03-11')).toEqual({
      kind: 'expired',
      deadline: '2026-03-10',
      daysLate: 1,
    });
  });
  it('a DOS of Feb 29 is due Feb 28 of the next year', () => {
    const leap = { payerId: MEDICARE_PART_B, serviceDate: '2024-02-29' };
    expect(timelyFilingAlert(leap, '2025-02-28')).toMatchObject({
      kind: 'approaching',
      deadline: '2025-02-28',
      daysLeft: 0,
    });
    expect(timelyFilingAlert(leap, '2025-03-01')).toMatchObject({ kind: 'expired', daysLate: 1 });
  });
  it('counts across a leap day: DOS 2027-03-01 is due 2028-03-01, 30 days left on 2028-01-31', () => {
    const c = { payerId: MEDICARE_PART_B, serviceDate: '2027-03-01' };
    expect(timelyFilingAlert(c, '2028-01-31')).toMatchObject({ kind: 'approaching', daysLeft: 30 });
    expect(timelyFilingAlert(c, '2028-01-30')).toMatchObject({ kind: 'not_due', daysLeft: 31 });
  });
});

describe('timelyFilingAlert: commercial (limit in days on the payer profile)', () => {
  it('90 days from the DOS, 30-day lead', () => {
    const c = { payerId: COMMERCIAL_AMA, serviceDate: '2026-01-01' };
    expect(timelyFilingAlert(c, '2026-03-01')).toMatchObject({ kind: 'not_due', deadline: '2026-04-01' });
    expect(timelyFilingAlert(c, '2026-03-02')).toMatchObject({ kind: 'approaching', daysLeft: 30 });
    expect(timelyFilingAlert(c, '2026-04-02')).toMatchObject({ kind: 'expired', daysLate: 1 });
  });
});

describe('timelyFilingAlert: dated rules', () => {
  // A payer that shortened its limit from 180 to 90 days and lengthened its lead from 30 to 45 on 2026-07-01:
  // the row in force on the DATE OF SERVICE decides, not the row in force today.
  const base = profile(COMMERCIAL_AMA, '2026-01-01');
  const rows: PayerProfile[] = [
    PayerProfileSchema.parse({
      ...base,
      payerId: 'acme',
      effectiveFrom: '2021-01-01',
      effectiveTo: '2026-06-30',
      timelyFiling: { kind: 'days', days: 180 },
      timelyFilingWarningDays: 30,
    }),
    PayerProfileSchema.parse({
      ...base,
      payerId: 'acme',
      effectiveFrom: '2026-07-01',
      effectiveTo: null,
      timelyFiling: { kind: 'days', days: 90 },
      timelyFilingWarningDays: 45,
    }),
  ];

  it('a DOS before the change keeps the old limit and lead', () => {
    expect(timelyFilingAlert({ payerId: 'acme', serviceDate: '2026-06-30' }, '2026-11-27', rows)).toEqual({
      kind: 'approaching',
      deadline: '2026-12-27',
      daysLeft: 30,
      leadDays: 30,
    });
  });
  it('a DOS on the change date takes the new limit and lead', () => {
    expect(timelyFilingAlert({ payerId: 'acme', serviceDate: '2026-07-01' }, '2026-08-15', rows)).toEqual({
      kind: 'approaching',
      deadline: '2026-09-29',
      daysLeft: 45,
      leadDays: 45,
    });
  });
  it('a payer without a profile on the DOS is reported, never given a default limit', () => {
    expect(timelyFilingAlert({ payerId: 'acme', serviceDate: '2020-12-31' }, '2026-01-01', rows)).toEqual({
      kind: 'unknown_payer',
    });
    expect(timelyFilingAlert({ payerId: 'nobody', serviceDate: '2026-01-01' }, '2026-01-02')).toEqual({
      kind: 'unknown_payer',
    });
  });
});
