// Per-vendor FHIR profiles: which identifier systems carry the MRN and our ids, which extension URLs carry
// the facts FHIR has no element for (treatment minutes, who furnished a service), and which resources the
// vendor's API supports.
//
// CONFIGURATION, NOT FACT: the WebPT and Raintree system URIs below are placeholders in each vendor's style.
// Confirm the real values during the practice's integration onboarding (they are per tenant at some vendors)
// and override them with `withOverrides`; nothing else in the adapter hard-codes a system URI.
import type { EmrCapability } from '../types.js';

export interface FhirVendorProfile {
  vendor: string;
  identifierSystems: {
    mrn: string;
    /** Our ids, one system per resource kind so an id never matches the wrong resource type. */
    patientId: string;
    coverageId: string;
    appointmentId: string;
    /** Marks a Slot claimed by one of our bookings (lets a retried booking recognise its own claim). */
    slotBooking: string;
    questionnaireResponseId: string;
    documentId: string;
    planOfCareId: string;
    observationId: string;
    payerId: string;
  };
  extensions: {
    /** Procedure: integer minutes of direct treatment. */
    minutes: string;
    /** Encounter: signed-at instant of the note. */
    signedAt: string;
    /** Encounter: total treatment minutes documented in the note. */
    totalTreatmentMinutes: string;
    /** CarePlan: goals (valueString) and diagnoses (valueCodeableConcept, ICD-10-CM). */
    goal: string;
    diagnosis: string;
  };
  codeSystems: {
    /** Procedure.performer.function codes PT / PTA / PT_AND_PTA. */
    furnishedBy: string;
    appointmentKind: string;
    outcomeInstrument: string;
    documentKind: string;
  };
  supports: ReadonlySet<EmrCapability>;
  /** `_count` for searches. */
  pageSize: number;
}

export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC_SYSTEM = 'http://loinc.org';

const PTFLOW = 'https://ptflow.dev/fhir';

const allCapabilities: readonly EmrCapability[] = [
  'patient',
  'coverage',
  'scheduling',
  'questionnaireResponse',
  'documentReference',
  'encounter',
  'carePlan',
  'observation',
];

function profile(vendor: string, mrn: string, idBase: string, supports: readonly EmrCapability[]) {
  return {
    vendor,
    identifierSystems: {
      mrn,
      patientId: `${idBase}/patient-id`,
      coverageId: `${idBase}/coverage-id`,
      appointmentId: `${idBase}/appointment-id`,
      slotBooking: `${idBase}/slot-booking`,
      questionnaireResponseId: `${idBase}/intake-response-id`,
      documentId: `${idBase}/document-id`,
      planOfCareId: `${idBase}/plan-of-care-id`,
      observationId: `${idBase}/observation-id`,
      payerId: `${idBase}/payer-id`,
    },
    extensions: {
      minutes: `${PTFLOW}/StructureDefinition/treatment-minutes`,
      signedAt: `${PTFLOW}/StructureDefinition/note-signed-at`,
      totalTreatmentMinutes: `${PTFLOW}/StructureDefinition/total-treatment-minutes`,
      goal: `${PTFLOW}/StructureDefinition/care-plan-goal`,
      diagnosis: `${PTFLOW}/StructureDefinition/care-plan-diagnosis`,
    },
    codeSystems: {
      furnishedBy: `${PTFLOW}/CodeSystem/furnished-by`,
      appointmentKind: `${PTFLOW}/CodeSystem/appointment-kind`,
      outcomeInstrument: `${PTFLOW}/CodeSystem/outcome-instrument`,
      documentKind: `${PTFLOW}/CodeSystem/document-kind`,
    },
    supports: new Set(supports),
    pageSize: 50,
  } satisfies FhirVendorProfile;
}

/** Plain FHIR R4 server (and the local test server): everything supported, ptflow's own systems. */
export const genericProfile: FhirVendorProfile = profile(
  'generic',
  `${PTFLOW}/sid/mrn`,
  `${PTFLOW}/sid`,
  allCapabilities,
);

/** WebPT (placeholder systems; intake answers go in as a PDF DocumentReference, not QuestionnaireResponse). */
export const webptProfile: FhirVendorProfile = profile(
  'webpt',
  'https://fhir.webpt.com/sid/mrn',
  'https://fhir.webpt.com/sid/partner/ptflow',
  allCapabilities.filter((c) => c !== 'questionnaireResponse'),
);

/** Raintree (placeholder systems; plans of care are managed inside Raintree, so no CarePlan writes). */
export const raintreeProfile: FhirVendorProfile = profile(
  'raintree',
  'https://fhir.raintreeinc.com/sid/patient-account-number',
  'https://fhir.raintreeinc.com/sid/external/ptflow',
  allCapabilities.filter((c) => c !== 'carePlan'),
);

export const vendorProfiles = {
  generic: genericProfile,
  webpt: webptProfile,
  raintree: raintreeProfile,
} as const;
export type VendorName = keyof typeof vendorProfiles;

export interface ProfileOverrides {
  identifierSystems?: Partial<FhirVendorProfile['identifierSystems']>;
  extensions?: Partial<FhirVendorProfile['extensions']>;
  codeSystems?: Partial<FhirVendorProfile['codeSystems']>;
  supports?: readonly EmrCapability[];
  pageSize?: number;
}

/** A profile with tenant-specific values from configuration layered on top. */
export function withOverrides(base: FhirVendorProfile, o: ProfileOverrides): FhirVendorProfile {
  return {
    vendor: base.vendor,
    identifierSystems: { ...base.identifierSystems, ...o.identifierSystems },
    extensions: { ...base.extensions, ...o.extensions },
    codeSystems: { ...base.codeSystems, ...o.codeSystems },
    supports: o.supports ? new Set(o.supports) : base.supports,
    pageSize: o.pageSize ?? base.pageSize,
  };
}
