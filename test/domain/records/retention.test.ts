// Audit retention rule (SEC-AUD-4): a month may be destroyed only when its newest possible record is at least
// 72 months old; one month less is refused.
import { describe, expect, it } from 'vitest';
import { mayDestroy, monthStart, retentionMonths } from '../../../domain/records/retention.js';

describe('audit retention', () => {
  it('is 72 months for audit events (45 CFR 164.316(b)(2))', () => {
    expect(retentionMonths('audit_event', '2026-11-27')).toBe(72);
  });

  it('refuses a 71-month-old partition and allows a 72-month-old one', () => {
    // January 2019's partition ends (exclusive) on 2019-02-01.
    expect(mayDestroy('audit_event', '2019-02-01', '2025-01-31')).toEqual({
      destroy: false,
      reason: 'too_young',
      ageMonths: 71,
      minimumMonths: 72,
    });
    expect(mayDestroy('audit_event', '2019-02-01', '2025-02-01')).toEqual({ destroy: true });
    expect(mayDestroy('audit_event', '2019-02-01', '2031-06-30')).toEqual({ destroy: true });
    // The current month is never destroyable.
    expect(mayDestroy('audit_event', '2026-12-01', '2026-11-27')).toMatchObject({ destroy: false });
  });

  it('counts months across year boundaries', () => {
    expect(monthStart('2026-11-27')).toBe('2026-11-01');
    expect(monthStart('2026-11-27', 2)).toBe('2027-01-01');
    expect(monthStart('2026-01-15', -1)).toBe('2025-12-01');
    expect(monthStart('2026-01-15', -72)).toBe('2020-01-01');
  });
});
