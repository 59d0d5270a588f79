// The EMR webhook payloads ptflow accepts (POST /v1/webhooks/emr/:source), after the Standard Webhooks
// signature has been verified over the raw bytes. The sandbox EMR emits exactly these; an adapter for a real
// EMR's webhooks translates into them.
//
// Payloads are thin: opaque ids plus the event facts a process needs to move on. No names, dates of
// birth, contact details or member ids — the worker fetches PHI through the EMR connector when it must.
// Objects are strict: an unknown field is a contract violation, not something to silently carry along.
import { z } from 'zod';
import {
  FurnishedBySchema,
  IsoDateSchema,
  NpiSchema,
  ProcedureCodeSchema,
} from '../../domain/model/index.js';

const Id = z.string().min(1).max(128);
const Uuid = z.uuid();
const Instant = z.iso.datetime({ offset: true });

export const emrEventTypes = [
  'patient.created',
  'referral.received',
  'appointment.booked',
  'appointment.checked_in',
  'appointment.cancelled',
  'appointment.no_show',
  'appointment.waitlisted',
  'note.signed',
  'report.signed',
] as const;
export type EmrEventType = (typeof emrEventTypes)[number];

export const PatientCreatedData = z.strictObject({
  practiceId: Uuid,
  emrPatientId: Id,
  /** Our patient id when the EMR already knows it (the patient was created through ptflow). */
  patientId: Uuid.nullable(),
});

export const ReferralReceivedData = z.strictObject({
  practiceId: Uuid,
  referralId: Id,
  emrPatientId: Id,
  referringNpi: NpiSchema.nullable(),
  receivedAt: Instant,
});

export const AppointmentKindSchema = z.enum(['evaluation', 'treatment', 're-evaluation', 'discharge']);

export const AppointmentData = z.strictObject({
  practiceId: Uuid,
  emrAppointmentId: Id,
  /** Our appointment id when ptflow booked it (the booking's idempotency key). */
  appointmentId: Uuid.nullable(),
  emrPatientId: Id,
  therapistId: Id,
  locationId: Id,
  kind: AppointmentKindSchema,
  start: Instant,
  end: Instant,
});

export const CancelReasonSchema = z.enum(['patient', 'clinic', 'weather', 'other']);

export const AppointmentCancelledData = AppointmentData.extend({ reason: CancelReasonSchema });

/**
 * A patient put on the waitlist in the EMR (a FHIR Appointment with status `waitlist`, issue 18 §2): ptflow adds
 * a waitlist entry (source `emr`) once per EMR appointment, so a redelivery adds nothing.
 */
export const AppointmentWaitlistedData = z.strictObject({
  practiceId: Uuid,
  /** The EMR's waitlist appointment: the entry's idempotency key. */
  emrAppointmentId: Id,
  emrPatientId: Id,
  locationId: Id,
  /** Only this therapist (continuity of care); null: any therapist of the location. */
  therapistId: Id.nullable(),
  /** The visit length a slot must have. */
  minutes: z.number().int().min(15).max(120),
  /** 1 routine, 2 subacute, 3 urgent; routine when the EMR does not say. */
  acuity: z.number().int().min(1).max(3).optional(),
  requestedAt: Instant,
});

export const NoteInterventionSchema = z.strictObject({
  code: ProcedureCodeSchema,
  minutes: z.number().int().min(0).max(600),
  furnishedBy: FurnishedBySchema,
});

export const NoteSignedData = z.strictObject({
  practiceId: Uuid,
  /** The signed visit (FHIR Encounter) id; the claim id derives from it and the practice (one claim per visit). */
  visitId: Id,
  emrAppointmentId: Id.nullable(),
  emrPatientId: Id,
  therapistId: Id,
  therapistNpi: NpiSchema,
  dateOfService: IsoDateSchema,
  signedAt: Instant,
  interventions: z.array(NoteInterventionSchema).min(1).max(50),
  totalTreatmentMinutes: z.number().int().min(0).max(1440),
});

/** The documents to the referring physician a therapist signs in the EMR (issue 17 point 3). */
export const SignedReportKindSchema = z.enum(['progress_report', 'recertification', 'discharge_summary']);

export const ReportSignedData = z.strictObject({
  practiceId: Uuid,
  /** The EMR's id of the signed report (a FHIR Composition / DocumentReference); read back for its content. */
  reportId: Id,
  emrPatientId: Id,
  kind: SignedReportKindSchema,
  reportDate: IsoDateSchema,
  therapistNpi: NpiSchema,
  signedAt: Instant,
});

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({ type: z.literal(type), timestamp: Instant, data });

export const EmrEventSchema = z.discriminatedUnion('type', [
  envelope('patient.created', PatientCreatedData),
  envelope('referral.received', ReferralReceivedData),
  envelope('appointment.booked', AppointmentData),
  envelope('appointment.checked_in', AppointmentData),
  envelope('appointment.cancelled', AppointmentCancelledData),
  envelope('appointment.no_show', AppointmentData),
  envelope('appointment.waitlisted', AppointmentWaitlistedData),
  envelope('note.signed', NoteSignedData),
  envelope('report.signed', ReportSignedData),
]);

export type EmrEvent = z.infer<typeof EmrEventSchema>;
export type EmrEventOf<T extends EmrEventType> = Extract<EmrEvent, { type: T }>;
export type NoteIntervention = z.infer<typeof NoteInterventionSchema>;

/**
 * Parse a verified raw body. Returns a discriminated result instead of throwing so the route can answer 400
 * without echoing input; `issues` carries paths and codes only (zod messages can quote received values).
 */
export function parseEmrEvent(rawBody: string | Uint8Array):
  | { ok: true; event: EmrEvent }
  | {
      ok: false;
      issues: { path: string; code: string }[];
      /** The zod issues, for an answer built from their schema side only (api/problem.ts `fieldErrors`). */
      schemaIssues: readonly z.core.$ZodIssue[];
    } {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
  } catch {
    return { ok: false, issues: [{ path: '', code: 'invalid_json' }], schemaIssues: [] };
  }
  const r = EmrEventSchema.safeParse(json);
  if (r.success) return { ok: true, event: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
    schemaIssues: r.error.issues,
  };
}
