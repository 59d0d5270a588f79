// The FHIR R4 adapter against a real FHIR server (medplum FhirRouter + MemoryRepository over HTTP on
// 127.0.0.1): create → search → read → update, coverage, slots and bookings, forms, documents, plan of care,
// outcomes and signed visits. The server validates every resource we write with medplum's validator.
import { randomUUID } from 'node:crypto';
import type {
  DocumentReference,
  Encounter,
  Patient,
  Practitioner,
  Procedure,
  Schedule,
  ServiceRequest,
  Slot,
} from '@medplum/fhirtypes';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFhirEmr,
  CPT_SYSTEM,
  FhirEmr,
  FhirTransport,
  genericProfile,
  NPI_SYSTEM,
  bearerAuth,
  withOverrides,
} from '../../../connectors/emr/fhir/index.js';
import { ICD10_SYSTEM } from '../../../connectors/emr/fhir/profiles.js';
import { EmrNotFound, EmrUnsupported, SlotUnavailable } from '../../../connectors/emr/types.js';
import type { PatientUpsert } from '../../../connectors/emr/types.js';
import { fhirIssues, startFhirTestServer, type FhirTestServer } from './fhir-test-server.js';

let server: FhirTestServer;
let emr: FhirEmr;
const profile = withOverrides(genericProfile, { pageSize: 3 });

beforeAll(async () => {
  server = await startFhirTestServer();
  emr = new FhirEmr({
    transport: new FhirTransport({ baseUrl: server.baseUrl, auth: bearerAuth('t') }),
    profile,
  });
});
afterAll(async () => {
  expect(server.invalidWrites.map((w) => ({ type: w.resource.resourceType, issues: w.issues }))).toEqual([]);
  await server?.close();
});

const patient = (patientId: string, family = 'Testperson'): PatientUpsert => ({
  patientId,
  mrn: `MRN-${patientId.slice(0, 8)}`,
  demographics: {
    given: ['Alex', 'J'],
    family,
    birthDate: '1980-04-02',
    sex: 'female',
    phone: '+15555550101',
    email: 'alex@example.test',
    preferredLanguage: 'es',
  },
});

describe('FHIR adapter: patients', () => {
  it('creates, finds, reads and updates a Patient idempotently by our id', async () => {
    const patientId = randomUUID();
    const first = await emr.upsertPatient(patient(patientId));
    expect(first.created).toBe(true);
    const again = await emr.upsertPatient(patient(patientId));
    expect(again).toEqual({ emrId: first.emrId, created: false });

    const byOurId = await emr.findPatient({ patientId });
    expect(byOurId?.emrPatientId).toBe(first.emrId);
    expect(byOurId?.demographics).toMatchObject({
      family: 'Testperson',
      given: ['Alex', 'J'],
      preferredLanguage: 'es',
    });
    const byMrn = await emr.findPatient({ mrn: `MRN-${patientId.slice(0, 8)}` });
    expect(byMrn?.patientId).toBe(patientId);
    const byEmrId = await emr.findPatient({ emrPatientId: first.emrId });
    expect(byEmrId?.mrn).toBe(`MRN-${patientId.slice(0, 8)}`);

    await emr.upsertPatient(patient(patientId, 'Renamed'));
    expect((await emr.findPatient({ patientId }))?.demographics.family).toBe('Renamed');
    const all = (await server.repo.searchResources({
      resourceType: 'Patient',
      filters: [],
    })) as Patient[];
    expect(all.filter((p) => p.identifier?.some((i) => i.value === patientId))).toHaveLength(1);
  });

  it("writes and reads the Patient's home address (the claim's 2010BA N3/N4)", async () => {
    const patientId = randomUUID();
    const p = patient(patientId);
    const address = {
      line1: '12 ELM ST',
      line2: 'APT 2',
      city: 'SPRINGFIELD',
      state: 'IL',
      postalCode: '62704',
    };
    await emr.upsertPatient({ ...p, demographics: { ...p.demographics, address } });
    expect((await emr.findPatient({ patientId }))?.demographics.address).toEqual(address);
  });

  it('finds a Practitioner by NPI for the practitioner directory', async () => {
    await server.repo.createResource<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: NPI_SYSTEM, value: '1427050103' }],
      name: [{ use: 'official', family: 'Osei', given: ['Ama'] }],
    });
    expect(await emr.findPractitioner('1427050103')).toMatchObject({
      npi: '1427050103',
      lastName: 'OSEI',
      firstName: 'AMA',
      active: true,
    });
    expect(await emr.findPractitioner('1245319599')).toBeUndefined();
  });

  it('links a Patient the EMR registered first to our id, so our upsert updates it instead of creating a twin', async () => {
    const walkIn = (await server.repo.createResource({
      resourceType: 'Patient',
      name: [{ family: 'Walkin', given: ['Sam'] }],
      birthDate: '1975-01-02',
      gender: 'male',
    } as Patient)) as Patient & { id: string };
    const patientId = randomUUID();
    await emr.linkPatient(walkIn.id, patientId);
    await emr.linkPatient(walkIn.id, patientId);
    expect((await emr.findPatient({ emrPatientId: walkIn.id }))?.patientId).toBe(patientId);
    expect(await emr.upsertPatient(patient(patientId))).toEqual({ emrId: walkIn.id, created: false });
    // A record already linked to another id of ours is never re-pointed.
    await emr.linkPatient(walkIn.id, randomUUID());
    expect((await emr.findPatient({ emrPatientId: walkIn.id }))?.patientId).toBe(patientId);
  });

  it('returns undefined for unknown patients', async () => {
    expect(await emr.findPatient({ patientId: randomUUID() })).toBeUndefined();
    expect(await emr.findPatient({ emrPatientId: 'does-not-exist' })).toBeUndefined();
  });
});

describe('FHIR adapter: coverage', () => {
  it('upserts coverages and lists them per patient', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const coverageId = randomUUID();
    const input = {
      coverageId,
      emrPatientId: emrId,
      payerId: 'SANDBOX-MEDICARE',
      payerName: 'Medicare Part B',
      memberId: '1EG4TE5MK73',
      groupNumber: 'GRP-1',
      order: 1,
      relationship: 'self' as const,
      status: 'active' as const,
      periodStart: '2025-01-01',
    };
    expect((await emr.upsertCoverage(input)).created).toBe(true);
    expect((await emr.upsertCoverage({ ...input, memberId: '1EG4TE5MK74' })).created).toBe(false);
    const list = await emr.listCoverages(emrId);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      coverageId,
      payerId: 'SANDBOX-MEDICARE',
      memberId: '1EG4TE5MK74',
      groupNumber: 'GRP-1',
    });
  });
});

async function seedSchedule(specialty: string, slotCount: number) {
  const practitioner = await server.repo.createResource<Practitioner>({
    resourceType: 'Practitioner',
    identifier: [{ system: NPI_SYSTEM, value: '1987654328' }],
  });
  const location = await server.repo.createResource({ resourceType: 'Location', name: 'Downtown clinic' });
  const schedule = await server.repo.createResource<Schedule>({
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `Practitioner/${practitioner.id}` }, { reference: `Location/${location.id}` }],
    specialty: [{ coding: [{ system: 'https://ptflow.dev/fhir/CodeSystem/specialty', code: specialty }] }],
  });
  const slots: Slot[] = [];
  for (let i = 0; i < slotCount; i++) {
    const start = new Date(Date.UTC(2030, 0, 7, 14 + i));
    slots.push(
      await server.repo.createResource<Slot>({
        resourceType: 'Slot',
        schedule: { reference: `Schedule/${schedule.id}` },
        status: 'free',
        start: start.toISOString(),
        end: new Date(start.getTime() + 60 * 60_000).toISOString(),
      }),
    );
  }
  return { practitioner, location, schedule, slots };
}

describe('FHIR adapter: scheduling', () => {
  it('searches free slots across pages, books idempotently, refuses a taken slot, cancels and frees it', async () => {
    const { practitioner, location, slots } = await seedSchedule('vestibular', 7);
    const found = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      specialty: 'vestibular',
      minMinutes: 45,
    });
    // pageSize 3 → three pages followed through next links.
    expect(found).toHaveLength(7);
    expect(found[0]).toMatchObject({
      therapistId: practitioner.id,
      locationId: location.id,
      slotId: slots[0]?.id,
    });
    expect(
      await emr.searchFreeSlots({
        from: '2030-01-07T00:00:00Z',
        to: '2030-01-08T00:00:00Z',
        specialty: 'none',
      }),
    ).toEqual([]);

    const { emrId: emrPatientId } = await emr.upsertPatient(patient(randomUUID()));
    const slotId = found[0]!.slotId;
    const appointmentId = randomUUID();
    const booked = await emr.bookAppointment({ appointmentId, slotId, emrPatientId, kind: 'evaluation' });
    expect(booked).toMatchObject({
      appointmentId,
      slotId,
      emrPatientId,
      status: 'booked',
      kind: 'evaluation',
      therapistId: practitioner.id,
    });
    // Retried booking (same id) returns the same appointment; a different booking of the slot is refused.
    expect(
      (await emr.bookAppointment({ appointmentId, slotId, emrPatientId, kind: 'evaluation' }))
        .emrAppointmentId,
    ).toBe(booked.emrAppointmentId);
    await expect(
      emr.bookAppointment({ appointmentId: randomUUID(), slotId, emrPatientId, kind: 'treatment' }),
    ).rejects.toBeInstanceOf(SlotUnavailable);
    await expect(
      emr.bookAppointment({ appointmentId: randomUUID(), slotId: 'gone', emrPatientId, kind: 'treatment' }),
    ).rejects.toBeInstanceOf(SlotUnavailable);
    const after = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      therapistId: practitioner.id,
    });
    expect(after.map((s) => s.slotId)).not.toContain(slotId);

    const cancelled = await emr.cancelAppointment(booked.emrAppointmentId, 'patient');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'patient' });
    expect((await emr.cancelAppointment(booked.emrAppointmentId, 'patient')).status).toBe('cancelled');
    const freed = await emr.searchFreeSlots({
      from: '2030-01-07T00:00:00Z',
      to: '2030-01-08T00:00:00Z',
      therapistId: practitioner.id,
    });
    expect(freed.map((s) => s.slotId)).toContain(slotId);
    expect((await emr.getAppointment(booked.emrAppointmentId)).status).toBe('cancelled');
    await expect(emr.getAppointment('missing')).rejects.toBeInstanceOf(EmrNotFound);
  });

  it('lets exactly one of two concurrent bookings of a slot win', async () => {
    const { slots } = await seedSchedule('sports', 1);
    const { emrId: emrPatientId } = await emr.upsertPatient(patient(randomUUID()));
    const slotId = slots[0]!.id as string;
    const results = await Promise.allSettled(
      [randomUUID(), randomUUID()].map((appointmentId) =>
        emr.bookAppointment({ appointmentId, slotId, emrPatientId, kind: 'treatment' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(SlotUnavailable);
  });
});

describe('FHIR adapter: forms, documents, plan of care, outcomes', () => {
  it('writes a QuestionnaireResponse once', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const input = {
      responseId: randomUUID(),
      emrPatientId: emrId,
      questionnaire: 'https://ptflow.dev/fhir/Questionnaire/intake|1',
      authored: '2025-10-01T15:00:00Z',
      items: [
        { linkId: 'pain', text: 'Pain today (0-10)', answers: [6] },
        { linkId: 'surgery', answers: [false] },
        { linkId: 'goal', answers: ['walk the dog'] },
        { linkId: 'height', answers: [1.72] },
      ],
    };
    const first = await emr.writeIntakeAnswers(input);
    expect(first.created).toBe(true);
    expect(await emr.writeIntakeAnswers(input)).toEqual({ emrId: first.emrId, created: false });
  });

  it('writes a PDF as a DocumentReference once', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const pdf = Buffer.from('%PDF-1.7\n% synthetic\n%%EOF\n');
    const input = {
      documentId: randomUUID(),
      emrPatientId: emrId,
      kind: 'plan-of-care' as const,
      title: 'Plan of care',
      contentType: 'application/pdf' as const,
      data: pdf,
      createdAt: '2025-10-01T15:00:00Z',
    };
    const first = await emr.writeDocument(input);
    expect(first.created).toBe(true);
    expect((await emr.writeDocument(input)).created).toBe(false);
    const stored = await server.repo.readResource<DocumentReference>('DocumentReference', first.emrId);
    expect(Buffer.from(stored.content[0]?.attachment.data ?? '', 'base64').equals(pdf)).toBe(true);
  });

  it('round-trips a CarePlan and updates it in place', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const poc = {
      planOfCareId: randomUUID(),
      emrPatientId: emrId,
      status: 'active' as const,
      start: '2025-10-01',
      end: '2025-12-29',
      certifyingPhysicianNpi: '1234567893',
      diagnoses: ['M54.50', 'M51.26'],
      plannedInterventions: ['97110', '97140', '97530'],
      visitsPerWeek: 2,
      durationWeeks: 12,
      goals: ['Sit 60 minutes without pain', 'Return to running'],
    };
    expect((await emr.upsertPlanOfCare(poc)).created).toBe(true);
    expect(await emr.getPlanOfCare(poc.planOfCareId)).toEqual(poc);
    await emr.upsertPlanOfCare({ ...poc, status: 'completed' });
    expect((await emr.getPlanOfCare(poc.planOfCareId))?.status).toBe('completed');
    expect(await emr.getPlanOfCare(randomUUID())).toBeUndefined();
  });

  it('writes outcome Observations and lists them', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const obs = {
      observationId: randomUUID(),
      emrPatientId: emrId,
      instrument: 'ODI' as const,
      score: 42,
      effective: '2025-10-01T15:00:00Z',
    };
    await emr.writeOutcome(obs);
    await emr.writeOutcome(obs);
    await emr.writeOutcome({
      ...obs,
      observationId: randomUUID(),
      score: 30,
      effective: '2025-11-01T15:00:00Z',
    });
    const list = await emr.listOutcomes(emrId);
    expect(list.map((o) => o.score).sort()).toEqual([30, 42]);
    expect(list.find((o) => o.observationId === obs.observationId)).toEqual(obs);
  });
});

describe('FHIR adapter: referrals', () => {
  it('reads the referring practitioner (NPI and name) from the newest order authored by the date of service', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    expect(await emr.getReferral!(emrId, '2026-03-10')).toBeUndefined();
    const doctor = await server.repo.createResource<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: NPI_SYSTEM, value: '1679576722' }],
      name: [{ family: 'Nguyen', given: ['Linda'] }],
    });
    const other = await server.repo.createResource<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: NPI_SYSTEM, value: '1234567893' }],
      name: [{ family: 'Later', given: ['Lee'] }],
    });
    const order = (authoredOn: string, who: string, status: ServiceRequest['status'] = 'active') =>
      server.repo.createResource<ServiceRequest>({
        resourceType: 'ServiceRequest',
        status,
        intent: 'order',
        subject: { reference: `Patient/${emrId}` },
        authoredOn,
        requester: { reference: `Practitioner/${who}` },
        code: { text: 'Physical therapy evaluation and treatment' },
        reasonCode: [{ coding: [{ system: ICD10_SYSTEM, code: 'M54.50' }] }],
      });
    const first = await order('2026-02-20', doctor.id!);
    await order('2026-04-01', other.id!);
    await order('2026-03-01', other.id!, 'revoked');
    expect(await emr.getReferral!(emrId, '2026-03-10')).toEqual({
      referralId: first.id,
      authoredOn: '2026-02-20',
      referringProvider: { npi: '1679576722', lastName: 'Nguyen', firstName: 'Linda' },
      diagnoses: ['M54.50'],
    });
    // Before any order: the first later one still names who sent the patient.
    expect((await emr.getReferral!(emrId, '2026-01-05'))?.referralId).toBe(first.id);
  });
});

describe('FHIR adapter: signed visits', () => {
  it('reads interventions with CPT, minutes, who furnished them and the therapist NPI', async () => {
    const { emrId } = await emr.upsertPatient(patient(randomUUID()));
    const pt = await server.repo.createResource<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: NPI_SYSTEM, value: '1456789019' }],
    });
    const enc = await server.repo.createResource<Encounter>({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: `Patient/${emrId}` },
      participant: [{ individual: { reference: `Practitioner/${pt.id}` } }],
      period: { start: '2025-10-02T14:00:00-05:00', end: '2025-10-02T15:00:00-05:00' },
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.50' }] }],
      extension: [{ url: profile.extensions.signedAt, valueDateTime: '2025-10-02T16:10:00-05:00' }],
    });
    const proc = (code: string, minutes: number, by: string): Procedure => ({
      resourceType: 'Procedure',
      status: 'completed',
      subject: { reference: `Patient/${emrId}` },
      encounter: { reference: `Encounter/${enc.id}` },
      code: { coding: [{ system: CPT_SYSTEM, code }] },
      performer: [
        {
          actor: { reference: `Practitioner/${pt.id}` },
          function: { coding: [{ system: profile.codeSystems.furnishedBy, code: by }] },
        },
      ],
      extension: [{ url: profile.extensions.minutes, valueInteger: minutes }],
    });
    for (const p of [proc('97110', 23, 'PT'), proc('97140', 15, 'PTA'), proc('97530', 10, 'PT')])
      await server.repo.createResource(p);

    const visit = await emr.getSignedVisit(enc.id as string);
    expect(visit).toMatchObject({
      visitId: enc.id,
      emrPatientId: emrId,
      dateOfService: '2025-10-02',
      signedAt: '2025-10-02T16:10:00-05:00',
      therapistNpi: '1456789019',
      totalTreatmentMinutes: 48,
      diagnoses: ['M54.50'],
    });
    expect(visit.interventions).toEqual(
      expect.arrayContaining([
        { code: '97110', minutes: 23, furnishedBy: 'PT' },
        { code: '97140', minutes: 15, furnishedBy: 'PTA' },
        { code: '97530', minutes: 10, furnishedBy: 'PT' },
      ]),
    );

    const unsigned = await server.repo.createResource<Encounter>({
      ...enc,
      id: undefined,
      status: 'in-progress',
    } as Encounter);
    await expect(emr.getSignedVisit(unsigned.id as string)).rejects.toBeInstanceOf(EmrNotFound);

    // The billing reconciliation's search: finished Encounters by date of service, the unsigned one left out.
    const listed = await emr.listSignedVisits!({ from: '2025-10-01', to: '2025-10-02' });
    expect(listed.map((v) => v.visitId)).toContain(enc.id);
    expect(listed.map((v) => v.visitId)).not.toContain(unsigned.id);
    expect(listed.find((v) => v.visitId === enc.id)).toEqual(visit);
    expect(
      (await emr.listSignedVisits!({ from: '2025-10-03', to: '2025-10-05' })).map((v) => v.visitId),
    ).not.toContain(enc.id);
  });
});

describe('FHIR adapter: vendor profiles and SMART backend services', () => {
  it('refuses operations the vendor profile does not support', async () => {
    const raintree = createFhirEmr({
      baseUrl: server.baseUrl,
      vendor: 'raintree',
      auth: { kind: 'bearer', token: 't' },
      allowLoopbackHttp: true,
    });
    await expect(raintree.getPlanOfCare(randomUUID())).rejects.toBeInstanceOf(EmrUnsupported);
    expect(() =>
      createFhirEmr({ baseUrl: server.baseUrl, vendor: 'generic', auth: { kind: 'bearer', token: 't' } }),
    ).toThrow(/https/);
  });

  it('authenticates with a private_key_jwt client assertion and refreshes after a 401', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384');
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] });
    const tokenServer = Fastify();
    tokenServer.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_r, b, done) => done(null, Object.fromEntries(new URLSearchParams(b as string))),
    );
    const assertions: Record<string, unknown>[] = [];
    let issued = 0;
    tokenServer.post('/token', async (req, reply) => {
      const form = req.body as Record<string, string>;
      const tokenUrl = `http://127.0.0.1:${(tokenServer.server.address() as { port: number }).port}/token`;
      expect(form.grant_type).toBe('client_credentials');
      expect(form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(form.client_secret).toBeUndefined();
      const { payload, protectedHeader } = await jwtVerify(form.client_assertion ?? '', jwks, {
        issuer: 'ptflow-client',
        subject: 'ptflow-client',
        audience: tokenUrl,
        algorithms: ['ES384'],
      });
      expect(protectedHeader.kid).toBe('k1');
      assertions.push(payload);
      issued++;
      server.requireToken = `tok-${issued}`;
      return reply.send({
        access_token: `tok-${issued}`,
        token_type: 'bearer',
        expires_in: 3600,
        scope: form.scope,
      });
    });
    const tokenBase = await tokenServer.listen({ host: '127.0.0.1', port: 0 });
    try {
      const smart = createFhirEmr({
        baseUrl: server.baseUrl,
        vendor: 'generic',
        allowLoopbackHttp: true,
        auth: {
          kind: 'smart-backend',
          tokenUrl: `${tokenBase}/token`,
          clientId: 'ptflow-client',
          scope: 'system/*.rs',
          privateKey,
          alg: 'ES384',
          kid: 'k1',
        },
      });
      const patientId = randomUUID();
      await smart.upsertPatient(patient(patientId));
      expect(issued).toBe(1); // cached across requests
      server.requireToken = 'rotated-by-server'; // the server revokes: next call gets 401, refreshes once
      expect((await smart.findPatient({ patientId }))?.patientId).toBe(patientId);
      expect(issued).toBe(2);
      expect(new Set(assertions.map((a) => a.jti)).size).toBe(2);
      for (const a of assertions) expect((a.exp as number) - (a.iat as number)).toBeLessThanOrEqual(300);
    } finally {
      server.requireToken = undefined;
      await tokenServer.close();
    }
  });
});

describe('FHIR adapter: writes validate', () => {
  it('the validator is live (an invalid resource is reported)', () => {
    // Structure, cardinality, formats and invariants are checked; code bindings are not (medplum skips them).
    expect(
      fhirIssues({ resourceType: 'Patient', birthDate: '02/04/1980', nickname: 'x' } as never),
    ).toHaveLength(2);
    expect(fhirIssues({ resourceType: 'Appointment', status: 'booked' } as never)).not.toEqual([]); // no participant
  });

  it('validated every resource written through HTTP', () => {
    const types = new Set(server.writes.map((w) => w.resourceType));
    for (const t of [
      'Patient',
      'Coverage',
      'Slot',
      'Appointment',
      'QuestionnaireResponse',
      'DocumentReference',
      'CarePlan',
      'Observation',
    ]) {
      expect(types).toContain(t);
    }
    expect(server.invalidWrites).toEqual([]);
  });
});
