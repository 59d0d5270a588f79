// Quiet hours in the patient's own time zone (TCPA-style: no texts before 8:00 or after 21:00 local time).
// Pure: the clock comes in as an argument and the local time comes from domain/core/zoned.ts, so this can move
// to domain/ unchanged and run inside workflow code (a workflow can compute its durable sleep without an
// activity round trip).
import type { CivilDate } from '../../domain/core/dates.js';
import { zonedParts, zoneOffsetMs } from '../../domain/core/zoned.js';

export interface QuietHours {
  /** First allowed local minute, "HH:MM" (inclusive). */
  start: string;
  /** End of the allowed window, "HH:MM" (exclusive). */
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '08:00', end: '21:00' };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new RangeError('quiet hours must be "HH:MM"');
  return Number(match[1]) * 60 + Number(match[2]);
}

interface LocalParts extends CivilDate {
  minuteOfDay: number;
}

// Throws RangeError for an unknown zone: better than silently texting at the wrong hour.
function localParts(instant: Date, timeZone: string): LocalParts {
  const { year, month, day, hour, minute } = zonedParts(instant, timeZone);
  return { year, month, day, minuteOfDay: hour * 60 + minute };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (local = UTC + offset). */
function offsetMinutes(instant: Date, timeZone: string): number {
  return Math.round(zoneOffsetMs(instant, timeZone) / 60_000);
}

/**
 * The instant at which the local wall clock of `timeZone` reads `minuteOfDay` on the given local date.
 * Ambiguous times (clocks set back) resolve to the earlier instant; times that do not exist (clocks set
 * forward) resolve to the first instant after the gap — for a window start that is the earliest moment the
 * window is open.
 */
export function zonedWallTimeToInstant(date: CivilDate, minuteOfDay: number, timeZone: string): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  // Try the offsets in force just before and just after the wall time; one of them maps back exactly.
  const offsets = [
    offsetMinutes(new Date(wallAsUtc - 36 * 3_600_000), timeZone),
    offsetMinutes(new Date(wallAsUtc + 36 * 3_600_000), timeZone),
    offsetMinutes(new Date(wallAsUtc), timeZone),
  ];
  const candidates = offsets
    .map((offset) => new Date(wallAsUtc - offset * 60_000))
    .filter((candidate) => {
      const local = localParts(candidate, timeZone);
      return (
        local.year === date.year &&
        local.month === date.month &&
        local.day === date.day &&
        local.minuteOfDay === minuteOfDay
      );
    })
    .sort((a, b) => a.getTime() - b.getTime());
  if (candidates[0]) return candidates[0];
  // In a gap: the wall time is skipped, so the earliest moment at or after it is the transition itself.
  // Before the jump the old offset applies, after it the new one: binary-search the first minute whose
  // offset is the new one, between the two readings of the wall time.
  const before = offsets[0] ?? 0;
  const after = offsets[1] ?? 0;
  let lo = wallAsUtc - after * 60_000; // still under the old offset
  let hi = wallAsUtc - before * 60_000; // already under the new offset
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (offsetMinutes(new Date(mid), timeZone) === after) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

function nextLocalDate(p: CivilDate): CivilDate {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * `undefined` when a message may go out at `now`; otherwise the next instant the window opens in the
 * patient's zone. Windows that wrap midnight (start > end, e.g. a night-shift clinic) are supported.
 */
export function nextAllowedSendTime(
  now: Date,
  timeZone: string,
  quietHours: QuietHours = DEFAULT_QUIET_HOURS,
): Date | undefined {
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  if (start === end) return undefined; // a zero-width quiet period: always open
  const local = localParts(now, timeZone);
  const minute = local.minuteOfDay;
  const open = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (open) return undefined;
  // Closed: the window opens next at `start`, today if that is still ahead, otherwise tomorrow.
  const day = minute < start ? local : nextLocalDate(local);
  const opens = zonedWallTimeToInstant(day, start, timeZone);
  // Guard against a gap/fold edge returning an instant not after now.
  return opens.getTime() > now.getTime()
    ? opens
    : zonedWallTimeToInstant(nextLocalDate(day), start, timeZone);
}
