// Free slots of the sandbox EMR, computed (not stored) from each therapist's weekly availability in the
// location's time zone, on a fixed grid, minus active appointments. Pure: time comes in as arguments.
import type { AvailabilityBlock } from './schema.js';

export interface SlotKey {
  therapistId: string;
  locationId: string;
  start: Date;
  minutes: number;
}

/** Slot ids are self-describing so a booking can check the slot still exists in the availability. */
export function encodeSlotId(k: SlotKey): string {
  return `${k.therapistId}.${k.locationId}.${Math.floor(k.start.getTime() / 60_000)}.${k.minutes}`;
}

export function decodeSlotId(id: string): SlotKey | undefined {
  const m = /^([0-9a-f-]{36})\.([0-9a-f-]{36})\.(\d{1,10})\.(\d{1,3})$/.exec(id);
  if (!m) return undefined;
  return {
    therapistId: m[1] as string,
    locationId: m[2] as string,
    start: new Date(Number(m[3]) * 60_000),
    minutes: Number(m[4]),
  };
}

// Building an Intl.DateTimeFormat costs far more than using one, and every grid slot needs two offsets: one
// formatter per zone is kept (issue 15: constructing one per call was the largest CPU cost of a slot search).
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms) of `tz` from UTC at instant `at`. */
function tzOffsetMs(at: number, tz: string): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(tz, f);
  }
  const parts = f.formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at;
}

/** The UTC instant of a wall-clock time in `tz` (two passes settle DST transitions). */
export function zonedTime(y: number, m: number, d: number, minutesOfDay: number, tz: string): Date {
  const wall = Date.UTC(y, m, d) + minutesOfDay * 60_000;
  let t = wall - tzOffsetMs(wall, tz);
  t = wall - tzOffsetMs(t, tz);
  return new Date(t);
}

const hhmm = (s: string) => {
  const [h = '0', m = '0'] = s.split(':');
  return Number(h) * 60 + Number(m);
};

export interface SlotTherapist {
  id: string;
  npi: string;
  specialties: string[];
  weeklyAvailability: AvailabilityBlock[];
}

export interface BusyInterval {
  therapistId: string;
  start: Date;
  end: Date;
}

/** Every grid slot of `therapist` in [from, to). */
export function availabilitySlots(
  therapist: SlotTherapist,
  zoneOf: (locationId: string) => string | undefined,
  from: Date,
  to: Date,
  minutes: number,
): SlotKey[] {
  const out: SlotKey[] = [];
  // Walk calendar dates a day either side so every zone's local days are covered.
  for (
    let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) - 86_400_000;
    day <= to.getTime() + 86_400_000;
    day += 86_400_000
  ) {
    const date = new Date(day);
    const weekday = date.getUTCDay();
    for (const block of therapist.weeklyAvailability) {
      const tz = zoneOf(block.locationId);
      if (block.weekday !== weekday || !tz) continue;
      for (let m = hhmm(block.start); m + minutes <= hhmm(block.end); m += minutes) {
        const start = zonedTime(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), m, tz);
        if (start >= from && start < to)
          out.push({ therapistId: therapist.id, locationId: block.locationId, start, minutes });
      }
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

export function overlaps(slot: SlotKey, busy: readonly BusyInterval[]): boolean {
  const end = slot.start.getTime() + slot.minutes * 60_000;
  return busy.some(
    (b) =>
      b.therapistId === slot.therapistId && b.start.getTime() < end && b.end.getTime() > slot.start.getTime(),
  );
}
