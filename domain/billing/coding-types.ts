// The types the coding phases share (code-visit.ts and coding-edits.ts): the rule tables a coding run uses,
// its context and its result.
import type { Cents } from '../core/money.js';
import type { ClaimLine } from '../model/claim.js';
import type { Finding } from '../model/finding.js';
import type { PayerProfile } from '../model/payer-profile.js';
import type { AssistantPaymentRow, FeeRow, MueRow, PtpRow, ThresholdRow } from '../rules/types.js';
import type { KxDecision } from './kx.js';
import type { UnitAllocation } from './units.js';

export interface RuleSet {
  ptp: readonly PtpRow[];
  mue: readonly MueRow[];
  fees: readonly FeeRow[];
  thresholds: readonly ThresholdRow[];
  assistantPayment: readonly AssistantPaymentRow[];
}

export interface CodingContext {
  profile: PayerProfile;
  /** Secondary payer's profile when its unit method may conflict (the primary's `secondaryConflict` decides). */
  secondaryProfile?: PayerProfile;
  /** Beneficiary's PT+SLP allowed amount so far this calendar year, for KX (Medicare). */
  kx?: { accruedAllowedCents: Cents; override?: 'apply' | 'withhold'; medicalNecessityDocumented?: boolean };
  rules?: Partial<RuleSet>;
}

export interface CodedLine extends ClaimLine {
  furnishedBy: 'PT' | 'PTA';
  expectedAllowedCents: Cents | null;
}

export interface CodedVisit {
  method: 'CMS_TOTAL_TIME' | 'AMA_SPM';
  totalTimedMinutes: number;
  lines: CodedLine[];
  allocations: UnitAllocation[];
  kx?: KxDecision;
  findings: Finding[];
}
