// Scheduling in the sandbox EMR: free slots from the therapists' availability minus their bookings, booking
// serialised per therapist (a partial unique index backs it up), and the appointment status changes the front
// desk makes, each emitting its webhook in the same transaction.
import { randomUUID } from 'node:crypto';
import { and, eq, gte, inArray, lt, sql as dsql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { EmrNotFound, SlotUnavailable } from '../errors.js';
import type { BookingRequest, CancelReason, EmrAppointment, FreeSlot, SlotQuery } from '../types.js';
import * as t from './schema.js';
import { availabilitySlots, decodeSlotId, encodeSlotId, overlaps } from './slots.js';
import { enqueueEvent } from './webhooks.js';

export type SandboxDb = PostgresJsDatabase<typeof t>;
const ACTIVE = ['booked', 'arrived', 'fulfilled'] as const;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type ApptRow = typeof t.appointments.$inferSelect;

function toAppointment(r: ApptRow): EmrAppointment {
  return {
    emrAppointmentId: r.id,
    ...(r.ourAppointmentId ? { appointmentId: r.ourAppointmentId } : {}),
    slotId: encodeSlotId({
      therapistId: r.therapistId,
      locationId: r.locationId,
      start: r.startAt,
      minutes: Math.round((r.endAt.getTime() - r.startAt.getTime()) / 60_000),
    }),
    emrPatientId: r.patientId,
    therapistId: r.therapistId,
    locationId: r.locationId,
    kind: r.kind,
    status: r.status,
    start: r.startAt.toISOString(),
    end: r.endAt.toISOString(),
    ...(r.cancelReason ? { cancelReason: r.cancelReason as CancelReason } : {}),
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === '23505' || e.cause?.code === '23505';
}

export interface SandboxAppointmentsOptions {
  practiceId: string;
  now: () => Date;
  slotMinutes: number;
  /** Throws EmrNotFound when the EMR has no such patient. */
  requirePatient: (emrPatientId: string) => Promise<void>;
}

export class SandboxAppointments {
  constructor(
    private readonly db: SandboxDb,
    private readonly opts: SandboxAppointmentsOptions,
  ) {}

  async searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    const minutes = Math.max(this.opts.slotMinutes, q.minMinutes ?? 0);
    const [therapists, locations] = await Promise.all([
      this.db.select().from(t.therapists).where(eq(t.therapists.practiceId, this.opts.practiceId)),
      this.db.select().from(t.locations).where(eq(t.locations.practiceId, this.opts.practiceId)),
    ]);
    const zone = new Map(locations.map((l) => [l.id, l.timezone]));
    const chosen = therapists
      .filter((th) => !q.therapistId || th.id === q.therapistId)
      .filter((th) => !q.specialty || th.specialties.includes(q.specialty));
    if (chosen.length === 0) return [];
    const busy = await this.db
      .select({
        therapistId: t.appointments.therapistId,
        start: t.appointments.startAt,
        end: t.appointments.endAt,
      })
      .from(t.appointments)
      .where(
        and(
          inArray(
            t.appointments.therapistId,
            chosen.map((th) => th.id),
          ),
          inArray(t.appointments.status, [...ACTIVE]),
          lt(t.appointments.startAt, to),
          gte(t.appointments.endAt, from),
        ),
      );
    // Each slot is checked against its own therapist's bookings only (not every booking of the window).
    const busyOf = new Map<string, typeof busy>();
    for (const b of busy) {
      const list = busyOf.get(b.therapistId);
      if (list) list.push(b);
      else busyOf.set(b.therapistId, [b]);
    }
    const slots: FreeSlot[] = [];
    for (const th of chosen) {
      const theirs = busyOf.get(th.id) ?? [];
      for (const s of availabilitySlots(th, (id) => zone.get(id), from, to, minutes)) {
        if (q.locationId && s.locationId !== q.locationId) continue;
        if (overlaps(s, theirs)) continue;
        slots.push({
          slotId: encodeSlotId(s),
          therapistId: th.id,
          therapistNpi: th.npi,
          locationId: s.locationId,
          specialties: th.specialties,
          start: s.start.toISOString(),
          end: new Date(s.start.getTime() + s.minutes * 60_000).toISOString(),
        });
      }
    }
    return slots.sort((a, b) => a.start.localeCompare(b.start)).slice(0, q.limit ?? 100);
  }

  bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    return this.book(req, req.appointmentId);
  }

  /**
   * EMR-side action: the front desk books a slot in the EMR itself (no ptflow appointment id, so the
   * `appointment.booked` webhook carries `appointmentId: null`, like a booking made at the EMR's own screen).
   */
  bookAtFrontDesk(req: Omit<BookingRequest, 'appointmentId'>): Promise<EmrAppointment> {
    return this.book(req, null);
  }

  private async book(
    req: Omit<BookingRequest, 'appointmentId'>,
    ourAppointmentId: string | null,
  ): Promise<EmrAppointment> {
    const slot = decodeSlotId(req.slotId);
    if (!slot) throw new SlotUnavailable();
    await this.opts.requirePatient(req.emrPatientId);
    try {
      return await this.db.transaction(async (tx) => {
        if (ourAppointmentId !== null) {
          const [mine] = await tx
            .select()
            .from(t.appointments)
            .where(eq(t.appointments.ourAppointmentId, ourAppointmentId));
          if (mine) return toAppointment(mine);
        }
        // Serialise bookings per therapist; the partial unique index backs this up.
        const [th] = await tx
          .select()
          .from(t.therapists)
          .where(eq(t.therapists.id, slot.therapistId))
          .for('update');
        const [loc] = await tx.select().from(t.locations).where(eq(t.locations.id, slot.locationId));
        if (!th || !loc) throw new SlotUnavailable();
        const end = new Date(slot.start.getTime() + slot.minutes * 60_000);
        const offered = availabilitySlots(
          th,
          (id) => (id === loc.id ? loc.timezone : undefined),
          slot.start,
          new Date(slot.start.getTime() + 1),
          slot.minutes,
        );
        if (
          !offered.some((s) => s.locationId === slot.locationId && s.start.getTime() === slot.start.getTime())
        ) {
          throw new SlotUnavailable();
        }
        const clash = await tx
          .select({ id: t.appointments.id })
          .from(t.appointments)
          .where(
            and(
              eq(t.appointments.therapistId, slot.therapistId),
              inArray(t.appointments.status, [...ACTIVE]),
              lt(t.appointments.startAt, end),
              dsql`${t.appointments.endAt} > ${slot.start.toISOString()}`,
            ),
          );
        if (clash.length > 0) throw new SlotUnavailable();
        const [row] = await tx
          .insert(t.appointments)
          .values({
            id: randomUUID(),
            practiceId: this.opts.practiceId,
            ourAppointmentId,
            patientId: req.emrPatientId,
            therapistId: slot.therapistId,
            locationId: slot.locationId,
            kind: req.kind,
            status: 'booked',
            startAt: slot.start,
            endAt: end,
          })
          .returning();
        if (!row) throw new Error('insert returned nothing');
        await this.emitAppointment(tx, 'appointment.booked', row);
        return toAppointment(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const [mine] =
          ourAppointmentId === null
            ? []
            : await this.db
                .select()
                .from(t.appointments)
                .where(eq(t.appointments.ourAppointmentId, ourAppointmentId));
        if (mine) return toAppointment(mine);
        throw new SlotUnavailable();
      }
      throw err;
    }
  }

  private async emitAppointment(
    tx: Pick<SandboxDb, 'insert'>,
    type: 'appointment.booked' | 'appointment.checked_in' | 'appointment.no_show' | 'appointment.cancelled',
    r: ApptRow,
  ): Promise<void> {
    const data = {
      practiceId: r.practiceId,
      emrAppointmentId: r.id,
      appointmentId: r.ourAppointmentId,
      emrPatientId: r.patientId,
      therapistId: r.therapistId,
      locationId: r.locationId,
      kind: r.kind,
      start: r.startAt.toISOString(),
      end: r.endAt.toISOString(),
    };
    if (type === 'appointment.cancelled') {
      await enqueueEvent(
        tx,
        type,
        { ...data, reason: (r.cancelReason ?? 'other') as CancelReason },
        this.opts.now(),
      );
    } else {
      await enqueueEvent(tx, type, data, this.opts.now());
    }
  }

  async getAppointment(emrAppointmentId: string): Promise<EmrAppointment> {
    if (!UUID.test(emrAppointmentId)) throw new EmrNotFound('Appointment');
    const [row] = await this.db.select().from(t.appointments).where(eq(t.appointments.id, emrAppointmentId));
    if (!row) throw new EmrNotFound('Appointment');
    return toAppointment(row);
  }

  /** Move an appointment to a new status (idempotent) and emit the matching webhook once. */
  private async transition(
    emrAppointmentId: string,
    status: 'arrived' | 'noshow' | 'cancelled',
    allowedFrom: readonly ApptRow['status'][],
    cancelReason?: CancelReason,
  ): Promise<EmrAppointment> {
    await this.getAppointment(emrAppointmentId);
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(t.appointments)
        .where(eq(t.appointments.id, emrAppointmentId))
        .for('update');
      if (!row) throw new EmrNotFound('Appointment');
      if (row.status === status) return toAppointment(row);
      if (!allowedFrom.includes(row.status)) throw new SlotUnavailable();
      const [next] = await tx
        .update(t.appointments)
        .set({ status, ...(cancelReason ? { cancelReason } : {}) })
        .where(eq(t.appointments.id, emrAppointmentId))
        .returning();
      if (!next) throw new EmrNotFound('Appointment');
      const type =
        status === 'arrived'
          ? 'appointment.checked_in'
          : status === 'noshow'
            ? 'appointment.no_show'
            : 'appointment.cancelled';
      await this.emitAppointment(tx, type, next);
      return toAppointment(next);
    });
  }

  cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment> {
    return this.transition(emrAppointmentId, 'cancelled', ['booked'], reason);
  }

  /** EMR-side action: the patient arrives at the front desk. */
  checkIn(emrAppointmentId: string): Promise<EmrAppointment> {
    return this.transition(emrAppointmentId, 'arrived', ['booked']);
  }

  /** EMR-side action: the patient did not come. */
  markNoShow(emrAppointmentId: string): Promise<EmrAppointment> {
    return this.transition(emrAppointmentId, 'noshow', ['booked']);
  }

  /** For demos: appointments of a day, to pick one to check in. */
  async appointmentsBetween(from: Date, to: Date): Promise<EmrAppointment[]> {
    const rows = await this.db
      .select()
      .from(t.appointments)
      .where(
        and(
          eq(t.appointments.practiceId, this.opts.practiceId),
          gte(t.appointments.startAt, from),
          lt(t.appointments.startAt, to),
        ),
      );
    return rows.map(toAppointment);
  }
}
