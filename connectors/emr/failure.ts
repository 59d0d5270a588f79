// Activities turn EMR errors into Temporal ApplicationFailures with a stable `type` (WF-3): non-retryable
// business/contract errors stop at once, transport errors retry and honour Retry-After via nextRetryDelay.
import { ApplicationFailure } from '@temporalio/common';
import { isEmrError } from './errors.js';

export function emrErrorToFailure(err: unknown): unknown {
  if (!isEmrError(err)) return err;
  return ApplicationFailure.create({
    type: err.type,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}
