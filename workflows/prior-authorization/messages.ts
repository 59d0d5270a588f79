// The contract of the priorAuthorization process: its workflow type name, input and status, and the signals,
// queries and updates the API, other processes, activities and tests send it. Starters outside workflows/ start
// it by type name (`client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, …)`).
import type { VisitMissed } from '../shared/visit-missed-signal.js';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AuthorizationAttentionProblem,
  AuthorizationResolution,
} from '../../domain/prior-authorization/attention.js';
import type {
  AuthorizationAlertPolicy,
  AuthorizationLedger,
  PayerDecision,
  VisitToRecord,
} from '../../domain/prior-authorization/lifecycle.js';

/** The registered workflow type name (in every history and workflow start: never changes). */
export const PRIOR_AUTHORIZATION_WORKFLOW_TYPE = 'priorAuthorization' as const;

/** What the payer is asked for: the first request and every extension carry it. */
export interface PriorAuthorizationRequest {
  authorizationId: string;
  practiceId: string;
  patientId: string;
  coverageId: string;
  payerId: string;
  requestedVisits: number;
  startDate: string;
  endDate?: string;
  urgency: 'standard' | 'urgent';
  /** ICD-10-CM codes the request is for (the 278 needs 1–12; the referral's diagnosis at least). */
  diagnosisCodes?: string[];
  /** CPT/HCPCS codes of the planned treatment; the payer port's configured default when absent. */
  procedureCodes?: string[];
}

/** What the process carries across continue-as-new. */
export interface PriorAuthorizationCarry {
  ledger: AuthorizationLedger;
  requestNumber: number;
  decisionEscalated: boolean;
  /** An extension request the payer pended is still waiting for its decision. */
  extensionPending?: boolean;
  /** Missed visits the missedVisitFollowUp reported (issue 18): they use no authorized visit. */
  missedVisits?: VisitMissed[];
}

export interface PriorAuthorizationInput extends PriorAuthorizationRequest {
  /** The clinic's IANA zone: authorization windows are local calendar dates. */
  timezone: string;
  /** Payer decision window (7 days standard, 72 h urgent unless the payer profile says otherwise). */
  decisionWindowHours?: number;
  /** How often to ask the payer while a decision is pending (default 6 hours). */
  pollEveryMinutes?: number;
  alertPolicy?: AuthorizationAlertPolicy;
  planOfCareContinues: boolean;
  /** Carried across continue-as-new. */
  carry?: PriorAuthorizationCarry;
}

export interface PriorAuthorizationStatus {
  authorizationId: string;
  /** Missed visits reported (issue 18): recorded, never counted against the authorized visits. */
  missedVisits?: number;
  status: AuthorizationLedger['status'];
  authNumber?: string;
  startDate?: string;
  endDate?: string;
  visitsAuthorized?: number;
  visitsUsed: number;
  visitsRemaining?: number;
  unitsAuthorized?: number;
  unitsUsed: number;
  unitsRemaining?: number;
  needsAttention: boolean;
  extensionsRequested: number;
  extensionsApproved: number;
  /** While the status is needs_attention: what staff must fix (type and reason code, no PHI). */
  attention?: AuthorizationAttentionProblem;
}

/** The process: one per coverage episode, returns its last status. */
export type PriorAuthorizationWorkflow = (
  input: PriorAuthorizationInput,
) => Promise<PriorAuthorizationStatus>;

export interface RecordVisitResult {
  visitsUsed: number;
  visitsRemaining?: number;
  unitsRemaining?: number;
  duplicate: boolean;
}

export interface AuthorizationAdjustment {
  visitsAuthorized?: number;
  unitsAuthorized?: number;
  endDate?: string;
  /** Who made the correction (audited by the API). */
  adjustedBy: string;
  reasonCode: 'payer_correction' | 'data_entry_error' | 'retro_authorization';
}

/**
 * Staff act on an authorization that waits for them (status needs_attention): resubmit with corrected codes,
 * "no authorization required" (completes as not_required) or cancel (closes it). Refused otherwise.
 */
export type AuthorizationResolutionInput = AuthorizationResolution & {
  /** Who acted (audited by the API). */
  resolvedBy: string;
};

export const payerDecisionSignal = defineSignal<[PayerDecision]>('payerDecision');
export const dischargeSignal = defineSignal<[]>('discharge');
export const planOfCareSignal = defineSignal<[{ continues: boolean }]>('planOfCare');
export const recordVisitUpdate = defineUpdate<RecordVisitResult, [VisitToRecord]>('recordVisit');
export const adjustAuthorizationUpdate = defineUpdate<PriorAuthorizationStatus, [AuthorizationAdjustment]>(
  'adjustAuthorization',
);
export const priorAuthorizationStatusQuery = defineQuery<PriorAuthorizationStatus>('status');
export const resolveAuthorizationUpdate = defineUpdate<
  PriorAuthorizationStatus,
  [AuthorizationResolutionInput]
>('resolveAuthorization');
