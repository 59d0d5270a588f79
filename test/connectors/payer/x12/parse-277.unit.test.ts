import { describe, it, expect } from 'vitest';
import { isAcceptedCategory, parse277, parseX12 } from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

// 277CA: batch acknowledged (A1 at receiver level), claim PCN20250701A accepted into adjudication (A2)
// and claim PCN20250702B rejected (A7/562 billing provider NPI, plus A7/128 referring provider in STC10).
const claimAck = [
  {
    controlNumber: '0001',
    kind: '277CA',
    payer: { name: 'SANDBOX CLEARINGHOUSE', idQualifier: '46', id: 'CH0001' },
    receiverStatuses: [
      {
        category: 'A1',
        additional: [],
        status: '19',
        entity: 'PR',
        effectiveDate: '2025-07-02',
        actionCode: 'WQ',
        chargeCents: 51000,
      },
    ],
    providers: [
      {
        provider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
        traceNumber: 'CH20250702P1',
        statuses: [],
      },
    ],
    claims: [
      {
        traceNumber: 'PCN20250701A',
        patient: { lastName: 'DOE', firstName: 'JANE', memberId: 'XYZ123456789' },
        statuses: [
          {
            category: 'A2',
            additional: [],
            status: '20',
            entity: 'PR',
            effectiveDate: '2025-07-02',
            actionCode: 'WQ',
            chargeCents: 36000,
          },
        ],
        accepted: true,
        lines: [],
        billingProvider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
        payerClaimControlNumber: '2025183000555',
        clearinghouseTraceNumber: 'CH000000001',
        serviceDates: { from: '2025-07-01', to: '2025-07-01' },
      },
      {
        traceNumber: 'PCN20250702B',
        patient: { lastName: 'ROE', firstName: 'RICHARD', memberId: 'ABC987654321' },
        statuses: [
          {
            category: 'A7',
            additional: [{ category: 'A7', status: '128', entity: 'DN' }],
            status: '562',
            entity: '85',
            effectiveDate: '2025-07-02',
            actionCode: 'U',
            chargeCents: 15000,
          },
        ],
        accepted: false,
        lines: [],
        billingProvider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
        clearinghouseTraceNumber: 'CH000000002',
        serviceDates: { from: '2025-07-02', to: '2025-07-02' },
      },
    ],
    implementationReference: '005010X214',
    reference: '277CA20250702',
    receiver: { name: 'PTFLOW CLINIC BILLING', idQualifier: '46', id: 'PTF123456' },
  },
];

// 277 status response: claim finalized (F1/65) with payment details and one service line status.
const status = [
  {
    controlNumber: '0001',
    kind: '277',
    payer: { name: 'ACME HEALTH PLAN', idQualifier: 'PI', id: '60054' },
    receiverStatuses: [],
    providers: [
      {
        provider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
        statuses: [],
      },
    ],
    claims: [
      {
        traceNumber: 'STAT0001',
        patient: { lastName: 'DOE', firstName: 'JANE', memberId: 'XYZ123456789' },
        statuses: [
          {
            category: 'F1',
            additional: [],
            status: '65',
            effectiveDate: '2025-07-15',
            chargeCents: 36000,
            paidCents: 21600,
          },
        ],
        accepted: true,
        lines: [
          {
            procedure: { qualifier: 'HC', code: '97110', modifiers: ['GP'] },
            statuses: [{ category: 'F1', additional: [], status: '65', effectiveDate: '2025-07-15' }],
            chargeCents: 24000,
            paidCents: 14400,
            units: 2,
            lineControlNumber: 'L1',
            serviceDates: { from: '2025-07-01', to: '2025-07-01' },
          },
        ],
        billingProvider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
        payerClaimControlNumber: '2025196000111',
        patientAccountNumber: 'PCN20250701A',
        serviceDates: { from: '2025-07-01', to: '2025-07-01' },
      },
    ],
    implementationReference: '005010X212',
    reference: 'STAT20250801',
    receiver: { name: 'PTFLOW CLINIC BILLING', idQualifier: '46', id: 'PTF123456' },
  },
];

describe('277CA claim acknowledgment', () => {
  it('parses every field', () => {
    expect(parse277(fixture('277ca-accept-reject.x12'))).toEqual(claimAck);
  });

  it('tells accepted from rejected claims by our patient control number', () => {
    const [doc] = parse277(fixture('277ca-accept-reject.x12'));
    expect(doc?.kind).toBe('277CA');
    expect(doc?.claims.map((c) => [c.traceNumber, c.accepted])).toEqual([
      ['PCN20250701A', true],
      ['PCN20250702B', false],
    ]);
  });

  it('is typed 277CA by parseX12', () => {
    expect(parseX12(fixture('277ca-accept-reject.x12')).documents[0]?.type).toBe('277CA');
  });
});

describe('277 claim status', () => {
  it('parses every field', () => {
    expect(parse277(fixture('277-status.x12'))).toEqual(status);
  });

  it('classifies status categories', () => {
    for (const c of ['A1', 'A2', 'A5', 'P1', 'F1', 'F2', 'R3']) expect(isAcceptedCategory(c)).toBe(true);
    for (const c of ['A3', 'A4', 'A6', 'A7', 'A8', 'D0', 'E0']) expect(isAcceptedCategory(c)).toBe(false);
  });
});
