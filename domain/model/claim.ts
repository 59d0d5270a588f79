import { z } from 'zod';
import { AddressSchema, CentsSchema, IsoDateSchema, ModifierSchema, ProcedureCodeSchema } from './common.js';

/** Professional claims allow only frequency 1 (original), 7 (replacement) or 8 (void) [ST4]. */
export const ClaimFrequencySchema = z.enum(['1', '7', '8']);
export type ClaimFrequency = z.infer<typeof ClaimFrequencySchema>;

export const ClaimLineSchema = z.object({
  lineNumber: z.number().int().min(1),
  code: ProcedureCodeSchema,
  /** In submission order; the 837P SV1 carries at most four [ST9] (the scrubber reports overflow). */
  modifiers: z.array(ModifierSchema),
  units: z.number().int().min(0),
  chargeCents: CentsSchema,
  /** 1-based pointers into claim.diagnoses, at most four per line. */
  diagnosisPointers: z.array(z.number().int()),
  dos: IsoDateSchema,
  /** Minutes that support the units (timed codes), kept for the documentation check [R10]. */
  minutes: z.number().int().min(0).optional(),
  /** Why the line looks the way it does (tie-breaks, caps, modifiers): the claim line's audit trail. */
  audit: z.array(z.string()).default([]),
});
export type ClaimLine = z.infer<typeof ClaimLineSchema>;
export type ClaimLineInput = z.input<typeof ClaimLineSchema>;

export const ProviderRefSchema = z.object({
  npi: z.string(),
  /** Certifying/referring practitioner role; chiropractors and dentists may not certify therapy POCs [R35]. */
  taxonomyKind: z.enum(['physician', 'npp', 'chiropractor', 'dentist', 'other']).optional(),
});
export type ProviderRef = z.infer<typeof ProviderRefSchema>;

export const ClaimSchema = z.object({
  id: z.string().min(1),
  visitId: z.string().min(1),
  practiceId: z.string().min(1),
  patientId: z.string().min(1),
  payerId: z.string().min(1),
  /** CLM01, our patient control number (opaque, no PHI). */
  patientControlNumber: z.string().min(1),
  frequency: ClaimFrequencySchema.default('1'),
  /** Payer's original claim control number, 2300 REF*F8, required for frequency 7/8. */
  originalClaimNumber: z.string().optional(),
  placeOfService: z.string().default('11'),
  billingProvider: z.object({ npi: z.string(), taxId: z.string().optional() }),
  /**
   * 2310B rendering provider. The name comes from the practice's practitioner directory; without one the
   * scrubber holds the claim (RENDERING_PROVIDER_UNKNOWN): no placeholder name is ever sent.
   */
  renderingProvider: z
    .object({ npi: z.string(), lastName: z.string().min(1).optional(), firstName: z.string().optional() })
    .optional(),
  /**
   * 2010BA subscriber facts the scrubber judges (the patient is the subscriber on every ptflow claim). Present
   * whenever a claim is prepared for a payer; its address (N3/N4, required when the patient is the subscriber)
   * missing → SUBSCRIBER_ADDRESS_MISSING. Absent for a claim that is only previewed.
   */
  subscriber: z.object({ address: AddressSchema.optional() }).optional(),
  /** 2310A referring / certifying practitioner [R33]. */
  referringProvider: ProviderRefSchema.optional(),
  /** ICD-10-CM codes, principal first; the 837P HI segment carries up to 12. */
  diagnoses: z.array(z.string()),
  /** 2300 REF*G1 prior authorization number. */
  priorAuthNumber: z.string().optional(),
  lines: z.array(ClaimLineSchema),
});
export type Claim = z.infer<typeof ClaimSchema>;
export type ClaimInput = z.input<typeof ClaimSchema>;

export function claimTotalCents(claim: Pick<Claim, 'lines'>): number {
  return claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
}
