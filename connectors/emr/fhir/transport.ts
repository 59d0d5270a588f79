// HTTP to a FHIR server, with the shared connector rules (connectors/http):
//  - 408/429/5xx and network failures are retried with exponential backoff and full jitter, honouring
//    Retry-After, inside a bounded time budget; past the budget the caller gets a retryable
//    EmrTransportError carrying the server's delay (for Temporal's nextRetryDelay).
//  - redirects are never followed: a 3xx is a contract violation.
//  - bodies are size-limited and JSON-parsed without letting input into error messages.
//  - a 401 refreshes the token once.
// Writes are retried too: every create the adapter sends is conditional (If-None-Exist on our identifier) and
// every update is a full PUT of the same content, so a retried write has the same effect as one.
import {
  discardBody,
  fetchWithoutRedirect,
  isRedirect,
  isTemporaryStatus,
  isTimeout,
  parseRetryAfter,
  retryClock,
  withRetries,
  type AttemptResult,
  type HttpClientOptions,
  type RetryClock,
  type RetryPolicy,
} from '../../http/index.js';
import { EmrContractViolation, EmrNotFound, EmrRequestRejected, EmrTransportError } from '../errors.js';
import type { FhirAuth } from './auth.js';
import { parseJsonBody, readLimited } from './body.js';

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  budgetMs: 20_000,
};

export interface FhirTransportOptions extends HttpClientOptions, Partial<RetryClock> {
  baseUrl: string;
  auth: FhirAuth;
  retry?: Partial<RetryPolicy>;
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

/** A FHIR server's Retry-After is handed on uncapped (the clearinghouse and SMS connectors cap it at an hour). */
const UNCAPPED = Number.POSITIVE_INFINITY;

export class FhirTransport {
  readonly baseUrl: string;
  private readonly doFetch: typeof fetch;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: RetryClock;

  constructor(private readonly opts: FhirTransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.doFetch = opts.fetch ?? fetch;
    this.maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.clock = retryClock(opts);
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

  async request(req: FhirRequest): Promise<FhirResponse> {
    const url = this.resolve(req.path);
    let refreshed = false;
    const result = await withRetries(this.retry, this.clock, async () => {
      let outcome = await this.attempt(url, req);
      // A 401 refreshes the token once; the repeated call is not a failed attempt.
      if (outcome.ok && outcome.value.status === 401 && !refreshed && this.opts.auth.invalidate()) {
        refreshed = true;
        outcome = await this.attempt(url, req);
      }
      return outcome;
    });
    if (!result.ok) {
      throw new EmrTransportError(
        `EMR ${req.what} request failed after ${result.attempts} attempt(s): ${result.failure}`,
        result.retryAfterMs,
      );
    }
    return this.interpret(result.value, req);
  }

  /** One call: the response, or the reason it may be retried. */
  private async attempt(url: string, req: FhirRequest): Promise<AttemptResult<Response, string>> {
    let res: Response;
    try {
      const headers: Record<string, string> = {
        accept: FHIR_JSON,
        ...(await this.opts.auth.headers()),
        ...req.headers,
      };
      if (req.body !== undefined) headers['content-type'] = FHIR_JSON;
      res = await fetchWithoutRedirect(
        this.doFetch,
        url,
        { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) },
        this.timeoutMs,
      );
    } catch (err) {
      // Token endpoint failures keep their own classification.
      if (err instanceof EmrContractViolation || err instanceof EmrRequestRejected) throw err;
      if (err instanceof EmrTransportError) return { ok: false, failure: 'token endpoint unavailable' };
      return { ok: false, failure: isTimeout(err) ? 'timeout' : 'network error' };
    }
    if (isTemporaryStatus(res.status)) {
      await discardBody(res);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.clock.now(), UNCAPPED);
      return { ok: false, failure: `HTTP ${res.status}`, retryAfterMs };
    }
    return { ok: true, value: res };
  }

  private async interpret(res: Response, req: FhirRequest): Promise<FhirResponse> {
    const status = res.status;
    if (isRedirect(status)) {
      await discardBody(res);
      throw new EmrContractViolation(
        `EMR answered ${req.what} with a redirect (HTTP ${status}); not followed`,
      );
    }
    if (status >= 400 && !req.passStatuses?.includes(status)) {
      await discardBody(res);
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
