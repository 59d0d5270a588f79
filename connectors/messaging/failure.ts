// Bridge to Temporal: activities throw `toApplicationFailure(err)` so the workflow sees a stable failure type,
// retryability follows WF-3, and Retry-After becomes `nextRetryDelay`.
import { ApplicationFailure } from '@temporalio/common';
import { MessagingError } from './errors.js';

export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof MessagingError)) return err;
  return ApplicationFailure.create({
    message: err.message,
    type: err.type,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}
