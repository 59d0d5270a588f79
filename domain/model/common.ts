// Shared zod primitives. Validation here is structural (format); the scrubber does the semantic checks and
// turns problems into findings instead of exceptions.
import { z } from 'zod';
import { isIsoDate } from '../core/dates.js';

export const IsoDateSchema = z.string().refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' });

/** Integer cents (money is never a float). */
export const CentsSchema = z.number().int();

/** CPT (5 digits, or 4 digits + a letter for category II/III) or HCPCS level II (letter + 4 digits). */
export const ProcedureCodeSchema = z
  .string()
  .regex(/^(\d{4}[0-9A-Z]|[A-Z]\d{4})$/, 'expected a CPT/HCPCS code');

export const ModifierSchema = z.string().regex(/^[0-9A-Z]{2}$/, 'expected a two-character modifier');

/** Ten digits; the check digit is the scrubber's job (npi.ts) so a bad NPI becomes a finding. */
export const NpiSchema = z.string().regex(/^\d{10}$/, 'expected 10 digits');

export const DisciplineSchema = z.enum(['PT', 'OT', 'SLP']);

export const PayerIdSchema = z.string().min(1);

/** A US postal address as the 837P's N3/N4 carry it (N301/N302 ≤ 55, N401 ≤ 30, N402 state, N403 ZIP). */
export const AddressSchema = z.object({
  line1: z.string().min(1).max(55),
  line2: z.string().min(1).max(55).optional(),
  city: z.string().min(1).max(30),
  state: z.string().regex(/^[A-Z]{2}$/, 'expected a two-letter state code'),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/, 'expected a 5- or 9-digit ZIP code'),
});

export type Address = z.infer<typeof AddressSchema>;
