import { describe, expect, it } from 'vitest';
import {
  endOfLocalDay,
  isValidTimeZone,
  localDate,
  startOfLocalDay,
  wallTimeToInstant,
  zonedParts,
  zoneOffsetMs,
} from '../../../domain/core/zoned.js';

const CHICAGO = 'America/Chicago';

describe('practice-local time', () => {
  it('reads the wall clock of a zone, weekday included', () => {
    // 2025-03-04T15:00Z is Tuesday 09:00 CST.
    expect(zonedParts(Date.parse('2025-03-04T15:00:00Z'), CHICAGO)).toEqual({
      year: 2025,
      month: 3,
      day: 4,
      hour: 9,
      minute: 0,
      second: 0,
      weekday: 2,
    });
    expect(localDate(new Date('2025-03-05T05:59:59Z'), CHICAGO)).toBe('2025-03-04');
    expect(localDate(new Date('2025-03-05T06:00:00Z'), CHICAGO)).toBe('2025-03-05');
  });

  it('follows the zone offset across daylight saving time', () => {
    expect(zoneOffsetMs(new Date('2025-03-08T12:00:00Z'), CHICAGO)).toBe(-6 * 3_600_000);
    expect(zoneOffsetMs(new Date('2025-03-10T12:00:00Z'), CHICAGO)).toBe(-5 * 3_600_000);
    expect(wallTimeToInstant({ year: 2025, month: 3, day: 10 }, 9 * 60, CHICAGO).toISOString()).toBe(
      '2025-03-10T14:00:00.000Z',
    );
    // The spring-forward day is 23 hours long.
    expect(startOfLocalDay('2025-03-09', CHICAGO).toISOString()).toBe('2025-03-09T06:00:00.000Z');
    expect(endOfLocalDay('2025-03-09', CHICAGO).toISOString()).toBe('2025-03-10T05:00:00.000Z');
  });

  it('knows which zone names are real', () => {
    expect(isValidTimeZone(CHICAGO)).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => localDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
