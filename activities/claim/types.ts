// The claim activities' data: the case a claim process carries, its attempts, the prepared claim and what the
// payer answers (277CA acknowledgement, 835 payment summary). Types only: the claim process imports them.
import type { ClaimParties } from '../../connectors/payer/types.js';
import type { ClaimCaseOf } from '../../domain/claims/claim-input.js';
import type { claimContext } from '../../domain/care/episode.js';
import type { RemitLine } from '../../domain/denials/lines.js';
import type { GroupCode } from '../../domain/denials/types.js';
import type { Claim } from '../../domain/model/claim.js';
import type { Finding } from '../../domain/model/finding.js';

/**
 * The 837P parties a claim process carries. The practice's own parties (billing provider, pay-to, submitter)
 * come from its profile each time the claim is coded (prepareClaim); a billing provider named in the input (a
 * POST /v1/claims body from before issue 17) is used only while the practice's profile is incomplete.
 */
export type ClaimCaseParties = Omit<ClaimParties, 'billingProvider'> & {
  billingProvider?: ClaimParties['billingProvider'];
};

/** Everything one claim needs (the domain's shape with the payer connector's 837P parties). PHI (member, names) travels only in encrypted payloads. */
export type ClaimCase = ClaimCaseOf<ClaimCaseParties>;

/** The practice's parties on the 837P as its profile had them when the claim was coded. */
export type PracticeParties = Pick<ClaimParties, 'billingProvider' | 'submitter'>;

/** What the plan-of-care process tells the scrubber (its `status` query's claimContext). */
export type EpisodeContext = ReturnType<typeof claimContext>;

/** What differs between the original claim and a corrected replacement. */
export interface ClaimAttempt {
  number: number;
  frequency: '1' | '7';
  originalClaimNumber?: string;
  /** Modifiers a denial fix adds, per procedure code. */
  addModifiers?: Record<string, string[]>;
  priorAuthNumber?: string;
}

export interface PreparedClaim {
  claim: Claim;
  findings: Finding[];
  submittable: boolean;
  chargeCents: number;
  /** The practice's parties from its profile (absent on claims coded before issue 17: the input's are used). */
  practiceParties?: PracticeParties;
}

export interface ClaimPaymentSummary {
  paymentTrace: string;
  statusCode: string;
  paidCents: number;
  patientResponsibilityCents: number;
  payerClaimNumber?: string;
  adjustments: { group: GroupCode; carc: string; amountCents: number }[];
  remarkCodes: string[];
  /** Modifiers per procedure code as the payer received them (for CO-4 routing). */
  submittedModifiers: Record<string, string[]>;
  /** The 835's service lines (SVC loops) with their own adjustments and remarks (line-level denials). */
  lines?: RemitLine[];
  /** Whether the whole 835 transaction balances (BPR02, every claim, every line); imbalances named, no PHI. */
  balance?: { balanced: boolean; imbalances: string[]; providerAdjustments: string[] };
}

export interface ClaimInbound {
  cursor?: string;
  acknowledgement?: {
    accepted: boolean;
    statusCode?: string;
    payerClaimNumber?: string;
    /** Provider-level (277CA loop 2200C) reasons, e.g. "A3:562:85" = billing NPI invalid. */
    providerStatusCodes?: string[];
  };
  payment?: ClaimPaymentSummary;
}

/** Sends the patient a statement (composition root: messaging connector + the patient's contact). */
export interface PatientStatementPort {
  sendStatement(req: {
    messageId: string;
    practiceId: string;
    patientId: string;
    claimId: string;
    amountCents: number;
  }): Promise<void>;
}
