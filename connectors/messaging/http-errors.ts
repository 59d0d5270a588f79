// WF-3 classification of an upstream HTTP answer: 408/429/5xx are temporary (retry, honouring Retry-After);
// other 4xx are validation or contract refusals that the same request can never pass.
import { MessagingRejected, MessagingTransportError, type MessagingError } from './errors.js';

/** Longest delay we accept from a Retry-After header; beyond it Temporal's own backoff takes over. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) ms = Math.max(0, at - now.getTime());
  }
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

export function classifyHttpFailure(
  status: number,
  opts: { retryAfter?: string | null; providerCode?: string; now: Date },
): MessagingError {
  if (status === 408 || status === 429 || status >= 500) {
    return new MessagingTransportError('provider temporarily unavailable', {
      status,
      ...(opts.providerCode !== undefined ? { providerCode: opts.providerCode } : {}),
      ...retryAfter(opts),
    });
  }
  return new MessagingRejected(status, opts.providerCode);
}

function retryAfter(opts: { retryAfter?: string | null; now: Date }): { retryAfterMs?: number } {
  const ms = parseRetryAfter(opts.retryAfter, opts.now);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** Network-level failures of fetch (timeouts, resets, DNS) are temporary. */
export function classifyFetchError(err: unknown): MessagingError {
  const name = (err as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new MessagingTransportError('request timed out');
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return new MessagingTransportError('network error', code ? { providerCode: code } : {});
}
