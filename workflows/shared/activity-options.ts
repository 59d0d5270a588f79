// Timeouts and retry policies several processes share.

/**
 * Payer calls (278 requests, 837P submissions, mailbox reads) are slow and flaky: a generous timeout and
 * bounded retries with doubling waits (5 s up to 10 min, 12 tries in all).
 */
export const payerActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
} as const;
