// The sandbox EMR: an honest simulator of an external EMR. It implements the Emr port against its own
// Postgres schema and, like a real EMR, emits signed webhooks for what happens on its side (front desk books,
// checks in, therapist signs a note …). Every state change and its webhook commit in one transaction.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNull, lt, sql as dsql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { NoteIntervention } from '../../webhooks/emr-events.js';
import { EmrNotFound, SlotUnavailable } from '../errors.js';
import type {
  AppointmentKind,
  BookingRequest,
  CancelReason,
  CoverageInput,
  DocumentInput,
  Emr,
  EmrAppointment,
  EmrCoverage,
  EmrPatient,
  EmrPractitioner,
  EmrReferral,
  FreeSlot,
  IntakeAnswers,
  OutcomeObservation,
  PatientDemographics,
  PatientQuery,
  PatientUpsert,
  PlanOfCare,
  SignedVisit,
  SlotQuery,
  UpsertResult,
} from '../types.js';
import * as t from './schema.js';
import { availabilitySlots, decodeSlotId, encodeSlotId, overlaps } from './slots.js';
import { enqueueEvent, WebhookSender, type WebhookSenderOptions } from './webhooks.js';

const schema = { ...t };
type Db = PostgresJsDatabase<typeof schema>;
const ACTIVE = ['booked', 'arrived', 'fulfilled'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SandboxEmrOptions extends WebhookSenderOptions {
  practiceId: string;
  /** Grid of the simulated schedule. */
  slotMinutes?: number;
}

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

export class SandboxEmr implements Emr {
  readonly vendor = 'sandbox';
  /** The sandbox simulates one practice's EMR. */
  readonly practiceId: string;
  readonly db: Db;
  readonly webhooks: WebhookSender;
  private readonly now: () => Date;
  private readonly slotMinutes: number;

  constructor(
    sql: postgres.Sql,
    private readonly opts: SandboxEmrOptions,
  ) {
    this.db = drizzle(sql, { schema });
    this.practiceId = opts.practiceId;
    this.now = opts.now ?? (() => new Date());
    this.slotMinutes = opts.slotMinutes ?? 60;
    this.webhooks = new WebhookSender(this.db, opts);
  }

  // ---- patients ------------------------------------------------------------------------------------------

  private toPatient(r: typeof t.patients.$inferSelect): EmrPatient {
    return {
      emrPatientId: r.id,
      ...(r.ourPatientId ? { patientId: r.ourPatientId } : {}),
      mrn: r.mrn,
      demographics: r.demographics as PatientDemographics,
    };
  }

  async findPatient(q: PatientQuery): Promise<EmrPatient | undefined> {
    if ('emrPatientId' in q && !UUID.test(q.emrPatientId)) return undefined;
    if ('patientId' in q && !UUID.test(q.patientId)) return undefined;
    const where =
      'emrPatientId' in q
        ? eq(t.patients.id, q.emrPatientId)
        : 'patientId' in q
          ? eq(t.patients.ourPatientId, q.patientId)
          : eq(t.patients.mrn, q.mrn);
    const [row] = await this.db.select().from(t.patients).where(where);
    return row ? this.toPatient(row) : undefined;
  }

  async upsertPatient(input: PatientUpsert): Promise<UpsertResult> {
    return this.db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(t.patients)
        .where(eq(t.patients.ourPatientId, input.patientId))
        .for('update');
      if (existing) {
        // The EMR is the record of the patient's address (claims read 2010BA N3/N4 from it): a registration that
        // does not know it (an onboarding started by a referral) leaves the one on file in place.
        const before = existing.demographics as { address?: unknown };
        const demographics =
          input.demographics.address === undefined && before.address !== undefined
            ? { ...input.demographics, address: before.address }
            : input.demographics;
        await tx
          .update(t.patients)
          .set({
            demographics,
            ...(input.mrn ? { mrn: input.mrn } : {}),
            updatedAt: this.now(),
          })
          .where(eq(t.patients.id, existing.id));
        return { emrId: existing.id, created: false };
      }
      const id = randomUUID();
      const inserted = await tx
        .insert(t.patients)
        .values({
          id,
          practiceId: this.opts.practiceId,
          ourPatientId: input.patientId,
          mrn: input.mrn ?? `SBX-${id.slice(0, 8).toUpperCase()}`,
          demographics: input.demographics,
        })
        .onConflictDoNothing({ target: t.patients.ourPatientId })
        .returning({ id: t.patients.id });
      if (inserted.length === 0) {
        // A concurrent upsert of the same patient won the race: answer with its row.
        const [row] = await tx.select().from(t.patients).where(eq(t.patients.ourPatientId, input.patientId));
        return { emrId: row?.id ?? id, created: false };
      }
      await enqueueEvent(
        tx,
        'patient.created',
        { practiceId: this.opts.practiceId, emrPatientId: id, patientId: input.patientId },
        this.now(),
      );
      return { emrId: id, created: true };
    });
  }

  async linkPatient(emrPatientId: string, patientId: string): Promise<void> {
    if (!UUID.test(emrPatientId)) throw new EmrNotFound('Patient');
    await this.db
      .update(t.patients)
      .set({ ourPatientId: patientId, updatedAt: this.now() })
      .where(and(eq(t.patients.id, emrPatientId), isNull(t.patients.ourPatientId)));
  }

  /** EMR-side action: the front desk registers a walk-in patient (ptflow learns of it by webhook). */
  async registerPatient(demographics: PatientDemographics, mrn?: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const id = randomUUID();
      await tx.insert(t.patients).values({
        id,
        practiceId: this.opts.practiceId,
        mrn: mrn ?? `SBX-${id.slice(0, 8).toUpperCase()}`,
        demographics,
      });
      await enqueueEvent(
        tx,
        'patient.created',
        { practiceId: this.opts.practiceId, emrPatientId: id, patientId: null },
        this.now(),
      );
      return id;
    });
  }

  /** EMR-side action: a referral arrives (fax/e-referral) for a patient. */
  async receiveReferral(
    emrPatientId: string,
    referringNpi: string | null,
    diagnosisCodes: string[],
    referringName?: { lastName: string; firstName?: string },
  ): Promise<string> {
    await this.requirePatient(emrPatientId);
    return this.db.transaction(async (tx) => {
      const id = randomUUID();
      const receivedAt = this.now();
      await tx.insert(t.referrals).values({
        id,
        practiceId: this.opts.practiceId,
        patientId: emrPatientId,
        referringNpi,
        referringLastName: referringName?.lastName ?? null,
        referringFirstName: referringName?.firstName ?? null,
        diagnosisCodes,
        receivedAt,
      });
      await enqueueEvent(
        tx,
        'referral.received',
        {
          practiceId: this.opts.practiceId,
          referralId: id,
          emrPatientId,
          referringNpi,
          receivedAt: receivedAt.toISOString(),
        },
        receivedAt,
      );
      return id;
    });
  }

  private async requirePatient(emrPatientId: string): Promise<void> {
    if (!(await this.findPatient({ emrPatientId }))) throw new EmrNotFound('Patient');
  }

  // ---- generic records (coverage, forms, documents, plans, outcomes) -------------------------------------

  private async putRecord(
    kind: string,
    ourId: string,
    patientId: string,
    body: unknown,
    overwrite: boolean,
  ): Promise<UpsertResult> {
    await this.requirePatient(patientId);
    const id = randomUUID();
    const inserted = await this.db
      .insert(t.records)
      .values({ id, kind, ourId, patientId, body })
      .onConflictDoNothing({ target: [t.records.kind, t.records.ourId] })
      .returning({ id: t.records.id });
    if (inserted.length > 0) return { emrId: id, created: true };
    const [row] = await this.db
      .select({ id: t.records.id })
      .from(t.records)
      .where(and(eq(t.records.kind, kind), eq(t.records.ourId, ourId)));
    if (overwrite)
      await this.db
        .update(t.records)
        .set({ body, updatedAt: this.now() })
        .where(eq(t.records.id, row?.id ?? id));
    return { emrId: row?.id ?? id, created: false };
  }

  private async listRecords<T>(kind: string, patientId: string): Promise<{ id: string; body: T }[]> {
    if (!UUID.test(patientId)) return [];
    const rows = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.kind, kind), eq(t.records.patientId, patientId)));
    return rows.map((r) => ({ id: r.id, body: r.body as T }));
  }

  upsertCoverage(input: CoverageInput): Promise<UpsertResult> {
    return this.putRecord('coverage', input.coverageId, input.emrPatientId, input, true);
  }

  async listCoverages(emrPatientId: string): Promise<EmrCoverage[]> {
    return (await this.listRecords<CoverageInput>('coverage', emrPatientId)).map((r) => ({
      ...r.body,
      emrCoverageId: r.id,
    }));
  }

  writeIntakeAnswers(input: IntakeAnswers): Promise<UpsertResult> {
    return this.putRecord('questionnaire-response', input.responseId, input.emrPatientId, input, false);
  }

  writeDocument(input: DocumentInput): Promise<UpsertResult> {
    if (input.data.byteLength > 5 * 1024 * 1024)
      throw new RangeError('sandbox documents are limited to 5 MiB');
    const body = { ...input, data: Buffer.from(input.data).toString('base64') };
    return this.putRecord('document', input.documentId, input.emrPatientId, body, false);
  }

  async getPlanOfCare(planOfCareId: string): Promise<PlanOfCare | undefined> {
    if (!UUID.test(planOfCareId)) return undefined;
    const [row] = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.kind, 'care-plan'), eq(t.records.ourId, planOfCareId)));
    return row ? (row.body as PlanOfCare) : undefined;
  }

  upsertPlanOfCare(input: PlanOfCare): Promise<UpsertResult> {
    return this.putRecord('care-plan', input.planOfCareId, input.emrPatientId, input, true);
  }

  writeOutcome(input: OutcomeObservation): Promise<UpsertResult> {
    return this.putRecord('observation', input.observationId, input.emrPatientId, input, false);
  }

  async listOutcomes(emrPatientId: string): Promise<OutcomeObservation[]> {
    return (await this.listRecords<OutcomeObservation>('observation', emrPatientId)).map((r) => r.body);
  }

  // ---- scheduling ----------------------------------------------------------------------------------------

  async searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    const minutes = Math.max(this.slotMinutes, q.minMinutes ?? 0);
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

  async bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    const slot = decodeSlotId(req.slotId);
    if (!slot) throw new SlotUnavailable();
    await this.requirePatient(req.emrPatientId);
    try {
      return await this.db.transaction(async (tx) => {
        const [mine] = await tx
          .select()
          .from(t.appointments)
          .where(eq(t.appointments.ourAppointmentId, req.appointmentId));
        if (mine) return toAppointment(mine);
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
            ourAppointmentId: req.appointmentId,
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
        const [mine] = await this.db
          .select()
          .from(t.appointments)
          .where(eq(t.appointments.ourAppointmentId, req.appointmentId));
        if (mine) return toAppointment(mine);
        throw new SlotUnavailable();
      }
      throw err;
    }
  }

  private async emitAppointment(
    tx: Pick<Db, 'insert'>,
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
        this.now(),
      );
    } else {
      await enqueueEvent(tx, type, data, this.now());
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

  // ---- visits --------------------------------------------------------------------------------------------

  /** EMR-side action: the therapist signs the note of a checked-in appointment (idempotent per appointment). */
  async signNote(
    emrAppointmentId: string,
    interventions: NoteIntervention[],
    diagnoses: string[] = [],
  ): Promise<SignedVisit> {
    if (interventions.length === 0) throw new RangeError('a signed note needs at least one intervention');
    await this.getAppointment(emrAppointmentId);
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

export type { AppointmentKind };
