import { describe, it, expect } from 'vitest';
import {
  claimBalances,
  parse835,
  parseX12,
  reconcile835,
  serviceBalances,
  X12ParseError,
} from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

// Every field of the golden 835, written out: three claims (paid with copay, denied CO-197 at claim
// level with MOA M62, Medicare-style with multi-triplet CAS incl. sequestration CO-253), LQ*HE RARCs and
// a PLB with a recoupment (WO, reduces the payment) and interest (L6, negative, increases it).
const expected = [
  {
    controlNumber: '35001',
    payment: {
      handlingCode: 'I',
      amountCents: 34661,
      creditDebit: 'C',
      method: 'ACH',
      paymentDate: '2025-07-16',
      format: 'CCP',
    },
    trace: { typeCode: '1', referenceId: 'EFT0000123456', originatorId: '1512345678' },
    payer: {
      name: 'ACME HEALTH PLAN',
      address: { line1: '500 INSURANCE WAY', city: 'HARTFORD', state: 'CT', postalCode: '06103' },
      id: '60054',
    },
    payee: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893', taxId: '123456789' },
    claims: [
      {
        patientControlNumber: 'PCN20250701A',
        statusCode: '1',
        chargeCents: 36000,
        paidCents: 21600,
        adjustments: [],
        claimRemarkCodes: [],
        amounts: { AU: 25600 },
        services: [
          {
            procedure: { qualifier: 'HC', code: '97110', modifiers: ['GP'] },
            chargeCents: 24000,
            paidCents: 14400,
            adjustments: [
              { group: 'CO', reasonCode: '45', amountCents: 5600 },
              { group: 'PR', reasonCode: '3', amountCents: 4000 },
            ],
            remarkCodes: [],
            units: 2,
            serviceDates: { from: '2025-07-01', to: '2025-07-01' },
            lineControlNumber: 'L1',
            allowedCents: 18400,
          },
          {
            procedure: { qualifier: 'HC', code: '97140', modifiers: ['GP'] },
            chargeCents: 12000,
            paidCents: 7200,
            adjustments: [{ group: 'CO', reasonCode: '45', amountCents: 4800 }],
            remarkCodes: ['N381'],
            units: 1,
            serviceDates: { from: '2025-07-01', to: '2025-07-01' },
            lineControlNumber: 'L2',
            allowedCents: 7200,
          },
        ],
        patientResponsibilityCents: 4000,
        claimFilingIndicator: '12',
        payerClaimControlNumber: '2025196000111',
        facilityCode: '11',
        frequencyCode: '1',
        patient: { lastName: 'DOE', firstName: 'JANE', idQualifier: 'MI', id: 'XYZ123456789' },
        renderingProvider: { name: 'NGUYEN', firstName: 'LINDA', idQualifier: 'XX', id: '1679576722' },
        receivedDate: '2025-07-03',
        statementPeriod: { from: '2025-07-01', to: '2025-07-01' },
      },
      {
        patientControlNumber: 'PCN20250702B',
        statusCode: '4',
        chargeCents: 15000,
        paidCents: 0,
        adjustments: [{ group: 'CO', reasonCode: '197', amountCents: 15000 }],
        claimRemarkCodes: ['M62'],
        amounts: {},
        services: [],
        patientResponsibilityCents: 0,
        claimFilingIndicator: '12',
        payerClaimControlNumber: '2025196000112',
        facilityCode: '11',
        frequencyCode: '1',
        patient: { lastName: 'ROE', firstName: 'RICHARD', idQualifier: 'MI', id: 'ABC987654321' },
        statementPeriod: { from: '2025-07-02', to: '2025-07-02' },
      },
      {
        patientControlNumber: 'PCN20250703C',
        statusCode: '1',
        chargeCents: 30000,
        paidCents: 17846,
        adjustments: [],
        claimRemarkCodes: ['MA01', 'MA18'],
        amounts: {},
        services: [
          {
            procedure: { qualifier: 'HC', code: '97110', modifiers: ['GP', 'KX'] },
            chargeCents: 20000,
            paidCents: 11897,
            adjustments: [
              { group: 'CO', reasonCode: '45', amountCents: 3025 },
              { group: 'CO', reasonCode: '253', amountCents: 123 },
              { group: 'PR', reasonCode: '1', amountCents: 2000 },
              { group: 'PR', reasonCode: '2', amountCents: 2955 },
            ],
            remarkCodes: ['N130', 'N381'],
            units: 2,
            serviceDates: { from: '2025-07-03', to: '2025-07-03' },
            lineControlNumber: 'L1',
            allowedCents: 16975,
          },
          {
            procedure: { qualifier: 'HC', code: '97112', modifiers: ['GP'] },
            chargeCents: 10000,
            paidCents: 5949,
            adjustments: [
              { group: 'CO', reasonCode: '45', amountCents: 2513 },
              { group: 'CO', reasonCode: '253', amountCents: 61 },
              { group: 'PR', reasonCode: '2', amountCents: 1477 },
            ],
            remarkCodes: [],
            units: 1,
            serviceDates: { from: '2025-07-03', to: '2025-07-03' },
            lineControlNumber: 'L2',
            allowedCents: 7487,
          },
        ],
        patientResponsibilityCents: 6432,
        claimFilingIndicator: 'MB',
        payerClaimControlNumber: '2025196000113',
        facilityCode: '11',
        frequencyCode: '1',
        patient: { lastName: 'POE', firstName: 'EDGAR', idQualifier: 'MI', id: '1EG4TE5MK73' },
        statementPeriod: { from: '2025-07-03', to: '2025-07-03' },
      },
    ],
    providerAdjustments: [
      {
        providerId: '1234567893',
        fiscalPeriodDate: '2025-12-31',
        adjustments: [
          { reasonCode: 'WO', amountCents: 5000, referenceId: '2025180000999' },
          { reasonCode: 'L6', amountCents: -215 },
        ],
      },
    ],
    productionDate: '2025-07-15',
  },
];

describe('835 remittance', () => {
  const [remit] = parse835(fixture('835-multi-claim.x12'));

  it('parses every field', () => {
    expect(parse835(fixture('835-multi-claim.x12'))).toEqual(expected);
  });

  it('reconciles: BPR02 = Σ CLP04 − Σ PLB', () => {
    expect(remit).toBeDefined();
    if (remit === undefined) return;
    expect(reconcile835(remit)).toEqual({ expectedCents: 34661, paymentCents: 34661, balanced: true });
    const tampered = { ...remit, payment: { ...remit.payment, amountCents: 34662 } };
    expect(reconcile835(tampered).balanced).toBe(false);
  });

  it('balances every claim and every service line (charge − paid = Σ CAS)', () => {
    for (const claim of remit?.claims ?? []) {
      expect(claimBalances(claim)).toBe(true);
      for (const line of claim.services) expect(serviceBalances(line)).toBe(true);
    }
  });

  it('a claim or line whose CAS do not add up to charge − paid does not balance', () => {
    const claim = remit?.claims[2];
    expect(claim).toBeDefined();
    if (claim === undefined) return;
    const [first, ...rest] = claim.services;
    if (first === undefined) throw new Error('fixture claim 3 has lines');
    // One cent dropped from the line's first CAS: the line and the claim both stop balancing.
    const [cas, ...others] = first.adjustments;
    if (cas === undefined) throw new Error('fixture line has CAS');
    const short = { ...first, adjustments: [{ ...cas, amountCents: cas.amountCents - 1 }, ...others] };
    expect(serviceBalances(short)).toBe(false);
    expect(claimBalances({ ...claim, services: [short, ...rest] })).toBe(false);
    // A claim-level CAS counts toward the claim: adding one unbalances the claim but not its lines.
    const extra = { ...claim, adjustments: [{ group: 'OA' as const, reasonCode: '23', amountCents: 100 }] };
    expect(claimBalances(extra)).toBe(false);
    expect(extra.services.every(serviceBalances)).toBe(true);
  });

  it('keeps several triplets of one CAS segment and several CAS segments per line, in order', () => {
    const line = remit?.claims[2]?.services[0];
    expect(line?.adjustments.map((a) => `${a.group}-${a.reasonCode}:${a.amountCents}`)).toEqual([
      'CO-45:3025',
      'CO-253:123',
      'PR-1:2000',
      'PR-2:2955',
    ]);
  });

  it('is reachable through parseX12', () => {
    const parsed = parseX12(fixture('835-multi-claim.x12'));
    expect(parsed.documents).toEqual([{ type: '835', document: expected[0] }]);
  });

  it('refuses a non-numeric amount with a positioned error that does not quote the value', () => {
    const text = fixture('835-multi-claim.x12').replace('CAS*PR*2*14.77', 'CAS*PR*2*14,77');
    try {
      parse835(text);
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(X12ParseError);
      const err = e as X12ParseError;
      expect(err.code).toBe('INVALID_AMOUNT');
      expect(err.segmentId).toBe('CAS');
      expect(err.elementPosition).toBe(3);
      expect(err.message).not.toContain('14,77');
    }
  });

  it('refuses an unknown CAS group code', () => {
    const text = fixture('835-multi-claim.x12').replace('CAS*CO*197*150', 'CAS*XX*197*150');
    expect(() => parse835(text)).toThrow(X12ParseError);
  });

  it('refuses another transaction type', () => {
    expect(() => parse835(fixture('999-accepted.x12'))).toThrow(/UNSUPPORTED_TRANSACTION/);
  });
});
