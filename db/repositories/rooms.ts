// A practice's rooms (table `rooms`) and their holds (table `room_reservations`): rooms per location that visits
// book as a resource (issue 18). A room of capacity N has N units; a hold takes one unit for the visit's length.
// The exclusion constraint on (room, unit, time) (migration 0021) is the arbiter, exactly as for equipment: a
// hold overlapping another on the same unit is refused, so concurrent bookings never put more visits in a room
// than its capacity. Reservation ids are chosen by the caller, so writing one twice is a no-op. Not PHI; every
// read and write is scoped to the practice.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, gte, inArray, isNull, lt } from 'drizzle-orm';
import type { RoomBusy, RoomResource } from '../../domain/scheduling/rooms.js';
import type { Database } from '../connection.js';
import { databaseErrorCode } from '../errors.js';
import { locations, roomReservations, rooms } from '../schema.js';
import { isExclusionViolation, type ReserveOutcome } from './equipment-reservations.js';

export interface RoomView {
  id: string;
  locationId: string;
  name: string;
  capacity: number;
  private: boolean;
  active: boolean;
}

export interface RoomWrite {
  locationId: string;
  name: string;
  capacity: number;
  private: boolean;
  active?: boolean;
}

export interface RoomHoldWrite {
  id: string;
  practiceId: string;
  roomId: string;
  unit: number;
  appointmentId: string;
  startsAt: Date;
  endsAt: Date;
}

const view = (r: typeof rooms.$inferSelect): RoomView => ({
  id: r.id,
  locationId: r.locationId,
  name: r.name,
  capacity: r.capacity,
  private: r.private,
  active: r.active,
});

export function createRoomRepository(db: Database) {
  const reserveOnce = async (r: RoomHoldWrite): Promise<ReserveOutcome> => {
    try {
      const rows = await db
        .insert(roomReservations)
        .values(r)
        .onConflictDoNothing({ target: roomReservations.id })
        .returning({ id: roomReservations.id });
      if (rows.length > 0) return 'reserved';
      const [existing] = await db
        .select({ releasedAt: roomReservations.releasedAt })
        .from(roomReservations)
        .where(eq(roomReservations.id, r.id));
      return existing && existing.releasedAt === null ? 'already' : 'conflict';
    } catch (err) {
      if (isExclusionViolation(err)) return 'conflict';
      throw err;
    }
  };
  const locationOf = async (practiceId: string, locationId: string) => {
    const [location] = await db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.practiceId, practiceId), eq(locations.id, locationId)));
    return location;
  };
  return {
    async list(practiceId: string): Promise<RoomView[]> {
      const rows = await db
        .select()
        .from(rooms)
        .where(eq(rooms.practiceId, practiceId))
        .orderBy(asc(rooms.createdAt), asc(rooms.id));
      return rows.map(view);
    },

    async get(practiceId: string, id: string): Promise<RoomView | undefined> {
      const [row] = await db
        .select()
        .from(rooms)
        .where(and(eq(rooms.practiceId, practiceId), eq(rooms.id, id)));
      return row ? view(row) : undefined;
    },

    /** Adds a room; undefined when the location is not one of this practice's. */
    async create(practiceId: string, r: RoomWrite, id: string = randomUUID()): Promise<RoomView | undefined> {
      if (!(await locationOf(practiceId, r.locationId))) return undefined;
      const [row] = await db
        .insert(rooms)
        .values({ id, practiceId, ...r })
        .returning();
      return view(row!);
    },

    /** Replaces a room's fields; undefined when the room or the location is not this practice's. */
    async update(practiceId: string, id: string, r: RoomWrite): Promise<RoomView | undefined> {
      if (!(await locationOf(practiceId, r.locationId))) return undefined;
      const [row] = await db
        .update(rooms)
        .set(r)
        .where(and(eq(rooms.practiceId, practiceId), eq(rooms.id, id)))
        .returning();
      return row ? view(row) : undefined;
    },

    /** Deletes a room that never held a visit; 'in_use' when it did (deactivate it instead). */
    async deleteIfUnused(practiceId: string, id: string): Promise<'deleted' | 'in_use' | 'not_found'> {
      return db.transaction(async (tx) => {
        const [room] = await tx
          .select({ id: rooms.id })
          .from(rooms)
          .where(and(eq(rooms.practiceId, practiceId), eq(rooms.id, id)))
          .for('update');
        if (!room) return 'not_found';
        const [used] = await tx
          .select({ id: roomReservations.id })
          .from(roomReservations)
          .where(eq(roomReservations.roomId, id))
          .limit(1);
        if (used) return 'in_use';
        await tx.delete(rooms).where(eq(rooms.id, id));
        return 'deleted';
      });
    },

    /** Live holds from `from` on that use a unit at or above `capacity` (they would exceed a smaller room). */
    async holdsAboveCapacity(
      practiceId: string,
      roomId: string,
      capacity: number,
      from: Date,
    ): Promise<number> {
      const rows = await db
        .select({ id: roomReservations.id })
        .from(roomReservations)
        .where(
          and(
            eq(roomReservations.practiceId, practiceId),
            eq(roomReservations.roomId, roomId),
            isNull(roomReservations.releasedAt),
            gte(roomReservations.unit, capacity),
            gt(roomReservations.endsAt, from),
          ),
        );
      return rows.length;
    },

    /** The active rooms (at `locationIds` when given), in a stable order: what a booking may use. */
    async resources(practiceId: string, locationIds?: string[]): Promise<RoomResource[]> {
      const rows = await db
        .select()
        .from(rooms)
        .where(
          and(
            eq(rooms.practiceId, practiceId),
            eq(rooms.active, true),
            ...(locationIds ? [inArray(rooms.locationId, locationIds)] : []),
          ),
        )
        .orderBy(asc(rooms.createdAt), asc(rooms.id));
      return rows.map((r) => ({
        roomId: r.id,
        locationId: r.locationId,
        capacity: r.capacity,
        private: r.private,
      }));
    },

    async reserve(r: RoomHoldWrite): Promise<ReserveOutcome> {
      // Racing inserts into the exclusion-constrained table can deadlock each other (PostgreSQL aborts one with
      // 40P01); the aborted one wrote nothing, so it is simply tried again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await reserveOnce(r);
        } catch (err) {
          if (databaseErrorCode(err) !== '40P01' || attempt >= 5) throw err;
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
        }
      }
    },

    /** The live hold of one of our appointments starting at `startsAt`, if any (a retried booking's own). */
    async liveHoldOf(
      practiceId: string,
      appointmentId: string,
      startsAt: Date,
    ): Promise<{ id: string; roomId: string; unit: number } | undefined> {
      const [row] = await db
        .select({ id: roomReservations.id, roomId: roomReservations.roomId, unit: roomReservations.unit })
        .from(roomReservations)
        .where(
          and(
            eq(roomReservations.practiceId, practiceId),
            eq(roomReservations.appointmentId, appointmentId),
            eq(roomReservations.startsAt, startsAt),
            isNull(roomReservations.releasedAt),
          ),
        );
      return row;
    },

    /** Frees a hold (idempotent). */
    async release(practiceId: string, id: string): Promise<void> {
      await db
        .update(roomReservations)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(roomReservations.practiceId, practiceId),
            eq(roomReservations.id, id),
            isNull(roomReservations.releasedAt),
          ),
        );
    },

    /** Frees the room holds of one of our appointments (it was cancelled); idempotent. */
    async releaseForAppointment(practiceId: string, appointmentId: string): Promise<number> {
      const rows = await db
        .update(roomReservations)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(roomReservations.practiceId, practiceId),
            eq(roomReservations.appointmentId, appointmentId),
            isNull(roomReservations.releasedAt),
          ),
        )
        .returning({ id: roomReservations.id });
      return rows.length;
    },

    /** Live holds of these rooms overlapping [from, to). */
    async busy(practiceId: string, roomIds: string[], from: Date, to: Date): Promise<RoomBusy[]> {
      if (roomIds.length === 0) return [];
      const rows = await db
        .select()
        .from(roomReservations)
        .where(
          and(
            eq(roomReservations.practiceId, practiceId),
            inArray(roomReservations.roomId, roomIds),
            isNull(roomReservations.releasedAt),
            lt(roomReservations.startsAt, to),
            gt(roomReservations.endsAt, from),
          ),
        );
      return rows.map((r) => ({
        roomId: r.roomId,
        unit: r.unit,
        startMs: r.startsAt.getTime(),
        endMs: r.endsAt.getTime(),
      }));
    },
  };
}
