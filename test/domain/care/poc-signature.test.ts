import { describe, expect, it } from 'vitest';
import {
  chaseSchedule,
  cycleAnchor,
  deliveryRetryDelayMinutes,
  nextOfficeHoursInstant,
  pendingChaseSteps,
  pocSignatureRuleFor,
  signatureDateProblem,
  signatureDueBy,
  type SignatureCycle,
} from '../../../domain/care/poc-signature.js';
import { initialCertificationDueBy } from '../../../domain/care/poc.js';
import { findOverlaps } from '../../../domain/core/effective.js';
import { zonedParts } from '../../../domain/core/zoned.js';
import { POC_SIGNATURE_RULES, type PocSignatureRule } from '../../../domain/rules/data/poc-signature.js';

const initial: SignatureCycle = { kind: 'initial', firstTreatmentDate: '2025-03-03' };
const recert: SignatureCycle = {
  kind: 'recertification',
  certifiedFrom: '2025-06-02',
  certifiedThrough: '2025-08-30',
};
const rule = (cycle: SignatureCycle): PocSignatureRule => {
  const r = pocSignatureRuleFor(cycle);
  if (!r) throw new Error('no rule');
  return r;
};

describe('POC signature rules as data', () => {
  it('rows are dated, sourced, one per cycle at a time; the recertification span carries its review flag', () => {
    expect(findOverlaps(POC_SIGNATURE_RULES, (r) => r.cycle)).toEqual([]);
    for (const r of POC_SIGNATURE_RULES) {
      expect(r.source).toMatch(/R3\d/);
      expect(r.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(rule(recert).verify).toBeTruthy();
  });

  it('a cycle anchored before the data begins has no rule (a data gap is reported, not defaulted)', () => {
    expect(pocSignatureRuleFor({ kind: 'initial', firstTreatmentDate: '2016-12-31' })).toBeUndefined();
    const custom: PocSignatureRule = { ...rule(initial), effectiveFrom: '2026-01-01', windowDays: 20 };
    expect(
      pocSignatureRuleFor({ kind: 'initial', firstTreatmentDate: '2026-02-01' }, [
        ...POC_SIGNATURE_RULES,
        custom,
      ])?.windowDays,
    ).toBe(20);
  });
});

describe('the 30-day window (worked example 4: day 0 = first treatment)', () => {
  it('due by 2025-04-02, the same date the certification rule uses', () => {
    expect(signatureDueBy(rule(initial), initial)).toBe('2025-04-02');
    expect(signatureDueBy(rule(initial), initial)).toBe(initialCertificationDueBy('2025-03-03'));
  });
  it('a recertification counts from the first day of the recertified period', () => {
    expect(cycleAnchor(recert)).toBe('2025-06-02');
    expect(signatureDueBy(rule(recert), recert)).toBe('2025-07-02');
  });
});

describe('the chase', () => {
  it('office reminders on day 7, 14, 21, the front desk on day 25, late from day 31', () => {
    expect(chaseSchedule(rule(initial), initial)).toEqual([
      { kind: 'office_reminder', day: 7, date: '2025-03-10' },
      { kind: 'office_reminder', day: 14, date: '2025-03-17' },
      { kind: 'office_reminder', day: 21, date: '2025-03-24' },
      { kind: 'escalation', day: 25, date: '2025-03-28' },
      { kind: 'late', day: 31, date: '2025-04-03' },
    ]);
  });
  it('reminders on or after the escalation day, duplicates and day 0 are dropped', () => {
    const r = { ...rule(initial), officeReminderDays: [0, 7, 7, 25, 28], escalationDay: 25 };
    expect(chaseSchedule(r, initial).map((s) => `${s.kind}:${s.day}`)).toEqual([
      'office_reminder:7',
      'escalation:25',
      'late:31',
    ]);
  });
  it('a process started late sends only the latest due reminder, then the rest on time', () => {
    expect(pendingChaseSteps(rule(initial), initial, '2025-03-19').map((s) => `${s.kind}:${s.day}`)).toEqual([
      'office_reminder:14',
      'office_reminder:21',
      'escalation:25',
      'late:31',
    ]);
    expect(pendingChaseSteps(rule(initial), initial, '2025-04-10').map((s) => `${s.kind}:${s.day}`)).toEqual([
      'office_reminder:21',
      'escalation:25',
      'late:31',
    ]);
    expect(pendingChaseSteps(rule(initial), initial, '2025-03-03')).toHaveLength(5);
  });
  it('a failed delivery waits 30 min, then 2 h (the last value repeats)', () => {
    expect([1, 2, 3, 4].map((a) => deliveryRetryDelayMinutes(rule(initial), a))).toEqual([30, 120, 120, 120]);
  });
});

describe('office hours (Monday–Friday 09:00–17:00, clinic zone)', () => {
  const TZ = 'America/Chicago';
  const hours = { start: '09:00', end: '17:00' };
  const local = (d: Date) => {
    const p = zonedParts(d, TZ);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${p.hour}:${String(p.minute).padStart(2, '0')} w${p.weekday}`;
  };
  it('inside the hours: now', () => {
    const at = new Date('2025-03-05T16:30:00Z'); // Wednesday 10:30 CST
    expect(nextOfficeHoursInstant(at, TZ, hours)).toEqual(at);
  });
  it('midnight → 09:00 the same day; after 17:00 → 09:00 the next day', () => {
    expect(local(nextOfficeHoursInstant(new Date('2025-03-05T06:00:00Z'), TZ, hours))).toBe(
      '2025-03-05 9:00 w3',
    );
    expect(local(nextOfficeHoursInstant(new Date('2025-03-05T23:30:00Z'), TZ, hours))).toBe(
      '2025-03-06 9:00 w4',
    );
  });
  it('Friday evening and the weekend → Monday 09:00', () => {
    expect(local(nextOfficeHoursInstant(new Date('2025-03-07T23:30:00Z'), TZ, hours))).toBe(
      '2025-03-10 9:00 w1',
    );
    expect(local(nextOfficeHoursInstant(new Date('2025-03-08T18:00:00Z'), TZ, hours))).toBe(
      '2025-03-10 9:00 w1',
    );
  });
  it('across the spring-forward weekend the wall clock still reads 09:00 (CDT)', () => {
    const monday = nextOfficeHoursInstant(new Date('2025-03-09T12:00:00Z'), TZ, hours);
    expect(monday.toISOString()).toBe('2025-03-10T14:00:00.000Z');
  });
  it('malformed hours are refused', () => {
    expect(() => nextOfficeHoursInstant(new Date(), TZ, { start: '17:00', end: '09:00' })).toThrow(
      RangeError,
    );
    expect(() => nextOfficeHoursInstant(new Date(), TZ, { start: '9', end: '17:00' })).toThrow(RangeError);
  });
});

describe('signature dates', () => {
  it('no future dates, none before the first treatment, none after the recertified period', () => {
    expect(signatureDateProblem(initial, '2025-03-15', '2025-03-20')).toBeUndefined();
    expect(signatureDateProblem(initial, '2025-03-21', '2025-03-20')).toMatch(/future/);
    expect(signatureDateProblem(initial, '2025-03-02', '2025-03-20')).toMatch(/predates/);
    expect(signatureDateProblem(recert, '2025-05-28', '2025-06-01')).toBeUndefined();
    expect(signatureDateProblem(recert, '2025-08-31', '2025-09-01')).toMatch(/after the period/);
  });
});
