// The payer mapping of the real-time transactions: eligibility (270/271), prior authorization (278) and claim
// status (276/277), plus the claim acknowledgements of a 277CA. Pure functions: dates, references and control
// numbers come in.
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  AuthorizationStatus,
  ClaimAcknowledgement,
  ClaimStatusCategory,
  ClaimStatusRequest,
  ClaimStatusResult,
  EligibilityRequest,
  EligibilityResult,
  ProviderLevelStatus,
} from './types.js';
import type {
  AuthRequest278,
  AuthResponse278,
  ClaimStatus277,
  ClaimStatusInquiry276,
  EligibilityInquiry270,
  Eligibility271,
  Review278,
  StatusInfo,
} from './x12/index.js';
import {
  member,
  practitioner,
  requestProvider,
  x12Diagnosis,
  type Created,
  type PayerDirectoryEntry,
} from './mapping-parties.js';

/** BHT03-05 of a request: our trace number as the reference, and when it was created. */
function requestCreated(
  traceNumber: string,
  created: Created,
): { reference: string; createdDate: string; createdTime: string } {
  return { reference: traceNumber, createdDate: created.date, createdTime: created.time };
}

export function toEligibility270(
  req: EligibilityRequest,
  payer: PayerDirectoryEntry,
  created: Created,
): EligibilityInquiry270 {
  const provider = requestProvider(req.provider);
  return {
    ...requestCreated(req.traceNumber, created),
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
  const requester = requestProvider(req.requester);
  const out: AuthRequest278 = {
    ...requestCreated(req.traceNumber, created),
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
  const provider = requestProvider(req.provider);
  const out: ClaimStatusInquiry276 = {
    ...requestCreated(req.traceNumber, created),
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
