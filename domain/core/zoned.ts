// Practice-local time: wall-clock views of instants in a clinic's (or a patient's) IANA time zone, the one
// place that asks Intl for them. Dates of service and authorization windows are local calendar dates (a date
// of service is the calendar date in the clinic's zone, never a UTC date), so "today" and "the end of the end
// date" must be computed in the clinic's zone, not in UTC. Pure: the instant comes in as an argument; only the
// Intl time-zone database is consulted, so workflow code may call this too.
import { addDays, formatIsoDate, type CivilDate, type IsoDate } from './dates.js';

/** The wall clock of a zone at one instant. */
export interface ZonedParts extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday (the convention of therapists' weekly availability in db/schema.ts). */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building an Intl.DateTimeFormat costs far more than using one (constructing one per call was once the largest
// CPU cost of a slot search): one formatter per zone is kept, a memo rather than observable state.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of `timeZone`; throws RangeError for an unknown zone (better than a wrong local hour). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows `timeZone` as an IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `timeZone` at `instant` (a Date or milliseconds since the epoch). */
export function zonedParts(instant: Date | number, timeZone: string): ZonedParts {
  const text: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) text[part.type] = part.value;
  const weekday = WEEKDAYS[text.weekday ?? ''];
  if (weekday === undefined) throw new RangeError(`unexpected weekday from Intl: ${text.weekday}`);
  return {
    year: Number(text.year),
    month: Number(text.month),
    day: Number(text.day),
    hour: Number(text.hour),
    minute: Number(text.minute),
    second: Number(text.second),
    weekday,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (local = UTC + offset). */
export function zoneOffsetMs(instant: Date | number, timeZone: string): number {
  const at = typeof instant === 'number' ? instant : instant.getTime();
  const wall = zonedParts(at, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `timeZone` reads `minuteOfDay` on the local `date`. Two passes settle
 * a DST change on that day: the offset is read at the wall time taken as UTC, then re-read at the first guess.
 */
export function wallTimeToInstant(date: CivilDate, minuteOfDay: number, timeZone: string): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const firstGuess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  return new Date(wallAsUtc - zoneOffsetMs(firstGuess, timeZone));
}

/** The calendar date of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): IsoDate {
  const { year, month, day } = zonedParts(instant, timeZone);
  return formatIsoDate({ year, month, day });
}

/** The instant local midnight starts `date` in `timeZone` (DST-safe: re-derives the offset once). */
export function startOfLocalDay(date: IsoDate, timeZone: string): Date {
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  return wallTimeToInstant({ year, month, day }, 0, timeZone);
}

/** The first instant after `date` has ended in `timeZone` (an authorization's last valid day ends then). */
export function endOfLocalDay(date: IsoDate, timeZone: string): Date {
  return startOfLocalDay(addDays(date, 1), timeZone);
}
