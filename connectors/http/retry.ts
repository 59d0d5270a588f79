// Retrying temporary HTTP failures inside an activity: capped exponential backoff with full jitter, or the
// server's Retry-After, within an attempt count and a time budget. Past the budget the retry is Temporal's
// job (the failure carries the server's delay as nextRetryDelay), not a blocked activity slot's.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time we are willing to spend (waiting included) before handing the retry to Temporal. */
  budgetMs: number;
}

/** Longest Retry-After we pass on; beyond it Temporal's own backoff is the better judge. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3), at most `capMs`.
 * Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  nowMs: number,
  capMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) ms = Math.max(0, at - nowMs);
  }
  return ms === undefined ? undefined : Math.min(ms, capMs);
}

/** 408, 429 and 5xx: the same request may succeed later. */
export function isTemporaryStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Time and randomness of the retry loop, injectable for tests. */
export interface RetryClock {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

export function retryClock(opts: Partial<RetryClock>): RetryClock {
  return {
    sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: opts.now ?? Date.now,
    random: opts.random ?? Math.random,
  };
}

/** One attempt: a value, or a temporary failure with the server's requested delay if it gave one. */
export type AttemptResult<T, F> =
  { ok: true; value: T } | { ok: false; failure: F; retryAfterMs?: number | undefined };

/** The last temporary failure once no further attempt fits the policy. */
export interface GaveUp<F> {
  ok: false;
  failure: F;
  retryAfterMs?: number | undefined;
  attempts: number;
}

/**
 * Run `attempt` until it succeeds or no further attempt fits the attempt count and time budget; waits the
 * server's delay when it gave one, otherwise a jittered backoff.
 */
export async function withRetries<T, F>(
  policy: RetryPolicy,
  clock: RetryClock,
  attempt: () => Promise<AttemptResult<T, F>>,
): Promise<{ ok: true; value: T } | GaveUp<F>> {
  const started = clock.now();
  for (let attemptNo = 1; ; attemptNo++) {
    const result = await attempt();
    if (result.ok) return result;
    const backoffCap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNo - 1));
    const delay = result.retryAfterMs ?? Math.floor(clock.random() * backoffCap);
    if (attemptNo >= policy.maxAttempts || clock.now() - started + delay > policy.budgetMs) {
      return { ...result, attempts: attemptNo };
    }
    await clock.sleep(delay);
  }
}
