// Shared synthetic inputs for the X12 codec tests. All names, ids and numbers are invented; NPIs pass the
// Luhn check (1234567893, 1245319599, 1679576722) so downstream scrubbers accept them too.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  AuthRequest278,
  Claim837,
  Claim837Batch,
  ClaimStatusInquiry276,
  EligibilityInquiry270,
  SingleTransactionEnvelope,
} from '../../../../connectors/payer/x12/index.js';

export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../../../fixtures/x12/${name}`, import.meta.url));

export const fixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

export const envelope = (overrides: Partial<SingleTransactionEnvelope> = {}): SingleTransactionEnvelope => ({
  sender: { qualifier: 'ZZ', id: 'PTF123456' },
  receiver: { qualifier: 'ZZ', id: 'CH0001' },
  date: '2025-07-02',
  time: '09:30',
  interchangeControlNumber: 1001,
  groupControlNumber: 1001,
  transactionControlNumber: '0001',
  usage: 'T',
  lineBreaks: true,
  ...overrides,
});

export const billingProvider: Claim837['billingProvider'] = {
  name: 'RIVERSIDE PHYSICAL THERAPY',
  npi: '1234567893',
  taxId: '123456789',
  taxonomy: '225100000X',
  address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
};

/** A replacement (frequency 7) claim with prior auth, referring and rendering providers. */
export const replacementClaim: Claim837 = {
  billingProvider,
  payerResponsibility: 'P',
  claimFilingIndicator: 'CI',
  groupNumber: 'GRP001',
  subscriber: {
    lastName: 'DOE',
    firstName: 'JANE',
    memberId: 'XYZ123456789',
    dateOfBirth: '1980-04-15',
    gender: 'F',
    address: { line1: '12 OAK AVE', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
  },
  payer: { name: 'ACME HEALTH PLAN', payerId: '60054' },
  patientControlNumber: 'PCN20250701A',
  totalChargeCents: 36000,
  placeOfService: '11',
  frequencyCode: '7',
  originalClaimNumber: '2025182000123',
  providerSignatureOnFile: true,
  assignmentCode: 'A',
  benefitsAssigned: true,
  releaseOfInformation: 'Y',
  initialTreatmentDate: '2025-06-02',
  priorAuthorizationNumber: 'AUTH778899',
  diagnosisCodes: ['M5450', 'M6281'],
  referringProvider: { lastName: 'SMITH', firstName: 'ROBERT', npi: '1245319599' },
  renderingProvider: { lastName: 'NGUYEN', firstName: 'LINDA', npi: '1679576722', taxonomy: '225100000X' },
  lines: [
    {
      procedureCode: '97110',
      modifiers: ['GP'],
      chargeCents: 24000,
      units: 2,
      diagnosisPointers: [1, 2],
      serviceDate: '2025-07-01',
      lineControlNumber: 'L1',
    },
    {
      procedureCode: '97140',
      modifiers: ['GP', '59', 'KX', 'CQ'],
      chargeCents: 12000,
      units: 1,
      diagnosisPointers: [1],
      serviceDate: '2025-07-01',
      lineControlNumber: 'L2',
    },
  ],
};

/** An original claim for a dependent (loop 2000C patient), Medicare-style evaluation + exercise. */
export const dependentClaim: Claim837 = {
  billingProvider,
  payerResponsibility: 'P',
  claimFilingIndicator: 'CI',
  subscriber: { lastName: 'ROE', firstName: 'RICHARD', memberId: 'ABC987654321' },
  patient: {
    lastName: 'ROE',
    firstName: 'EMMA',
    middleName: 'L',
    dateOfBirth: '2010-09-30',
    gender: 'F',
    relationshipCode: '19',
    address: { line1: '7 ELM ST', line2: 'APT 2', city: 'SPRINGFIELD', state: 'IL', postalCode: '62702' },
  },
  payer: { name: 'ACME HEALTH PLAN', payerId: '60054' },
  patientControlNumber: 'PCN20250702B',
  totalChargeCents: 33050,
  placeOfService: '11',
  frequencyCode: '1',
  providerSignatureOnFile: true,
  assignmentCode: 'A',
  benefitsAssigned: true,
  releaseOfInformation: 'Y',
  referralNumber: 'REF20250601',
  diagnosisCodes: ['S83511A'],
  referringProvider: { lastName: 'SMITH', firstName: 'ROBERT', npi: '1245319599' },
  lines: [
    {
      procedureCode: '97161',
      modifiers: ['GP'],
      chargeCents: 18050,
      units: 1,
      diagnosisPointers: [1],
      serviceDate: '2025-07-02',
    },
    {
      procedureCode: '97110',
      modifiers: ['GP'],
      chargeCents: 15000,
      units: 1.5,
      diagnosisPointers: [1],
      serviceDate: '2025-07-02',
    },
  ],
};

export const claimBatch: Claim837Batch = {
  batchReference: 'B0001',
  createdDate: '2025-07-02',
  createdTime: '09:30',
  submitter: {
    name: 'PTFLOW CLINIC BILLING',
    id: 'PTF123456',
    contactName: 'BILLING DESK',
    phone: '5555550100',
    email: 'billing@example.test',
  },
  receiver: { name: 'SANDBOX CLEARINGHOUSE', id: 'CH0001' },
  claims: [replacementClaim, dependentClaim],
};

export const eligibilityInquiry: EligibilityInquiry270 = {
  reference: 'ELIG20250701A',
  createdDate: '2025-07-01',
  createdTime: '09:30',
  payer: { name: 'ACME HEALTH PLAN', payerId: '60054' },
  provider: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893' },
  traceNumber: 'TRC0001',
  traceOriginatorId: '9123456789',
  subscriber: {
    lastName: 'DOE',
    firstName: 'JANE',
    memberId: 'XYZ123456789',
    dateOfBirth: '1980-04-15',
    gender: 'F',
  },
  serviceDate: '2025-07-01',
};

export const statusInquiry: ClaimStatusInquiry276 = {
  reference: 'STAT20250801',
  createdDate: '2025-08-01',
  createdTime: '07:55',
  payer: { name: 'ACME HEALTH PLAN', payerId: '60054' },
  informationReceiver: { name: 'PTFLOW CLINIC BILLING', etin: 'PTF123456' },
  provider: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893' },
  subscriber: {
    lastName: 'DOE',
    firstName: 'JANE',
    memberId: 'XYZ123456789',
    dateOfBirth: '1980-04-15',
    gender: 'F',
  },
  traceNumber: 'STAT0001',
  patientControlNumber: 'PCN20250701A',
  payerClaimControlNumber: '2025196000111',
  totalChargeCents: 36000,
  serviceDates: { from: '2025-07-01', to: '2025-07-01' },
};

export const authRequest: AuthRequest278 = {
  reference: 'PA20250701A',
  createdDate: '2025-06-30',
  createdTime: '16:10',
  umo: { name: 'ACME HEALTH PLAN UM', payerId: '60054' },
  requester: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893' },
  subscriber: {
    lastName: 'DOE',
    firstName: 'JANE',
    memberId: 'XYZ123456789',
    dateOfBirth: '1980-04-15',
    gender: 'F',
  },
  traceNumber: 'PAREQ0001',
  traceOriginatorId: '9123456789',
  requestCategory: 'HS',
  certificationType: 'I',
  serviceTypeCode: 'PT',
  placeOfService: '11',
  diagnosisCodes: ['M54.50'],
  eventDates: { from: '2025-07-01', to: '2025-08-25' },
  referringProvider: { lastName: 'SMITH', firstName: 'ROBERT', npi: '1245319599' },
  servicingProvider: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893' },
  services: [
    {
      procedureCode: '97110',
      modifiers: ['GP'],
      quantity: 12,
      unit: 'UN',
      delivery: { visits: 12, periodQualifier: '35', periodCount: 8 },
      serviceDates: { from: '2025-07-01', to: '2025-08-25' },
    },
    { procedureCode: '97140', modifiers: ['GP'], quantity: 12, unit: 'UN', chargeCents: 144000 },
  ],
};
