// What the sandbox EMR does when the front desk waitlists a patient in the EMR (issue 18 §2): it stores a FHIR
// Appointment with status `waitlist` (a generic record of kind `waitlist-appointment`: no slot, no time yet) and
// queues `appointment.waitlisted` in the same transaction, as a real EMR's webhook would announce it.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { EmrNotFound } from '../errors.js';
import { UUID, type SandboxDb } from './appointments.js';
import * as t from './schema.js';
import { enqueueEvent } from './webhooks.js';

const KIND = 'waitlist-appointment';

/** The front desk's request in the EMR: who waits, where, for whom, how long a visit, how urgent. */
export interface WaitlistRequest {
  emrPatientId: string;
  /** A sandbox location of the practice. */
  locationId: string;
  /** Only this sandbox therapist; absent: any therapist of the location. */
  therapistId?: string;
  minutes: number;
  acuity?: 1 | 2 | 3;
}

export class SandboxWaitlist {
  constructor(
    private readonly db: SandboxDb,
    private readonly practiceId: string,
    private readonly now: () => Date,
  ) {}

  /** EMR-side action: waitlist a patient (queues appointment.waitlisted). Returns the EMR appointment id. */
  async waitlistPatient(input: WaitlistRequest): Promise<{ emrAppointmentId: string }> {
    if (!UUID.test(input.emrPatientId)) throw new EmrNotFound('Patient');
    if (!UUID.test(input.locationId)) throw new EmrNotFound('Location');
    if (input.therapistId !== undefined && !UUID.test(input.therapistId)) throw new EmrNotFound('Therapist');
    return this.db.transaction(async (tx) => {
      const [patient] = await tx
        .select()
        .from(t.patients)
        .where(and(eq(t.patients.id, input.emrPatientId), eq(t.patients.practiceId, this.practiceId)));
      if (!patient) throw new EmrNotFound('Patient');
      const [location] = await tx
        .select()
        .from(t.locations)
        .where(and(eq(t.locations.id, input.locationId), eq(t.locations.practiceId, this.practiceId)));
      if (!location) throw new EmrNotFound('Location');
      if (input.therapistId) {
        const [th] = await tx.select().from(t.therapists).where(eq(t.therapists.id, input.therapistId));
        if (!th) throw new EmrNotFound('Therapist');
      }
      const emrAppointmentId = randomUUID();
      const requestedAt = this.now();
      await tx.insert(t.records).values({
        id: emrAppointmentId,
        kind: KIND,
        ourId: emrAppointmentId,
        patientId: patient.id,
        body: {
          resourceType: 'Appointment',
          status: 'waitlist',
          minutesDuration: input.minutes,
          ...(input.acuity ? { priority: input.acuity } : {}),
          locationId: location.id,
          therapistId: input.therapistId ?? null,
          created: requestedAt.toISOString(),
        },
      });
      await enqueueEvent(
        tx,
        'appointment.waitlisted',
        {
          practiceId: this.practiceId,
          emrAppointmentId,
          emrPatientId: patient.id,
          locationId: location.id,
          therapistId: input.therapistId ?? null,
          minutes: input.minutes,
          ...(input.acuity ? { acuity: input.acuity } : {}),
          requestedAt: requestedAt.toISOString(),
        },
        requestedAt,
      );
      return { emrAppointmentId };
    });
  }
}
