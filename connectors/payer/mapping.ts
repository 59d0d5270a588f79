// The mapping layer between the domain (claims, payer profiles) plus the connector's request types and the
// X12 document models of ./x12. Pure functions: dates, references and control numbers come in.
import { normalizeIcd10 } from '../../domain/codes/icd10.js';
import { X12BuildError } from './x12/errors.js';
import type { Claim } from '../../domain/model/claim.js';
import type { PayerProfile } from '../../domain/model/payer-profile.js';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  AuthorizationStatus,
  ClaimAcknowledgement,
  ClaimParties,
  ClaimStatusCategory,
  ClaimStatusRequest,
  ClaimStatusResult,
  EligibilityRequest,
  EligibilityResult,
  PayerMember,
  ProviderLevelStatus,
} from './types.js';
import type {
  AuthRequest278,
  AuthResponse278,
  Claim837,
  Claim837Batch,
  ClaimStatus277,
  ClaimStatusInquiry276,
  EligibilityInquiry270,
  Eligibility271,
  Member,
  Practitioner,
  Review278,
  StatusInfo,
  Submitter,
} from './x12/index.js';

/** How one domain payer is addressed over X12. */
export interface PayerDirectoryEntry {
  /** Domain payer id (payer-profile id). */
  payerId: string;
  /** NM109 payer id (2010BB, 270/276 NM1*PR, 278 NM1*X3). */
  x12PayerId: string;
  name: string;
}

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

/** ICD-10-CM as X12 wants it: upper case, no dot. */
export function x12Diagnosis(code: string): string {
  return normalizeIcd10(code).replace('.', '');
}

function member(m: PayerMember): Member {
  const out: Member = { memberId: m.memberId, lastName: m.lastName };
  if (m.firstName !== undefined) out.firstName = m.firstName;
  if (m.dateOfBirth !== undefined) out.dateOfBirth = m.dateOfBirth;
  if (m.gender !== undefined) out.gender = m.gender;
  if (m.address !== undefined) out.address = m.address;
  return out;
}

function practitioner(p: { name: string; firstName?: string; npi: string }): Practitioner {
  return p.firstName === undefined
    ? { lastName: p.name, npi: p.npi }
    : { lastName: p.name, firstName: p.firstName, npi: p.npi };
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

export interface Created {
  date: string;
  time: string;
  /** TRN03 originator id: "9" + our 9-digit company id. */
  originatorId: string;
}

export function toEligibility270(
  req: EligibilityRequest,
  payer: PayerDirectoryEntry,
  created: Created,
): EligibilityInquiry270 {
  const provider =
    req.provider.firstName === undefined
      ? { name: req.provider.name, npi: req.provider.npi }
      : { name: req.provider.name, firstName: req.provider.firstName, npi: req.provider.npi };
  return {
    reference: req.traceNumber,
    createdDate: created.date,
    createdTime: created.time,
    payer: { name: payer.name, payerId: payer.x12PayerId },
    provider,
    traceNumber: req.traceNumber,
    traceOriginatorId: created.originatorId,
    subscriber: member(req.member),
    serviceDate: req.serviceDate,
  };
}

/** EB06 time periods that mean "what is left" rather than "the plan's amount" (29 remaining). */
const REMAINING_PERIOD = '29';
const PT_SERVICE_TYPES = new Set(['PT', 'AE', '30']);

export function fromEligibility271(doc: Eligibility271): EligibilityResult {
  const out: EligibilityResult = {
    coverage: doc.coverage,
    rejectionReasons: doc.rejections.filter((r) => !r.valid).map((r) => r.reasonCode),
    document: doc,
  };
  const pt = (b: Eligibility271['benefits'][number]): boolean =>
    b.serviceTypeCodes.length === 0 || b.serviceTypeCodes.some((c) => PT_SERVICE_TYPES.has(c));
  for (const b of doc.benefits.filter(pt)) {
    if (b.kind === 'copayment' && b.amountCents !== undefined && out.copayCents === undefined)
      out.copayCents = b.amountCents;
    if (b.kind === 'coinsurance' && b.percentBasisPoints !== undefined)
      out.coinsuranceBasisPoints ??= b.percentBasisPoints;
    if (b.kind === 'deductible' && b.amountCents !== undefined) {
      if (b.timePeriod === REMAINING_PERIOD) out.deductibleRemainingCents ??= b.amountCents;
      else out.deductibleCents ??= b.amountCents;
    }
    if (b.kind === 'limitation' && b.quantityQualifier === 'VS' && b.quantity !== undefined)
      out.visitLimit ??= b.quantity;
    if (b.authorizationRequired === true) out.authorizationRequired = true;
  }
  return out;
}

export function toAuthRequest278(
  req: AuthorizationRequest,
  payer: PayerDirectoryEntry,
  created: Created,
): AuthRequest278 {
  const requester =
    req.requester.firstName === undefined
      ? { name: req.requester.name, npi: req.requester.npi }
      : { name: req.requester.name, firstName: req.requester.firstName, npi: req.requester.npi };
  const out: AuthRequest278 = {
    reference: req.traceNumber,
    createdDate: created.date,
    createdTime: created.time,
    umo: { name: payer.name, payerId: payer.x12PayerId },
    requester,
    subscriber: member(req.member),
    traceNumber: req.traceNumber,
    traceOriginatorId: created.originatorId,
    requestCategory: 'HS',
    certificationType: req.certificationType === 'initial' ? 'I' : '4',
    ...(req.previousAuthNumber !== undefined ? { previousAuthorizationNumber: req.previousAuthNumber } : {}),
    serviceTypeCode: 'PT',
    placeOfService: req.placeOfService ?? '11',
    diagnosisCodes: req.diagnoses.map(x12Diagnosis),
    eventDates: req.period,
    // SV103 may only be UN (unit) or MJ (minutes) in the 278's service loop (005010X217 2000F SV1): one unit
    // of the code per visit is requested, and the visits themselves travel in HSD (HSD01 VS, HSD02 count;
    // HSD05 35 = weeks, HSD06 how many).
    services: req.services.map((s) => ({
      procedureCode: s.code,
      quantity: s.visits,
      unit: 'UN' as const,
      serviceDates: req.period,
      delivery:
        s.withinWeeks !== undefined
          ? { visits: s.visits, periodQualifier: '35', periodCount: s.withinWeeks }
          : { visits: s.visits },
    })),
  };
  if (req.referringProvider !== undefined) out.referringProvider = practitioner(req.referringProvider);
  return out;
}

const AUTH_STATUS: Record<Review278['action'], AuthorizationStatus> = {
  certified: 'approved',
  partially_certified: 'partially_approved',
  not_certified: 'denied',
  pended: 'pended',
  modified: 'partially_approved',
  cancelled: 'denied',
  no_action_required: 'not_required',
  other: 'other',
};

function visitsOf(r: Review278): number | undefined {
  const hsd = r.deliveries.find((d) => d.quantityQualifier === 'VS' && d.quantity !== undefined);
  if (hsd?.quantity !== undefined) return hsd.quantity;
  return r.procedure?.unit === 'VS' ? r.procedure.quantity : undefined;
}

export function fromAuthResponse278(doc: AuthResponse278): AuthorizationDecision {
  const messages = doc.reviews.flatMap((r) => r.messages);
  const event = doc.reviews.find((r) => r.level === 'event') ?? doc.reviews[0];
  if (event === undefined) {
    return { status: doc.rejections.length > 0 ? 'rejected' : 'other', messages, document: doc };
  }
  const out: AuthorizationDecision = { status: AUTH_STATUS[event.action], messages, document: doc };
  const number =
    event.authorizationNumber ?? doc.reviews.find((r) => r.authorizationNumber)?.authorizationNumber;
  if (number !== undefined) out.authorizationNumber = number;
  if (event.certificationNumber !== undefined) out.certificationNumber = event.certificationNumber;
  if (event.decisionReasonCode !== undefined) out.decisionReasonCode = event.decisionReasonCode;
  if (event.certificationPeriod !== undefined) out.period = event.certificationPeriod;
  const services = doc.reviews.filter((r) => r.level === 'service');
  const visits = [event, ...services].map(visitsOf).find((v) => v !== undefined);
  if (visits !== undefined) out.visitsApproved = visits;
  return out;
}

export function toStatus276(
  req: ClaimStatusRequest,
  payer: PayerDirectoryEntry,
  receiver: { name: string; etin: string },
  created: Created,
): ClaimStatusInquiry276 {
  const provider =
    req.provider.firstName === undefined
      ? { name: req.provider.name, npi: req.provider.npi }
      : { name: req.provider.name, firstName: req.provider.firstName, npi: req.provider.npi };
  const out: ClaimStatusInquiry276 = {
    reference: req.traceNumber,
    createdDate: created.date,
    createdTime: created.time,
    payer: { name: payer.name, payerId: payer.x12PayerId },
    informationReceiver: receiver,
    provider,
    subscriber: member(req.member),
    traceNumber: req.traceNumber,
    patientControlNumber: req.patientControlNumber,
    serviceDates: req.serviceDates,
  };
  if (req.payerClaimNumber !== undefined) out.payerClaimControlNumber = req.payerClaimNumber;
  if (req.totalChargeCents !== undefined) out.totalChargeCents = req.totalChargeCents;
  return out;
}

/** STC01-1 families (docs §10): A1 acknowledged, A2 accepted, A3+ rejected, P pended, F finalized. */
export function statusCategory(code: string | undefined): ClaimStatusCategory {
  if (code === undefined) return 'unknown';
  if (code === 'A4') return 'not_found';
  if (code === 'A1') return 'acknowledged';
  if (code === 'A2' || code.startsWith('P')) return 'pending';
  if (code.startsWith('F')) return 'finalized';
  if (/^(A3|A6|A7|A8)$/.test(code)) return 'rejected';
  return 'unknown';
}

const providerLevel = (statuses: readonly StatusInfo[]): ProviderLevelStatus[] =>
  statuses.map((st) => ({
    categoryCode: st.category,
    ...(st.status !== undefined ? { statusCode: st.status } : {}),
    ...(st.entity !== undefined ? { entity: st.entity } : {}),
  }));

export function fromStatus277(doc: ClaimStatus277, patientControlNumber: string): ClaimStatusResult {
  const claim = doc.claims.find((c) => c.patientAccountNumber === patientControlNumber) ?? doc.claims[0];
  // A payer may answer at provider level (loop 2200C) only: e.g. the provider is unknown to it. That answer
  // stands for the claim, rather than reading as "unknown".
  const providerStatuses =
    claim?.providerStatuses ?? doc.providers.flatMap((p) => p.statuses).filter((st) => st.category !== '');
  const own = claim?.statuses[0];
  const stc = own ?? providerStatuses[0];
  const out: ClaimStatusResult = { category: statusCategory(stc?.category), document: doc };
  if (stc !== undefined) {
    out.level = own !== undefined ? 'claim' : 'provider';
    out.categoryCode = stc.category;
    if (stc.status !== undefined) out.statusCode = stc.status;
    if (stc.chargeCents !== undefined) out.chargeCents = stc.chargeCents;
    if (stc.paidCents !== undefined) out.paidCents = stc.paidCents;
  }
  if (providerStatuses.length > 0) out.providerStatuses = providerLevel(providerStatuses);
  if (claim?.payerClaimControlNumber !== undefined) out.payerClaimNumber = claim.payerClaimControlNumber;
  return out;
}

/** A 277CA claim's TRN02 is our CLM01. */
export function acknowledgementsFrom277CA(doc: ClaimStatus277): ClaimAcknowledgement[] {
  return doc.claims.map((c) => {
    const stc = c.statuses[0] ?? c.providerStatuses?.[0];
    const ack: ClaimAcknowledgement = { patientControlNumber: c.traceNumber, accepted: c.accepted };
    if (c.providerStatuses !== undefined && c.providerStatuses.length > 0)
      ack.providerStatuses = providerLevel(c.providerStatuses);
    if (stc !== undefined) {
      ack.categoryCode = stc.category;
      if (stc.status !== undefined) ack.statusCode = stc.status;
    }
    if (c.payerClaimControlNumber !== undefined) ack.payerClaimNumber = c.payerClaimControlNumber;
    return ack;
  });
}
