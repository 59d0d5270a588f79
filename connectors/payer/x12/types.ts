// Over 350 lines on purpose: one declarations-only file holds every transaction's model, so the codec reads as one vocabulary.
// Typed document models of the X12 5010 transactions ptflow exchanges with payers. These are the codec's
// own shapes, deliberately independent of domain/: a mapping layer converts between the two, so the
// codec can follow the implementation guides and the domain can follow the business.
//
// Conventions: money is integer cents, percentages are basis points, dates are ISO "yyyy-mm-dd",
// times "HH:MM". Optional X12 elements map to optional properties (absent, never empty strings).
// Code values are kept as the X12 code strings; a few are also interpreted (`accepted`, `coverage`…)
// because every caller would otherwise re-derive them.

import type { DateRange } from './values.js';
import type { Delimiters } from './tokenizer.js';

export type { DateRange } from './values.js';

// ─── Envelopes ──────────────────────────────────────────────────────────────────────────────────────

export interface InterchangeHeader {
  authorizationQualifier: string;
  securityQualifier: string;
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  date: string;
  time: string;
  version: string;
  controlNumber: string;
  acknowledgmentRequested: boolean;
  usage: 'P' | 'T' | 'I';
}

export interface GroupHeader {
  functionalIdCode: string;
  applicationSenderCode: string;
  applicationReceiverCode: string;
  date: string;
  time: string;
  controlNumber: string;
  version: string;
}

/** Inputs of the ISA/GS/ST envelope. No clock, no counters inside the codec: all of this comes in. */
export interface EnvelopeOptions {
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  /** GS02 / GS03; default to the ISA ids. */
  applicationSenderCode?: string;
  applicationReceiverCode?: string;
  /** Creation date and time of the interchange (ISA09/10, GS04/05), ISO date and "HH:MM". */
  date: string;
  time: string;
  /** ISA13, 1..999999999, unique and increasing per sender (persisted by the caller). */
  interchangeControlNumber: number;
  /** GS06. */
  groupControlNumber: number;
  usage: 'P' | 'T';
  acknowledgmentRequested?: boolean;
  delimiters?: Delimiters;
  /** Adds a newline after every segment terminator (readable files; parsers tolerate it). */
  lineBreaks?: boolean;
}

/** Envelope options for a document that holds exactly one transaction set. */
export interface SingleTransactionEnvelope extends EnvelopeOptions {
  /** ST02, 4–9 characters, unique within the group. */
  transactionControlNumber: string;
}

// ─── Shared parties ─────────────────────────────────────────────────────────────────────────────────

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

/** An organization identified by a qualified id (NM108/NM109: PI payer id, XX NPI, 46 ETIN …). */
export interface Organization {
  name: string;
  idQualifier: string;
  id: string;
}

export interface PersonName {
  lastName: string;
  firstName?: string;
  middleName?: string;
  suffix?: string;
}

/** A practitioner identified by NPI (NM1 entity type 1, qualifier XX). */
export interface Practitioner extends PersonName {
  npi: string;
  /** PRV03 provider taxonomy (e.g. 225100000X physical therapist). */
  taxonomy?: string;
}

export type Gender = 'M' | 'F' | 'U';

export interface Member extends PersonName {
  memberId: string;
  dateOfBirth?: string;
  gender?: Gender;
  address?: Address;
}

// ─── 837P professional claim (005010X222A1) ─────────────────────────────────────────────────────────

export interface Submitter {
  name: string;
  /** NM109 with qualifier 46 (ETIN assigned by the clearinghouse). */
  id: string;
  contactName: string;
  phone?: string;
  email?: string;
}

export interface BillingProvider {
  /** Organization name (NM1*85 entity type 2), or a person when `firstName` is given. */
  name: string;
  firstName?: string;
  npi: string;
  /** REF*EI employer identification number (9 digits, no dash). */
  taxId: string;
  taxonomy?: string;
  address: Address;
  /** 2010AB pay-to address (NM1*87 + N3/N4), only when payments go elsewhere than the billing address. */
  payToAddress?: Address;
}

/** CLM05-3: 1 original, 7 replacement, 8 void. Professional claims allow only these three. */
export type ClaimFrequencyCode = '1' | '7' | '8';

export interface ServiceLine837 {
  /** CPT/HCPCS code (SV101-2). */
  procedureCode: string;
  /** Up to four modifiers, in billing order (SV101-3..6). */
  modifiers: string[];
  chargeCents: number;
  /** Units (SV103 = UN). */
  units: number;
  /** SV105 place of service when it differs from the claim. */
  placeOfService?: string;
  /** 1-based pointers into the claim's diagnosis list (SV107, at most 4). */
  diagnosisPointers: number[];
  serviceDate: string;
  /** REF*6R line item control number: our key to match the 835 SVC back to the line. */
  lineControlNumber?: string;
}

export interface Claim837 {
  billingProvider: BillingProvider;
  /** SBR01 payer responsibility sequence: P primary, S secondary, T tertiary. */
  payerResponsibility: 'P' | 'S' | 'T';
  /** SBR09 claim filing indicator (MB Medicare Part B, CI commercial, HM HMO, MC Medicaid, 16 MA HMO …). */
  claimFilingIndicator: string;
  groupNumber?: string;
  subscriber: Member;
  /** Present when the patient is not the subscriber (loop 2000C); PAT01 relationship code. */
  patient?: Omit<Member, 'memberId'> & { relationshipCode: string };
  payer: { name: string; payerId: string; address?: Address };
  /** CLM01: our patient control number, echoed in 277CA TRN02 and 835 CLP01. */
  patientControlNumber: string;
  totalChargeCents: number;
  /** CLM05-1 place of service (11 office). */
  placeOfService: string;
  frequencyCode: ClaimFrequencyCode;
  /** REF*F8: the payer's claim control number of the claim being replaced or voided (frequency 7/8). */
  originalClaimNumber?: string;
  /** CLM06 provider signature on file. */
  providerSignatureOnFile: boolean;
  /** CLM07 assignment / plan participation: A assigned, B lab only, C not assigned. */
  assignmentCode: 'A' | 'B' | 'C';
  /** CLM08 benefits assignment certification. */
  benefitsAssigned: boolean;
  /** CLM09 release of information: Y or I (informed consent). */
  releaseOfInformation: 'Y' | 'I';
  /** DTP*454 initial treatment date, DTP*304 last seen date. */
  initialTreatmentDate?: string;
  lastSeenDate?: string;
  /** REF*G1 prior authorization number. */
  priorAuthorizationNumber?: string;
  /** REF*9F referral number. */
  referralNumber?: string;
  /** ICD-10-CM codes without the dot; the first is principal (ABK), the rest ABF. At most 12. */
  diagnosisCodes: string[];
  /** Loop 2310A referring provider (NM1*DN) — the certifying physician for therapy claims (no PRV in 2310A). */
  referringProvider?: Practitioner;
  /** Loop 2310B rendering provider (NM1*82). */
  renderingProvider?: Practitioner;
  lines: ServiceLine837[];
}

export interface Claim837Batch {
  /** BHT03 originator's reference. */
  batchReference: string;
  /** BHT04/05: when the batch was created (input, not clock). */
  createdDate: string;
  createdTime: string;
  submitter: Submitter;
  receiver: { name: string; id: string };
  claims: Claim837[];
}

// ─── 270 / 271 eligibility (005010X279A1) ───────────────────────────────────────────────────────────

export interface EligibilityInquiry270 {
  reference: string;
  createdDate: string;
  createdTime: string;
  payer: { name: string; payerId: string };
  provider: { name: string; firstName?: string; npi: string };
  /** TRN02 our trace number (echoed in the 271) and TRN03 our company id ("9" + 9 digits). */
  traceNumber: string;
  traceOriginatorId: string;
  subscriber: Member;
  /** Present when asking for a dependent (loop 2000D). */
  dependent?: PersonName & { dateOfBirth?: string; gender?: Gender };
  /** DTP*291 plan date for the inquiry. */
  serviceDate: string;
  /** EQ01 service types; default ["30", "PT"] (general + physical therapy, docs §10). */
  serviceTypeCodes?: string[];
}

export type BenefitKind =
  | 'active_coverage'
  | 'inactive'
  | 'coinsurance'
  | 'copayment'
  | 'deductible'
  | 'limitation'
  | 'out_of_pocket'
  | 'non_covered'
  | 'contact_following_entity'
  | 'other';

export interface Benefit {
  /** EB01 benefit information code and its reading. */
  code: string;
  kind: BenefitKind;
  coverageLevel?: string;
  serviceTypeCodes: string[];
  insuranceType?: string;
  planDescription?: string;
  timePeriod?: string;
  amountCents?: number;
  /** EB08 as basis points (0.2 → 2000). */
  percentBasisPoints?: number;
  quantityQualifier?: string;
  quantity?: number;
  /** EB11: Y → true, N → false, U/absent → undefined (unknown). */
  authorizationRequired?: boolean;
  /** EB12: Y in network, N out of network, W both (undefined). */
  inNetwork?: boolean;
  procedure?: { qualifier: string; code: string; modifiers: string[] };
  dates: { qualifier: string; range: DateRange }[];
  messages: string[];
  /** HSD delivery patterns (e.g. visits per period). */
  deliveries: ServiceDelivery[];
  /** Loop 2120 related entity (e.g. the PA vendor to contact). */
  relatedEntity?: { entityCode: string; name?: string; idQualifier?: string; id?: string };
}

export interface ServiceDelivery {
  quantityQualifier?: string;
  quantity?: number;
  unitOrBasis?: string;
  sampleSelectionModulus?: number;
  timePeriodQualifier?: string;
  periodCount?: number;
}

export interface RequestRejection {
  /** Where the AAA appeared: payer, provider, subscriber or dependent level. */
  level: 'payer' | 'provider' | 'subscriber' | 'dependent';
  valid: boolean;
  /** AAA03 reject reason (72 invalid member id, 73 invalid name, 75 subscriber not found …). */
  reasonCode: string;
  followUpCode?: string;
}

export interface Eligibility271 {
  controlNumber: string;
  reference?: string;
  payer: { name: string; idQualifier?: string; id?: string };
  provider?: { name: string; idQualifier?: string; id?: string };
  subscriber?: Member & { groupNumber?: string; traceNumbers: string[] };
  dependent?: Member & { traceNumbers: string[] };
  /** Derived: active when any EB01 = 1, inactive when EB01 = 6 and none active, else unknown. */
  coverage: 'active' | 'inactive' | 'unknown';
  planDates: { qualifier: string; range: DateRange }[];
  benefits: Benefit[];
  rejections: RequestRejection[];
}

// ─── 276 / 277 claim status (005010X212) and 277CA (005010X214) ─────────────────────────────────────

export interface ClaimStatusInquiry276 {
  reference: string;
  createdDate: string;
  createdTime: string;
  payer: { name: string; payerId: string };
  informationReceiver: { name: string; etin: string };
  provider: { name: string; firstName?: string; npi: string };
  subscriber: Member;
  /** Present when the patient is a dependent (loop 2000E). */
  dependent?: PersonName & { dateOfBirth?: string; gender?: Gender };
  traceNumber: string;
  patientControlNumber: string;
  payerClaimControlNumber?: string;
  totalChargeCents?: number;
  serviceDates: DateRange;
}

export interface StatusInfo {
  /** STC01-1 category (A1 acknowledged, A2 accepted, A3 rejected, P pended, F finalized …). */
  category: string;
  status?: string;
  entity?: string;
  effectiveDate?: string;
  actionCode?: string;
  chargeCents?: number;
  paidCents?: number;
  /** STC10 / STC11 additional statuses. */
  additional: { category: string; status?: string; entity?: string }[];
  freeText?: string;
}

export interface ServiceLineStatus {
  procedure: { qualifier: string; code: string; modifiers: string[] };
  chargeCents?: number;
  paidCents?: number;
  units?: number;
  lineControlNumber?: string;
  serviceDates?: DateRange;
  statuses: StatusInfo[];
}

export interface ClaimStatusEntry {
  /** TRN02 of the claim-level loop: our CLM01 patient control number (277CA) or inquiry trace (277). */
  traceNumber: string;
  patient: PersonName & { memberId?: string };
  billingProvider?: { name?: string; idQualifier?: string; id?: string };
  payerClaimControlNumber?: string;
  /** REF*EJ (277) / REF*D9 clearinghouse trace (277CA). */
  patientAccountNumber?: string;
  clearinghouseTraceNumber?: string;
  statuses: StatusInfo[];
  /**
   * STCs of the claim's billing provider / provider of service (loop 2200C), e.g. an NPI rejection
   * (A3:562:85): the reason a claim-level rejection often only points to.
   */
  providerStatuses?: StatusInfo[];
  serviceDates?: DateRange;
  /**
   * Derived from the first status category: true for A1/A2/A5 (acknowledged/accepted) and the finalized
   * or pended families, false for A3/A4/A6/A7/A8 (front-end rejections: the claim was not filed).
   */
  accepted: boolean;
  lines: ServiceLineStatus[];
}

export interface ClaimStatus277 {
  controlNumber: string;
  /** "277" (X212 status response) or "277CA" (X214 claim acknowledgment). */
  kind: '277' | '277CA';
  implementationReference?: string;
  reference?: string;
  payer: { name: string; idQualifier?: string; id?: string };
  receiver?: { name: string; idQualifier?: string; id?: string };
  /** Status and counts at information-receiver level (277CA batch acceptance). */
  receiverStatuses: StatusInfo[];
  /**
   * The provider-of-service level (HL 19, loops 2000C/2100C/2200C): who, its TRN and its STCs. A payer that
   * answers a 276 for an unknown or rejected provider answers here, with no claim loop below.
   */
  providers: ProviderStatus277[];
  claims: ClaimStatusEntry[];
}

export interface ProviderStatus277 {
  provider: { name?: string; idQualifier?: string; id?: string };
  /** 2200C TRN02 (277CA: the provider-level trace). */
  traceNumber?: string;
  statuses: StatusInfo[];
}

// ─── 278 services review (005010X217) ───────────────────────────────────────────────────────────────

export interface AuthRequestService278 {
  procedureCode: string;
  modifiers?: string[];
  /** Requested units (SV104), with HSD for the visits (per period). */
  quantity: number;
  /**
   * SV103 in loop 2000F of 005010X217: the guide allows only MJ (minutes) and UN (unit); visits are not a
   * unit of SV1 there but of HSD01 (VS), so a visit count goes in `delivery`.
   */
  unit: 'UN' | 'MJ';
  chargeCents?: number;
  /** HSD: e.g. 6 visits over 8 weeks → { visits: 6, periodQualifier: "35", periodCount: 8 }. */
  delivery?: { visits: number; periodQualifier?: string; periodCount?: number };
  serviceDates?: DateRange;
}

export interface AuthRequest278 {
  reference: string;
  createdDate: string;
  createdTime: string;
  /** BHT02 13 = request. */
  umo: { name: string; payerId: string };
  requester: { name: string; firstName?: string; npi: string };
  subscriber: Member;
  traceNumber: string;
  traceOriginatorId: string;
  /** UM01 request category (HS health services review), UM02 certification type (I initial, 4 extension). */
  requestCategory: 'HS' | 'SC' | 'AR';
  certificationType: 'I' | '4' | '1' | '2' | '3' | 'S';
  /**
   * 2000E REF*BB "Previous Review Authorization Number": the payer's number of the authorization an extension
   * (UM02 4) or revision extends; required for an extension (the payer links the request to it).
   */
  previousAuthorizationNumber?: string;
  /** UM03 service type code (PT physical therapy). */
  serviceTypeCode: string;
  placeOfService: string;
  diagnosisCodes: string[];
  eventDates: DateRange;
  referringProvider?: Practitioner;
  servicingProvider?: { name: string; firstName?: string; npi: string };
  services: AuthRequestService278[];
}

export type ReviewAction =
  | 'certified'
  | 'partially_certified'
  | 'not_certified'
  | 'pended'
  | 'modified'
  | 'cancelled'
  | 'no_action_required'
  | 'other';

export interface Review278 {
  level: 'event' | 'service';
  /** HCR01 action code (A1 certified, A2 partial, A3 not certified, A4 pended, A6 modified, …). */
  actionCode: string;
  action: ReviewAction;
  /** HCR02 certification number assigned by the UMO. */
  certificationNumber?: string;
  /** HCR03 review decision reason code. */
  decisionReasonCode?: string;
  /** REF*BB authorization number (goes to 837P REF*G1 when the payer says so). */
  authorizationNumber?: string;
  /** DTP*AAH certification effective period; DTP*472 service dates. */
  certificationPeriod?: DateRange;
  serviceDates?: DateRange;
  certificationExpirationDate?: string;
  procedure?: { qualifier: string; code: string; modifiers: string[]; quantity?: number; unit?: string };
  deliveries: ServiceDelivery[];
  messages: string[];
}

export interface AuthResponse278 {
  controlNumber: string;
  reference?: string;
  umo: { name: string; idQualifier?: string; id?: string };
  requester?: { name: string; idQualifier?: string; id?: string };
  subscriber?: PersonName & { memberId?: string };
  traceNumbers: string[];
  /** AAA rejections at any level (request could not be processed). */
  rejections: RequestRejection[];
  reviews: Review278[];
}

// ─── 835 remittance (005010X221A1) ──────────────────────────────────────────────────────────────────

export type AdjustmentGroup = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

/** One CAS triplet (group + reason + amount [+ quantity]); a CAS segment holds up to six. */
export interface Adjustment {
  group: AdjustmentGroup;
  reasonCode: string;
  amountCents: number;
  quantity?: number;
}

export interface ServicePayment835 {
  procedure: { qualifier: string; code: string; modifiers: string[] };
  chargeCents: number;
  paidCents: number;
  revenueCode?: string;
  units?: number;
  /** SVC06 when the payer adjudicated a different code than billed. */
  submittedProcedure?: { qualifier: string; code: string; modifiers: string[] };
  originalUnits?: number;
  serviceDates?: DateRange;
  lineControlNumber?: string;
  allowedCents?: number;
  adjustments: Adjustment[];
  /** LQ*HE remittance advice remark codes (RARC). */
  remarkCodes: string[];
}

export interface ClaimPayment835 {
  patientControlNumber: string;
  /** CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 19–23 … (22 reversal). */
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents?: number;
  claimFilingIndicator?: string;
  payerClaimControlNumber?: string;
  facilityCode?: string;
  frequencyCode?: string;
  adjustments: Adjustment[];
  patient?: PersonName & { idQualifier?: string; id?: string };
  insured?: PersonName & { idQualifier?: string; id?: string };
  renderingProvider?: { name?: string; firstName?: string; idQualifier?: string; id?: string };
  /** MOA / MIA remark codes at claim level. */
  claimRemarkCodes: string[];
  statementPeriod?: DateRange;
  receivedDate?: string;
  /** AMT segments at claim level by qualifier (AU coverage amount, …) in cents. */
  amounts: Record<string, number>;
  services: ServicePayment835[];
}

export interface ProviderAdjustment835 {
  providerId: string;
  fiscalPeriodDate: string;
  /** PLB03..: reason code (WO overpayment recovery, L6 interest, FB forwarding balance …), reference, amount. */
  adjustments: { reasonCode: string; referenceId?: string; amountCents: number }[];
}

export interface Remittance835 {
  controlNumber: string;
  payment: {
    /** BPR01: I remittance + payment, H notification only, … */
    handlingCode: string;
    amountCents: number;
    creditDebit: 'C' | 'D';
    /** BPR04: ACH, CHK, FWT, BOP, NON. */
    method: string;
    format?: string;
    paymentDate: string;
  };
  trace: { typeCode: string; referenceId: string; originatorId: string };
  productionDate?: string;
  payer: { name: string; id?: string; address?: Address };
  payee: { name: string; idQualifier?: string; id?: string; taxId?: string };
  claims: ClaimPayment835[];
  providerAdjustments: ProviderAdjustment835[];
}

// ─── 999 implementation acknowledgment (005010X231A1) ───────────────────────────────────────────────

export interface ElementError999 {
  position: number;
  componentPosition?: number;
  repeatPosition?: number;
  dataElementReference?: string;
  errorCode: string;
  /** IK404 copy of the bad element: may be PHI, never logged by the codec. */
  badValueCopy?: string;
}

export interface SegmentError999 {
  segmentId: string;
  position: number;
  loopId?: string;
  errorCode: string;
  elementErrors: ElementError999[];
}

export interface TransactionAck999 {
  transactionSetId: string;
  controlNumber: string;
  implementationReference?: string;
  /** IK501: A accepted, E accepted with errors, M/R/W/X rejected. */
  statusCode: string;
  accepted: boolean;
  errorCodes: string[];
  segmentErrors: SegmentError999[];
}

export interface Ack999 {
  controlNumber: string;
  functionalGroup: { functionalIdCode: string; controlNumber: string; version?: string };
  transactionSets: TransactionAck999[];
  /** AK901: A accepted, E accepted with errors, P partially accepted, M/R/W/X rejected. */
  groupStatusCode: string;
  groupAccepted: boolean;
  includedCount: number;
  receivedCount: number;
  acceptedCount: number;
  groupErrorCodes: string[];
}
