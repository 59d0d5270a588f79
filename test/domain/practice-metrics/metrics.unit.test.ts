// Edge cases of the practice's numbers' pure formulas (the figures themselves are checked on a seeded database in
// test/db/practice-metrics.int.test.ts): no data is null, never 0 or NaN; availability by weekday and location;
// and the baseline in force on a date.
import { describe, expect, it } from 'vitest';
import {
  accountsReceivable,
  attendanceRates,
  availableMinutes,
  denialRates,
  isDenialAdjustment,
  ratio,
  weekdayOf,
} from '../../../domain/practice-metrics/metrics.js';
import { assumptionFor, staffTimeSaved } from '../../../domain/practice-metrics/time-saved.js';

describe('practice metrics formulas', () => {
  it('a rate with nothing to divide by is null', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(1, 3)).toBe(0.3333);
    expect(denialRates([]).overall).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(accountsReceivable({ to: '2026-03-31', days: 31, chargesCents: 0, open: [] }).daysInAR).toBeNull();
  });

  it('PR cost share and contractual CO-45/CO-253 are not denials; CO-50, OA-18, PI-204 are', () => {
    expect(isDenialAdjustment({ group: 'PR', carc: '2', amountCents: 1 })).toBe(false);
    expect(isDenialAdjustment({ group: 'CO', carc: '45', amountCents: 1 })).toBe(false);
    expect(isDenialAdjustment({ group: 'CO', carc: '253', amountCents: 1 })).toBe(false);
    for (const [group, carc] of [
      ['CO', '50'],
      ['OA', '18'],
      ['PI', '204'],
    ] as const)
      expect(isDenialAdjustment({ group, carc, amountCents: 1 })).toBe(true);
  });

  it('available minutes: weekday blocks over the period, at the location when one is chosen', () => {
    expect(weekdayOf('2026-03-01')).toBe(0); // a Sunday
    const t = [
      [
        { weekday: 1, start: '08:00', end: '12:00', locationId: 'a' },
        { weekday: 3, start: '13:00', end: '15:30', locationId: 'b' },
      ],
    ];
    // 2026-03-02 Monday … 2026-03-08 Sunday: one Monday (240) and one Wednesday (150).
    expect(availableMinutes(t, '2026-03-02', '2026-03-08')).toBe(390);
    expect(availableMinutes(t, '2026-03-02', '2026-03-08', 'b')).toBe(150);
    expect(availableMinutes(t, '2026-03-03', '2026-03-03')).toBe(0);
  });

  it('the practice baseline in force on the date wins over the default; a later one does not apply yet', () => {
    const rows = [
      { step: 'claim_submission' as const, minutes: 9, effectiveFrom: '2026-01-01', source: 'study A' },
      { step: 'claim_submission' as const, minutes: 2, effectiveFrom: '2026-06-01', source: 'study B' },
    ];
    expect(assumptionFor('claim_submission', '2026-03-31', rows)).toMatchObject({
      minutes: 9,
      origin: 'practice',
    });
    expect(assumptionFor('claim_submission', '2026-06-01', rows)).toMatchObject({
      minutes: 2,
      origin: 'practice',
    });
    expect(assumptionFor('claim_submission', '2025-12-31', rows)).toMatchObject({
      minutes: 6,
      origin: 'default',
    });
    const saved = staffTimeSaved(
      {
        eligibility_check: 0,
        claim_submission: 10,
        remittance_posting: 0,
        patient_message: 0,
        progress_report_delivery: 0,
      },
      '2026-03-31',
      rows,
    );
    expect(saved.totalMinutes).toBe(90);
    expect(saved.totalHours).toBe(1.5);
  });

  it('no-show, late-cancel and cancel rate share one denominator; only late cancellations are late', () => {
    // 10 appointments: 2 no-shows, 3 cancellations of which 1 late by the missed-visit rule.
    const r = attendanceRates({ scheduled: 10, noShow: 2, cancelled: 3, lateCancelled: 1 });
    expect(r.noShow).toEqual({ numerator: 2, denominator: 10, value: 0.2 });
    expect(r.lateCancel).toEqual({ numerator: 1, denominator: 10, value: 0.1 });
    expect(r.cancel).toEqual({ numerator: 3, denominator: 10, value: 0.3 });
    expect(
      attendanceRates({ scheduled: 0, noShow: 0, cancelled: 0, lateCancelled: 0 }).lateCancel.value,
    ).toBeNull();
  });
});
