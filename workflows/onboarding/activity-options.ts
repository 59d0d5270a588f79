// Timeouts and retry policies of the onboarding's activities (the nightly eligibility re-verification uses the
// same ones for the same calls).
import type { RetryPolicy } from '@temporalio/workflow';

type Interval = NonNullable<RetryPolicy['initialInterval']>;

/** Retries with doubling waits from `initialInterval` up to `maximumInterval`, `maximumAttempts` tries in all. */
function doublingRetry(
  initialInterval: Interval,
  maximumInterval: Interval,
  maximumAttempts: number,
): RetryPolicy {
  return { initialInterval, backoffCoefficient: 2, maximumInterval, maximumAttempts };
}

/** Our database and the EMR: quick calls, bounded retries. */
export const onboardingActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: doublingRetry('1 second', '1 minute', 10),
} as const;
/**
 * The payer's real-time 270/271. Bounded on purpose: when the retries run out the payer counts as
 * unreachable and a person verifies by phone (many payers do not return PT benefits electronically anyway).
 */
export const eligibilityActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    ...doublingRetry('5 seconds', '2 minutes', 6),
    nonRetryableErrorTypes: ['OnboardingDataMissing'] as string[],
  },
} as const;
/** Scheduling runs a solver and books in the EMR. */
export const bookingActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: doublingRetry('2 seconds', '1 minute', 8),
} as const;
