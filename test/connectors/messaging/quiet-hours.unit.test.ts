import { describe, expect, it } from 'vitest';
import { nextAllowedSendTime, zonedWallTimeToInstant } from '../../../connectors/messaging/index.js';

const next = (iso: string, tz: string, qh?: { start: string; end: string }) =>
  nextAllowedSendTime(new Date(iso), tz, qh)?.toISOString();

describe('quiet hours', () => {
  it('allow sends inside 08:00-21:00 local and defer outside', () => {
    expect(next('2026-06-01T15:00:00Z', 'America/New_York')).toBeUndefined(); // 11:00 EDT
    expect(next('2026-06-01T12:00:00Z', 'America/New_York')).toBeUndefined(); // 08:00 sharp: open
    expect(next('2026-06-02T01:00:00Z', 'America/New_York')).toBe('2026-06-02T12:00:00.000Z'); // 21:00: closed
    expect(next('2026-06-01T11:59:00Z', 'America/New_York')).toBe('2026-06-01T12:00:00.000Z');
  });

  it('a message due at 22:30 local goes out at 08:00 the next morning', () => {
    // 22:30 CDT on 2026-07-14 is 03:30Z on the 15th; 08:00 CDT on the 15th is 13:00Z.
    expect(next('2026-07-15T03:30:00Z', 'America/Chicago')).toBe('2026-07-15T13:00:00.000Z');
  });

  it('follow the spring-forward change (the night is an hour shorter)', () => {
    // 22:30 EST Sat 2026-03-07 → 08:00 EDT Sun 2026-03-08 = 12:00Z (not 13:00Z).
    expect(next('2026-03-08T03:30:00Z', 'America/New_York')).toBe('2026-03-08T12:00:00.000Z');
  });

  it('follow the fall-back change (the night is an hour longer)', () => {
    // 22:30 EDT Sat 2026-10-31 → 08:00 EST Sun 2026-11-01 = 13:00Z.
    expect(next('2026-11-01T02:30:00Z', 'America/New_York')).toBe('2026-11-01T13:00:00.000Z');
  });

  it('handle southern-hemisphere and half-hour DST zones', () => {
    // Lord Howe: DST (+11:00) begins 2026-10-04 02:00 local; 12:00Z is 23:00 local → 08:00 on the 5th.
    expect(next('2026-10-04T12:00:00Z', 'Australia/Lord_Howe')).toBe('2026-10-04T21:00:00.000Z');
    // Kolkata, no DST: 06:00 IST → 08:00 IST = 02:30Z.
    expect(next('2026-03-08T00:30:00Z', 'Asia/Kolkata')).toBe('2026-03-08T02:30:00.000Z');
  });

  it('resolve a window start inside the DST gap to the transition and an ambiguous one to the first instant', () => {
    expect(
      zonedWallTimeToInstant({ year: 2026, month: 3, day: 8 }, 150, 'America/New_York').toISOString(),
    ).toBe('2026-03-08T07:00:00.000Z');
    expect(
      zonedWallTimeToInstant({ year: 2026, month: 11, day: 1 }, 90, 'America/New_York').toISOString(),
    ).toBe('2026-11-01T05:30:00.000Z');
    expect(next('2026-03-08T03:30:00Z', 'America/New_York', { start: '02:30', end: '21:00' })).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('support windows that wrap midnight and reject bad input', () => {
    expect(next('2026-06-01T04:00:00Z', 'UTC', { start: '22:00', end: '06:00' })).toBeUndefined();
    expect(next('2026-06-01T12:00:00Z', 'UTC', { start: '22:00', end: '06:00' })).toBe(
      '2026-06-01T22:00:00.000Z',
    );
    expect(() => next('2026-06-01T12:00:00Z', 'UTC', { start: '8:00', end: '21:00' })).toThrow(RangeError);
    expect(() => next('2026-06-01T12:00:00Z', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('never return an instant in the past, across a whole year of hourly samples', () => {
    for (const tz of ['America/New_York', 'Europe/London', 'Australia/Sydney', 'America/Phoenix']) {
      for (let h = 0; h < 366 * 24; h += 7) {
        const now = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000);
        const at = nextAllowedSendTime(now, tz);
        if (at) {
          expect(at.getTime()).toBeGreaterThan(now.getTime());
          expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(12 * 3_600_000);
          expect(nextAllowedSendTime(at, tz)).toBeUndefined();
        }
      }
    }
  });
});
