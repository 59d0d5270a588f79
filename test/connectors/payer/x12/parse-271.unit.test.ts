import { describe, it, expect } from 'vitest';
import { parse271 } from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

// Active commercial plan with PT benefits: copay per visit, 20 % coinsurance, deductible and remaining
// deductible, a 20-visit yearly limit with the auth-required flag and a MSG hint, 14 visits remaining,
// and the PA vendor in loop 2120.
const active = [
  {
    controlNumber: '0001',
    payer: { name: 'ACME HEALTH PLAN', idQualifier: 'PI', id: '60054' },
    coverage: 'active',
    planDates: [{ qualifier: '346', range: { from: '2025-01-01', to: '2025-01-01' } }],
    benefits: [
      {
        code: '1',
        kind: 'active_coverage',
        serviceTypeCodes: ['30', 'PT'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        planDescription: 'ACME PPO GOLD',
      },
      {
        code: 'B',
        kind: 'copayment',
        serviceTypeCodes: ['PT'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '27',
        amountCents: 3000,
        inNetwork: true,
      },
      {
        code: 'A',
        kind: 'coinsurance',
        serviceTypeCodes: ['PT'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '27',
        percentBasisPoints: 2000,
        inNetwork: true,
      },
      {
        code: 'C',
        kind: 'deductible',
        serviceTypeCodes: ['30'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '23',
        amountCents: 150000,
        inNetwork: true,
      },
      {
        code: 'C',
        kind: 'deductible',
        serviceTypeCodes: ['30'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '29',
        amountCents: 85050,
        inNetwork: true,
      },
      {
        code: 'F',
        kind: 'limitation',
        serviceTypeCodes: ['PT'],
        dates: [],
        messages: ['PRIOR AUTHORIZATION REQUIRED AFTER VISIT 6'],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '23',
        quantityQualifier: 'VS',
        quantity: 20,
        authorizationRequired: true,
        inNetwork: true,
      },
      {
        code: 'F',
        kind: 'limitation',
        serviceTypeCodes: ['PT'],
        dates: [{ qualifier: '292', range: { from: '2025-01-01', to: '2025-12-31' } }],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        insuranceType: 'PR',
        timePeriod: '29',
        quantityQualifier: 'VS',
        quantity: 14,
      },
      {
        code: 'U',
        kind: 'contact_following_entity',
        serviceTypeCodes: ['PT'],
        dates: [],
        messages: [],
        deliveries: [],
        coverageLevel: 'IND',
        relatedEntity: { entityCode: 'X3', name: 'EVICORE HEALTHCARE', idQualifier: 'PI', id: 'EVICORE' },
      },
    ],
    rejections: [],
    reference: 'ELIG20250701A',
    provider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
    subscriber: {
      lastName: 'DOE',
      memberId: 'XYZ123456789',
      traceNumbers: ['TRC0001', 'PAYERTRACE77'],
      firstName: 'JANE',
      groupNumber: 'GRP001',
      dateOfBirth: '1980-04-15',
      gender: 'F',
    },
  },
];

const inactive = [
  {
    controlNumber: '0001',
    payer: { name: 'ACME HEALTH PLAN', idQualifier: 'PI', id: '60054' },
    coverage: 'inactive',
    planDates: [{ qualifier: '347', range: { from: '2025-05-31', to: '2025-05-31' } }],
    benefits: [
      {
        code: '6',
        kind: 'inactive',
        serviceTypeCodes: ['30'],
        dates: [],
        messages: [],
        deliveries: [],
      },
    ],
    rejections: [],
    reference: 'ELIG20250701B',
    provider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
    subscriber: {
      lastName: 'ROE',
      memberId: 'ABC987654321',
      traceNumbers: ['TRC0002'],
      firstName: 'RICHARD',
      dateOfBirth: '1975-11-02',
      gender: 'M',
    },
  },
];

const rejected = [
  {
    controlNumber: '0001',
    payer: { name: 'ACME HEALTH PLAN', idQualifier: 'PI', id: '60054' },
    coverage: 'unknown',
    planDates: [],
    benefits: [],
    rejections: [{ level: 'subscriber', valid: false, reasonCode: '75', followUpCode: 'C' }],
    reference: 'ELIG20250701C',
    provider: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
    subscriber: { lastName: 'POE', memberId: 'WRONG0001', traceNumbers: ['TRC0003'], firstName: 'EDGAR' },
  },
];

describe('271 eligibility response', () => {
  it('parses an active plan with PT benefits, every field', () => {
    expect(parse271(fixture('271-active.x12'))).toEqual(active);
  });

  it('exposes what onboarding needs: copay, coinsurance, remaining deductible, visit limits, auth required', () => {
    const [doc] = parse271(fixture('271-active.x12'));
    const pt = doc?.benefits.filter((b) => b.serviceTypeCodes.includes('PT')) ?? [];
    expect(doc?.coverage).toBe('active');
    expect(pt.find((b) => b.kind === 'copayment')?.amountCents).toBe(3000);
    expect(pt.find((b) => b.kind === 'coinsurance')?.percentBasisPoints).toBe(2000);
    expect(doc?.benefits.find((b) => b.kind === 'deductible' && b.timePeriod === '29')?.amountCents).toBe(
      85050,
    );
    const limit = pt.find((b) => b.kind === 'limitation' && b.timePeriod === '23');
    expect([limit?.quantityQualifier, limit?.quantity, limit?.authorizationRequired]).toEqual([
      'VS',
      20,
      true,
    ]);
  });

  it('parses an inactive plan', () => {
    expect(parse271(fixture('271-inactive.x12'))).toEqual(inactive);
  });

  it('parses an AAA rejection (subscriber not found)', () => {
    expect(parse271(fixture('271-rejected.x12'))).toEqual(rejected);
  });
});
