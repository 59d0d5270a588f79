// zod schemas for the FHIR R4 resources we READ (untrusted input). Every element the adapter uses is typed and
// checked; elements we do not use are allowed (FHIR servers legitimately add meta, text, extensions …) but
// never read. A failed parse becomes EmrContractViolation with the resource type only — zod's own messages
// can quote received values and must not escape.
import { z } from 'zod';
import { EmrContractViolation } from '../errors.js';

const str = z.string().max(4096);
const Id = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);
const Instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
const FhirDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/);
const DateOrDateTime = z.union([FhirDate, Instant]);

export const Identifier = z.looseObject({ system: str.optional(), value: str.optional() });
export const Coding = z.looseObject({
  system: str.optional(),
  code: str.optional(),
  display: str.optional(),
});
export const CodeableConcept = z.looseObject({
  coding: z.array(Coding).max(50).optional(),
  text: str.optional(),
});
export const Reference = z.looseObject({
  reference: str.optional(),
  identifier: Identifier.optional(),
  display: str.optional(),
});
const Period = z.looseObject({ start: DateOrDateTime.optional(), end: DateOrDateTime.optional() });
export const Extension = z.looseObject({
  url: str,
  valueInteger: z.number().int().optional(),
  valueString: str.optional(),
  valueDateTime: DateOrDateTime.optional(),
  valueCodeableConcept: CodeableConcept.optional(),
});
const Meta = z.looseObject({ versionId: str.optional() }).optional();
const base = <T extends string>(resourceType: T) => ({
  resourceType: z.literal(resourceType),
  id: Id,
  meta: Meta,
  identifier: z.array(Identifier).max(50).optional(),
  extension: z.array(Extension).max(100).optional(),
});

export const Patient = z.looseObject({
  ...base('Patient'),
  name: z
    .array(
      z.looseObject({ use: str.optional(), family: str.optional(), given: z.array(str).max(10).optional() }),
    )
    .max(20)
    .optional(),
  birthDate: FhirDate.optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  telecom: z
    .array(z.looseObject({ system: str.optional(), value: str.optional() }))
    .max(20)
    .optional(),
  communication: z
    .array(z.looseObject({ language: CodeableConcept }))
    .max(10)
    .optional(),
  address: z
    .array(
      z.looseObject({
        use: str.optional(),
        line: z.array(str).max(5).optional(),
        city: str.optional(),
        state: str.optional(),
        postalCode: str.optional(),
      }),
    )
    .max(10)
    .optional(),
});

export const Coverage = z.looseObject({
  ...base('Coverage'),
  status: z.enum(['active', 'cancelled', 'draft', 'entered-in-error']),
  beneficiary: Reference,
  subscriberId: str.optional(),
  relationship: CodeableConcept.optional(),
  payor: z.array(Reference).min(1).max(10),
  order: z.number().int().positive().optional(),
  period: Period.optional(),
  class: z
    .array(z.looseObject({ type: CodeableConcept, value: str }))
    .max(20)
    .optional(),
});

export const Schedule = z.looseObject({
  ...base('Schedule'),
  active: z.boolean().optional(),
  actor: z.array(Reference).min(1).max(10),
  specialty: z.array(CodeableConcept).max(20).optional(),
});

export const Slot = z.looseObject({
  ...base('Slot'),
  schedule: Reference,
  status: z.enum(['busy', 'free', 'busy-unavailable', 'busy-tentative', 'entered-in-error']),
  start: Instant,
  end: Instant,
  specialty: z.array(CodeableConcept).max(20).optional(),
});

export const Appointment = z.looseObject({
  ...base('Appointment'),
  status: z.enum([
    'proposed',
    'pending',
    'booked',
    'arrived',
    'fulfilled',
    'cancelled',
    'noshow',
    'entered-in-error',
    'checked-in',
    'waitlist',
  ]),
  cancelationReason: CodeableConcept.optional(),
  appointmentType: CodeableConcept.optional(),
  start: Instant,
  end: Instant,
  slot: z.array(Reference).max(10).optional(),
  participant: z
    .array(z.looseObject({ actor: Reference.optional(), status: str }))
    .min(1)
    .max(20),
});

export const Practitioner = z.looseObject({
  ...base('Practitioner'),
  active: z.boolean().optional(),
  name: z
    .array(
      z.looseObject({ use: str.optional(), family: str.optional(), given: z.array(str).max(10).optional() }),
    )
    .max(20)
    .optional(),
});

/** The referral / order to therapy: its requester is the claim's referring provider (837P 2310A). */
export const ServiceRequest = z.looseObject({
  ...base('ServiceRequest'),
  status: str,
  intent: str,
  subject: Reference,
  authoredOn: DateOrDateTime.optional(),
  requester: Reference.optional(),
  reasonCode: z.array(CodeableConcept).max(20).optional(),
});

export const Encounter = z.looseObject({
  ...base('Encounter'),
  status: z.enum([
    'planned',
    'arrived',
    'triaged',
    'in-progress',
    'onleave',
    'finished',
    'cancelled',
    'entered-in-error',
    'unknown',
  ]),
  subject: Reference,
  period: Period.optional(),
  participant: z
    .array(z.looseObject({ individual: Reference.optional() }))
    .max(20)
    .optional(),
  appointment: z.array(Reference).max(10).optional(),
  reasonCode: z.array(CodeableConcept).max(20).optional(),
});

export const Procedure = z.looseObject({
  ...base('Procedure'),
  status: str,
  code: CodeableConcept,
  performer: z
    .array(z.looseObject({ function: CodeableConcept.optional(), actor: Reference }))
    .max(10)
    .optional(),
});

export const CarePlan = z.looseObject({
  ...base('CarePlan'),
  status: z.enum(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']),
  subject: Reference,
  period: Period.optional(),
  author: Reference.optional(),
  activity: z
    .array(
      z.looseObject({
        detail: z
          .looseObject({
            code: CodeableConcept.optional(),
            scheduledTiming: z
              .looseObject({
                repeat: z
                  .looseObject({
                    frequency: z.number().int().optional(),
                    boundsDuration: z.looseObject({ value: z.number().optional() }).optional(),
                  })
                  .optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .max(100)
    .optional(),
});

export const Observation = z.looseObject({
  ...base('Observation'),
  status: str,
  code: CodeableConcept,
  subject: Reference.optional(),
  effectiveDateTime: DateOrDateTime.optional(),
  valueQuantity: z.looseObject({ value: z.number() }).optional(),
});

/** What a create/update answers: we only need the id (and version for If-Match). */
export const Written = z.looseObject({ resourceType: str, id: Id, meta: Meta });

export const Bundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: str,
  total: z.number().int().optional(),
  link: z
    .array(z.looseObject({ relation: str, url: str }))
    .max(20)
    .optional(),
  entry: z
    .array(
      z.looseObject({
        resource: z.looseObject({ resourceType: str }).optional(),
        search: z.looseObject({ mode: str.optional() }).optional(),
      }),
    )
    .max(1000)
    .optional(),
});

export function parseResource<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new EmrContractViolation(`EMR returned a malformed ${what}`);
  return r.data;
}
