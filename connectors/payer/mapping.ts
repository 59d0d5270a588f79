// The mapping layer between the domain (claims, payer profiles) plus the connector's request types and the
// X12 document models of ./x12: the 837P claim here, the real-time transactions in mapping-inquiries.ts and
// the shared parties in mapping-parties.ts (both re-exported). Pure functions: dates, references and control
// numbers come in.
import type { Claim } from '../../domain/model/claim.js';
import type { PayerProfile } from '../../domain/model/payer-profile.js';
import { member, practitioner, x12Diagnosis, type PayerDirectoryEntry } from './mapping-parties.js';
import type { ClaimParties } from './types.js';
import { X12BuildError } from './x12/errors.js';
import type { Claim837, Claim837Batch, Submitter } from './x12/index.js';

export * from './mapping-inquiries.js';
export { x12Diagnosis, type Created, type PayerDirectoryEntry } from './mapping-parties.js';

/** SBR09 claim filing indicator by payer kind (X12 code list; MA plans file as Medicare risk HMO "16"). */
const FILING_INDICATOR: Record<PayerProfile['kind'], string> = {
  medicare_part_b: 'MB',
  medicare_advantage: '16',
  medicaid: 'MC',
  commercial: 'CI',
};

export function claimFilingIndicator(profile: Pick<PayerProfile, 'kind'>): string {
  return FILING_INDICATOR[profile.kind];
}

/** REF*6R line control number: our key to match an 835 SVC (or a 277 line) back to the claim line. */
export function lineControlNumber(lineNumber: number): string {
  return `L${lineNumber}`;
}

export function toClaim837(
  claim: Claim,
  parties: ClaimParties,
  payer: PayerDirectoryEntry,
  profile: Pick<PayerProfile, 'kind'>,
): Claim837 {
  const out: Claim837 = {
    billingProvider: { ...parties.billingProvider },
    payerResponsibility: 'P',
    claimFilingIndicator: claimFilingIndicator(profile),
    subscriber: member(parties.subscriber),
    payer: { name: payer.name, payerId: payer.x12PayerId },
    patientControlNumber: claim.patientControlNumber,
    totalChargeCents: claim.lines.reduce((s, l) => s + l.chargeCents, 0),
    placeOfService: claim.placeOfService,
    frequencyCode: claim.frequency,
    providerSignatureOnFile: true,
    assignmentCode: 'A',
    benefitsAssigned: true,
    releaseOfInformation: 'Y',
    diagnosisCodes: claim.diagnoses.map(x12Diagnosis),
    lines: claim.lines.map((l) => ({
      procedureCode: l.code,
      modifiers: [...l.modifiers],
      chargeCents: l.chargeCents,
      units: l.units,
      diagnosisPointers: [...l.diagnosisPointers],
      serviceDate: l.dos,
      lineControlNumber: lineControlNumber(l.lineNumber),
    })),
  };
  if (parties.subscriber.groupNumber !== undefined) out.groupNumber = parties.subscriber.groupNumber;
  if (claim.originalClaimNumber !== undefined) out.originalClaimNumber = claim.originalClaimNumber;
  if (claim.priorAuthNumber !== undefined) out.priorAuthorizationNumber = claim.priorAuthNumber;
  if (parties.referringProvider !== undefined)
    out.referringProvider = practitioner(parties.referringProvider);
  else if (claim.referringProvider !== undefined)
    out.referringProvider = { lastName: 'REFERRING PROVIDER', npi: claim.referringProvider.npi };
  // 2310B only when the rendering NPI differs from the billing one, and only with a real name: from the
  // parties when they name this NPI, else from the claim (the practitioner directory). Never a placeholder:
  // the scrubber holds such a claim (RENDERING_PROVIDER_UNKNOWN), and the mapping refuses it as a last resort.
  const rendering = claim.renderingProvider;
  const renderingNpi = rendering?.npi ?? parties.renderingProvider?.npi;
  if (renderingNpi !== undefined && renderingNpi !== parties.billingProvider.npi) {
    if (parties.renderingProvider !== undefined && parties.renderingProvider.npi === renderingNpi) {
      out.renderingProvider = practitioner(parties.renderingProvider);
    } else if (rendering?.lastName !== undefined) {
      out.renderingProvider = {
        lastName: rendering.lastName,
        ...(rendering.firstName !== undefined ? { firstName: rendering.firstName } : {}),
        npi: rendering.npi,
      };
    } else {
      throw new X12BuildError(
        'INVALID_INPUT',
        'renderingProvider',
        'no name for the rendering provider NPI (practitioner directory)',
      );
    }
  }
  return out;
}

export function toClaimBatch(
  claims: Claim837[],
  opts: {
    reference: string;
    createdDate: string;
    createdTime: string;
    submitter: Submitter;
    receiver: { name: string; id: string };
  },
): Claim837Batch {
  return {
    batchReference: opts.reference,
    createdDate: opts.createdDate,
    createdTime: opts.createdTime,
    submitter: opts.submitter,
    receiver: opts.receiver,
    claims,
  };
}
