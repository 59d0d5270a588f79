// The FHIR R4 implementation of the Emr port. Every write is an upsert keyed on our identifier: search by
// identifier, then either a conditional create (If-None-Exist, so a retried create cannot duplicate) or a
// full PUT of the existing resource with If-Match. Bookings claim the Slot with If-Match on its version, so a
// slot taken meanwhile surfaces as SlotUnavailable instead of a double booking.
import type { Patient as FhirPatient, Resource } from '@medplum/fhirtypes';
import { EmrContractViolation, EmrNotFound, EmrTransportError, EmrUnsupported } from '../errors.js';
import type {
  BookingRequest,
  CancelReason,
  CoverageInput,
  DocumentInput,
  Emr,
  EmrAppointment,
  EmrCapability,
  EmrCoverage,
  EmrPatient,
  EmrPractitioner,
  EmrReferral,
  FreeSlot,
  IntakeAnswers,
  OutcomeObservation,
  PatientQuery,
  PatientUpsert,
  PlanOfCare,
  SignedVisit,
  SlotQuery,
  UpsertResult,
  VisitIntervention,
} from '../types.js';
import {
  buildCarePlan,
  buildCoverage,
  buildDocumentReference,
  buildObservation,
  buildPatient,
  buildQuestionnaireResponse,
} from './build.js';
import { ICD10_SYSTEM, NPI_SYSTEM, type FhirVendorProfile } from './profiles.js';
import * as S from './schemas.js';
import {
  FhirResourceClient,
  identifierValue,
  isVersionConflict,
  refId,
  type Parsed,
} from './resource-client.js';
import { toCoverage, toIntervention, toOutcome, toPatient, toPlanOfCare } from './to-port.js';
import { FhirScheduling } from './scheduling.js';
import type { FhirTransport } from './transport.js';

export interface FhirEmrOptions {
  transport: FhirTransport;
  profile: FhirVendorProfile;
  /** Upper bound on pages followed in one search (runaway next links). */
  maxPages?: number;
}

export class FhirEmr implements Emr {
  readonly vendor: string;
  private readonly fhir: FhirResourceClient;
  private readonly profile: FhirVendorProfile;
  private readonly scheduling: FhirScheduling;

  constructor(opts: FhirEmrOptions) {
    this.profile = opts.profile;
    this.vendor = `fhir:${opts.profile.vendor}`;
    this.fhir = new FhirResourceClient(opts.transport, opts.profile.pageSize, opts.maxPages ?? 20);
    this.scheduling = new FhirScheduling(this.fhir, opts.profile);
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  private need(cap: EmrCapability, operation: string): void {
    if (!this.profile.supports.has(cap)) throw new EmrUnsupported(this.profile.vendor, operation);
  }

  // ---- patients ------------------------------------------------------------------------------------------

  async findPractitioner(npi: string): Promise<EmrPractitioner | undefined> {
    this.need('encounter', 'practitioner search');
    const found = await this.fhir.findByIdentifier(S.Practitioner, 'Practitioner', NPI_SYSTEM, npi);
    if (!found) return undefined;
    const name = found.name?.find((n) => n.use === 'official') ?? found.name?.[0];
    if (!name?.family) return undefined;
    const first = name.given?.[0];
    return {
      emrPractitionerId: found.id,
      npi,
      lastName: name.family.toUpperCase(),
      ...(first ? { firstName: first.toUpperCase() } : {}),
      active: found.active !== false,
    };
  }

  async findPatient(q: PatientQuery): Promise<EmrPatient | undefined> {
    this.need('patient', 'patient search');
    if ('emrPatientId' in q) {
      try {
        return toPatient(this.profile, await this.fhir.read(S.Patient, 'Patient', q.emrPatientId));
      } catch (err) {
        if (err instanceof EmrNotFound) return undefined;
        throw err;
      }
    }
    const [system, value] =
      'patientId' in q
        ? [this.profile.identifierSystems.patientId, q.patientId]
        : [this.profile.identifierSystems.mrn, q.mrn];
    const found = await this.fhir.findByIdentifier(S.Patient, 'Patient', system, value);
    return found ? toPatient(this.profile, found) : undefined;
  }

  async upsertPatient(input: PatientUpsert): Promise<UpsertResult> {
    this.need('patient', 'patient write');
    const system = this.profile.identifierSystems.patientId;
    return this.fhir.upsert('Patient', system, input.patientId, (existing) =>
      buildPatient(this.profile, input, existing as FhirPatient | undefined),
    );
  }

  /** Adds our identifier to a Patient the EMR registered first; a Patient already carrying one is left alone. */
  async linkPatient(emrPatientId: string, patientId: string): Promise<void> {
    this.need('patient', 'patient write');
    const system = this.profile.identifierSystems.patientId;
    const existing = (await this.fhir.read(S.Written, 'Patient', emrPatientId)) as Parsed<
      typeof S.Written
    > & {
      identifier?: { system?: string; value?: string }[];
    };
    if (identifierValue(existing.identifier, system)) return;
    const next = {
      ...existing,
      identifier: [...(existing.identifier ?? []), { system, value: patientId }],
    } as Resource & { id: string };
    const res = await this.fhir.put(next, existing.meta?.versionId, 'Patient');
    if (isVersionConflict(res.status)) {
      // Changed between our read and write: retryable, the next attempt re-reads.
      throw new EmrTransportError('EMR Patient changed concurrently');
    }
  }

  // ---- coverage ------------------------------------------------------------------------------------------

  async upsertCoverage(input: CoverageInput): Promise<UpsertResult> {
    this.need('coverage', 'coverage write');
    return this.fhir.upsert('Coverage', this.profile.identifierSystems.coverageId, input.coverageId, () =>
      buildCoverage(this.profile, input),
    );
  }

  async listCoverages(emrPatientId: string): Promise<EmrCoverage[]> {
    this.need('coverage', 'coverage search');
    const found = await this.fhir.search(
      S.Coverage,
      'Coverage',
      `beneficiary=Patient/${encodeURIComponent(emrPatientId)}`,
    );
    return found.flatMap((c) => toCoverage(this.profile, c, emrPatientId));
  }

  // ---- scheduling ----------------------------------------------------------------------------------------

  async searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    this.need('scheduling', 'slot search');
    return this.scheduling.searchFreeSlots(q);
  }

  async bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    this.need('scheduling', 'booking');
    return this.scheduling.bookAppointment(req);
  }

  async getAppointment(emrAppointmentId: string): Promise<EmrAppointment> {
    this.need('scheduling', 'appointment read');
    return this.scheduling.getAppointment(emrAppointmentId);
  }

  async cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment> {
    this.need('scheduling', 'cancellation');
    return this.scheduling.cancelAppointment(emrAppointmentId, reason);
  }

  // ---- documents and forms -------------------------------------------------------------------------------

  async writeIntakeAnswers(input: IntakeAnswers): Promise<UpsertResult> {
    this.need('questionnaireResponse', 'intake answers write');
    // Completed forms are immutable: create once, never overwrite.
    const system = this.profile.identifierSystems.questionnaireResponseId;
    return this.fhir.createOnce(buildQuestionnaireResponse(this.profile, input), system, input.responseId);
  }

  async writeDocument(input: DocumentInput): Promise<UpsertResult> {
    this.need('documentReference', 'document write');
    const system = this.profile.identifierSystems.documentId;
    return this.fhir.createOnce(buildDocumentReference(this.profile, input), system, input.documentId);
  }

  // ---- visits --------------------------------------------------------------------------------------------

  async getSignedVisit(visitId: string): Promise<SignedVisit> {
    this.need('encounter', 'visit read');
    const enc = await this.fhir.read(S.Encounter, 'Encounter', visitId);
    // A visit is billable only once its note is signed; the EMR marks that by finishing the encounter.
    if (enc.status !== 'finished') throw new EmrNotFound('signed Encounter');
    const emrPatientId = refId(enc.subject, 'Patient');
    const practitionerId = enc.participant?.map((x) => refId(x.individual, 'Practitioner')).find(Boolean);
    const start = enc.period?.start;
    if (!emrPatientId || !practitionerId || !start) {
      throw new EmrContractViolation('EMR Encounter lacks patient, practitioner or period');
    }
    const practitioner = await this.fhir.read(S.Practitioner, 'Practitioner', practitionerId);
    const npi = identifierValue(practitioner.identifier, NPI_SYSTEM);
    if (!npi || !/^\d{10}$/.test(npi)) throw new EmrContractViolation('EMR Practitioner has no NPI');

    const procedures = await this.fhir.search(
      S.Procedure,
      'Procedure',
      `encounter=Encounter/${encodeURIComponent(visitId)}`,
    );
    const interventions: VisitIntervention[] = procedures
      .filter((pr) => pr.status === 'completed')
      .map((pr) => toIntervention(this.profile, pr));
    const ext = (url: string) => enc.extension?.find((e) => e.url === url);
    const signedAt = ext(this.profile.extensions.signedAt)?.valueDateTime ?? enc.period?.end;
    if (!signedAt) throw new EmrContractViolation('EMR Encounter has no signature time');
    const appointmentId = refId(enc.appointment?.[0], 'Appointment');
    return {
      visitId: enc.id,
      emrPatientId,
      ...(appointmentId ? { emrAppointmentId: appointmentId } : {}),
      dateOfService: start.slice(0, 10),
      signedAt,
      therapistNpi: npi,
      therapistId: practitionerId,
      interventions,
      totalTreatmentMinutes:
        ext(this.profile.extensions.totalTreatmentMinutes)?.valueInteger ??
        interventions.reduce((sum, i) => sum + i.minutes, 0),
      diagnoses: (enc.reasonCode ?? []).flatMap((c) =>
        (c.coding ?? []).filter((x) => x.system === ICD10_SYSTEM && x.code).map((x) => x.code as string),
      ),
    };
  }

  /**
   * Signed visits (finished Encounters) with a date of service in [from, to], for the billing reconciliation.
   * The search window is a day wider on each side (an Encounter's period carries the clinic's offset); the
   * date of service is then the period start's own calendar date, as getSignedVisit reports it.
   */
  async listSignedVisits(range: { from: string; to: string }): Promise<SignedVisit[]> {
    this.need('encounter', 'signed visit search');
    const day = (d: string, delta: number) =>
      new Date(Date.parse(`${d}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
    const encounters = await this.fhir.search(
      S.Encounter,
      'Encounter',
      `status=finished&date=ge${day(range.from, -1)}&date=le${day(range.to, 1)}`,
    );
    const out: SignedVisit[] = [];
    for (const enc of encounters) {
      const dos = enc.period?.start?.slice(0, 10);
      if (!enc.id || !dos || dos < range.from || dos > range.to) continue;
      out.push(await this.getSignedVisit(enc.id));
    }
    return out.sort(
      (a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.signedAt.localeCompare(b.signedAt),
    );
  }

  /**
   * The patient's newest active or completed order to therapy (ServiceRequest, intent order) authored on or
   * before `onDate` (else the first one after it), with its requester read from Practitioner (NPI and name).
   */
  async getReferral(emrPatientId: string, onDate: string): Promise<EmrReferral | undefined> {
    this.need('encounter', 'referral read');
    const requests = await this.fhir.search(
      S.ServiceRequest,
      'ServiceRequest',
      `subject=Patient/${encodeURIComponent(emrPatientId)}`,
      50,
    );
    const orders = requests
      .filter(
        (r) =>
          ['order', 'original-order', 'filler-order'].includes(r.intent) &&
          ['active', 'completed'].includes(r.status),
      )
      .sort((a, b) => (a.authoredOn ?? '').localeCompare(b.authoredOn ?? ''));
    // The newest order authored by the date of service, else the first one after it (a late order).
    const newest = orders.filter((r) => (r.authoredOn ?? '').slice(0, 10) <= onDate).at(-1) ?? orders[0];
    if (!newest) return undefined;
    const diagnoses = (newest.reasonCode ?? []).flatMap((c) =>
      (c.coding ?? []).filter((x) => x.system === ICD10_SYSTEM && x.code).map((x) => x.code as string),
    );
    const out: EmrReferral = { referralId: newest.id, authoredOn: newest.authoredOn ?? '', diagnoses };
    const practitionerId = refId(newest.requester, 'Practitioner');
    if (practitionerId) {
      const pr = await this.fhir.read(S.Practitioner, 'Practitioner', practitionerId);
      const npi = identifierValue(pr.identifier, NPI_SYSTEM);
      const name = pr.name?.find((n) => n.family);
      if (npi && /^\d{10}$/.test(npi) && name?.family) {
        out.referringProvider = {
          npi,
          lastName: name.family,
          ...(name.given?.[0] ? { firstName: name.given[0] } : {}),
        };
      }
    }
    return out;
  }

  // ---- plan of care and outcomes -------------------------------------------------------------------------

  async getPlanOfCare(planOfCareId: string): Promise<PlanOfCare | undefined> {
    this.need('carePlan', 'plan of care read');
    const c = await this.fhir.findByIdentifier(
      S.CarePlan,
      'CarePlan',
      this.profile.identifierSystems.planOfCareId,
      planOfCareId,
    );
    if (!c) return undefined;
    return toPlanOfCare(this.profile, c, planOfCareId);
  }

  async upsertPlanOfCare(input: PlanOfCare): Promise<UpsertResult> {
    this.need('carePlan', 'plan of care write');
    return this.fhir.upsert('CarePlan', this.profile.identifierSystems.planOfCareId, input.planOfCareId, () =>
      buildCarePlan(this.profile, input),
    );
  }

  async writeOutcome(input: OutcomeObservation): Promise<UpsertResult> {
    this.need('observation', 'outcome write');
    const system = this.profile.identifierSystems.observationId;
    return this.fhir.createOnce(buildObservation(this.profile, input), system, input.observationId);
  }

  async listOutcomes(emrPatientId: string): Promise<OutcomeObservation[]> {
    this.need('observation', 'outcome search');
    const found = await this.fhir.search(
      S.Observation,
      'Observation',
      `subject=Patient/${encodeURIComponent(emrPatientId)}&category=survey`,
    );
    return found.flatMap((o) => toOutcome(this.profile, o, emrPatientId));
  }
}
