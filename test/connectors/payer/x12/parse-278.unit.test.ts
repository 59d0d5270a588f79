import { describe, it, expect } from 'vitest';
import { parse278Response, reviewAction } from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

// 278 response: event certified (A1) with certification number, REF*BB authorization number and the
// certified period; 97110 certified for 12 visits over 8 weeks; 97140 partially certified (A2) for 6.
const approved = [
  {
    controlNumber: '0001',
    umo: { name: 'ACME HEALTH PLAN UM', idQualifier: 'PI', id: '60054' },
    traceNumbers: ['PAREQ0001'],
    rejections: [],
    reviews: [
      {
        level: 'event',
        actionCode: 'A1',
        action: 'certified',
        deliveries: [],
        messages: [],
        certificationNumber: 'CERT55501',
        authorizationNumber: 'AUTH778899',
        certificationPeriod: { from: '2025-07-01', to: '2025-08-25' },
      },
      {
        level: 'service',
        actionCode: 'A1',
        action: 'certified',
        deliveries: [{ quantityQualifier: 'VS', quantity: 12, timePeriodQualifier: '35', periodCount: 8 }],
        messages: [],
        certificationNumber: 'CERT55501',
        serviceDates: { from: '2025-07-01', to: '2025-08-25' },
        procedure: { qualifier: 'HC', code: '97110', modifiers: ['GP'], unit: 'UN', quantity: 12 },
      },
      {
        level: 'service',
        actionCode: 'A2',
        action: 'partially_certified',
        deliveries: [{ quantityQualifier: 'VS', quantity: 6, timePeriodQualifier: '35', periodCount: 8 }],
        messages: ['FIRST 6 VISITS APPROVED REMAINDER IN CLINICAL REVIEW'],
        certificationNumber: 'CERT55502',
        authorizationNumber: 'AUTH778900',
        serviceDates: { from: '2025-07-01', to: '2025-08-25' },
        procedure: { qualifier: 'HC', code: '97140', modifiers: ['GP'], unit: 'UN', quantity: 12 },
      },
    ],
    reference: 'PA20250701A',
    requester: { name: 'RIVERSIDE PHYSICAL THERAPY', idQualifier: 'XX', id: '1234567893' },
    subscriber: { lastName: 'DOE', firstName: 'JANE', memberId: 'XYZ123456789' },
  },
];

describe('278 services review response', () => {
  it('parses every field', () => {
    expect(parse278Response(fixture('278-response-approved.x12'))).toEqual(approved);
  });

  it('gives the authorization number and window the prior-auth workflow tracks', () => {
    const event = parse278Response(fixture('278-response-approved.x12'))[0]?.reviews[0];
    expect(event?.action).toBe('certified');
    expect(event?.authorizationNumber).toBe('AUTH778899');
    expect(event?.certificationPeriod).toEqual({ from: '2025-07-01', to: '2025-08-25' });
  });

  it('maps HCR action codes', () => {
    expect(['A1', 'A2', 'A3', 'A4', 'A6', 'C', 'NA', 'ZZ'].map(reviewAction)).toEqual([
      'certified',
      'partially_certified',
      'not_certified',
      'pended',
      'modified',
      'cancelled',
      'no_action_required',
      'other',
    ]);
  });
});
