// Assembles the claim from a coded visit: the hand-off from coding to scrubbing.
import { normalizeIcd10 } from '../codes/icd10.js';
import type { Claim, ClaimFrequency, ProviderRef } from '../model/claim.js';
import type { Visit } from '../model/visit.js';
import type { CodedVisit } from './code-visit.js';

export interface ClaimHeader {
  id: string;
  patientControlNumber: string;
  billingProvider: { npi: string; taxId?: string };
  referringProvider?: ProviderRef;
  priorAuthNumber?: string;
  frequency?: ClaimFrequency;
  originalClaimNumber?: string;
  /** The rendering provider's name from the practitioner directory (none → the scrubber holds the claim). */
  renderingProviderName?: { lastName: string; firstName?: string };
  /** 2010BA facts for the scrubber; only a claim prepared for a payer has them. */
  subscriber?: Claim['subscriber'];
}

export function buildClaim(visit: Visit, coded: CodedVisit, header: ClaimHeader): Claim {
  const claim: Claim = {
    id: header.id,
    visitId: visit.id,
    practiceId: visit.practiceId,
    patientId: visit.patientId,
    payerId: visit.payerId,
    patientControlNumber: header.patientControlNumber,
    frequency: header.frequency ?? '1',
    placeOfService: visit.placeOfService,
    billingProvider: header.billingProvider,
    renderingProvider: { npi: visit.renderingNpi, ...header.renderingProviderName },
    diagnoses: visit.diagnoses.map(normalizeIcd10),
    lines: coded.lines.map(({ furnishedBy: _f, expectedAllowedCents: _e, ...line }) => ({
      ...line,
      audit: [...line.audit],
    })),
  };
  if (header.referringProvider) claim.referringProvider = header.referringProvider;
  if (header.priorAuthNumber) claim.priorAuthNumber = header.priorAuthNumber;
  if (header.originalClaimNumber) claim.originalClaimNumber = header.originalClaimNumber;
  if (header.subscriber) claim.subscriber = header.subscriber;
  return claim;
}
