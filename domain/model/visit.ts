import { z } from 'zod';
import { isTimedCode } from '../codes/cpt.js';
import { DisciplineSchema, IsoDateSchema, ProcedureCodeSchema } from './common.js';

/**
 * Who furnished the minutes. `PT_AND_PTA` = PT and PTA treating together, which counts as the PT's service
 * for CQ purposes [R22]; it is kept distinct so the record shows what happened.
 */
export const FurnishedBySchema = z.enum(['PT', 'PTA', 'PT_AND_PTA']);
export type FurnishedBy = z.infer<typeof FurnishedBySchema>;

/** Distinct-service bases for bypassing an NCCI PTP edit [R12, R25]. */
export const DistinctServiceModifierSchema = z.enum(['XE', 'XS', 'XP', 'XU', '59']);
export type DistinctServiceModifier = z.infer<typeof DistinctServiceModifierSchema>;

export const InterventionSchema = z
  .object({
    code: ProcedureCodeSchema,
    /** Direct one-on-one minutes for timed codes; for untimed codes the documented time (used for CQ de minimis). */
    minutes: z.number().int().min(0),
    furnishedBy: FurnishedBySchema,
    /**
     * Order performed in the session (0-based): when CMS total-time units could go to either code, the code
     * performed first wins (after the payer's code priority).
     */
    sequence: z.number().int().min(0).optional(),
  })
  // The timed flag always comes from the code table, never from the caller; null = code we do not know.
  .transform((intervention) => ({ ...intervention, timed: isTimedCode(intervention.code) ?? null }));
export type Intervention = z.infer<typeof InterventionSchema>;
export type InterventionInput = z.input<typeof InterventionSchema>;

/**
 * A clinician's confirmation that a code was a distinct service (separate encounter E, anatomic site S,
 * practitioner P, unusual non-overlapping service U). Required before any 59/X is appended: never silently.
 */
export const DistinctServiceSchema = z.object({
  code: ProcedureCodeSchema,
  modifier: DistinctServiceModifierSchema,
  confirmedBy: z.string().min(1),
  documentation: z.string().min(1),
});
export type DistinctService = z.infer<typeof DistinctServiceSchema>;

export const VisitSchema = z.object({
  id: z.string().min(1),
  practiceId: z.string().min(1),
  patientId: z.string().min(1),
  payerId: z.string().min(1),
  dos: IsoDateSchema,
  placeOfService: z
    .string()
    .regex(/^\d{2}$/)
    .default('11'),
  discipline: DisciplineSchema.default('PT'),
  /** Format and check digit are scrubbed (a bad NPI is a finding, not a parse failure). */
  renderingNpi: z.string(),
  interventions: z.array(InterventionSchema),
  /** Diagnoses documented for this visit (ICD-10-CM), principal first. */
  diagnoses: z.array(z.string()),
  distinctServices: z.array(DistinctServiceSchema).default([]),
  /** Total treatment time documented in the note (timed + untimed), BPM ch. 15 §220.3 [R10]. */
  totalTreatmentMinutes: z.number().int().min(0).optional(),
});
export type Visit = z.infer<typeof VisitSchema>;
export type VisitInput = z.input<typeof VisitSchema>;
