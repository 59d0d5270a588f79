import { VisitSchema, type Visit, type VisitInput } from '../../domain/model/visit.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import type { PayerProfile } from '../../domain/model/payer-profile.js';

export function visit(overrides: Partial<VisitInput> = {}): Visit {
  return VisitSchema.parse({
    id: 'visit-1',
    practiceId: 'practice-demo',
    patientId: 'patient-1',
    payerId: 'medicare-part-b',
    dos: '2025-07-01',
    renderingNpi: '1234567893',
    interventions: [],
    diagnoses: ['M54.50'],
    ...overrides,
  });
}

export function profile(payerId: string, dos = '2025-07-01'): PayerProfile {
  const p = payerProfileOn(payerId, dos);
  if (!p) throw new Error(`no profile ${payerId} on ${dos}`);
  return p;
}
