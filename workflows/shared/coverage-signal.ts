// `coverageChecked`: what the nightly re-verification (reverifyEligibility) tells the patient's own running
// processes (onboarding, plan of care) about one of the patient's coverages. Inactive or not found marks the
// process NeedsAttention (the front desk has the re-verification's task); a later active answer clears it.
// Ids and an outcome only: no member id, no payer answer text.
import { defineSignal } from '@temporalio/workflow';

export interface CoverageChecked {
  coverageId: string;
  outcome: 'active' | 'inactive' | 'not_found';
}

export const coverageCheckedSignal = defineSignal<[CoverageChecked]>('coverageChecked');

/** A signal from outside is data to check, not to trust: a malformed one is ignored. */
export function isCoverageChecked(c: unknown): c is CoverageChecked {
  const v = c as Partial<CoverageChecked> | undefined;
  return (
    typeof v?.coverageId === 'string' &&
    v.coverageId.length > 0 &&
    v.coverageId.length <= 64 &&
    (v.outcome === 'active' || v.outcome === 'inactive' || v.outcome === 'not_found')
  );
}
