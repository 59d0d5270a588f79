// Activities turn payer errors into Temporal ApplicationFailures with a stable `type` (WF-3): contract
// violations and refusals stop at once, transport errors retry and honour Retry-After via nextRetryDelay.
import { ApplicationFailure } from '@temporalio/common';
import { isPayerError } from './errors.js';

export function payerErrorToFailure(err: unknown): unknown {
  if (!isPayerError(err)) return err;
  return ApplicationFailure.create({
    type: err.type,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}
