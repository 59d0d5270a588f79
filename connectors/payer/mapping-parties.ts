// The parties of the payer mapping: how a payer is addressed over X12, when a request was created, and the
// member, practitioner, provider and diagnosis shapes every transaction uses.
import { normalizeIcd10 } from '../../domain/codes/icd10.js';
import type { PayerMember } from './types.js';
import type { Member, Practitioner } from './x12/index.js';

/** How one domain payer is addressed over X12. */
export interface PayerDirectoryEntry {
  /** Domain payer id (payer-profile id). */
  payerId: string;
  /** NM109 payer id (2010BB, 270/276 NM1*PR, 278 NM1*X3). */
  x12PayerId: string;
  name: string;
}

export interface Created {
  date: string;
  time: string;
  /** TRN03 originator id: "9" + our 9-digit company id. */
  originatorId: string;
}

/** ICD-10-CM as X12 wants it: upper case, no dot. */
export function x12Diagnosis(code: string): string {
  return normalizeIcd10(code).replace('.', '');
}

export function member(m: PayerMember): Member {
  const out: Member = { memberId: m.memberId, lastName: m.lastName };
  if (m.firstName !== undefined) out.firstName = m.firstName;
  if (m.dateOfBirth !== undefined) out.dateOfBirth = m.dateOfBirth;
  if (m.gender !== undefined) out.gender = m.gender;
  if (m.address !== undefined) out.address = m.address;
  return out;
}

export function practitioner(p: { name: string; firstName?: string; npi: string }): Practitioner {
  return p.firstName === undefined
    ? { lastName: p.name, npi: p.npi }
    : { lastName: p.name, firstName: p.firstName, npi: p.npi };
}

/** The provider of a 270, 276 or 278: an organization, or a person when a first name is given. */
export function requestProvider(p: { name: string; firstName?: string; npi: string }): {
  name: string;
  firstName?: string;
  npi: string;
} {
  return p.firstName === undefined
    ? { name: p.name, npi: p.npi }
    : { name: p.name, firstName: p.firstName, npi: p.npi };
}
