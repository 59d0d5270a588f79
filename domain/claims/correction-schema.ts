// The request schema of a claim correction (POST /v1/claims/{id}/corrections and `ptflow claim correct`): the
// data that clears a held claim's findings (./corrections.ts `CLEARED_BY`). Separate from corrections.ts, which
// the claim workflow imports and which therefore stays free of zod.
import { z } from 'zod';
import { AddressSchema } from '../model/common.js';

const name = z.string().min(1).max(60);
const npi = z.string().regex(/^\d{10}$/);

/** One timed or untimed service of a visit, as the API takes it (the claim, its preview and its corrections). */
export const VisitInterventionSchema = z.strictObject({
  code: z.string().regex(/^[0-9A-Z]{5}$/),
  minutes: z.number().int().min(0).max(480),
  furnishedBy: z.enum(['PT', 'PTA', 'PT_AND_PTA']),
  sequence: z.number().int().min(0).max(50).optional(),
});

/** A visit's ICD-10-CM diagnoses (837P allows twelve). */
export const VisitDiagnosesSchema = z
  .array(z.string().regex(/^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/))
  .min(1)
  .max(12);

export const ClaimCorrectionSchema = z
  .strictObject({
    referringProvider: z.strictObject({ name, firstName: name.optional(), npi }).optional(),
    subscriberAddress: z.strictObject(AddressSchema.shape).optional(),
    renderingNpi: npi.optional(),
    diagnoses: VisitDiagnosesSchema.optional(),
    interventions: z.array(VisitInterventionSchema).min(1).max(30).optional(),
    totalTreatmentMinutes: z.number().int().min(0).max(600).optional(),
    placeOfService: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
    distinctServices: z
      .array(
        z.strictObject({
          code: z.string().regex(/^[0-9A-Z]{5}$/),
          modifier: z.enum(['XE', 'XS', 'XP', 'XU', '59']),
          confirmedBy: z.string().min(1).max(100),
          documentation: z.string().min(1).max(500),
        }),
      )
      .max(30)
      .optional(),
    dos: z.iso.date().optional(),
    priorAuthNumber: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,50}$/)
      .optional(),
    kxAccruedAllowedCents: z.number().int().min(0).max(10_000_000).optional(),
    writeOff: z.literal(true).optional(),
  })
  .describe('Corrections for a held claim; absent fields are unchanged, an empty body re-checks the claim.');

export type ClaimCorrectionRequest = z.infer<typeof ClaimCorrectionSchema>;
