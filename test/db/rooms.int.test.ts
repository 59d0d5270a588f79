// Rooms as a scheduling resource (issue 18) on real PostgreSQL: capacity is modelled as bookable units and the
// exclusion constraint on (room, unit, time) is the arbiter. Many bookings racing on separate connections for
// the same and overlapping times never put more visits in a room than its capacity, a private room never holds
// two, a retried hold finds its own unit, and released holds free their place.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomBooking, type RoomHold } from '../../activities/equipment/rooms.js';
import { connectDb, type DbHandle } from '../../db/connection.js';
import { createRoomRepository } from '../../db/repositories/rooms.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const NORTHSIDE = '00000000-0000-4000-8000-000000000102';
const BASE = Date.parse('2031-03-04T15:00:00Z');

let db: TestDatabase;
const handles: DbHandle[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  // One connection per racer: the holds really run at the same time in different sessions.
  for (let i = 0; i < 8; i++) handles.push(connectDb(db.url, { max: 1 }));
}, 60_000);

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await db?.drop();
});

interface Live {
  room_id: string;
  unit: number;
  starts_at: Date;
  ends_at: Date;
}

async function live(roomId: string): Promise<Live[]> {
  return db.sql<Live[]>`
    select room_id, unit, starts_at, ends_at from room_reservations
    where room_id = ${roomId} and released_at is null order by starts_at`;
}

/** The most holds of `roomId` live at one instant (a sweep over starts and ends). */
function peak(holds: Live[]): number {
  const events = holds.flatMap((h) => [
    [new Date(h.starts_at).getTime(), 1] as const,
    [new Date(h.ends_at).getTime(), -1] as const,
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

describe('room capacity under concurrency', () => {
  it('a gym of capacity 3 never holds more than 3 visits at once, however many bookings race', async () => {
    const gym = await createRoomRepository(db.db).create(DEMO_PRACTICE_ID, {
      locationId: DOWNTOWN,
      name: 'Gym',
      capacity: 3,
      private: false,
    });
    // 24 bookings in 3 waves of 8 racers: the same 45-minute visit and ones shifted by 15 and 30 minutes.
    const results: (RoomHold | 'unconstrained' | undefined)[] = [];
    for (const shift of [0, 15, 30]) {
      const wave = await Promise.all(
        handles.map((h, i) =>
          roomBooking(h.db).hold({
            practiceId: DEMO_PRACTICE_ID,
            locationId: DOWNTOWN,
            need: 'any',
            appointmentId: randomUUID(),
            slotId: `slot-${shift}-${i}`,
            start: new Date(BASE + shift * 60_000).toISOString(),
            visitMinutes: 45,
          }),
        ),
      );
      results.push(...wave);
    }
    const held = results.filter((r): r is RoomHold => typeof r === 'object');
    // The first wave fills the gym; the shifted waves overlap it completely, so nothing more fits.
    expect(held).toHaveLength(3);
    expect(results.filter((r) => r === undefined)).toHaveLength(21);
    expect(new Set(held.map((h) => h.unit))).toEqual(new Set([0, 1, 2]));
    const holds = await live(gym!.id);
    expect(holds).toHaveLength(3);
    expect(peak(holds)).toBe(3);

    // A visit after the first wave ends fits again.
    const later = await roomBooking(db.db).hold({
      practiceId: DEMO_PRACTICE_ID,
      locationId: DOWNTOWN,
      need: 'any',
      appointmentId: randomUUID(),
      slotId: 'later',
      start: new Date(BASE + 45 * 60_000).toISOString(),
      visitMinutes: 45,
    });
    expect(later).toMatchObject({ roomId: gym!.id });
  }, 60_000);

  it('a private room holds one visit at a time; a retry finds its own hold; a release frees the place', async () => {
    const rooms = createRoomRepository(db.db);
    const room = await rooms.create(DEMO_PRACTICE_ID, {
      locationId: NORTHSIDE,
      name: 'Treatment room 1',
      capacity: 1,
      private: true,
    });
    const start = new Date(BASE + 86_400_000).toISOString();
    const appointmentIds = handles.map(() => randomUUID());
    const race = await Promise.all(
      handles.map((h, i) =>
        roomBooking(h.db).hold({
          practiceId: DEMO_PRACTICE_ID,
          locationId: NORTHSIDE,
          need: 'private',
          appointmentId: appointmentIds[i]!,
          slotId: `eval-${i}`,
          start,
          visitMinutes: 60,
        }),
      ),
    );
    const winners = race.flatMap((r, i) => (typeof r === 'object' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await live(room!.id)).toHaveLength(1);
    const winner = winners[0]!;
    const first = race[winner] as RoomHold;

    // The winning activity retried: the same hold, not a second place.
    const retry = await roomBooking(db.db).hold({
      practiceId: DEMO_PRACTICE_ID,
      locationId: NORTHSIDE,
      need: 'private',
      appointmentId: appointmentIds[winner]!,
      slotId: `eval-${winner}`,
      start,
      visitMinutes: 60,
    });
    expect(retry).toEqual(first);

    // The database refuses a second live hold of the unit, whoever writes it.
    const direct = await rooms.reserve({
      id: randomUUID(),
      practiceId: DEMO_PRACTICE_ID,
      roomId: room!.id,
      unit: 0,
      appointmentId: randomUUID(),
      startsAt: new Date(Date.parse(start) + 30 * 60_000),
      endsAt: new Date(Date.parse(start) + 90 * 60_000),
    });
    expect(direct).toBe('conflict');
    // Nor a hold of a unit the room does not have (a private room has unit 0 only).
    await expect(
      rooms.reserve({
        id: randomUUID(),
        practiceId: DEMO_PRACTICE_ID,
        roomId: room!.id,
        unit: 1,
        appointmentId: randomUUID(),
        startsAt: new Date(Date.parse(start) + 30 * 60_000),
        endsAt: new Date(Date.parse(start) + 90 * 60_000),
      }),
    ).rejects.toThrow();

    // Cancelled: the place is free for the next evaluation.
    expect(await rooms.releaseForAppointment(DEMO_PRACTICE_ID, appointmentIds[winner]!)).toBe(1);
    const next = await roomBooking(db.db).hold({
      practiceId: DEMO_PRACTICE_ID,
      locationId: NORTHSIDE,
      need: 'private',
      appointmentId: randomUUID(),
      slotId: 'next',
      start,
      visitMinutes: 60,
    });
    expect(next).toMatchObject({ roomId: room!.id, unit: 0 });
  }, 60_000);

  it('a location without rooms is not room-constrained; a shared room cannot be private', async () => {
    const other = await createTestDatabase();
    try {
      await seedDemoPractice(other.db);
      const outcome = await roomBooking(other.db).hold({
        practiceId: DEMO_PRACTICE_ID,
        locationId: DOWNTOWN,
        need: 'private',
        appointmentId: randomUUID(),
        slotId: 's',
        start: new Date(BASE).toISOString(),
        visitMinutes: 60,
      });
      expect(outcome).toBe('unconstrained');
      await expect(
        createRoomRepository(other.db).create(DEMO_PRACTICE_ID, {
          locationId: DOWNTOWN,
          name: 'Private gym',
          capacity: 4,
          private: true,
        }),
      ).rejects.toThrow();
    } finally {
      await other.drop();
    }
  }, 60_000);
});
