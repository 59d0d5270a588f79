// Shared synthetic inputs for the payer-connector tests (no real people; the canary marks PHI positions).
import { buildClaim } from '../../../domain/billing/build-claim.js';
import { codeVisit } from '../../../domain/billing/code-visit.js';
import type { Claim } from '../../../domain/model/claim.js';
import { VisitSchema, type VisitInput } from '../../../domain/model/visit.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import type { ClaimParties, PayerMember } from '../../../connectors/payer/types.js';

export const CANARY = 'ZZCANARY-5';

export const BILLING = {
  name: 'RIVERSIDE PHYSICAL THERAPY',
  npi: '1234567893',
  taxId: '123456789',
  taxonomy: '225100000X',
  address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
};

export function member(memberId: string, lastName = 'DOE'): PayerMember {
  return {
    memberId,
    lastName,
    firstName: 'JANE',
    dateOfBirth: '1950-04-15',
    gender: 'F',
    address: { line1: '12 OAK AVE', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
  };
}

export function parties(memberId: string, lastName = 'DOE'): ClaimParties {
  return {
    billingProvider: BILLING,
    subscriber: member(memberId, lastName),
    referringProvider: { name: 'NGUYEN', firstName: 'LINDA', npi: '1679576722' },
  };
}

/** Codes a visit with domain/ and builds the claim the way the claim workflow will. */
export function codedClaim(
  opts: {
    payerId: string;
    pcn: string;
    dos?: string;
    accruedAllowedCents?: number;
    priorAuthNumber?: string;
  } & Partial<VisitInput>,
): Claim {
  const { payerId, pcn, dos = '2025-07-01', accruedAllowedCents, priorAuthNumber, ...rest } = opts;
  const visit = VisitSchema.parse({
    id: `visit-${pcn}`,
    practiceId: 'practice-demo',
    patientId: `patient-${pcn}`,
    payerId,
    dos,
    renderingNpi: '1234567893',
    interventions: [
      { code: '97110', minutes: 30, furnishedBy: 'PT' },
      { code: '97140', minutes: 15, furnishedBy: 'PT' },
    ],
    diagnoses: ['M54.50'],
    totalTreatmentMinutes: 45,
    ...rest,
  });
  const profile = payerProfileOn(payerId, dos);
  if (!profile) throw new Error('no profile');
  const coded = codeVisit(visit, {
    profile,
    ...(accruedAllowedCents !== undefined ? { kx: { accruedAllowedCents } } : {}),
  });
  return buildClaim(visit, coded, {
    id: `claim-${pcn}`,
    patientControlNumber: pcn,
    billingProvider: { npi: BILLING.npi, taxId: BILLING.taxId },
    referringProvider: { npi: '1679576722' },
    ...(priorAuthNumber !== undefined ? { priorAuthNumber } : {}),
  });
}
