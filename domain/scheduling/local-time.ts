// Wall-clock views of instants in a clinic's IANA zone. Patients state availability as local weekday/time
// ("Tuesdays 17:00–19:00"), slots arrive as instants; comparing them needs the zone's offset on that very
// day, which Intl computes deterministically from the tz database (no clock involved), so DST changes
// (America/Chicago: second Sunday in March, first Sunday in November) are handled without offset arithmetic.
import { formatIsoDate, type IsoDate } from '../core/dates.js';
import { zonedParts } from '../core/zoned.js';

export interface LocalParts {
  /** Calendar date in the zone. */
  date: IsoDate;
  /** 0 = Sunday … 6 = Saturday (same convention as therapists' weekly availability in db/schema.ts). */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
}

/** Milliseconds since the epoch for an ISO-8601 instant with `Z` or an explicit offset; NaN otherwise. */
export function instantMs(iso: string): number {
  // A local timestamp without offset would be read in the host's zone: refuse it rather than guess.
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(iso)) return Number.NaN;
  return Date.parse(iso);
}

// formatToParts is the next most expensive part, and slots share instants (therapists on the same grid, one
// slot's end being the next one's start): a bounded memo per zone and instant (pure function, same answers).
const partsMemo = new Map<string, LocalParts>();
const PARTS_MEMO_MAX = 20_000;

export function localParts(epochMs: number, timeZone: string): LocalParts {
  const key = `${timeZone}\u0000${epochMs}`;
  const hit = partsMemo.get(key);
  if (hit) return { ...hit };
  const computed = computeLocalParts(epochMs, timeZone);
  if (partsMemo.size >= PARTS_MEMO_MAX) partsMemo.clear();
  partsMemo.set(key, computed);
  return { ...computed };
}

function computeLocalParts(epochMs: number, timeZone: string): LocalParts {
  const { year, month, day, hour, minute, weekday } = zonedParts(epochMs, timeZone);
  return { date: formatIsoDate({ year, month, day }), weekday, minuteOfDay: hour * 60 + minute };
}

/** "HH:MM" → minutes since midnight; "24:00" is allowed as an end of day. */
export function parseClockTime(value: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}
