// Classification of an upstream HTTP answer: 408/429/5xx are temporary (retry, honouring Retry-After);
// other 4xx are validation or contract refusals that the same request can never pass.
import { isTemporaryStatus, isTimeout, parseRetryAfter } from '../http/index.js';
import { MessagingRejected, MessagingTransportError, type MessagingError } from './errors.js';

export function classifyHttpFailure(
  status: number,
  opts: { retryAfter?: string | null; providerCode?: string; now: Date },
): MessagingError {
  if (isTemporaryStatus(status)) {
    return new MessagingTransportError('provider temporarily unavailable', {
      status,
      ...(opts.providerCode !== undefined ? { providerCode: opts.providerCode } : {}),
      ...retryAfter(opts),
    });
  }
  return new MessagingRejected(status, opts.providerCode);
}

function retryAfter(opts: { retryAfter?: string | null; now: Date }): { retryAfterMs?: number } {
  const ms = parseRetryAfter(opts.retryAfter, opts.now.getTime());
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** Network-level failures of fetch (timeouts, resets, DNS) are temporary. */
export function classifyFetchError(err: unknown): MessagingError {
  if (isTimeout(err)) return new MessagingTransportError('request timed out');
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return new MessagingTransportError('network error', code ? { providerCode: code } : {});
}
