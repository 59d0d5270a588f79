// The FHIR R4 implementation of the Emr port. Every write is an upsert keyed on our identifier: search by
// identifier, then either a conditional create (If-None-Exist, so a retried create cannot duplicate) or a
// full PUT of the existing resource with If-Match. Bookings claim the Slot with If-Match on its version, so a
// slot taken meanwhile surfaces as SlotUnavailable instead of a double booking.
import type { Patient as FhirPatient, Resource, Slot as FhirSlot } from '@medplum/fhirtypes';
import type { z } from 'zod';
import {
  EmrContractViolation,
  EmrNotFound,
  EmrTransportError,
  EmrUnsupported,
  SlotUnavailable,
} from '../errors.js';
import type {
  AppointmentKind,
  AppointmentStatus,
  BookingRequest,
  CancelReason,
  CoverageInput,
  DocumentInput,
  Emr,
  EmrAppointment,
  EmrCapability,
  EmrCoverage,
  EmrPatient,
  EmrPractitioner,
  EmrReferral,
  FreeSlot,
  IntakeAnswers,
  OutcomeInstrument,
  OutcomeObservation,
  PatientQuery,
  PatientUpsert,
  PlanOfCare,
  SignedVisit,
  SlotQuery,
  UpsertResult,
  VisitIntervention,
} from '../types.js';
import { outcomeInstruments } from '../types.js';
import {
  buildAppointment,
  buildCarePlan,
  buildCoverage,
  buildDocumentReference,
  buildObservation,
  buildPatient,
  buildQuestionnaireResponse,
  cancelReasonCodes,
} from './build.js';
import { CPT_SYSTEM, ICD10_SYSTEM, NPI_SYSTEM, type FhirVendorProfile } from './profiles.js';
import * as S from './schemas.js';
import type { FhirTransport } from './transport.js';

type Parsed<T extends z.ZodType> = z.infer<T>;

const FURNISHED_BY = new Set(['PT', 'PTA', 'PT_AND_PTA']);
const KINDS = new Set<string>(['evaluation', 'treatment', 're-evaluation', 'discharge']);
const CANCEL_REASONS = Object.fromEntries(
  Object.entries(cancelReasonCodes).map(([k, v]) => [v, k as CancelReason]),
) as Record<string, CancelReason>;

/** "Patient/123" → "123" when the reference points at that type. */
function refId(ref: { reference?: string } | undefined, type: string): string | undefined {
  const m = ref?.reference?.match(/^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/);
  return m && m[1] === type ? m[2] : undefined;
}

function identifierValue(ids: { system?: string; value?: string }[] | undefined, system: string) {
  return ids?.find((i) => i.system === system)?.value;
}

function token(system: string, value: string): string {
  return encodeURIComponent(`${system}|${value}`);
}

function minutesBetween(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}

export interface FhirEmrOptions {
  transport: FhirTransport;
  profile: FhirVendorProfile;
  /** Upper bound on pages followed in one search (runaway next links). */
  maxPages?: number;
}

export class FhirEmr implements Emr {
  readonly vendor: string;
  private readonly http: FhirTransport;
  private readonly p: FhirVendorProfile;
  private readonly maxPages: number;

  constructor(opts: FhirEmrOptions) {
    this.http = opts.transport;
    this.p = opts.profile;
    this.vendor = `fhir:${opts.profile.vendor}`;
    this.maxPages = opts.maxPages ?? 20;
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  private need(cap: EmrCapability, operation: string): void {
    if (!this.p.supports.has(cap)) throw new EmrUnsupported(this.p.vendor, operation);
  }

  private async read<T extends z.ZodType>(schema: T, type: string, id: string): Promise<Parsed<T>> {
    const res = await this.http.request({
      method: 'GET',
      path: `${type}/${encodeURIComponent(id)}`,
      what: type,
    });
    return S.parseResource(schema, res.body, type);
  }

  /** Search and follow next links, returning matches of `type` only (no included resources). */
  private async search<T extends z.ZodType>(
    schema: T,
    type: string,
    query: string,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Parsed<T>[]> {
    const out: Parsed<T>[] = [];
    let path: string | undefined = `${type}?${query}&_count=${this.p.pageSize}`;
    for (let page = 0; path !== undefined && out.length < limit; page++) {
      if (page >= this.maxPages)
        throw new EmrContractViolation(`EMR ${type} search exceeded ${this.maxPages} pages`);
      const res = await this.http.request({ method: 'GET', path, what: `${type} search` });
      const bundle = S.parseResource(S.Bundle, res.body, `${type} search Bundle`);
      for (const e of bundle.entry ?? []) {
        if (e.search?.mode === 'include' || e.resource?.resourceType !== type) continue;
        out.push(S.parseResource(schema, e.resource, type));
      }
      path = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    return out.slice(0, limit);
  }

  private async findByIdentifier<T extends z.ZodType>(
    schema: T,
    type: string,
    system: string,
    value: string,
  ): Promise<Parsed<T> | undefined> {
    const found = await this.search(schema, type, `identifier=${token(system, value)}`, 2);
    if (found.length > 1)
      throw new EmrContractViolation(`EMR holds more than one ${type} with our identifier`);
    return found[0];
  }

  /** Conditional create: the server returns the existing resource (200) instead of a second one (201). */
  private async createOnce(resource: Resource, system: string, value: string): Promise<UpsertResult> {
    const type = resource.resourceType;
    const res = await this.http.request({
      method: 'POST',
      path: type,
      body: resource,
      headers: { 'if-none-exist': `identifier=${token(system, value)}` },
      what: type,
    });
    if (res.body === undefined) {
      // Servers may answer with Prefer: return=minimal semantics; fall back to the Location header.
      const id = res.headers.get('location')?.match(new RegExp(`${type}/([A-Za-z0-9\\-.]{1,64})`))?.[1];
      if (!id) throw new EmrContractViolation(`EMR ${type} create returned no id`);
      return { emrId: id, created: res.status === 201 };
    }
    const written = S.parseResource(S.Written, res.body, type);
    return { emrId: written.id, created: res.status === 201 };
  }

  private async put(resource: Resource & { id: string }, version: string | undefined, what: string) {
    const res = await this.http.request({
      method: 'PUT',
      path: `${resource.resourceType}/${encodeURIComponent(resource.id)}`,
      body: resource,
      headers: version ? { 'if-match': `W/"${version}"` } : {},
      what,
      passStatuses: [409, 412],
    });
    return res;
  }

  /** Create by our identifier, or replace the existing resource's content with ours. */
  private async upsert<T extends Resource>(
    type: string,
    system: string,
    value: string,
    build: (existing: Record<string, unknown> | undefined) => T,
  ): Promise<UpsertResult> {
    const existing = await this.findByIdentifier(S.Written, type, system, value);
    if (!existing) return this.createOnce(build(undefined), system, value);
    const next = { ...build(existing), id: existing.id } as T & { id: string };
    const res = await this.put(next, existing.meta?.versionId, type);
    if (res.status === 409 || res.status === 412) {
      // Someone changed it between our read and write: retryable, the next attempt re-reads.
      throw new EmrTransportError(`EMR ${type} changed concurrently`);
    }
    return { emrId: existing.id, created: false };
  }

  // ---- patients ------------------------------------------------------------------------------------------

  private toPatient(r: Parsed<typeof S.Patient>): EmrPatient {
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
    const patientId = identifierValue(r.identifier, this.p.identifierSystems.patientId);
    const mrn = identifierValue(r.identifier, this.p.identifierSystems.mrn);
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

  async findPractitioner(npi: string): Promise<EmrPractitioner | undefined> {
    this.need('encounter', 'practitioner search');
    const found = await this.findByIdentifier(S.Practitioner, 'Practitioner', NPI_SYSTEM, npi);
    if (!found) return undefined;
    const name = found.name?.find((n) => n.use === 'official') ?? found.name?.[0];
    if (!name?.family) return undefined;
    const first = name.given?.[0];
    return {
      emrPractitionerId: found.id,
      npi,
      lastName: name.family.toUpperCase(),
      ...(first ? { firstName: first.toUpperCase() } : {}),
      active: found.active !== false,
    };
  }

  async findPatient(q: PatientQuery): Promise<EmrPatient | undefined> {
    this.need('patient', 'patient search');
    if ('emrPatientId' in q) {
      try {
        return this.toPatient(await this.read(S.Patient, 'Patient', q.emrPatientId));
      } catch (err) {
        if (err instanceof EmrNotFound) return undefined;
        throw err;
      }
    }
    const [system, value] =
      'patientId' in q
        ? [this.p.identifierSystems.patientId, q.patientId]
        : [this.p.identifierSystems.mrn, q.mrn];
    const found = await this.findByIdentifier(S.Patient, 'Patient', system, value);
    return found ? this.toPatient(found) : undefined;
  }

  async upsertPatient(input: PatientUpsert): Promise<UpsertResult> {
    this.need('patient', 'patient write');
    const system = this.p.identifierSystems.patientId;
    return this.upsert('Patient', system, input.patientId, (existing) =>
      buildPatient(this.p, input, existing as FhirPatient | undefined),
    );
  }

  /** Adds our identifier to a Patient the EMR registered first; a Patient already carrying one is left alone. */
  async linkPatient(emrPatientId: string, patientId: string): Promise<void> {
    this.need('patient', 'patient write');
    const system = this.p.identifierSystems.patientId;
    const existing = (await this.read(S.Written, 'Patient', emrPatientId)) as Parsed<typeof S.Written> & {
      identifier?: { system?: string; value?: string }[];
    };
    if (identifierValue(existing.identifier, system)) return;
    const next = {
      ...existing,
      identifier: [...(existing.identifier ?? []), { system, value: patientId }],
    } as Resource & { id: string };
    const res = await this.put(next, existing.meta?.versionId, 'Patient');
    if (res.status === 409 || res.status === 412) {
      // Changed between our read and write: retryable, the next attempt re-reads.
      throw new EmrTransportError('EMR Patient changed concurrently');
    }
  }

  // ---- coverage ------------------------------------------------------------------------------------------

  async upsertCoverage(input: CoverageInput): Promise<UpsertResult> {
    this.need('coverage', 'coverage write');
    return this.upsert('Coverage', this.p.identifierSystems.coverageId, input.coverageId, () =>
      buildCoverage(this.p, input),
    );
  }

  async listCoverages(emrPatientId: string): Promise<EmrCoverage[]> {
    this.need('coverage', 'coverage search');
    const found = await this.search(
      S.Coverage,
      'Coverage',
      `beneficiary=Patient/${encodeURIComponent(emrPatientId)}`,
    );
    return found.flatMap((c) => {
      const payer = c.payor[0];
      const payerId =
        payer?.identifier?.system === this.p.identifierSystems.payerId ? payer.identifier.value : undefined;
      if (!payerId || !c.subscriberId) return [];
      const rel = c.relationship?.coding?.[0]?.code;
      const group = c.class?.find((k) => k.type.coding?.some((x) => x.code === 'group'))?.value;
      return [
        {
          emrCoverageId: c.id,
          coverageId: identifierValue(c.identifier, this.p.identifierSystems.coverageId) ?? '',
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
    });
  }

  // ---- scheduling ----------------------------------------------------------------------------------------

  private scheduleFacts(s: Parsed<typeof S.Schedule>) {
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

  async searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    this.need('scheduling', 'slot search');
    const limit = q.limit ?? 100;
    const actor = q.therapistId
      ? `actor=Practitioner/${encodeURIComponent(q.therapistId)}`
      : q.locationId
        ? `actor=Location/${encodeURIComponent(q.locationId)}`
        : 'active=true';
    const schedules = (await this.search(S.Schedule, 'Schedule', actor))
      .filter((s) => s.active !== false)
      .map((s) => ({ id: s.id, ...this.scheduleFacts(s) }))
      .filter((s) => s.therapistId !== undefined)
      .filter((s) => !q.locationId || s.locationId === q.locationId)
      .filter(
        (s) => !q.specialty || s.specialties.some((x) => x.toLowerCase() === q.specialty?.toLowerCase()),
      );

    const slots: FreeSlot[] = [];
    for (const s of schedules) {
      const query = [
        `schedule=Schedule/${encodeURIComponent(s.id)}`,
        'status=free',
        `start=ge${encodeURIComponent(q.from)}`,
        `start=lt${encodeURIComponent(q.to)}`,
        '_sort=start',
      ].join('&');
      for (const slot of await this.search(S.Slot, 'Slot', query, limit)) {
        if (slot.status !== 'free') continue; // never trust the server's filter blindly
        if (q.minMinutes && minutesBetween(slot.start, slot.end) < q.minMinutes) continue;
        slots.push({
          slotId: slot.id,
          therapistId: s.therapistId as string,
          ...(s.therapistNpi ? { therapistNpi: s.therapistNpi } : {}),
          ...(s.locationId ? { locationId: s.locationId } : {}),
          specialties: s.specialties,
          start: slot.start,
          end: slot.end,
        });
      }
    }
    return slots.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)).slice(0, limit);
  }

  private toAppointment(a: Parsed<typeof S.Appointment>): EmrAppointment {
    const patient = a.participant.map((x) => refId(x.actor, 'Patient')).find(Boolean);
    if (!patient) throw new EmrContractViolation('EMR Appointment has no patient participant');
    const therapistId = a.participant.map((x) => refId(x.actor, 'Practitioner')).find(Boolean);
    const locationId = a.participant.map((x) => refId(x.actor, 'Location')).find(Boolean);
    const kind = a.appointmentType?.coding?.find(
      (c) => c.system === this.p.codeSystems.appointmentKind,
    )?.code;
    const appointmentId = identifierValue(a.identifier, this.p.identifierSystems.appointmentId);
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

  async bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    this.need('scheduling', 'booking');
    const ids = this.p.identifierSystems;
    const existing = await this.findByIdentifier(
      S.Appointment,
      'Appointment',
      ids.appointmentId,
      req.appointmentId,
    );
    if (existing) return this.toAppointment(existing);

    let slot: Parsed<typeof S.Slot>;
    try {
      slot = await this.read(S.Slot, 'Slot', req.slotId);
    } catch (err) {
      if (err instanceof EmrNotFound) throw new SlotUnavailable();
      throw err;
    }
    const ourClaim = identifierValue(slot.identifier, ids.slotBooking) === req.appointmentId;
    if (slot.status !== 'free' && !ourClaim) throw new SlotUnavailable();
    if (!ourClaim) {
      // Claim the slot first, guarded by its version: of two concurrent bookings exactly one wins.
      const claimed = {
        ...(slot as unknown as FhirSlot),
        status: 'busy',
        identifier: [...(slot.identifier ?? []), { system: ids.slotBooking, value: req.appointmentId }],
      } as FhirSlot & { id: string };
      const res = await this.put(claimed, slot.meta?.versionId, 'Slot');
      if (res.status === 409 || res.status === 412) throw new SlotUnavailable();
    }
    const schedule = this.scheduleFacts(
      await this.read(S.Schedule, 'Schedule', refId(slot.schedule, 'Schedule') ?? ''),
    );
    const resource = buildAppointment(this.p, {
      appointmentId: req.appointmentId,
      slotId: slot.id,
      emrPatientId: req.emrPatientId,
      kind: req.kind,
      start: slot.start,
      end: slot.end,
      ...(schedule.therapistId ? { therapistId: schedule.therapistId } : {}),
      ...(schedule.locationId ? { locationId: schedule.locationId } : {}),
    });
    const { emrId } = await this.createOnce(resource, ids.appointmentId, req.appointmentId);
    return this.getAppointment(emrId);
  }

  async getAppointment(emrAppointmentId: string): Promise<EmrAppointment> {
    this.need('scheduling', 'appointment read');
    return this.toAppointment(await this.read(S.Appointment, 'Appointment', emrAppointmentId));
  }

  async cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment> {
    this.need('scheduling', 'cancellation');
    const appt = await this.read(S.Appointment, 'Appointment', emrAppointmentId);
    if (appt.status !== 'cancelled') {
      const next = {
        ...appt,
        status: 'cancelled',
        cancelationReason: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason',
              code: cancelReasonCodes[reason],
            },
          ],
        },
      } as unknown as Resource & { id: string };
      const res = await this.put(next, appt.meta?.versionId, 'Appointment');
      if (res.status === 409 || res.status === 412)
        throw new EmrTransportError('EMR Appointment changed concurrently');
    }
    // Release the slot we claimed (only ours: a slot re-booked by someone else stays busy).
    const slotId = refId(appt.slot?.[0], 'Slot');
    const ourId = identifierValue(appt.identifier, this.p.identifierSystems.appointmentId);
    if (slotId && ourId) {
      const slot = await this.read(S.Slot, 'Slot', slotId);
      if (identifierValue(slot.identifier, this.p.identifierSystems.slotBooking) === ourId) {
        const freed = {
          ...(slot as unknown as FhirSlot),
          status: 'free',
          identifier: (slot.identifier ?? []).filter(
            (i) => i.system !== this.p.identifierSystems.slotBooking,
          ),
        } as FhirSlot & { id: string };
        if (freed.identifier?.length === 0) delete freed.identifier;
        await this.put(freed, slot.meta?.versionId, 'Slot');
      }
    }
    return this.getAppointment(emrAppointmentId);
  }

  // ---- documents and forms -------------------------------------------------------------------------------

  async writeIntakeAnswers(input: IntakeAnswers): Promise<UpsertResult> {
    this.need('questionnaireResponse', 'intake answers write');
    // Completed forms are immutable: create once, never overwrite.
    const system = this.p.identifierSystems.questionnaireResponseId;
    return this.createOnce(buildQuestionnaireResponse(this.p, input), system, input.responseId);
  }

  async writeDocument(input: DocumentInput): Promise<UpsertResult> {
    this.need('documentReference', 'document write');
    const system = this.p.identifierSystems.documentId;
    return this.createOnce(buildDocumentReference(this.p, input), system, input.documentId);
  }

  // ---- visits --------------------------------------------------------------------------------------------

  async getSignedVisit(visitId: string): Promise<SignedVisit> {
    this.need('encounter', 'visit read');
    const enc = await this.read(S.Encounter, 'Encounter', visitId);
    // A visit is billable only once its note is signed; the EMR marks that by finishing the encounter.
    if (enc.status !== 'finished') throw new EmrNotFound('signed Encounter');
    const emrPatientId = refId(enc.subject, 'Patient');
    const practitionerId = enc.participant?.map((x) => refId(x.individual, 'Practitioner')).find(Boolean);
    const start = enc.period?.start;
    if (!emrPatientId || !practitionerId || !start) {
      throw new EmrContractViolation('EMR Encounter lacks patient, practitioner or period');
    }
    const practitioner = await this.read(S.Practitioner, 'Practitioner', practitionerId);
    const npi = identifierValue(practitioner.identifier, NPI_SYSTEM);
    if (!npi || !/^\d{10}$/.test(npi)) throw new EmrContractViolation('EMR Practitioner has no NPI');

    const procedures = await this.search(
      S.Procedure,
      'Procedure',
      `encounter=Encounter/${encodeURIComponent(visitId)}`,
    );
    const interventions: VisitIntervention[] = procedures
      .filter((pr) => pr.status === 'completed')
      .map((pr) => {
        const code = pr.code.coding?.find((c) => c.system === CPT_SYSTEM)?.code;
        const minutes = pr.extension?.find((e) => e.url === this.p.extensions.minutes)?.valueInteger;
        const furnishedBy = pr.performer
          ?.flatMap((x) => x.function?.coding ?? [])
          .find((c) => c.system === this.p.codeSystems.furnishedBy)?.code;
        if (!code || minutes === undefined || minutes < 0 || !furnishedBy || !FURNISHED_BY.has(furnishedBy)) {
          throw new EmrContractViolation('EMR Procedure lacks CPT code, minutes or furnishing discipline');
        }
        return { code, minutes, furnishedBy: furnishedBy as VisitIntervention['furnishedBy'] };
      });
    const ext = (url: string) => enc.extension?.find((e) => e.url === url);
    const signedAt = ext(this.p.extensions.signedAt)?.valueDateTime ?? enc.period?.end;
    if (!signedAt) throw new EmrContractViolation('EMR Encounter has no signature time');
    const appointmentId = refId(enc.appointment?.[0], 'Appointment');
    return {
      visitId: enc.id,
      emrPatientId,
      ...(appointmentId ? { emrAppointmentId: appointmentId } : {}),
      dateOfService: start.slice(0, 10),
      signedAt,
      therapistNpi: npi,
      therapistId: practitionerId,
      interventions,
      totalTreatmentMinutes:
        ext(this.p.extensions.totalTreatmentMinutes)?.valueInteger ??
        interventions.reduce((sum, i) => sum + i.minutes, 0),
      diagnoses: (enc.reasonCode ?? []).flatMap((c) =>
        (c.coding ?? []).filter((x) => x.system === ICD10_SYSTEM && x.code).map((x) => x.code as string),
      ),
    };
  }

  /**
   * The patient's newest active or completed order to therapy (ServiceRequest, intent order) authored on or
   * before `onDate` (else the first one after it), with its requester read from Practitioner (NPI and name).
   */
  async getReferral(emrPatientId: string, onDate: string): Promise<EmrReferral | undefined> {
    this.need('encounter', 'referral read');
    const requests = await this.search(
      S.ServiceRequest,
      'ServiceRequest',
      `subject=Patient/${encodeURIComponent(emrPatientId)}`,
      50,
    );
    const orders = requests
      .filter(
        (r) =>
          ['order', 'original-order', 'filler-order'].includes(r.intent) &&
          ['active', 'completed'].includes(r.status),
      )
      .sort((a, b) => (a.authoredOn ?? '').localeCompare(b.authoredOn ?? ''));
    // The newest order authored by the date of service, else the first one after it (a late order).
    const newest = orders.filter((r) => (r.authoredOn ?? '').slice(0, 10) <= onDate).at(-1) ?? orders[0];
    if (!newest) return undefined;
    const diagnoses = (newest.reasonCode ?? []).flatMap((c) =>
      (c.coding ?? []).filter((x) => x.system === ICD10_SYSTEM && x.code).map((x) => x.code as string),
    );
    const out: EmrReferral = { referralId: newest.id, authoredOn: newest.authoredOn ?? '', diagnoses };
    const practitionerId = refId(newest.requester, 'Practitioner');
    if (practitionerId) {
      const pr = await this.read(S.Practitioner, 'Practitioner', practitionerId);
      const npi = identifierValue(pr.identifier, NPI_SYSTEM);
      const name = pr.name?.find((n) => n.family);
      if (npi && /^\d{10}$/.test(npi) && name?.family) {
        out.referringProvider = {
          npi,
          lastName: name.family,
          ...(name.given?.[0] ? { firstName: name.given[0] } : {}),
        };
      }
    }
    return out;
  }

  // ---- plan of care and outcomes -------------------------------------------------------------------------

  async getPlanOfCare(planOfCareId: string): Promise<PlanOfCare | undefined> {
    this.need('carePlan', 'plan of care read');
    const c = await this.findByIdentifier(
      S.CarePlan,
      'CarePlan',
      this.p.identifierSystems.planOfCareId,
      planOfCareId,
    );
    if (!c) return undefined;
    const emrPatientId = refId(c.subject, 'Patient');
    if (!emrPatientId || !c.period?.start)
      throw new EmrContractViolation('EMR CarePlan lacks subject or period');
    const repeat = c.activity?.find((a) => a.detail?.scheduledTiming?.repeat)?.detail?.scheduledTiming
      ?.repeat;
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
      diagnoses: ext(this.p.extensions.diagnosis).flatMap((e) =>
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
      goals: ext(this.p.extensions.goal).flatMap((e) => (e.valueString ? [e.valueString] : [])),
    };
  }

  async upsertPlanOfCare(input: PlanOfCare): Promise<UpsertResult> {
    this.need('carePlan', 'plan of care write');
    return this.upsert('CarePlan', this.p.identifierSystems.planOfCareId, input.planOfCareId, () =>
      buildCarePlan(this.p, input),
    );
  }

  async writeOutcome(input: OutcomeObservation): Promise<UpsertResult> {
    this.need('observation', 'outcome write');
    const system = this.p.identifierSystems.observationId;
    return this.createOnce(buildObservation(this.p, input), system, input.observationId);
  }

  async listOutcomes(emrPatientId: string): Promise<OutcomeObservation[]> {
    this.need('observation', 'outcome search');
    const found = await this.search(
      S.Observation,
      'Observation',
      `subject=Patient/${encodeURIComponent(emrPatientId)}&category=survey`,
    );
    return found.flatMap((o) => {
      const instrument = o.code.coding?.find((c) => c.system === this.p.codeSystems.outcomeInstrument)?.code;
      const observationId = identifierValue(o.identifier, this.p.identifierSystems.observationId);
      const score = o.valueQuantity?.value;
      if (
        !instrument ||
        !(outcomeInstruments as readonly string[]).includes(instrument) ||
        score === undefined
      ) {
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
    });
  }
}
