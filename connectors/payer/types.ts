// The payer connector: one interface for everything ptflow asks of a payer, whatever the transport
// (an X12 clearinghouse over HTTPS, the sandbox payer, a future JSON clearinghouse). Activities call it;
// workflows branch on its result values and on the typed errors of ./errors.ts.
//
// Inputs are domain objects plus the parties a payer needs to identify the patient (demographics are PHI:
// they travel only inside encrypted Temporal payloads and the X12 itself, never in errors or ids).
// Outputs are small typed summaries the workflow needs, plus the parsed X12 document for the record.
import type { Claim } from '../../domain/model/claim.js';
import type { EligibilityBenefits } from '../../domain/onboarding/eligibility.js';
import type {
  Ack999,
  Address,
  AuthResponse278,
  ClaimStatus277,
  Eligibility271,
  Gender,
  Remittance835,
} from './x12/index.js';

/** The person a payer knows by member id (the subscriber; PT claims here are subscriber = patient). */
export interface PayerMember {
  memberId: string;
  lastName: string;
  firstName?: string;
  dateOfBirth?: string;
  gender?: Gender;
  address?: Address;
  groupNumber?: string;
}

export interface ProviderIdentity {
  /** Organization name (or last name for an individual). */
  name: string;
  firstName?: string;
  npi: string;
}

// ─── Eligibility (270 → 271) ────────────────────────────────────────────────────────────────────────

export interface EligibilityRequest {
  /** Domain payer id (a payer-profile id); the connector's directory maps it to the X12 payer id. */
  payerId: string;
  member: PayerMember;
  provider: ProviderIdentity;
  serviceDate: string;
  /** Our trace (TRN02), echoed back: derive it from the workflow step so retries ask the same question. */
  traceNumber: string;
}

/** A 271 read for PT: the benefits (amounts and flags, each only when the payer returned it) and the document. */
export interface EligibilityResult extends EligibilityBenefits {
  coverage: 'active' | 'inactive' | 'unknown';
  /** AAA reasons when the payer could not process the request (72 invalid member id, 75 not found …). */
  rejectionReasons: string[];
  document: Eligibility271;
}

// ─── Prior authorization (278 → 278) ────────────────────────────────────────────────────────────────

export interface AuthorizationRequest {
  payerId: string;
  member: PayerMember;
  requester: ProviderIdentity;
  referringProvider?: ProviderIdentity;
  /** Our trace (TRN02): the key the payer files the request under; a query repeats it. */
  traceNumber: string;
  certificationType: 'initial' | 'extension';
  /** An extension names the payer's number of the authorization it extends (278 2000E REF*BB). */
  previousAuthNumber?: string;
  diagnoses: string[];
  period: { from: string; to: string };
  /** Requested visits per code, e.g. [{ code: '97110', visits: 12 }]. */
  services: Array<{ code: string; visits: number; withinWeeks?: number }>;
  placeOfService?: string;
}

export type AuthorizationStatus =
  'approved' | 'partially_approved' | 'denied' | 'pended' | 'not_required' | 'rejected' | 'other';

export interface AuthorizationDecision {
  status: AuthorizationStatus;
  /** Goes on the claim as 2300 REF*G1. */
  authorizationNumber?: string;
  certificationNumber?: string;
  visitsApproved?: number;
  period?: { from: string; to: string };
  decisionReasonCode?: string;
  messages: string[];
  document: AuthResponse278;
}

// ─── Claims (837P → 999, 276 → 277, 277CA and 835 from the mailbox) ─────────────────────────────────

/** Everything the 837P needs that the domain claim does not carry. */
export interface ClaimParties {
  billingProvider: {
    name: string;
    npi: string;
    taxId: string;
    taxonomy?: string;
    address: Address;
    /** 2010AB: where payments go, when not to the billing provider's address. */
    payToAddress?: Address;
  };
  subscriber: PayerMember;
  renderingProvider?: ProviderIdentity;
  referringProvider?: ProviderIdentity;
  /**
   * 1000A submitter name and PER phone: the practice (from its profile). The submitter id stays the
   * clearinghouse account's (configuration); without this, the configured submitter is used.
   */
  submitter?: { name: string; phone: string };
}

export interface ClaimSubmission {
  claim: Claim;
  parties: ClaimParties;
  /**
   * Same key → same interchange: a retried activity re-sends the identical envelope, which the
   * receiver recognises as a duplicate. Without it every call is a new interchange.
   */
  idempotencyKey?: string;
}

export interface ClaimSubmissionResult {
  /** The 999 accepted the transaction set (a 277CA may still reject the claim). */
  accepted: boolean;
  /** CLM01 echoed for the caller's bookkeeping. */
  patientControlNumber: string;
  interchangeControlNumber: number;
  groupControlNumber: number;
  /** IK5/AK9 error codes when rejected. */
  errorCodes: string[];
  acknowledgement: Ack999;
  /** The key already had an envelope: this call repeated an earlier submission (it may never have arrived). */
  resent?: boolean;
}

export interface ClaimStatusRequest {
  payerId: string;
  member: PayerMember;
  provider: ProviderIdentity;
  patientControlNumber: string;
  payerClaimNumber?: string;
  totalChargeCents?: number;
  serviceDates: { from: string; to: string };
  traceNumber: string;
}

export type ClaimStatusCategory =
  'acknowledged' | 'pending' | 'finalized' | 'rejected' | 'not_found' | 'unknown';

/** An STC of the provider-of-service level (277/277CA loop 2200C), e.g. A3:562:85 billing NPI invalid. */
export interface ProviderLevelStatus {
  categoryCode: string;
  statusCode?: string;
  /** STC01-3 entity (85 billing provider, 82 rendering, 1P provider …). */
  entity?: string;
}

export interface ClaimStatusResult {
  category: ClaimStatusCategory;
  /** Where the answer came from: the claim's own loop, or its provider's (no claim loop, or none of its own). */
  level?: 'claim' | 'provider';
  providerStatuses?: ProviderLevelStatus[];
  /** STC01-1 / STC01-2 as sent by the payer. */
  categoryCode?: string;
  statusCode?: string;
  payerClaimNumber?: string;
  chargeCents?: number;
  paidCents?: number;
  document: ClaimStatus277;
}

/** One claim's front-end outcome from a 277CA. */
export interface ClaimAcknowledgement {
  patientControlNumber: string;
  accepted: boolean;
  categoryCode?: string;
  statusCode?: string;
  /** The provider-level (2200C) statuses, which carry the reason of e.g. an NPI rejection. */
  providerStatuses?: ProviderLevelStatus[];
  payerClaimNumber?: string;
}

export interface InboundBatch {
  /** Pass back as `after` on the next call; unchanged when nothing new arrived. */
  cursor: string;
  acknowledgements: ClaimAcknowledgement[];
  remittances: Remittance835[];
  /** Raw 277CA documents, in arrival order (the acknowledgements above are derived from them). */
  acknowledgementDocuments: ClaimStatus277[];
  /** The same content per mailbox file, in arrival order, with the cursor that acknowledges that file. */
  files: InboundFile[];
  /** The mailbox these files came from (our submitter id at the clearinghouse): cursors are unique within it. */
  mailbox: string;
}

export interface InboundFile {
  cursor: string;
  acknowledgements: ClaimAcknowledgement[];
  remittances: Remittance835[];
}

export interface PayerConnector {
  checkEligibility(req: EligibilityRequest): Promise<EligibilityResult>;
  submitAuthorization(req: AuthorizationRequest): Promise<AuthorizationDecision>;
  /** Asks again for the decision on a request already submitted (same trace number). */
  queryAuthorization(req: AuthorizationRequest): Promise<AuthorizationDecision>;
  /**
   * Idempotent by CLM01: submitting the same claim again (a retried activity) never creates a second
   * claim at the payer; a replacement goes as frequency 7 with the payer's claim number.
   */
  submitClaim(submission: ClaimSubmission): Promise<ClaimSubmissionResult>;
  queryClaimStatus(req: ClaimStatusRequest): Promise<ClaimStatusResult>;
  /** 277CA acknowledgements and 835 remittances that arrived after `cursor` (undefined = from the start). */
  fetchInbound(cursor?: string): Promise<InboundBatch>;
  /**
   * Tells the mailbox these files are downloaded and stored on our side: they leave its listing (a real
   * clearinghouse mailbox's "mark as downloaded"). Idempotent; call only after the files are durable here.
   */
  acknowledgeInbound(cursors: string[]): Promise<void>;
}
