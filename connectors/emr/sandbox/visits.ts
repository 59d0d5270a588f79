// What the sandbox EMR knows of a visit for the claim: the therapist signs the note of a checked-in appointment
// (which emits note.signed), and the signed visit, the therapist as a practitioner and the patient's referral
// are read back.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { NoteIntervention } from '../../webhooks/emr-events.js';
import { EmrNotFound } from '../errors.js';
import type { EmrPractitioner, EmrReferral, SignedVisit } from '../types.js';
import { UUID, type SandboxAppointments, type SandboxDb } from './appointments.js';
import * as t from './schema.js';
import { enqueueEvent } from './webhooks.js';

export class SandboxVisits {
  constructor(
    private readonly db: SandboxDb,
    private readonly appointments: SandboxAppointments,
    private readonly now: () => Date,
  ) {}

  /** EMR-side action: the therapist signs the note of a checked-in appointment (idempotent per appointment). */
  async signNote(
    emrAppointmentId: string,
    interventions: NoteIntervention[],
    diagnoses: string[] = [],
  ): Promise<SignedVisit> {
    if (interventions.length === 0) throw new RangeError('a signed note needs at least one intervention');
    await this.appointments.getAppointment(emrAppointmentId);
    const visitId = await this.db.transaction(async (tx) => {
      const [appt] = await tx
        .select()
        .from(t.appointments)
        .where(eq(t.appointments.id, emrAppointmentId))
        .for('update');
      if (!appt) throw new EmrNotFound('Appointment');
      const [existing] = await tx
        .select({ id: t.visits.id })
        .from(t.visits)
        .where(eq(t.visits.appointmentId, appt.id));
      if (existing) return existing.id;
      if (appt.status !== 'arrived') throw new EmrNotFound('checked-in Appointment');
      const [th] = await tx.select().from(t.therapists).where(eq(t.therapists.id, appt.therapistId));
      const [loc] = await tx.select().from(t.locations).where(eq(t.locations.id, appt.locationId));
      if (!th || !loc) throw new EmrNotFound('Therapist');
      const id = randomUUID();
      const signedAt = this.now();
      const dateOfService = new Intl.DateTimeFormat('en-CA', { timeZone: loc.timezone }).format(appt.startAt);
      const totalMinutes = interventions.reduce((s, i) => s + i.minutes, 0);
      await tx.insert(t.visits).values({
        id,
        appointmentId: appt.id,
        patientId: appt.patientId,
        therapistId: appt.therapistId,
        dateOfService,
        signedAt,
        interventions,
        diagnoses,
        totalMinutes,
      });
      await tx.update(t.appointments).set({ status: 'fulfilled' }).where(eq(t.appointments.id, appt.id));
      await enqueueEvent(
        tx,
        'note.signed',
        {
          practiceId: appt.practiceId,
          visitId: id,
          emrAppointmentId: appt.id,
          emrPatientId: appt.patientId,
          therapistId: th.id,
          therapistNpi: th.npi,
          dateOfService,
          signedAt: signedAt.toISOString(),
          interventions,
          totalTreatmentMinutes: totalMinutes,
        },
        signedAt,
      );
      return id;
    });
    return this.getSignedVisit(visitId);
  }

  async getSignedVisit(visitId: string): Promise<SignedVisit> {
    if (!UUID.test(visitId)) throw new EmrNotFound('signed visit');
    const [v] = await this.db.select().from(t.visits).where(eq(t.visits.id, visitId));
    if (!v) throw new EmrNotFound('signed visit');
    const [th] = await this.db.select().from(t.therapists).where(eq(t.therapists.id, v.therapistId));
    return {
      visitId: v.id,
      emrPatientId: v.patientId,
      ...(v.appointmentId ? { emrAppointmentId: v.appointmentId } : {}),
      dateOfService: v.dateOfService,
      signedAt: v.signedAt.toISOString(),
      therapistNpi: th?.npi ?? '',
      therapistId: v.therapistId,
      interventions: v.interventions as NoteIntervention[],
      totalTreatmentMinutes: v.totalMinutes,
      diagnoses: v.diagnoses,
    };
  }

  /** The practice's signed visits (by its therapists) with a date of service in [from, to], oldest first. */
  async listSignedVisits(practiceId: string, range: { from: string; to: string }): Promise<SignedVisit[]> {
    const rows = await this.db
      .select({ id: t.visits.id })
      .from(t.visits)
      .innerJoin(t.therapists, eq(t.therapists.id, t.visits.therapistId))
      .where(
        and(
          eq(t.therapists.practiceId, practiceId),
          gte(t.visits.dateOfService, range.from),
          lte(t.visits.dateOfService, range.to),
        ),
      )
      .orderBy(asc(t.visits.dateOfService), asc(t.visits.signedAt));
    const out: SignedVisit[] = [];
    for (const r of rows) out.push(await this.getSignedVisit(r.id));
    return out;
  }

  /** Its therapists as FHIR Practitioners would list them: "Dana Whitfield, PT, DPT" → WHITFIELD, DANA. */
  async findPractitioner(npi: string): Promise<EmrPractitioner | undefined> {
    const [th] = await this.db.select().from(t.therapists).where(eq(t.therapists.npi, npi)).limit(1);
    if (!th) return undefined;
    const words = (th.name.split(',')[0] ?? '').trim().split(/\s+/);
    const last = words.pop();
    if (!last) return undefined;
    return {
      emrPractitionerId: th.id,
      npi,
      lastName: last.toUpperCase(),
      ...(words[0] ? { firstName: words[0].toUpperCase() } : {}),
      active: true,
    };
  }

  /**
   * The patient's newest referral received by the end of `onDate`; failing that the first one received after it
   * (an order that arrived late still names the practitioner who sent the patient).
   */
  async getReferral(emrPatientId: string, onDate: string): Promise<EmrReferral | undefined> {
    const rows = await this.db
      .select()
      .from(t.referrals)
      .where(eq(t.referrals.patientId, emrPatientId))
      .orderBy(asc(t.referrals.receivedAt));
    const endOfDay = new Date(`${onDate}T23:59:59.999Z`).getTime();
    const r = rows.filter((x) => x.receivedAt.getTime() <= endOfDay).at(-1) ?? rows[0];
    if (!r) return undefined;
    return {
      referralId: r.id,
      authoredOn: r.receivedAt.toISOString(),
      ...(r.referringNpi && r.referringLastName
        ? {
            referringProvider: {
              npi: r.referringNpi,
              lastName: r.referringLastName,
              ...(r.referringFirstName ? { firstName: r.referringFirstName } : {}),
            },
          }
        : {}),
      diagnoses: [...r.diagnosisCodes],
    };
  }
}
