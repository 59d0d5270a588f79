// Calendar dates in a clinic's IANA time zone. Dates of service and authorization windows are local calendar
// dates (domain-rules §0), so "today" and "the end of the end date" must be computed in the clinic's zone, not
// in UTC. Pure: the instant comes in as an argument; only the Intl time-zone database is consulted.
import { addDays, type IsoDate } from './dates.js';

function parts(instant: Date, timeZone: string): Record<string, number> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The calendar date of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): IsoDate {
  const p = parts(instant, timeZone);
  const pad = (n: number | undefined, w = 2) => String(n ?? 0).padStart(w, '0');
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant local midnight starts `date` in `timeZone` (DST-safe: re-derives the offset once). */
export function startOfLocalDay(date: IsoDate, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offsetMs(new Date(guess), timeZone);
  return new Date(guess - offsetMs(new Date(first), timeZone));
}

/** The first instant after `date` has ended in `timeZone` (an authorization's last valid day ends then). */
export function endOfLocalDay(date: IsoDate, timeZone: string): Date {
  return startOfLocalDay(addDays(date, 1), timeZone);
}
