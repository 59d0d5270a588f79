// A practice's profile: who it is on every claim, message and report — legal name, type-2 NPI, tax id (EIN),
// taxonomy, pay-to and service addresses, phone, time zone — plus its locations, payers, therapists and
// referring providers. These zod schemas are the one contract of the admin API (`/v1/practice…`), the CLI
// (`ptflow practice …`) and the claim's parties; `missingProfileFields` names exactly what a claim still
// needs from an incomplete profile.
import { z } from 'zod';
import { isIanaTimeZone, isValidEin, isValidNpi } from './validators.js';

/** US postal address as the 837P carries it (N3/N4): upper-case-able text, two-letter state, ZIP or ZIP+4. */
export const PracticeAddressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(55),
  line2: z.string().trim().min(1).max(55).optional(),
  city: z.string().trim().min(1).max(30),
  state: z.string().regex(/^[A-Z]{2}$/, 'two upper-case letters'),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/, 'five or nine digits'),
});
export type PracticeAddress = z.infer<typeof PracticeAddressSchema>;

/** An NPI with a valid check digit (Luhn over 80840 + the ten digits). */
export const NpiSchema = z
  .string()
  .regex(/^\d{10}$/, 'ten digits')
  .refine(isValidNpi, 'the NPI check digit is wrong');

/** EIN, nine digits (NN-NNNNNNN accepted), with a prefix the IRS assigns. */
export const TaxIdSchema = z
  .string()
  .regex(/^\d{2}-?\d{7}$/, 'nine digits (NN-NNNNNNN)')
  .refine(isValidEin, 'not an assigned EIN prefix');

export const TimeZoneSchema = z.string().min(1).max(64).refine(isIanaTimeZone, 'an IANA time zone');

/** Ten-digit US phone number, digits only (PER*TE). */
export const PhoneSchema = z.string().regex(/^\d{10}$/, 'ten digits');

/** NUCC provider taxonomy code, e.g. 225100000X (physical therapist) or 261QP2000X (PT clinic). */
export const TaxonomySchema = z.string().regex(/^[0-9A-Z]{9}X$/, 'a NUCC taxonomy code');

const PersonName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[A-Za-z0-9 .'-]+$/, "letters, digits, space . ' -");
const OrgName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[A-Za-z0-9 .,&'/-]+$/, "letters, digits, space . , & ' / -");

/** The practice's own fields (everything but its lists). */
export const PracticeFieldsSchema = z.strictObject({
  /** Display name (staff console, messages). */
  name: OrgName,
  /** Legal name as registered with NPPES and the IRS: the billing provider's NM1*85. */
  legalName: OrgName,
  /** Type-2 (organization) NPI: 2010AA NM1*85 …*XX. */
  npi: NpiSchema,
  /** EIN: 2010AA REF*EI. Stored encrypted; answered masked. */
  taxId: TaxIdSchema,
  /** Billing provider taxonomy (PRV*BI), e.g. 261QP2000X. */
  taxonomy: TaxonomySchema,
  phone: PhoneSchema,
  timezone: TimeZoneSchema,
  /** Where care is given and the billing provider's street address (2010AA N3/N4; never a P.O. box). */
  serviceAddress: PracticeAddressSchema,
  /** Where payers send payment (2010AB), when it is not the service address. */
  payToAddress: PracticeAddressSchema,
});
export type PracticeFields = z.infer<typeof PracticeFieldsSchema>;

/** Creating a practice: name, NPI and time zone at least; the rest can follow (an incomplete profile is named). */
export const PracticeCreateSchema = PracticeFieldsSchema.partial().required({
  name: true,
  npi: true,
  timezone: true,
});
export type PracticeCreate = z.infer<typeof PracticeCreateSchema>;

/** Updating: any subset of the fields; `payToAddress: null` removes a separate pay-to address. */
export const PracticeUpdateSchema = PracticeFieldsSchema.partial().extend({
  payToAddress: PracticeAddressSchema.nullable().optional(),
  taxonomy: TaxonomySchema.nullable().optional(),
});
export type PracticeUpdate = z.infer<typeof PracticeUpdateSchema>;

export const LocationInputSchema = z.strictObject({
  name: OrgName,
  address: PracticeAddressSchema,
  phone: PhoneSchema.optional(),
  /** The location's own type-2 NPI when it has one (837P 2310C service facility). */
  npi: NpiSchema.optional(),
  /** Defaults to the practice's time zone. */
  timezone: TimeZoneSchema.optional(),
  /** CMS place-of-service code of the claims seen here; 11 (office) by default. */
  placeOfService: z
    .string()
    .regex(/^\d{2}$/, 'two digits')
    .optional(),
  active: z.boolean().optional(),
});
export type LocationInput = z.infer<typeof LocationInputSchema>;
export const LocationUpdateSchema = LocationInputSchema.partial();

/** A payer the practice bills: its payer id, how the clearinghouse knows it, and the rule profile it follows. */
export const PracticePayerInputSchema = z.strictObject({
  name: OrgName,
  /**
   * The payer profile (domain/rules/data/payer-profiles.ts) whose rules apply: unit method, KX threshold,
   * authorization, timely filing. One of the profile ids listed by GET /v1/practice/payers.
   */
  profileId: z.string().regex(/^[a-z0-9-]{1,64}$/),
  /** The payer's id at the clearinghouse (2010BB NM1*PR …*PI), when it differs from the payer id. */
  clearinghousePayerId: z
    .string()
    .regex(/^[A-Za-z0-9]{1,80}$/)
    .optional(),
  active: z.boolean().optional(),
});
export type PracticePayerInput = z.infer<typeof PracticePayerInputSchema>;
export const PayerIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and -');

/** A therapist (PT or PTA) on staff: the rendering provider of their visits (2310B) and a bookable clinician. */
export const TherapistInputSchema = z.strictObject({
  lastName: PersonName,
  firstName: PersonName.optional(),
  discipline: z.enum(['PT', 'PTA']),
  /** As the therapist signs, e.g. "DPT, OCS". */
  credentials: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9 ,.-]{1,60}$/)
    .optional(),
  licenseState: z.string().regex(/^[A-Z]{2}$/, 'two upper-case letters'),
  licenseNumber: z.string().regex(/^[A-Za-z0-9-]{1,30}$/),
  licenseExpires: z.iso.date(),
  taxonomy: TaxonomySchema.optional(),
  active: z.boolean().optional(),
});
export type TherapistInput = z.infer<typeof TherapistInputSchema>;

/** A referring physician (or NP/PA) of the practice: 2310A of the claims, recipient of POCs and reports. */
export const ReferrerInputSchema = z.strictObject({
  lastName: PersonName,
  firstName: PersonName.optional(),
  organization: OrgName.optional(),
  phone: PhoneSchema.optional(),
  fax: PhoneSchema.optional(),
  address: PracticeAddressSchema.optional(),
  active: z.boolean().optional(),
});
export type ReferrerInput = z.infer<typeof ReferrerInputSchema>;

/** Fee schedule import: the CSV text (header `code,charge[,expected_allowed]`) and its effective dates. */
export const FeeScheduleImportSchema = z.strictObject({
  /** The payer the schedule applies to, or `*` for the practice chargemaster (every payer). */
  payerId: z.union([z.literal('*'), PayerIdSchema]),
  effectiveFrom: z.iso.date(),
  effectiveTo: z.iso.date().optional(),
  /** Where the numbers come from (contract, MPFS year …): kept with the schedule. */
  source: z.string().trim().min(1).max(120).optional(),
  csv: z.string().min(1).max(1_000_000),
});
export type FeeScheduleImport = z.infer<typeof FeeScheduleImportSchema>;

/** What a profile needs before a claim can name the practice: the 837P's billing provider and submitter. */
export interface ProfileFacts {
  legalName?: string | null;
  npi?: string | null;
  hasTaxId: boolean;
  phone?: string | null;
  serviceAddress?: unknown;
}

/** The profile fields a claim needs, in profile order. */
export const CLAIM_PROFILE_FIELDS = ['legalName', 'npi', 'taxId', 'serviceAddress', 'phone'] as const;
export type ClaimProfileField = (typeof CLAIM_PROFILE_FIELDS)[number];

/** Exactly what the profile still lacks for a claim (empty when complete). */
export function missingProfileFields(p: ProfileFacts): ClaimProfileField[] {
  const missing: ClaimProfileField[] = [];
  if (!p.legalName) missing.push('legalName');
  if (!p.npi || !isValidNpi(p.npi)) missing.push('npi');
  if (!p.hasTaxId) missing.push('taxId');
  if (!p.serviceAddress) missing.push('serviceAddress');
  if (!p.phone) missing.push('phone');
  return missing;
}

/** The prefix of the findings that hold a claim for an incomplete practice profile. */
export const PROFILE_FINDING_PREFIX = 'PRACTICE_PROFILE_MISSING_';

/** The scrubber finding of one missing profile field (PRACTICE_PROFILE_MISSING_TAX_ID …). */
export function profileFindingCode(field: ClaimProfileField): string {
  return `${PROFILE_FINDING_PREFIX}${field.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
}
