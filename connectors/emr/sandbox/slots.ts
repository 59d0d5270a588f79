// Free slots of the sandbox EMR, computed (not stored) from each therapist's weekly availability in the
// location's time zone, on a fixed grid, minus active appointments. Pure: time comes in as arguments.
import { wallTimeToInstant } from '../../../domain/core/zoned.js';
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

/** "HH:MM" → minutes since midnight. */
function minutesOfClock(clock: string): number {
  const [hours = '0', minutes = '0'] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

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
    const localDate = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    for (const block of therapist.weeklyAvailability) {
      const tz = zoneOf(block.locationId);
      if (block.weekday !== weekday || !tz) continue;
      const blockStart = minutesOfClock(block.start);
      const blockEnd = minutesOfClock(block.end);
      if (blockStart + minutes > blockEnd) continue;
      // The zone's offset is read at the block's two ends (four Intl calls a block instead of two a slot: they
      // were the slot search's largest cost). Equal offsets mean no DST change inside the block (real zones do
      // not change twice within hours), so every slot is the block's start plus its minutes; otherwise each
      // slot is converted on its own.
      const first = wallTimeToInstant(localDate, blockStart, tz).getTime();
      const last = wallTimeToInstant(localDate, blockEnd, tz).getTime();
      const steady = last - first === (blockEnd - blockStart) * 60_000;
      if (steady && (first >= to.getTime() || last <= from.getTime())) continue;
      for (let minute = blockStart; minute + minutes <= blockEnd; minute += minutes) {
        const start = steady
          ? new Date(first + (minute - blockStart) * 60_000)
          : wallTimeToInstant(localDate, minute, tz);
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
