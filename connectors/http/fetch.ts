// The one way connectors call an HTTP upstream: redirects are never followed (credentials and PHI must not
// travel to a host we did not configure; a 3xx is the caller's contract violation) and every attempt has a
// deadline, kept below the activity's startToCloseTimeout.

export interface HttpClientOptions {
  fetch?: typeof fetch;
  /** Per attempt, headers and body included. Keep below the activity's startToCloseTimeout. */
  timeoutMs?: number;
  /** Largest response body accepted. */
  maxResponseBytes?: number;
}

/** `fetch` without following redirects, aborted after `timeoutMs` or when `signal` (the caller's) aborts. */
export function fetchWithoutRedirect(
  fetchFn: typeof fetch,
  url: string | URL,
  init: Omit<RequestInit, 'redirect' | 'signal'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  return fetchFn(url, {
    ...init,
    redirect: 'manual',
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
}

/** A fetch rejection caused by the deadline (or an abort), rather than by the network. */
export function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** HTTP Basic credentials as an Authorization header value. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
