import { describe, expect, it } from 'vitest';
import { wallTimeToInstant } from '../../../domain/core/zoned.js';
import {
  availabilitySlots,
  type SlotKey,
  type SlotTherapist,
} from '../../../connectors/emr/sandbox/slots.js';

const LOCATION = '00000000-0000-4000-8000-000000000001';

/** The slot grid as it was computed before: every slot's wall time converted on its own. */
function slotByslot(th: SlotTherapist, tz: string, from: Date, to: Date, minutes: number): SlotKey[] {
  const out: SlotKey[] = [];
  for (
    let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) - 86_400_000;
    day <= to.getTime() + 86_400_000;
    day += 86_400_000
  ) {
    const date = new Date(day);
    const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    for (const block of th.weeklyAvailability) {
      if (block.weekday !== date.getUTCDay()) continue;
      const [sh = 0, sm = 0] = block.start.split(':').map(Number);
      const [eh = 0, em = 0] = block.end.split(':').map(Number);
      for (let minute = sh * 60 + sm; minute + minutes <= eh * 60 + em; minute += minutes) {
        const start = wallTimeToInstant(local, minute, tz);
        if (start >= from && start < to)
          out.push({ therapistId: th.id, locationId: LOCATION, start, minutes });
      }
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

describe('sandbox EMR slot grid', () => {
  // Blocks across the small hours too, so the DST changes (02:00 local) fall inside a block.
  const therapist: SlotTherapist = {
    id: '00000000-0000-4000-8000-000000000002',
    npi: '1234567893',
    specialties: [],
    weeklyAvailability: [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
      { weekday, start: '00:30', end: '04:00', locationId: LOCATION },
      { weekday, start: '08:00', end: '17:00', locationId: LOCATION },
    ]),
  };

  for (const [tz, from, to] of [
    ['America/Chicago', '2025-03-01T00:00:00Z', '2025-03-15T00:00:00Z'], // spring forward 2025-03-09
    ['America/Chicago', '2025-10-25T00:00:00Z', '2025-11-08T00:00:00Z'], // fall back 2025-11-02
    ['Europe/London', '2025-03-25T00:00:00Z', '2025-04-02T00:00:00Z'], // 2025-03-30 01:00 UTC
    ['Australia/Lord_Howe', '2025-04-01T00:00:00Z', '2025-04-10T00:00:00Z'], // a 30-minute DST change
    ['Asia/Kolkata', '2025-06-01T00:00:00Z', '2025-06-05T00:00:00Z'],
  ] as const) {
    it(`offers the same slots as converting each slot on its own (${tz}, ${from.slice(0, 10)})`, () => {
      for (const minutes of [30, 45, 60]) {
        const zoneOf = (id: string) => (id === LOCATION ? tz : undefined);
        expect(availabilitySlots(therapist, zoneOf, new Date(from), new Date(to), minutes)).toEqual(
          slotByslot(therapist, tz, new Date(from), new Date(to), minutes),
        );
      }
    });
  }

  it('finds one slot in a 1 ms window (the booking check) and none outside the availability', () => {
    const zoneOf = () => 'America/Chicago';
    const start = new Date('2025-03-04T15:00:00Z'); // Tuesday 09:00 CST
    expect(availabilitySlots(therapist, zoneOf, start, new Date(start.getTime() + 1), 60)).toEqual([
      { therapistId: therapist.id, locationId: LOCATION, start, minutes: 60 },
    ]);
    const night = new Date('2025-03-04T12:00:00Z'); // 06:00 CST: between the blocks
    expect(availabilitySlots(therapist, zoneOf, night, new Date(night.getTime() + 1), 60)).toEqual([]);
  });
});
