// Times a device is taken (table `equipment_reservations`): by a visit or by maintenance. The table's exclusion
// constraint (migration 0018) is the arbiter: two live reservations of one device never overlap, so two
// bookings racing for the same device cannot both win, and a visit never lands in a maintenance window.
// Reservation ids are chosen by the caller (derived from the appointment or the maintenance rule and date), so
// writing one twice is a no-op.
import { createHash } from 'node:crypto';
import { and, eq, gt, inArray, isNull, lt, notInArray } from 'drizzle-orm';
import type { EquipmentBusy } from '../../domain/scheduling/equipment.js';
import type { Database } from '../connection.js';
import { equipmentReservations } from '../schema.js';

export interface ReservationWrite {
  id: string;
  practiceId: string;
  equipmentId: string;
  purpose: 'visit' | 'maintenance';
  appointmentId?: string;
  startsAt: Date;
  endsAt: Date;
}

/** reserved: written now; already: this id was written before (a retry); conflict: the device is taken. */
export type ReserveOutcome = 'reserved' | 'already' | 'conflict';

/** A stable UUID from parts (sha-256, version nibble 5-style): the same parts always give the same id. */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const EXCLUSION_VIOLATION = '23P01';

function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** True when `err` is PostgreSQL refusing a row by an exclusion constraint (a resource hold overlapping another). */
export function isExclusionViolation(err: unknown): boolean {
  return pgCode(err) === EXCLUSION_VIOLATION;
}

export function createReservationRepository(db: Database) {
  return {
    async reserve(r: ReservationWrite): Promise<ReserveOutcome> {
      try {
        const rows = await db
          .insert(equipmentReservations)
          .values({ ...r, appointmentId: r.appointmentId ?? null })
          .onConflictDoNothing({ target: equipmentReservations.id })
          .returning({ id: equipmentReservations.id });
        if (rows.length > 0) return 'reserved';
        const [existing] = await db
          .select({ releasedAt: equipmentReservations.releasedAt })
          .from(equipmentReservations)
          .where(eq(equipmentReservations.id, r.id));
        return existing && existing.releasedAt === null ? 'already' : 'conflict';
      } catch (err) {
        if (isExclusionViolation(err)) return 'conflict';
        throw err;
      }
    },

    /** Frees a reservation (idempotent). */
    async release(practiceId: string, id: string): Promise<void> {
      await db
        .update(equipmentReservations)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(equipmentReservations.practiceId, practiceId),
            eq(equipmentReservations.id, id),
            isNull(equipmentReservations.releasedAt),
          ),
        );
    },

    /** Frees the device holds of one of our appointments (it was cancelled); idempotent. */
    async releaseForAppointment(practiceId: string, appointmentId: string): Promise<number> {
      const rows = await db
        .update(equipmentReservations)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(equipmentReservations.practiceId, practiceId),
            eq(equipmentReservations.appointmentId, appointmentId),
            isNull(equipmentReservations.releasedAt),
          ),
        )
        .returning({ id: equipmentReservations.id });
      return rows.length;
    },

    /** Live reservations of these devices overlapping [from, to). */
    async busy(practiceId: string, equipmentIds: string[], from: Date, to: Date): Promise<EquipmentBusy[]> {
      if (equipmentIds.length === 0) return [];
      const rows = await db
        .select()
        .from(equipmentReservations)
        .where(
          and(
            eq(equipmentReservations.practiceId, practiceId),
            inArray(equipmentReservations.equipmentId, equipmentIds),
            isNull(equipmentReservations.releasedAt),
            lt(equipmentReservations.startsAt, to),
            gt(equipmentReservations.endsAt, from),
          ),
        );
      return rows.map((r) => ({
        equipmentId: r.equipmentId,
        startMs: r.startsAt.getTime(),
        endMs: r.endsAt.getTime(),
        purpose: r.purpose,
      }));
    },

    /**
     * Releases the device's future maintenance reservations (starting after `after`) that are not in `keep`:
     * windows of rules that were changed or removed.
     */
    async releaseStaleMaintenance(equipmentId: string, after: Date, keep: string[]): Promise<number> {
      const rows = await db
        .update(equipmentReservations)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(equipmentReservations.equipmentId, equipmentId),
            eq(equipmentReservations.purpose, 'maintenance'),
            isNull(equipmentReservations.releasedAt),
            gt(equipmentReservations.startsAt, after),
            ...(keep.length > 0 ? [notInArray(equipmentReservations.id, keep)] : []),
          ),
        )
        .returning({ id: equipmentReservations.id });
      return rows.length;
    },
  };
}
