// The sandbox EMR: an honest simulator of an external EMR. It implements the Emr port against its own
// Postgres schema and, like a real EMR, emits signed webhooks for what happens on its side (front desk books,
// checks in, therapist signs a note …). Every state change and its webhook commit in one transaction.
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { NoteIntervention } from '../../webhooks/emr-events.js';
import { EmrNotFound } from '../errors.js';
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
  SignedReport,
  SignedVisit,
  SlotQuery,
  UpsertResult,
} from '../types.js';
import { SandboxAppointments, UUID } from './appointments.js';
import { SandboxRecords } from './records.js';
import { SandboxReports, type ReportToSign } from './reports.js';
import { SandboxWaitlist, type WaitlistRequest } from './waitlist.js';
import * as t from './schema.js';
import { SandboxVisits } from './visits.js';
import { enqueueEvent, WebhookSender, type WebhookSenderOptions } from './webhooks.js';

const schema = { ...t };
type Db = PostgresJsDatabase<typeof schema>;
export interface SandboxEmrOptions extends WebhookSenderOptions {
  practiceId: string;
  /** Grid of the simulated schedule. */
  slotMinutes?: number;
}

export class SandboxEmr implements Emr {
  readonly vendor = 'sandbox';
  /** The sandbox simulates one practice's EMR. */
  readonly practiceId: string;
  readonly db: Db;
  readonly webhooks: WebhookSender;
  private readonly now: () => Date;
  private readonly appointments: SandboxAppointments;
  private readonly visits: SandboxVisits;
  private readonly records: SandboxRecords;
  private readonly reports: SandboxReports;
  private readonly waitlist: SandboxWaitlist;

  constructor(
    sql: postgres.Sql,
    private readonly opts: SandboxEmrOptions,
  ) {
    this.db = drizzle(sql, { schema });
    this.practiceId = opts.practiceId;
    this.now = opts.now ?? (() => new Date());
    const requirePatient = (emrPatientId: string): Promise<void> => this.requirePatient(emrPatientId);
    this.appointments = new SandboxAppointments(this.db, {
      practiceId: opts.practiceId,
      now: this.now,
      slotMinutes: opts.slotMinutes ?? 60,
      requirePatient,
    });
    this.visits = new SandboxVisits(this.db, this.appointments, this.now);
    this.records = new SandboxRecords(this.db, this.now, requirePatient);
    this.reports = new SandboxReports(this.db, this.now);
    this.waitlist = new SandboxWaitlist(this.db, opts.practiceId, this.now);
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

  upsertCoverage(input: CoverageInput): Promise<UpsertResult> {
    return this.records.put('coverage', input.coverageId, input.emrPatientId, input, true);
  }

  async listCoverages(emrPatientId: string): Promise<EmrCoverage[]> {
    return (await this.records.list<CoverageInput>('coverage', emrPatientId)).map((r) => ({
      ...r.body,
      emrCoverageId: r.id,
    }));
  }

  writeIntakeAnswers(input: IntakeAnswers): Promise<UpsertResult> {
    return this.records.put('questionnaire-response', input.responseId, input.emrPatientId, input, false);
  }

  writeDocument(input: DocumentInput): Promise<UpsertResult> {
    if (input.data.byteLength > 5 * 1024 * 1024)
      throw new RangeError('sandbox documents are limited to 5 MiB');
    const body = { ...input, data: Buffer.from(input.data).toString('base64') };
    return this.records.put('document', input.documentId, input.emrPatientId, body, false);
  }

  async getPlanOfCare(planOfCareId: string): Promise<PlanOfCare | undefined> {
    return (await this.records.find('care-plan', planOfCareId)) as PlanOfCare | undefined;
  }

  upsertPlanOfCare(input: PlanOfCare): Promise<UpsertResult> {
    return this.records.put('care-plan', input.planOfCareId, input.emrPatientId, input, true);
  }

  writeOutcome(input: OutcomeObservation): Promise<UpsertResult> {
    return this.records.put('observation', input.observationId, input.emrPatientId, input, false);
  }

  async listOutcomes(emrPatientId: string): Promise<OutcomeObservation[]> {
    return (await this.records.list<OutcomeObservation>('observation', emrPatientId)).map((r) => r.body);
  }

  // ---- scheduling ----------------------------------------------------------------------------------------

  searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    return this.appointments.searchFreeSlots(q);
  }

  bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    return this.appointments.bookAppointment(req);
  }

  /** EMR-side action: the front desk books a slot at the EMR (ptflow learns of it by webhook). */
  bookAtFrontDesk(req: Omit<BookingRequest, 'appointmentId'>): Promise<EmrAppointment> {
    return this.appointments.bookAtFrontDesk(req);
  }

  getAppointment(emrAppointmentId: string): Promise<EmrAppointment> {
    return this.appointments.getAppointment(emrAppointmentId);
  }

  cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment> {
    return this.appointments.cancelAppointment(emrAppointmentId, reason);
  }

  /** EMR-side action: the patient arrives at the front desk. */
  checkIn(emrAppointmentId: string): Promise<EmrAppointment> {
    return this.appointments.checkIn(emrAppointmentId);
  }

  /** EMR-side action: the patient did not come. */
  markNoShow(emrAppointmentId: string): Promise<EmrAppointment> {
    return this.appointments.markNoShow(emrAppointmentId);
  }

  /** For demos: appointments of a day, to pick one to check in. */
  appointmentsBetween(from: Date, to: Date): Promise<EmrAppointment[]> {
    return this.appointments.appointmentsBetween(from, to);
  }

  // ---- visits --------------------------------------------------------------------------------------------

  /** EMR-side action: the therapist signs the note of a checked-in appointment (idempotent per appointment). */
  signNote(
    emrAppointmentId: string,
    interventions: NoteIntervention[],
    diagnoses: string[] = [],
  ): Promise<SignedVisit> {
    return this.visits.signNote(emrAppointmentId, interventions, diagnoses);
  }

  getSignedVisit(visitId: string): Promise<SignedVisit> {
    return this.visits.getSignedVisit(visitId);
  }

  /** This practice's signed visits with a date of service in [from, to]. */
  listSignedVisits(range: { from: string; to: string }): Promise<SignedVisit[]> {
    return this.visits.listSignedVisits(this.practiceId, range);
  }

  /** Its therapists as FHIR Practitioners would list them: "Dana Whitfield, PT, DPT" → WHITFIELD, DANA. */
  findPractitioner(npi: string): Promise<EmrPractitioner | undefined> {
    return this.visits.findPractitioner(npi);
  }

  /** EMR-side action: the therapist signs a progress report / recertification / discharge summary. */
  signReport(input: ReportToSign): Promise<SignedReport> {
    return this.reports.signReport(input);
  }

  /** EMR-side action: the front desk waitlists a patient (queues appointment.waitlisted). */
  waitlistPatient(input: WaitlistRequest): Promise<{ emrAppointmentId: string }> {
    return this.waitlist.waitlistPatient(input);
  }

  getSignedReport(reportId: string): Promise<SignedReport> {
    return this.reports.getSignedReport(reportId);
  }

  /** The patient's newest referral received by the end of `onDate`, else the first one after it. */
  getReferral(emrPatientId: string, onDate: string): Promise<EmrReferral | undefined> {
    return this.visits.getReferral(emrPatientId, onDate);
  }
}

export type { AppointmentKind };
