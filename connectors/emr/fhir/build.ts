// Domain → FHIR R4: the resources ptflow writes. Each carries our id as an identifier (the idempotency key)
// and uses code systems from the vendor profile; the integration tests validate every one of them with
// medplum's validator.
import { createHash } from 'node:crypto';
import type {
  Appointment,
  CarePlan,
  Coverage,
  DocumentReference,
  Observation,
  Patient,
  QuestionnaireResponse,
  QuestionnaireResponseItemAnswer,
} from '@medplum/fhirtypes';
import type {
  AppointmentKind,
  CancelReason,
  CoverageInput,
  DocumentInput,
  DocumentKind,
  IntakeAnswers,
  OutcomeObservation,
  PatientUpsert,
  PlanOfCare,
} from '../types.js';
import { CPT_SYSTEM, ICD10_SYSTEM, LOINC_SYSTEM, NPI_SYSTEM, type FhirVendorProfile } from './profiles.js';

export const patientRef = (emrPatientId: string) => ({ reference: `Patient/${emrPatientId}` });

export function buildPatient(p: FhirVendorProfile, input: PatientUpsert, existing?: Patient): Patient {
  const ids = p.identifierSystems;
  // Keep identifiers the EMR (or others) added; replace only the ones we own.
  const kept = (existing?.identifier ?? []).filter(
    (i) => i.system !== ids.patientId && (input.mrn === undefined || i.system !== ids.mrn),
  );
  const d = input.demographics;
  const telecom = [
    ...(d.phone ? [{ system: 'phone' as const, value: d.phone }] : []),
    ...(d.email ? [{ system: 'email' as const, value: d.email }] : []),
  ];
  return {
    ...existing,
    resourceType: 'Patient',
    identifier: [
      ...kept,
      { system: ids.patientId, value: input.patientId },
      ...(input.mrn ? [{ system: ids.mrn, value: input.mrn }] : []),
    ],
    name: [{ use: 'official', family: d.family, given: d.given }],
    birthDate: d.birthDate,
    gender: d.sex,
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(d.address
      ? {
          address: [
            {
              use: 'home' as const,
              line: [d.address.line1, ...(d.address.line2 ? [d.address.line2] : [])],
              city: d.address.city,
              state: d.address.state,
              postalCode: d.address.postalCode,
            },
          ],
        }
      : {}),
    ...(d.preferredLanguage
      ? {
          communication: [
            {
              language: { coding: [{ system: 'urn:ietf:bcp:47', code: d.preferredLanguage }] },
              preferred: true,
            },
          ],
        }
      : {}),
  };
}

const relationshipCodes = { self: 'self', spouse: 'spouse', child: 'child', other: 'other' } as const;

export function buildCoverage(p: FhirVendorProfile, c: CoverageInput): Coverage {
  return {
    resourceType: 'Coverage',
    identifier: [{ system: p.identifierSystems.coverageId, value: c.coverageId }],
    status: c.status,
    beneficiary: patientRef(c.emrPatientId),
    subscriberId: c.memberId,
    relationship: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
          code: relationshipCodes[c.relationship],
        },
      ],
    },
    payor: [
      {
        identifier: { system: p.identifierSystems.payerId, value: c.payerId },
        ...(c.payerName ? { display: c.payerName } : {}),
      },
    ],
    order: c.order,
    ...(c.periodStart || c.periodEnd
      ? {
          period: {
            ...(c.periodStart ? { start: c.periodStart } : {}),
            ...(c.periodEnd ? { end: c.periodEnd } : {}),
          },
        }
      : {}),
    ...(c.groupNumber
      ? {
          class: [
            {
              type: {
                coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }],
              },
              value: c.groupNumber,
            },
          ],
        }
      : {}),
  };
}

export function buildAppointment(
  p: FhirVendorProfile,
  a: {
    appointmentId: string;
    slotId: string;
    emrPatientId: string;
    kind: AppointmentKind;
    start: string;
    end: string;
    therapistId?: string;
    locationId?: string;
  },
): Appointment {
  return {
    resourceType: 'Appointment',
    identifier: [{ system: p.identifierSystems.appointmentId, value: a.appointmentId }],
    status: 'booked',
    appointmentType: { coding: [{ system: p.codeSystems.appointmentKind, code: a.kind }] },
    start: a.start,
    end: a.end,
    slot: [{ reference: `Slot/${a.slotId}` }],
    participant: [
      { actor: patientRef(a.emrPatientId), status: 'accepted' },
      ...(a.therapistId
        ? [{ actor: { reference: `Practitioner/${a.therapistId}` }, status: 'accepted' as const }]
        : []),
      ...(a.locationId
        ? [{ actor: { reference: `Location/${a.locationId}` }, status: 'accepted' as const }]
        : []),
    ],
  };
}

/** http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason */
export const cancelReasonCodes: Record<CancelReason, string> = {
  patient: 'pat',
  clinic: 'prov',
  weather: 'oth-weath',
  other: 'oth',
};

function answerValue(v: string | number | boolean): QuestionnaireResponseItemAnswer {
  if (typeof v === 'boolean') return { valueBoolean: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { valueInteger: v } : { valueDecimal: v };
  return { valueString: v };
}

export function buildQuestionnaireResponse(p: FhirVendorProfile, a: IntakeAnswers): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    identifier: { system: p.identifierSystems.questionnaireResponseId, value: a.responseId },
    questionnaire: a.questionnaire,
    status: 'completed',
    subject: patientRef(a.emrPatientId),
    authored: a.authored,
    item: a.items.map((i) => ({
      linkId: i.linkId,
      ...(i.text ? { text: i.text } : {}),
      ...(i.answers.length > 0 ? { answer: i.answers.map(answerValue) } : {}),
    })),
  };
}

/** LOINC document types where one clearly applies; our own code system always. */
const documentLoinc: Partial<Record<DocumentKind, { code: string; display: string }>> = {
  'plan-of-care': { code: '18776-5', display: 'Plan of care note' },
  'progress-report': { code: '11506-3', display: 'Progress note' },
  'discharge-summary': { code: '18842-5', display: 'Discharge summary' },
};

export function buildDocumentReference(p: FhirVendorProfile, d: DocumentInput): DocumentReference {
  const loinc = documentLoinc[d.kind];
  const bytes = Buffer.from(d.data);
  return {
    resourceType: 'DocumentReference',
    identifier: [{ system: p.identifierSystems.documentId, value: d.documentId }],
    status: 'current',
    docStatus: 'final',
    type: {
      coding: [
        ...(loinc ? [{ system: LOINC_SYSTEM, ...loinc }] : []),
        { system: p.codeSystems.documentKind, code: d.kind },
      ],
    },
    subject: patientRef(d.emrPatientId),
    date: d.createdAt,
    content: [
      {
        attachment: {
          contentType: d.contentType,
          data: bytes.toString('base64'),
          size: bytes.length,
          // FHIR R4 Attachment.hash is the base64 SHA-1 of the data.
          hash: createHash('sha1').update(bytes).digest('base64'),
          title: d.title,
          creation: d.createdAt,
        },
      },
    ],
  };
}

const carePlanStatus = {
  draft: 'draft',
  active: 'active',
  completed: 'completed',
  revoked: 'revoked',
} as const;

export function buildCarePlan(p: FhirVendorProfile, c: PlanOfCare): CarePlan {
  return {
    resourceType: 'CarePlan',
    identifier: [{ system: p.identifierSystems.planOfCareId, value: c.planOfCareId }],
    status: carePlanStatus[c.status],
    intent: 'plan',
    title: 'Physical therapy plan of care',
    subject: patientRef(c.emrPatientId),
    period: { start: c.start, ...(c.end ? { end: c.end } : {}) },
    ...(c.certifyingPhysicianNpi
      ? { author: { identifier: { system: NPI_SYSTEM, value: c.certifyingPhysicianNpi } } }
      : {}),
    extension: [
      ...c.diagnoses.map((code) => ({
        url: p.extensions.diagnosis,
        valueCodeableConcept: { coding: [{ system: ICD10_SYSTEM, code }] },
      })),
      ...c.goals.map((goal) => ({ url: p.extensions.goal, valueString: goal })),
    ],
    activity: c.plannedInterventions.map((code) => ({
      detail: {
        kind: 'ServiceRequest' as const,
        code: { coding: [{ system: CPT_SYSTEM, code }] },
        status: 'scheduled' as const,
        ...(c.visitsPerWeek
          ? {
              scheduledTiming: {
                repeat: {
                  frequency: c.visitsPerWeek,
                  period: 1,
                  periodUnit: 'wk' as const,
                  ...(c.durationWeeks
                    ? {
                        boundsDuration: {
                          value: c.durationWeeks,
                          unit: 'wk',
                          system: 'http://unitsofmeasure.org',
                          code: 'wk',
                        },
                      }
                    : {}),
                },
              },
            }
          : {}),
      },
    })),
  };
}

export function buildObservation(p: FhirVendorProfile, o: OutcomeObservation): Observation {
  return {
    resourceType: 'Observation',
    identifier: [{ system: p.identifierSystems.observationId, value: o.observationId }],
    status: 'final',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }],
      },
    ],
    code: { coding: [{ system: p.codeSystems.outcomeInstrument, code: o.instrument }] },
    subject: patientRef(o.emrPatientId),
    effectiveDateTime: o.effective,
    valueQuantity: { value: o.score, unit: 'score', system: 'http://unitsofmeasure.org', code: '{score}' },
  };
}
