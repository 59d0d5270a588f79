// HTTP to a FHIR server with the reliability rules of WF-3 / FT-3:
//  - 408/429/5xx and network failures are retried with exponential backoff and full jitter, honouring
//    Retry-After, inside a bounded time budget; past the budget the caller gets a retryable
//    EmrTransportError carrying the server's delay (for Temporal's nextRetryDelay).
//  - redirects are never followed (SEC-TX-3): a 3xx is a contract violation.
//  - bodies are size-limited and JSON-parsed without letting input into error messages (SEC-INT-3).
//  - a 401 refreshes the token once.
// Writes are retried too: every create the adapter sends is conditional (If-None-Exist on our identifier) and
// every update is a full PUT of the same content, so a retried write has the same effect as one.
import { EmrContractViolation, EmrNotFound, EmrRequestRejected, EmrTransportError } from '../errors.js';
import type { FhirAuth } from './auth.js';
import { parseJsonBody, readLimited } from './body.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time we are willing to spend (waiting included) before handing the retry to Temporal. */
  budgetMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  budgetMs: 20_000,
};

export interface FhirTransportOptions {
  baseUrl: string;
  auth: FhirAuth;
  fetch?: typeof fetch;
  maxResponseBytes?: number;
  /** Per attempt, headers and body included. Keep below the activity's startToCloseTimeout. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Relative to the base URL ("Patient?identifier=…"), or an absolute URL under it (a Bundle next link). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** What is being fetched, for error messages: a resource type, never a parameter value. */
  what: string;
  /** Statuses handed back to the caller instead of thrown (e.g. 409/412 for a booking race). */
  passStatuses?: readonly number[];
}

export interface FhirResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

const FHIR_JSON = 'application/fhir+json';

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export class FhirTransport {
  readonly baseUrl: string;
  private readonly doFetch: typeof fetch;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: FhirTransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.doFetch = opts.fetch ?? fetch;
    this.maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** Resolve a path or next link, refusing anything outside the configured base (no SSRF through links). */
  resolve(path: string): string {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(path)) return `${this.baseUrl}/${path.replace(/^\//, '')}`;
    const url = new URL(path);
    const base = new URL(`${this.baseUrl}/`);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
      throw new EmrContractViolation('EMR returned a link outside its base URL');
    }
    return url.toString();
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * cap);
  }

  async request(req: FhirRequest): Promise<FhirResponse> {
    const url = this.resolve(req.path);
    const started = this.now();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, req);
      if (outcome.kind === 'response') {
        const res = outcome.res;
        if (res.status === 401 && !refreshed && this.opts.auth.invalidate()) {
          refreshed = true;
          attempt--; // a token refresh is not a failed attempt
          continue;
        }
        return this.interpret(res, req);
      }
      // Retryable: decide whether another attempt fits in the attempt count and the time budget.
      const serverDelay = outcome.retryAfterMs;
      const delay = serverDelay ?? this.backoff(attempt);
      const elapsed = this.now() - started;
      if (attempt >= this.retry.maxAttempts || elapsed + delay > this.retry.budgetMs) {
        throw new EmrTransportError(
          `EMR ${req.what} request failed after ${attempt} attempt(s): ${outcome.reason}`,
          serverDelay,
        );
      }
      await this.sleep(delay);
    }
  }

  private async attempt(
    url: string,
    req: FhirRequest,
  ): Promise<{ kind: 'response'; res: Response } | { kind: 'retry'; reason: string; retryAfterMs?: number }> {
    let res: Response;
    try {
      const headers: Record<string, string> = {
        accept: FHIR_JSON,
        ...(await this.opts.auth.headers()),
        ...req.headers,
      };
      if (req.body !== undefined) headers['content-type'] = FHIR_JSON;
      res = await this.doFetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // Token endpoint failures keep their own classification.
      if (err instanceof EmrContractViolation || err instanceof EmrRequestRejected) throw err;
      if (err instanceof EmrTransportError) return { kind: 'retry', reason: 'token endpoint unavailable' };
      const timeout = (err as Error).name === 'TimeoutError';
      return { kind: 'retry', reason: timeout ? 'timeout' : 'network error' };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      return {
        kind: 'retry',
        reason: `HTTP ${res.status}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    return { kind: 'response', res };
  }

  private async interpret(res: Response, req: FhirRequest): Promise<FhirResponse> {
    const status = res.status;
    if (status >= 300 && status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new EmrContractViolation(
        `EMR answered ${req.what} with a redirect (HTTP ${status}); not followed`,
      );
    }
    if (status >= 400 && !req.passStatuses?.includes(status)) {
      await res.body?.cancel().catch(() => undefined);
      if (status === 404 || status === 410) throw new EmrNotFound(req.what);
      throw new EmrRequestRejected(status, req.what);
    }
    const bytes = await readLimited(res, this.maxBytes, req.what).catch((err: unknown) => {
      if (err instanceof EmrContractViolation) throw err;
      throw new EmrTransportError(`EMR ${req.what} response was interrupted`);
    });
    if (bytes.length === 0 || status >= 400) return { status, headers: res.headers, body: undefined };
    const type = res.headers.get('content-type') ?? '';
    if (!/^application\/(fhir\+)?json\b/i.test(type)) {
      throw new EmrContractViolation(`EMR ${req.what} response is not JSON`);
    }
    return { status, headers: res.headers, body: parseJsonBody(bytes, req.what) };
  }
}
