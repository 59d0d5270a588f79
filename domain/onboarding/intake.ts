// Onboarding intake (its first step): what `POST /v1/onboardings` or an EMR "patient created / referral
// received" event hands the workflow, validated and normalized before anything is written. The demographics
// and member ids are PHI: they travel only inside encrypted Temporal payloads and encrypted columns.
import { z } from 'zod';
import { AddressSchema, IsoDateSchema } from '../model/common.js';
import { AcuitySchema, BodyRegionSchema, PreferredLocationSchema } from '../scheduling/types.js';
import { EQUIPMENT_KINDS } from '../scheduling/equipment.js';
import {
  DEFAULT_APPOINTMENT_REMINDER_HOURS_BEFORE,
  DEFAULT_FORM_REMINDER_OFFSETS_HOURS,
  DEFAULT_FORMS_ESCALATION_HOURS_BEFORE,
} from './reminders.js';

const uuid = z.uuid();
const name = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .transform((s) => s.replace(/\s+/g, ' '));

export const SexSchema = z.enum(['male', 'female', 'other', 'unknown']);

/** E.164 after stripping formatting: "(312) 555-0177" → "+13125550177" (NANP numbers without +1 get it). */
const phone = z
  .string()
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .transform((s) => (/^\d{10}$/.test(s) ? `+1${s}` : s))
  .pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, 'expected a phone number'));

export const PatientDemographicsSchema = z.strictObject({
  given: z.array(name).min(1).max(3),
  family: name,
  birthDate: IsoDateSchema,
  sex: SexSchema,
  phone: phone.optional(),
  email: z
    .email()
    .transform((s) => s.toLowerCase())
    .optional(),
  preferredLanguage: z.enum(['en', 'es']).default('en'),
  /** Home address: the EMR's Patient.address and every claim's 2010BA N3/N4 (a claim without one is held). */
  address: AddressSchema.optional(),
});
export type PatientDemographics = z.output<typeof PatientDemographicsSchema>;

export const CoverageIntakeSchema = z.strictObject({
  coverageId: uuid,
  /** Domain payer-profile id (the payer connector's directory maps it to the X12 payer id). */
  payerId: z.string().min(1).max(64),
  memberId: z
    .string()
    .trim()
    .min(2)
    .max(40)
    .transform((s) => s.toUpperCase()),
  groupNumber: z.string().trim().min(1).max(40).optional(),
  /** 1 = primary, 2 = secondary … */
  priority: z.number().int().min(1).max(9),
});
export type CoverageIntake = z.output<typeof CoverageIntakeSchema>;

export const EvaluationPreferencesSchema = z.strictObject({
  acuity: AcuitySchema,
  diagnosisCode: z.string().min(3).optional(),
  bodyRegion: BodyRegionSchema.optional(),
  preferredLocations: z.array(PreferredLocationSchema).default([]),
  otherLocationsAcceptable: z.boolean().default(true),
  /** First day offered counts from tomorrow (clinic zone) plus this many days. */
  leadDays: z.number().int().min(0).max(30).default(1),
  /** How many days the search spans. */
  searchDays: z.number().int().min(1).max(60).default(14),
  /** The evaluation needs a device of this kind (e.g. an AlterG for a gait evaluation): booked only when one is free. */
  equipmentKind: z.enum(EQUIPMENT_KINDS).optional(),
});
export type EvaluationPreferences = z.output<typeof EvaluationPreferencesSchema>;

/** The intake fields a caller sends (the API adds the practice and the process id). */
const intakeFields = {
  /** Our patient id (created by the caller, or the id of a patient we already know). */
  patientId: uuid,
  /** The clinic's IANA zone (scheduling, eligibility service date). */
  clinicTimeZone: z.string().min(1).max(64),
  /** The patient's IANA zone (quiet hours for messages). */
  patientTimeZone: z.string().min(1).max(64),
  demographics: PatientDemographicsSchema,
  preferredChannel: z.enum(['sms', 'email']),
  /** Consent captured on the intake form for the preferred channel. */
  messagingConsent: z.boolean(),
  coverages: z.array(CoverageIntakeSchema).max(3).default([]),
  evaluation: EvaluationPreferencesSchema,
  /** The secure forms link (the forms service authenticates the patient before showing anything). */
  intakeFormLink: z.url({ protocol: /^https$/ }).max(100),
  /** Secure link of the "update your insurance" page. */
  insuranceUpdateLink: z.url({ protocol: /^https$/ }).max(100),
  /** Hours after the first intake message at which to remind (default 24 h, 48 h). */
  formReminderOffsetsHours: z
    .array(
      z
        .number()
        .positive()
        .max(24 * 30),
    )
    .max(10)
    .default([...DEFAULT_FORM_REMINDER_OFFSETS_HOURS]),
  /** Hours before the evaluation for the appointment reminder (default 24). */
  appointmentReminderHoursBefore: z
    .number()
    .positive()
    .max(24 * 30)
    .default(DEFAULT_APPOINTMENT_REMINDER_HOURS_BEFORE),
  /** Hours before the evaluation at which missing forms become a front-desk task (default 24). */
  formsEscalationHoursBefore: z
    .number()
    .positive()
    .max(24 * 30)
    .default(DEFAULT_FORMS_ESCALATION_HOURS_BEFORE),
  /** Visits requested when the plan requires a prior authorization. */
  requestedAuthVisits: z.number().int().min(1).max(60).default(12),
  /** The referral: who certifies the plan of care (handed to planOfCare at check-in). */
  referral: z
    .strictObject({
      referringPractitionerId: uuid,
      /** A signed and dated order came with the referral (2025 certification rule). */
      signedAndDated: z.boolean().default(false),
    })
    .optional(),
  /** An evaluation the EMR already booked (referral arrived with an appointment). */
  existingAppointment: z.strictObject({ emrAppointmentId: z.string().min(1).max(100) }).optional(),
};

type IntakeRefinable = {
  preferredChannel: 'sms' | 'email';
  demographics: { phone?: string | undefined; email?: string | undefined };
  coverages: { priority: number }[];
};

/** Cross-field rules shared by the API request and the workflow input. */
function refineIntake<T extends z.ZodType<IntakeRefinable>>(schema: T) {
  return schema
    .refine((i) => i.preferredChannel !== 'sms' || i.demographics.phone !== undefined, {
      message: 'sms needs a phone number',
      path: ['demographics', 'phone'],
    })
    .refine((i) => i.preferredChannel !== 'email' || i.demographics.email !== undefined, {
      message: 'email needs an address',
      path: ['demographics', 'email'],
    })
    .refine((i) => new Set(i.coverages.map((c) => c.priority)).size === i.coverages.length, {
      message: 'coverage priorities must be distinct',
      path: ['coverages'],
    });
}

/** What `POST /v1/onboardings` accepts. */
export const OnboardingRequestSchema = refineIntake(z.strictObject(intakeFields));

export const OnboardingInputSchema = refineIntake(
  z.strictObject({ onboardingId: uuid, practiceId: uuid, ...intakeFields }),
);
export type OnboardingInput = z.input<typeof OnboardingInputSchema>;
export type OnboardingIntake = z.output<typeof OnboardingInputSchema>;

/**
 * Validate the intake. The issues name fields only (never values), so the message is safe in a failure
 * that lands in workflow history and logs.
 */
export function parseIntake(
  input: unknown,
): { ok: true; intake: OnboardingIntake } | { ok: false; issues: string[] } {
  const parsed = OnboardingInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, intake: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.code}`),
  };
}
