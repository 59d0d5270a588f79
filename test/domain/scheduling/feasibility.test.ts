import { describe, expect, it } from 'vitest';
import { EvaluationRequestSchema, localParts, violations } from '../../../domain/scheduling/index.js';
import { DOWNTOWN, NORTHSIDE, ZONE, request, slot } from './fixtures.js';

// Tuesday 09:00–11:00 in the clinic's zone.
const tuesdayMorning = [{ weekday: 2, start: '09:00', end: '11:00' }];

describe('hard constraints', () => {
  it('an initial evaluation is never given to a PTA, whatever else fits', () => {
    const r = request();
    expect(violations(slot({ discipline: 'PTA' }), r, 45)).toEqual(['evaluator_discipline']);
    expect(violations(slot({ discipline: 'PT' }), r, 45)).toEqual([]);
  });

  it('the slot must hold the acuity-adjusted duration', () => {
    const r = request({ acuity: 'post-surgical' });
    expect(violations(slot({ minutesAvailable: 60 }), r, 75)).toEqual(['duration']);
    expect(violations(slot({ minutesAvailable: 75 }), r, 75)).toEqual([]);
  });

  describe('patient window in America/Chicago across the spring DST change (2025-03-09)', () => {
    const r = request({ availability: tuesdayMorning });
    it('before the change (CST, −06:00): 09:00 local is 15:00Z', () => {
      expect(localParts(Date.parse('2025-03-04T15:00:00Z'), ZONE)).toEqual({
        date: '2025-03-04',
        weekday: 2,
        minuteOfDay: 9 * 60,
      });
      expect(violations(slot({ start: '2025-03-04T15:00:00Z' }), r, 45)).toEqual([]);
      expect(violations(slot({ start: '2025-03-04T14:00:00Z' }), r, 45)).toEqual(['patient_window']);
    });
    it('after the change (CDT, −05:00): 09:00 local is 14:00Z, and 15:00Z is 10:00', () => {
      expect(violations(slot({ start: '2025-03-11T14:00:00Z' }), r, 45)).toEqual([]);
      expect(violations(slot({ start: '2025-03-11T15:00:00Z' }), r, 45)).toEqual([]);
      // 10:30 CDT + 45 min ends 11:15: the end must fit too.
      expect(violations(slot({ start: '2025-03-11T15:30:00Z' }), r, 45)).toEqual(['patient_window']);
      // The same UTC instant as a good slot before the change is 11:00 local now: outside.
      expect(violations(slot({ start: '2025-03-11T16:00:00Z' }), r, 45)).toEqual(['patient_window']);
    });
    it('ending exactly at the window end is inside', () => {
      expect(violations(slot({ start: '2025-03-11T15:15:00Z' }), r, 45)).toEqual([]);
    });
  });

  it('and across the autumn change (2025-11-02): 14:00Z is 09:00 CDT before, 08:00 CST after', () => {
    const r = request({ availability: tuesdayMorning, earliestDate: '2025-10-27', latestDate: '2025-11-07' });
    expect(violations(slot({ start: '2025-10-28T14:00:00Z' }), r, 45)).toEqual([]);
    expect(violations(slot({ start: '2025-11-04T14:00:00Z' }), r, 45)).toEqual(['patient_window']);
    expect(violations(slot({ start: '2025-11-04T15:00:00Z' }), r, 45)).toEqual([]);
  });

  it('the wrong weekday is outside the window; no windows means any time', () => {
    const r = request({ availability: tuesdayMorning });
    expect(violations(slot({ start: '2025-03-05T15:00:00Z' }), r, 45)).toEqual(['patient_window']);
    expect(violations(slot({ start: '2025-03-05T15:00:00Z' }), request(), 45)).toEqual([]);
  });

  it('the date range is read as local dates in the clinic zone, not UTC dates', () => {
    const r = request({ earliestDate: '2025-03-03', latestDate: '2025-03-21' });
    // 2025-03-22 03:00Z is still 2025-03-21 22:00 in Chicago.
    expect(violations(slot({ start: '2025-03-22T03:00:00Z' }), r, 45)).toEqual([]);
    // 2025-03-03 05:30Z is 2025-03-02 23:30 CST: one day early.
    expect(violations(slot({ start: '2025-03-03T05:30:00Z' }), r, 45)).toEqual(['date_range']);
  });

  it('notBefore and preferred-only locations', () => {
    const r = request({
      notBefore: '2025-03-04T16:00:00Z',
      preferredLocations: [{ locationId: NORTHSIDE }],
    });
    expect(violations(slot({ start: '2025-03-04T15:00:00Z', locationId: DOWNTOWN }), r, 45)).toEqual([
      'not_before',
      'location',
    ]);
    const open = request({ preferredLocations: [{ locationId: NORTHSIDE }], otherLocationsAcceptable: true });
    expect(violations(slot({ locationId: DOWNTOWN }), open, 45)).toEqual([]);
  });

  it('request validation: zone, windows, dates, instants, diagnosis or region', () => {
    const base = {
      acuity: 'acute',
      bodyRegion: 'knee',
      timeZone: ZONE,
      earliestDate: '2025-03-03',
      latestDate: '2025-03-21',
    };
    expect(EvaluationRequestSchema.safeParse(base).success).toBe(true);
    expect(EvaluationRequestSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(EvaluationRequestSchema.safeParse({ ...base, bodyRegion: undefined }).success).toBe(false);
    expect(EvaluationRequestSchema.safeParse({ ...base, latestDate: '2025-03-01' }).success).toBe(false);
    expect(EvaluationRequestSchema.safeParse({ ...base, notBefore: '2025-03-04T10:00:00' }).success).toBe(
      false,
    );
    expect(
      EvaluationRequestSchema.safeParse({
        ...base,
        availability: [{ weekday: 2, start: '11:00', end: '09:00' }],
      }).success,
    ).toBe(false);
  });
});
