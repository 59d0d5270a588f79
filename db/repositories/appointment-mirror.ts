// The appointments mirror's writes from EMR events (issue 18 point 4): insert the EMR's appointment once (unique on
// practice + EMR id) and move its status only along domain/visits/appointment-mirror.ts's transition table, in one
// conditional UPDATE, so concurrent and out-of-order deliveries can only move a row forward.
import { and, eq, inArray } from 'drizzle-orm';
import { statusesMovingTo, type AppointmentStatus } from '../../domain/visits/appointment-mirror.js';
import type { Database } from '../connection.js';
import { appointments, locations, therapists } from '../schema.js';

export interface MirroredAppointment {
  /** Our id: ptflow's booking id when ptflow booked it, otherwise one derived from the EMR's id. */
  id: string;
  practiceId: string;
  patientId: string;
  emrAppointmentId: string;
  therapistId: string;
  locationId: string;
  kind: 'evaluation' | 'treatment' | 'reevaluation' | 'discharge';
  startsAt: Date;
  minutes: number;
}

export type MirrorOutcome =
  /** A row was created with the event's status. */
  | 'inserted'
  /** The row moved to the event's status. */
  | 'moved'
  /** The row already had this status or a later one (a redelivery, or an event arriving late). */
  | 'unchanged'
  /** No row and the event cannot create one (a signed note names only the appointment). */
  | 'absent'
  /** The appointment's therapist or location is not one of the practice's in our records. */
  | 'unknown_resource';

/** The mirror of one practice's EMR appointments. */
export function createAppointmentMirrorRepository(db: Database) {
  const move = async (practiceId: string, emrAppointmentId: string, to: AppointmentStatus) => {
    const from = statusesMovingTo(to);
    if (from.length === 0) return false;
    const moved = await db
      .update(appointments)
      .set({ status: to })
      .where(
        and(
          eq(appointments.practiceId, practiceId),
          eq(appointments.externalId, emrAppointmentId),
          inArray(appointments.status, from),
        ),
      )
      .returning({ id: appointments.id });
    return moved.length > 0;
  };

  return {
    /**
     * Records an EMR appointment event: creates the row (with the event's status) when the mirror does not have
     * the appointment yet, otherwise moves it to `status` when the transition table allows it.
     */
    async apply(a: MirroredAppointment, status: AppointmentStatus): Promise<MirrorOutcome> {
      const [therapist] = await db
        .select({ id: therapists.id })
        .from(therapists)
        .where(and(eq(therapists.id, a.therapistId), eq(therapists.practiceId, a.practiceId)));
      const [location] = await db
        .select({ id: locations.id })
        .from(locations)
        .where(and(eq(locations.id, a.locationId), eq(locations.practiceId, a.practiceId)));
      if (!therapist || !location) return 'unknown_resource';
      // No conflict target: either unique key (our id, or practice + EMR id) means the row is already there.
      const inserted = await db
        .insert(appointments)
        .values({
          id: a.id,
          practiceId: a.practiceId,
          patientId: a.patientId,
          therapistId: a.therapistId,
          locationId: a.locationId,
          externalId: a.emrAppointmentId,
          kind: a.kind,
          startsAt: a.startsAt,
          minutes: a.minutes,
          status,
        })
        .onConflictDoNothing()
        .returning({ id: appointments.id });
      if (inserted.length > 0) return 'inserted';
      return (await move(a.practiceId, a.emrAppointmentId, status)) ? 'moved' : 'unchanged';
    },

    /** Moves an appointment the mirror already has (a signed note names only the EMR appointment). */
    async moveExisting(
      practiceId: string,
      emrAppointmentId: string,
      status: AppointmentStatus,
    ): Promise<MirrorOutcome> {
      if (await move(practiceId, emrAppointmentId, status)) return 'moved';
      const [row] = await db
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.practiceId, practiceId), eq(appointments.externalId, emrAppointmentId)));
      return row ? 'unchanged' : 'absent';
    },

    /** The mirrored status of an EMR appointment, if the mirror has it. */
    async statusOf(practiceId: string, emrAppointmentId: string): Promise<AppointmentStatus | undefined> {
      const [row] = await db
        .select({ status: appointments.status })
        .from(appointments)
        .where(and(eq(appointments.practiceId, practiceId), eq(appointments.externalId, emrAppointmentId)));
      return row?.status;
    },
  };
}
