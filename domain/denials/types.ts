import type { Effective } from '../core/effective.js';

/** CAS group codes. CR appears in older data only: VERIFY before accepting it in 5010 input. */
export type GroupCode = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

export type DenialAction =
  | 'resubmit_corrected'
  | 'appeal'
  | 'post_adjustment'
  | 'bill_patient'
  | 'reverify_coverage'
  | 'write_off'
  | 'human_review';

/** What the engine can change by itself; resolved against the claim context at routing time. */
export type FixKind =
  | 'add_missing_modifiers'
  | 'add_prior_auth_number'
  | 'correct_field_named_by_rarc'
  | 'add_kx'
  | 'add_bypass_modifier'
  | 'verify_original_claim_status'
  | 'reverify_eligibility';

export interface DenialRouteRow extends Effective {
  /** '*' = any group. */
  group: GroupCode | '*';
  carc: string;
  /** When set, the row applies only if this RARC is present. */
  rarc?: string;
  action: DenialAction;
  fix?: FixKind;
  /** Clinical judgement or patient liability: never automatic (CO-50, CO-96, CO-167, CO-198). */
  humanReviewMandatory: boolean;
  /** Our own short wording (X12 asserts copyright on the descriptions). */
  meaning: string;
}

export interface RarcRow extends Effective {
  rarc: string;
  /** Claim field to correct, when the remark names one. */
  field?: string;
  meaning: string;
  /** Submit a new claim rather than a replacement (unprocessable, no appeal rights). */
  newClaim?: boolean;
  notAppealable?: boolean;
}
