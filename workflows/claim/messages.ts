// The claim process's contract: its workflow type name, input, status snapshot, signals and query. The API,
// the activities that start claims and the tests import this file, never workflow.ts (they start the process by
// its type name).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClaimInputOf } from '../../domain/claims/claim-input.js';
import type { ClaimCase, ClaimInbound } from '../../activities/claim/types.js';
import type { ClaimCorrectionData } from '../../domain/claims/corrections.js';

/** The registered workflow type of the claim process (never renamed: running claims carry it). */
export const CLAIM_WORKFLOW_TYPE = 'claimSubmission' as const;

/** The claim process's signature, for `client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, …)`. */
export type ClaimSubmissionWorkflow = (input: ClaimInput) => Promise<ClaimStatusSnapshot>;

export type ClaimState =
  | 'coding'
  | 'needs_correction'
  | 'submitted'
  | 'acknowledged'
  | 'paid'
  | 'denied'
  | 'resubmitting'
  | 'appeal'
  | 'adjusted'
  | 'partially_paid'
  | 'reopening'
  | 'unbalanced_remittance'
  | 'needs_review';

/** The claim process's input (built by domain/claims/claim-input.ts from what a starter knows). */
export type ClaimInput = ClaimInputOf<ClaimCase['parties']>;

export interface ClaimDecisionRecord {
  at: string;
  what: string;
  reason: string;
}

export interface ClaimStatusSnapshot {
  claimId: string;
  state: ClaimState;
  attempt: number;
  frequency: '1' | '7';
  chargeCents?: number;
  paidCents?: number;
  patientResponsibilityCents?: number;
  payerClaimNumber?: string;
  /** Billed lines as coded (codes, modifiers, units: what a biller checks). */
  lines: { code: string; modifiers: string[]; units: number }[];
  blockingFindings: string[];
  /** Per holding finding, the correction fields that clear it (POST /v1/claims/{id}/corrections). */
  corrections?: { finding: string; clearedBy: string[] }[];
  decisions: ClaimDecisionRecord[];
}

export interface ClaimCorrection extends ClaimCorrectionData {
  visit?: ClaimCase['visit'];
  correctedBy: string;
}

/** A person's correction of a held or rejected claim (API, CLI); it is coded again as a new original. */
export const claimCorrectedSignal = defineSignal<[ClaimCorrection]>('claimCorrected');
/** A 277CA or 835 for this claim pushed by a webhook (otherwise the process polls the mailbox). */
export const remittanceArrivedSignal = defineSignal<[ClaimInbound]>('remittanceArrived');
export const claimStatusQuery = defineQuery<ClaimStatusSnapshot>('status');

/** The process that releases a practice's claims held for its profile once it is complete (release.ts). */
export const RELEASE_HELD_CLAIMS_WORKFLOW_TYPE = 'releaseClaimsHeldForProfile' as const;

export interface ReleaseHeldClaimsInput {
  practiceId: string;
  /** Who completed the profile (a principal id, never a person's name): the claims' correction names it. */
  correctedBy: string;
}

/** Its signature, for `client.workflow.start<ReleaseHeldClaimsWorkflow>(RELEASE_HELD_CLAIMS_WORKFLOW_TYPE, …)`. */
export type ReleaseHeldClaimsWorkflow = (input: ReleaseHeldClaimsInput) => Promise<{ released: number }>;
