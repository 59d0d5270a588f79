// The one EMR port. Activities talk to an `Emr`; the FHIR R4 adapter and the sandbox EMR
// implement it. Everything ptflow writes carries OUR id (patient, coverage, appointment, document …) so every
// write is an idempotent upsert: calling twice with the same id changes nothing the second time.
// EMR-side ids are opaque strings (`emr…Id`); ours are UUIDs.
import type { FurnishedBy } from '../../domain/model/index.js';

export * from './errors.js';

export type Sex = 'male' | 'female' | 'other' | 'unknown';

export interface EmrPractitioner {
  emrPractitionerId: string;
  npi: string;
  lastName: string;
  firstName?: string;
  active: boolean;
}

export interface PatientDemographics {
  given: string[];
  family: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: Sex;
  phone?: string;
  email?: string;
  /** BCP-47, e.g. "en", "es". */
  preferredLanguage?: string;
  /** Home address (FHIR Patient.address, use home first): the claim's 2010BA N3/N4. */
  address?: { line1: string; line2?: string; city: string; state: string; postalCode: string };
}

export interface PatientUpsert {
  /** Our patient UUID: the idempotency key and the identifier the EMR keeps for us. */
  patientId: string;
  /** The practice's medical record number, when already assigned. */
  mrn?: string;
  demographics: PatientDemographics;
}

export interface EmrPatient {
  emrPatientId: string;
  patientId?: string;
  mrn?: string;
  demographics: PatientDemographics;
}

export type PatientQuery = { patientId: string } | { mrn: string } | { emrPatientId: string };

export interface UpsertResult {
  /** The EMR's id of the resource. */
  emrId: string;
  /** False when it already existed (and was updated or left alone). */
  created: boolean;
}

export type CoverageRelationship = 'self' | 'spouse' | 'child' | 'other';

export interface CoverageInput {
  coverageId: string;
  emrPatientId: string;
  payerId: string;
  payerName?: string;
  memberId: string;
  groupNumber?: string;
  /** 1 = primary, 2 = secondary … */
  order: number;
  relationship: CoverageRelationship;
  status: 'active' | 'cancelled';
  periodStart?: string;
  periodEnd?: string;
}

export interface EmrCoverage extends CoverageInput {
  emrCoverageId: string;
}

export interface SlotQuery {
  /** Inclusive start and exclusive end of the search window (ISO instants). */
  from: string;
  to: string;
  therapistId?: string;
  specialty?: string;
  locationId?: string;
  /** Only slots at least this long. */
  minMinutes?: number;
  /** Upper bound on results (the adapter pages until it has this many or the EMR has no more). */
  limit?: number;
}

export interface FreeSlot {
  slotId: string;
  therapistId: string;
  therapistNpi?: string;
  locationId?: string;
  specialties: string[];
  start: string;
  end: string;
}

export type AppointmentKind = 'evaluation' | 'treatment' | 're-evaluation' | 'discharge';
export type AppointmentStatus = 'pending' | 'booked' | 'arrived' | 'fulfilled' | 'cancelled' | 'noshow';
export type CancelReason = 'patient' | 'clinic' | 'weather' | 'other';

export interface BookingRequest {
  /** Our appointment UUID: booking twice with the same id returns the same appointment. */
  appointmentId: string;
  slotId: string;
  emrPatientId: string;
  kind: AppointmentKind;
}

export interface EmrAppointment {
  emrAppointmentId: string;
  appointmentId?: string;
  slotId?: string;
  emrPatientId: string;
  therapistId?: string;
  locationId?: string;
  kind?: AppointmentKind;
  status: AppointmentStatus;
  start: string;
  end: string;
  cancelReason?: CancelReason;
}

export interface IntakeAnswerItem {
  linkId: string;
  text?: string;
  answers: (string | number | boolean)[];
}

export interface IntakeAnswers {
  /** Our id of the completed form submission. */
  responseId: string;
  emrPatientId: string;
  /** Canonical URL of the questionnaire (form version). */
  questionnaire: string;
  authored: string;
  items: IntakeAnswerItem[];
}

export type DocumentKind =
  'intake-packet' | 'plan-of-care' | 'progress-report' | 'discharge-summary' | 'other';

export interface DocumentInput {
  documentId: string;
  emrPatientId: string;
  kind: DocumentKind;
  title: string;
  contentType: 'application/pdf';
  data: Uint8Array;
  createdAt: string;
}

export interface VisitIntervention {
  code: string;
  minutes: number;
  furnishedBy: FurnishedBy;
}

export interface SignedVisit {
  visitId: string;
  emrPatientId: string;
  emrAppointmentId?: string;
  dateOfService: string;
  signedAt: string;
  therapistNpi: string;
  therapistId?: string;
  interventions: VisitIntervention[];
  totalTreatmentMinutes: number;
  /** ICD-10-CM codes, principal first. */
  diagnoses: string[];
}

export type SignedReportKind = 'progress_report' | 'recertification' | 'discharge_summary';
export type SignedReportGoalStatus = 'met' | 'partially_met' | 'progressing' | 'not_met' | 'discontinued';

/** A report to the referring physician as the therapist signed it in the EMR. */
export interface SignedReport {
  reportId: string;
  emrPatientId: string;
  kind: SignedReportKind;
  /** YYYY-MM-DD */
  reportDate: string;
  signedAt: string;
  therapistNpi: string;
  /** The signing therapist as the report prints it ("Dana Whitfield, PT, DPT"). */
  therapistName?: string;
  goals: { text: string; status: SignedReportGoalStatus }[];
  assessment?: string;
  plan: string;
}

/** The order that sent the patient to therapy: its practitioner is the claim's referring provider (2310A). */
export interface EmrReferral {
  referralId: string;
  /** When the order was written / received. */
  authoredOn: string;
  referringProvider?: { npi: string; lastName: string; firstName?: string };
  diagnoses: string[];
}

export type PlanOfCareStatus = 'draft' | 'active' | 'completed' | 'revoked';

export interface PlanOfCare {
  planOfCareId: string;
  emrPatientId: string;
  status: PlanOfCareStatus;
  /** Certification period, YYYY-MM-DD. */
  start: string;
  end?: string;
  certifyingPhysicianNpi?: string;
  diagnoses: string[];
  /** CPT/HCPCS codes of the planned interventions. */
  plannedInterventions: string[];
  visitsPerWeek?: number;
  durationWeeks?: number;
  goals: string[];
}

import type { OutcomeInstrument } from '../../domain/outcomes/instruments.js';
export { outcomeInstruments, type OutcomeInstrument } from '../../domain/outcomes/instruments.js';

export interface OutcomeObservation {
  observationId: string;
  emrPatientId: string;
  instrument: OutcomeInstrument;
  score: number;
  effective: string;
}

/** The operations a vendor profile can switch off (see fhir/profiles.ts). */
export type EmrCapability =
  | 'patient'
  | 'coverage'
  | 'scheduling'
  | 'questionnaireResponse'
  | 'documentReference'
  | 'encounter'
  | 'carePlan'
  | 'observation';

export interface Emr {
  /** Which implementation/profile answers (for logs and metrics: never PHI). */
  readonly vendor: string;
  /**
   * The practice whose EMR this is, when the connection belongs to one. The event router never resolves
   * another practice's events through it: a practice's sequential EMR ids would otherwise name this
   * practice's patients. Unset: a connection shared by design (one-practice deployments).
   */
  readonly practiceId?: string;

  findPatient(query: PatientQuery): Promise<EmrPatient | undefined>;
  /** Create the patient, or update it when the EMR already holds our patient id. */
  upsertPatient(input: PatientUpsert): Promise<UpsertResult>;
  /**
   * Attach our patient id to a patient the EMR registered first (walk-in, referral), so the onboarding's
   * `upsertPatient` updates that record instead of creating a second one. Idempotent; a record that already
   * carries another id of ours is left alone. Optional: an adapter without it gets a new record per onboarding.
   */
  linkPatient?(emrPatientId: string, patientId: string): Promise<void>;

  upsertCoverage(input: CoverageInput): Promise<UpsertResult>;
  listCoverages(emrPatientId: string): Promise<EmrCoverage[]>;

  searchFreeSlots(query: SlotQuery): Promise<FreeSlot[]>;
  /** Throws SlotUnavailable when the slot was taken meanwhile. Idempotent on `appointmentId`. */
  bookAppointment(request: BookingRequest): Promise<EmrAppointment>;
  /** Idempotent: cancelling a cancelled appointment returns it unchanged. */
  cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment>;
  getAppointment(emrAppointmentId: string): Promise<EmrAppointment>;

  writeIntakeAnswers(input: IntakeAnswers): Promise<UpsertResult>;
  writeDocument(input: DocumentInput): Promise<UpsertResult>;

  /** The signed visit (note) with its interventions; EmrNotFound if it does not exist or is not signed. */
  getSignedVisit(visitId: string): Promise<SignedVisit>;
  /**
   * The practice's signed visits (notes) whose date of service is within [from, to] (ISO dates, inclusive): what
   * the nightly billing reconciliation compares with the charges. Optional for EMRs that cannot search notes
   * (the reconciliation then reports the practice as not reconciled instead of guessing).
   */
  listSignedVisits?(range: { from: string; to: string }): Promise<SignedVisit[]>;
  /**
   * A progress report, recertification or discharge summary the therapist signed (goals with their status,
   * assessment, plan); EmrNotFound if there is none. Optional: an EMR without it leaves the physician report to
   * staff (the delivery process raises a task).
   */
  getSignedReport?(reportId: string): Promise<SignedReport>;
  /**
   * The EMR's Practitioner with this NPI (name for the claim's rendering provider, loop 2310B), or nothing.
   * Feeds ptflow's practitioner directory; optional for EMRs that cannot search practitioners.
   */
  findPractitioner?(npi: string): Promise<EmrPractitioner | undefined>;

  /**
   * The patient's most recent referral (FHIR ServiceRequest) authored on or before `onDate`, or undefined.
   * Optional: an EMR without referrals leaves the referring provider to the claim's correction.
   */
  getReferral?(emrPatientId: string, onDate: string): Promise<EmrReferral | undefined>;

  getPlanOfCare(planOfCareId: string): Promise<PlanOfCare | undefined>;
  upsertPlanOfCare(input: PlanOfCare): Promise<UpsertResult>;

  writeOutcome(input: OutcomeObservation): Promise<UpsertResult>;
  listOutcomes(emrPatientId: string): Promise<OutcomeObservation[]>;
}
