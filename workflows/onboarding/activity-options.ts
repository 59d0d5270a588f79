// Timeouts and retry policies of the onboarding's activities (the nightly eligibility re-verification uses the
// same ones for the same calls).

/** Our database and the EMR: quick calls, bounded retries. */
export const onboardingActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
} as const;
/**
 * The payer's real-time 270/271. Bounded on purpose: when the retries run out the payer counts as
 * unreachable and a person verifies by phone (many payers do not return PT benefits electronically anyway).
 */
export const eligibilityActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['OnboardingDataMissing'] as string[],
  },
} as const;
/** Scheduling runs a solver and books in the EMR. */
export const bookingActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
} as const;
