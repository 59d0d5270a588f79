// Rooms as a scheduling resource (issue 18 part 3): a location's treatment rooms, each with a capacity (patients
// treated at once: a gym with 4 tables = 4, a private treatment room = 1). Capacity is modelled as bookable
// units: a room of capacity N has units 0 … N-1 and a visit holds one unit for its whole length; the database's
// exclusion constraint on (room, unit, time) makes one unit never hold two visits at once, so a room never holds
// more than N. Which appointment kinds need a private room is dated rule data below. A location with no active
// room is not room-constrained (practices that model no rooms book exactly as before). Pure: the activities
// read rooms and reservations and hand them in.
import { z } from 'zod';
import { findEffective, type Effective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';

/** What a visit needs of a room: a private one (closed, capacity 1), or any room with a free unit. */
export type RoomNeed = 'private' | 'any';

export interface RoomNeedRow extends Effective {
  appointmentKind: 'evaluation' | 'treatment';
  need: RoomNeed;
  why: string;
}

const NEED_SOURCE =
  'practice scheduling policy: the initial evaluation takes a full history and examines the exposed body region, ' +
  'so it is held out of earshot and sight of other patients (HIPAA Privacy Rule reasonable safeguards, ' +
  '45 CFR 164.530(c); incidental disclosures in open gyms are permitted for treatment, 45 CFR 164.502(a)(1)(iii))';
const NEED_VERIFY = 'VERIFY: room policy is the practice’s, confirm with the clinic director';

/** Which appointment kinds need which room, effective-dated with a source. */
export const ROOM_NEEDS: readonly RoomNeedRow[] = [
  {
    appointmentKind: 'evaluation',
    need: 'private',
    why: 'history and examination in private',
    effectiveFrom: '2020-01-01',
    effectiveTo: null,
    source: NEED_SOURCE,
    verify: NEED_VERIFY,
  },
  {
    appointmentKind: 'treatment',
    need: 'any',
    why: 'treatment may use a table in the gym',
    effectiveFrom: '2020-01-01',
    effectiveTo: null,
    source: NEED_SOURCE,
    verify: NEED_VERIFY,
  },
];

/** The room an appointment of `kind` needs on `date`. */
export function roomNeed(
  kind: RoomNeedRow['appointmentKind'],
  date: IsoDate,
  table: readonly RoomNeedRow[] = ROOM_NEEDS,
): RoomNeed {
  const row = findEffective(table, date, (r) => r.appointmentKind === kind);
  if (!row) throw new RangeError(`no room rule for ${kind} visits on ${date}`);
  return row.need;
}

/** An active room of a location. */
export interface RoomResource {
  roomId: string;
  locationId: string;
  capacity: number;
  private: boolean;
}

/** A unit of a room taken by a visit. */
export interface RoomBusy {
  roomId: string;
  unit: number;
  startMs: number;
  endMs: number;
}

/** A unit of a room (what one visit holds). */
export interface RoomUnit {
  roomId: string;
  unit: number;
}

/** Rooms that may host a visit needing `need` at `locationId`: shared rooms first for 'any' (private ones stay free for evaluations). */
export function suitableRooms(
  rooms: readonly RoomResource[],
  locationId: string,
  need: RoomNeed,
): RoomResource[] {
  const here = rooms.filter((r) => r.locationId === locationId && (need === 'any' || r.private));
  return need === 'any' ? [...here.filter((r) => !r.private), ...here.filter((r) => r.private)] : here;
}

/** True when `locationId` has rooms configured (and so is room-constrained). */
export function roomConstrained(rooms: readonly RoomResource[], locationId: string): boolean {
  return rooms.some((r) => r.locationId === locationId);
}

/** The free units of `room` over [startMs, endMs), in unit order. */
export function freeUnitsOf(
  room: RoomResource,
  busy: readonly RoomBusy[],
  startMs: number,
  endMs: number,
): number[] {
  const taken = new Set(
    busy.filter((b) => b.roomId === room.roomId && b.startMs < endMs && b.endMs > startMs).map((b) => b.unit),
  );
  const free: number[] = [];
  for (let unit = 0; unit < room.capacity; unit++) if (!taken.has(unit)) free.push(unit);
  return free;
}

/**
 * The room units free for a visit over [startMs, endMs) at `locationId`, best first (rooms in suitableRooms
 * order, units ascending). Empty when none is free.
 */
export function freeRoomUnits(
  rooms: readonly RoomResource[],
  busy: readonly RoomBusy[],
  need: { locationId: string; need: RoomNeed; startMs: number; endMs: number },
): RoomUnit[] {
  return suitableRooms(rooms, need.locationId, need.need).flatMap((room) =>
    freeUnitsOf(room, busy, need.startMs, need.endMs).map((unit) => ({ roomId: room.roomId, unit })),
  );
}

/** A room as an admin writes it (POST/PUT /v1/practice/rooms, `ptflow practice rooms add|set`). */
export const RoomInputSchema = z
  .strictObject({
    locationId: z.uuid(),
    name: z.string().trim().min(1).max(80),
    /** Patients treated in the room at once (its bookable units). */
    capacity: z.number().int().min(1).max(50),
    /** A closed room (capacity 1): what an evaluation needs. */
    private: z.boolean().default(false),
    /** An inactive room is not booked (and, with no active room left, the location is not room-constrained). */
    active: z.boolean().default(true),
  })
  .refine((r) => !r.private || r.capacity === 1, {
    message: 'a private room holds one patient: capacity must be 1',
    path: ['capacity'],
  });
