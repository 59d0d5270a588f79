// What an eligibility answer (271) means for onboarding. The payer connector normalizes the X12; this decides
// which path the workflow takes: proceed, ask the patient for new insurance, or have a person call.

export type EligibilityOutcome = 'active' | 'inactive' | 'not_found' | 'unreachable';

/** AAA reject reasons (X12 5010 AAA03) that mean "this member does not exist as sent". */
const NOT_FOUND_REASONS = new Set(['72', '73', '58', '64', '65', '67', '75']);

export interface EligibilityAnswer {
  coverage: 'active' | 'inactive' | 'unknown';
  rejectionReasons: readonly string[];
}

/**
 * Active and inactive are the payer's word. A rejection naming the member → not found (the patient gives
 * new details). Anything else — "unable to respond now" (42), no PT benefit returned — needs a person on
 * the phone, like a payer that is down.
 */
export function classifyEligibility(answer: EligibilityAnswer): EligibilityOutcome {
  if (answer.coverage === 'active') return 'active';
  if (answer.rejectionReasons.some((reason) => NOT_FOUND_REASONS.has(reason))) return 'not_found';
  if (answer.coverage === 'inactive') return 'inactive';
  return 'unreachable';
}

/**
 * The PT benefits a 271 may carry, as amounts and flags only (no identifiers). The payer connector's eligibility
 * result carries the same fields; each is present only when the payer returned it.
 */
export interface EligibilityBenefits {
  copayCents?: number;
  coinsuranceBasisPoints?: number;
  deductibleCents?: number;
  deductibleRemainingCents?: number;
  /** Plan visit limit for PT in the period (EB*F … VS). */
  visitLimit?: number;
  /** EB11 on a PT benefit, or an MSG saying so. */
  authorizationRequired?: boolean;
}

/** Normalized benefits kept on the eligibility record: amounts and flags only, no identifiers. */
export interface EligibilitySummary extends EligibilityBenefits {
  outcome: EligibilityOutcome;
  rejectionReasons: string[];
}

/**
 * TRN02 of the 270: derived from the onboarding and the step, so a retried activity asks the same question
 * and a re-verification after a coverage update asks a new one. Opaque (no PHI), ≤ 50 characters.
 */
export function eligibilityTraceNumber(onboardingId: string, coverageIndex: number, round: number): string {
  return `${onboardingId.replace(/-/g, '').toUpperCase()}C${coverageIndex}R${round}`;
}
