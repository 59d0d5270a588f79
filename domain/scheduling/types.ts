// Inputs of the evaluation-scheduling helper (onboarding books the initial evaluation) as zod schemas, so the
// activity validates what a workflow or the EMR hands it before any rule runs. Only opaque ids travel here:
// no patient names.
import { z } from 'zod';
import { IsoDateSchema } from '../model/common.js';
import { isValidTimeZone } from '../core/zoned.js';
import { EQUIPMENT_KINDS } from './equipment.js';
import { instantMs, parseClockTime } from './local-time.js';

export const ACUITIES = ['post-surgical', 'acute', 'subacute', 'chronic'] as const;
export const AcuitySchema = z.enum(ACUITIES);
export type Acuity = z.infer<typeof AcuitySchema>;

/** Who may furnish an initial evaluation is decided by discipline: PT yes, PTA never. */
export const SlotDisciplineSchema = z.enum(['PT', 'PTA']);
export type SlotDiscipline = z.infer<typeof SlotDisciplineSchema>;

export const BODY_REGIONS = [
  'lumbar-spine',
  'cervical-spine',
  'thoracic-spine',
  'shoulder',
  'elbow',
  'wrist-hand',
  'hip',
  'knee',
  'ankle-foot',
  'vestibular',
  'balance-gait',
  'neurologic',
  'pelvic-floor',
  'post-operative',
  'general',
] as const;
export const BodyRegionSchema = z.enum(BODY_REGIONS);
export type BodyRegion = z.infer<typeof BodyRegionSchema>;

/** Specialty tags as the EMR/seed data spell them (free text there, so kept as strings here). */
export type Specialty = string;

export const IsoInstantSchema = z
  .string()
  .refine((s) => Number.isFinite(instantMs(s)), { message: 'expected an ISO instant with Z or an offset' });

const ClockTimeSchema = z.string().refine((s) => parseClockTime(s) !== null, { message: 'expected HH:MM' });

/** A weekly window in the clinic's zone, e.g. { weekday: 2, start: '17:00', end: '19:00' } = Tuesday evening. */
export const AvailabilityWindowSchema = z
  .object({
    weekday: z.number().int().min(0).max(6),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
  })
  .refine((w) => (parseClockTime(w.start) ?? 0) < (parseClockTime(w.end) ?? 0), {
    message: 'window start must be before its end',
  });
export type AvailabilityWindow = z.infer<typeof AvailabilityWindowSchema>;

export const PreferredLocationSchema = z.object({
  locationId: z.string().min(1),
  /** Distance from the patient, computed by the caller; when given, nearer ranks first. */
  distanceKm: z.number().nonnegative().optional(),
});
export type PreferredLocation = z.infer<typeof PreferredLocationSchema>;

export const EvaluationRequestSchema = z
  .object({
    /** Primary ICD-10-CM code from the referral (dot optional). */
    diagnosisCode: z.string().min(3).optional(),
    bodyRegion: BodyRegionSchema.optional(),
    acuity: AcuitySchema,
    /** Ordered most preferred first (or by distanceKm when every entry has one). */
    preferredLocations: z.array(PreferredLocationSchema).default([]),
    /** When false and preferredLocations is not empty, other locations are never offered. */
    otherLocationsAcceptable: z.boolean().default(false),
    /** Empty = the patient can come any time the clinic is open. */
    availability: z.array(AvailabilityWindowSchema).default([]),
    /** The clinic's IANA zone; availability and the date range are read in it. */
    timeZone: z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' }),
    earliestDate: IsoDateSchema,
    latestDate: IsoDateSchema,
    /** Lower bound on the start instant (e.g. workflow time + lead time); the domain never reads a clock. */
    notBefore: IsoInstantSchema.optional(),
    /** The evaluation needs a device of this kind: only slots with one free are offered. */
    equipmentKind: z.enum(EQUIPMENT_KINDS).optional(),
  })
  .refine((r) => r.diagnosisCode !== undefined || r.bodyRegion !== undefined, {
    message: 'give a diagnosis code, a body region, or both',
  })
  .refine((r) => r.earliestDate <= r.latestDate, { message: 'earliestDate must not be after latestDate' });
export type EvaluationRequestInput = z.input<typeof EvaluationRequestSchema>;
export type EvaluationRequest = z.infer<typeof EvaluationRequestSchema>;

/** A free slot offered by the EMR, already joined with the therapist's discipline and specialties. */
export const CandidateSlotSchema = z.object({
  slotId: z.string().min(1),
  therapistId: z.string().min(1),
  discipline: SlotDisciplineSchema,
  specialties: z.array(z.string()),
  locationId: z.string().min(1),
  start: IsoInstantSchema,
  /** Bookable minutes from `start` (a slot is booked by id, so the evaluation starts at `start`). */
  minutesAvailable: z.number().int().positive(),
});
export type CandidateSlot = z.infer<typeof CandidateSlotSchema>;
