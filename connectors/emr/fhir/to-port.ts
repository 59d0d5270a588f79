// FHIR resources read back into the Emr port's types, under the vendor profile's identifier and code systems.
import {
  outcomeInstruments,
  type AppointmentKind,
  type AppointmentStatus,
  type CancelReason,
  type EmrAppointment,
  type EmrCoverage,
  type EmrPatient,
  type OutcomeInstrument,
  type OutcomeObservation,
  type PlanOfCare,
  type VisitIntervention,
} from '../types.js';
import { EmrContractViolation } from '../errors.js';
import { cancelReasonCodes } from './build.js';
import { CPT_SYSTEM, ICD10_SYSTEM, NPI_SYSTEM, type FhirVendorProfile } from './profiles.js';
import { identifierValue, refId, type Parsed } from './resource-client.js';
import type * as S from './schemas.js';

const FURNISHED_BY = new Set(['PT', 'PTA', 'PT_AND_PTA']);
const KINDS = new Set<string>(['evaluation', 'treatment', 're-evaluation', 'discharge']);
const CANCEL_REASONS = Object.fromEntries(
  Object.entries(cancelReasonCodes).map(([k, v]) => [v, k as CancelReason]),
) as Record<string, CancelReason>;

export function toPatient(profile: FhirVendorProfile, r: Parsed<typeof S.Patient>): EmrPatient {
  const name = r.name?.find((n) => n.use === 'official') ?? r.name?.[0];
  const phone = r.telecom?.find((t) => t.system === 'phone')?.value;
  const email = r.telecom?.find((t) => t.system === 'email')?.value;
  const lang = r.communication?.[0]?.language.coding?.[0]?.code;
  const home = r.address?.find((a) => a.use === 'home') ?? r.address?.find((a) => a.use !== 'old');
  const [line1, line2] = home?.line ?? [];
  const zip = home?.postalCode?.replace(/[^0-9]/g, '');
  const address =
    line1 && home?.city && home.state && zip && /^\d{5}(\d{4})?$/.test(zip)
      ? {
          line1,
          ...(line2 ? { line2 } : {}),
          city: home.city,
          state: home.state.toUpperCase(),
          postalCode: zip,
        }
      : undefined;
  const patientId = identifierValue(r.identifier, profile.identifierSystems.patientId);
  const mrn = identifierValue(r.identifier, profile.identifierSystems.mrn);
  return {
    emrPatientId: r.id,
    ...(patientId ? { patientId } : {}),
    ...(mrn ? { mrn } : {}),
    demographics: {
      given: name?.given ?? [],
      family: name?.family ?? '',
      birthDate: r.birthDate ?? '',
      sex: r.gender ?? 'unknown',
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      ...(lang ? { preferredLanguage: lang } : {}),
      ...(address ? { address } : {}),
    },
  };
}

/** Therapist, location, NPI and specialties of a Schedule, from its actors. */
export function scheduleFacts(s: Parsed<typeof S.Schedule>) {
  const therapist = s.actor.find((a) => refId(a, 'Practitioner'));
  const location = s.actor.find((a) => refId(a, 'Location'));
  const specialties = (s.specialty ?? []).flatMap((c) => [
    ...(c.coding ?? []).flatMap((x) => [x.code, x.display]),
    c.text,
  ]);
  const npi = therapist?.identifier?.system === NPI_SYSTEM ? therapist.identifier.value : undefined;
  return {
    therapistId: refId(therapist, 'Practitioner'),
    locationId: refId(location, 'Location'),
    therapistNpi: npi,
    specialties: [...new Set(specialties.filter((x): x is string => !!x))],
  };
}

export function toAppointment(profile: FhirVendorProfile, a: Parsed<typeof S.Appointment>): EmrAppointment {
  const patient = a.participant.map((x) => refId(x.actor, 'Patient')).find(Boolean);
  if (!patient) throw new EmrContractViolation('EMR Appointment has no patient participant');
  const therapistId = a.participant.map((x) => refId(x.actor, 'Practitioner')).find(Boolean);
  const locationId = a.participant.map((x) => refId(x.actor, 'Location')).find(Boolean);
  const kind = a.appointmentType?.coding?.find((c) => c.system === profile.codeSystems.appointmentKind)?.code;
  const appointmentId = identifierValue(a.identifier, profile.identifierSystems.appointmentId);
  const slotId = refId(a.slot?.[0], 'Slot');
  const cancel = a.cancelationReason?.coding?.[0]?.code;
  const status: AppointmentStatus =
    a.status === 'checked-in'
      ? 'arrived'
      : a.status === 'entered-in-error'
        ? 'cancelled'
        : a.status === 'proposed' || a.status === 'pending' || a.status === 'waitlist'
          ? 'pending'
          : a.status;
  return {
    emrAppointmentId: a.id,
    ...(appointmentId ? { appointmentId } : {}),
    ...(slotId ? { slotId } : {}),
    emrPatientId: patient,
    ...(therapistId ? { therapistId } : {}),
    ...(locationId ? { locationId } : {}),
    ...(kind && KINDS.has(kind) ? { kind: kind as AppointmentKind } : {}),
    status,
    start: a.start,
    end: a.end,
    ...(cancel && CANCEL_REASONS[cancel] ? { cancelReason: CANCEL_REASONS[cancel] } : {}),
  };
}

/** A Coverage of the patient; none when it lacks the payer id or member id we need. */
export function toCoverage(
  profile: FhirVendorProfile,
  c: Parsed<typeof S.Coverage>,
  emrPatientId: string,
): EmrCoverage[] {
  const payer = c.payor[0];
  const payerId =
    payer?.identifier?.system === profile.identifierSystems.payerId ? payer.identifier.value : undefined;
  if (!payerId || !c.subscriberId) return [];
  const rel = c.relationship?.coding?.[0]?.code;
  const group = c.class?.find((k) => k.type.coding?.some((x) => x.code === 'group'))?.value;
  return [
    {
      emrCoverageId: c.id,
      coverageId: identifierValue(c.identifier, profile.identifierSystems.coverageId) ?? '',
      emrPatientId,
      payerId,
      ...(payer?.display ? { payerName: payer.display } : {}),
      memberId: c.subscriberId,
      ...(group ? { groupNumber: group } : {}),
      order: c.order ?? 1,
      relationship: rel === 'self' || rel === 'spouse' || rel === 'child' ? rel : 'other',
      status: c.status === 'active' ? 'active' : 'cancelled',
      ...(c.period?.start ? { periodStart: c.period.start } : {}),
      ...(c.period?.end ? { periodEnd: c.period.end } : {}),
    } satisfies EmrCoverage,
  ];
}

/** A completed Procedure of a visit: CPT code, minutes and who furnished it (PT or PTA). */
export function toIntervention(
  profile: FhirVendorProfile,
  pr: Parsed<typeof S.Procedure>,
): VisitIntervention {
  const code = pr.code.coding?.find((c) => c.system === CPT_SYSTEM)?.code;
  const minutes = pr.extension?.find((e) => e.url === profile.extensions.minutes)?.valueInteger;
  const furnishedBy = pr.performer
    ?.flatMap((x) => x.function?.coding ?? [])
    .find((c) => c.system === profile.codeSystems.furnishedBy)?.code;
  if (!code || minutes === undefined || minutes < 0 || !furnishedBy || !FURNISHED_BY.has(furnishedBy)) {
    throw new EmrContractViolation('EMR Procedure lacks CPT code, minutes or furnishing discipline');
  }
  return { code, minutes, furnishedBy: furnishedBy as VisitIntervention['furnishedBy'] };
}

export function toPlanOfCare(
  profile: FhirVendorProfile,
  c: Parsed<typeof S.CarePlan>,
  planOfCareId: string,
): PlanOfCare {
  const emrPatientId = refId(c.subject, 'Patient');
  if (!emrPatientId || !c.period?.start)
    throw new EmrContractViolation('EMR CarePlan lacks subject or period');
  const repeat = c.activity?.find((a) => a.detail?.scheduledTiming?.repeat)?.detail?.scheduledTiming?.repeat;
  const ext = (url: string) => (c.extension ?? []).filter((e) => e.url === url);
  const status =
    c.status === 'draft' || c.status === 'active' || c.status === 'completed' ? c.status : 'revoked';
  const npi = c.author?.identifier?.system === NPI_SYSTEM ? c.author.identifier.value : undefined;
  return {
    planOfCareId,
    emrPatientId,
    status,
    start: c.period.start.slice(0, 10),
    ...(c.period.end ? { end: c.period.end.slice(0, 10) } : {}),
    ...(npi ? { certifyingPhysicianNpi: npi } : {}),
    diagnoses: ext(profile.extensions.diagnosis).flatMap((e) =>
      (e.valueCodeableConcept?.coding ?? [])
        .filter((x) => x.system === ICD10_SYSTEM && x.code)
        .map((x) => x.code as string),
    ),
    plannedInterventions: (c.activity ?? []).flatMap((a) =>
      (a.detail?.code?.coding ?? [])
        .filter((x) => x.system === CPT_SYSTEM && x.code)
        .map((x) => x.code as string),
    ),
    ...(repeat?.frequency ? { visitsPerWeek: repeat.frequency } : {}),
    ...(repeat?.boundsDuration?.value ? { durationWeeks: repeat.boundsDuration.value } : {}),
    goals: ext(profile.extensions.goal).flatMap((e) => (e.valueString ? [e.valueString] : [])),
  };
}

/** A survey Observation scored with one of our outcome instruments; none for anyone else's survey. */
export function toOutcome(
  profile: FhirVendorProfile,
  o: Parsed<typeof S.Observation>,
  emrPatientId: string,
): OutcomeObservation[] {
  const instrument = o.code.coding?.find((c) => c.system === profile.codeSystems.outcomeInstrument)?.code;
  const observationId = identifierValue(o.identifier, profile.identifierSystems.observationId);
  const score = o.valueQuantity?.value;
  if (!instrument || !(outcomeInstruments as readonly string[]).includes(instrument) || score === undefined) {
    return []; // someone else's survey observation: not ours to interpret
  }
  return [
    {
      observationId: observationId ?? o.id,
      emrPatientId,
      instrument: instrument as OutcomeInstrument,
      score,
      effective: o.effectiveDateTime ?? '',
    },
  ];
}
