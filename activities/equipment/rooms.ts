// Rooms as a scheduling resource (issue 18), the room side of a booking, built like the device side
// (./index.ts equipmentBooking): find a unit of a suitable room free for the whole visit, hold it under an id
// derived from the appointment, release it when the EMR booking fails or the appointment is cancelled. The
// database's exclusion constraint on (room, unit, time) decides every race. A location without rooms is not
// room-constrained: `hold` answers 'unconstrained' there and the booking goes on as before rooms existed.
import { createRoomRepository } from '../../db/repositories/rooms.js';
import { derivedId } from '../../db/repositories/equipment-reservations.js';
import type { Database } from '../../db/connection.js';
import {
  freeRoomUnits,
  roomConstrained,
  type RoomBusy,
  type RoomNeed,
  type RoomResource,
} from '../../domain/scheduling/rooms.js';

/** A room unit held for a visit. */
export interface RoomHold {
  reservationId: string;
  roomId: string;
  unit: number;
}

/** Rooms and their holds over a window, read once: which slots of a search have a free room. */
export interface RoomAvailability {
  rooms: RoomResource[];
  busy: RoomBusy[];
  /** True when the location has no rooms (not room-constrained), else a free unit's room id or undefined. */
  freeRoom(locationId: string, need: RoomNeed, startMs: number, endMs: number): string | true | undefined;
}

export function roomBooking(db: Database) {
  const repo = createRoomRepository(db);
  return {
    repo,

    /** The practice's active rooms and their live holds over [from, to). */
    async availability(practiceId: string, from: Date, to: Date): Promise<RoomAvailability> {
      const rooms = await repo.resources(practiceId);
      const busy = await repo.busy(
        practiceId,
        rooms.map((r) => r.roomId),
        from,
        to,
      );
      return {
        rooms,
        busy,
        freeRoom(locationId, need, startMs, endMs) {
          if (!roomConstrained(rooms, locationId)) return true;
          return freeRoomUnits(rooms, busy, { locationId, need, startMs, endMs })[0]?.roomId;
        },
      };
    },

    /**
     * Holds a unit of a suitable room at `locationId` for [start, start + visitMinutes): free units first, in
     * order, each tried until one is held (a concurrent booking may take one between read and write).
     * 'unconstrained' when the location has no rooms; undefined when every suitable unit is taken. The id
     * derives from the appointment, slot, room and unit, so a retried activity finds its own hold ('already').
     */
    async hold(input: {
      practiceId: string;
      locationId: string;
      need: RoomNeed;
      appointmentId: string;
      slotId: string;
      start: string;
      visitMinutes: number;
    }): Promise<RoomHold | 'unconstrained' | undefined> {
      const rooms = await repo.resources(input.practiceId, [input.locationId]);
      if (!roomConstrained(rooms, input.locationId)) return 'unconstrained';
      const startMs = Date.parse(input.start);
      const endMs = startMs + input.visitMinutes * 60_000;
      // A retried activity finds the hold its first attempt wrote instead of taking a second unit.
      const own = await repo.liveHoldOf(input.practiceId, input.appointmentId, new Date(startMs));
      if (own) return { reservationId: own.id, roomId: own.roomId, unit: own.unit };
      const busy = await repo.busy(
        input.practiceId,
        rooms.map((r) => r.roomId),
        new Date(startMs),
        new Date(endMs),
      );
      for (const { roomId, unit } of freeRoomUnits(rooms, busy, { ...input, startMs, endMs })) {
        const reservationId = derivedId('room', input.appointmentId, input.slotId, roomId, String(unit));
        const outcome = await repo.reserve({
          id: reservationId,
          practiceId: input.practiceId,
          roomId,
          unit,
          appointmentId: input.appointmentId,
          startsAt: new Date(startMs),
          endsAt: new Date(endMs),
        });
        if (outcome !== 'conflict') return { reservationId, roomId, unit };
      }
      return undefined;
    },
  };
}
