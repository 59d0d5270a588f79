// HTTP to the clearinghouse, with the shared connector rules (connectors/http): per-attempt timeout;
// 408/429/5xx and network failures retried with capped exponential backoff and full jitter, honouring
// Retry-After, inside a time budget — past it the caller gets a retryable PayerTransportError carrying the
// server's delay (Temporal's nextRetryDelay takes over); redirects never followed (a 3xx is a contract
// violation: credentials must not travel elsewhere); bodies read with a hard byte limit; messages name the
// operation and status only, never a body.
// Every call we retry is idempotent at the payer: real-time inquiries are reads, claims are keyed by CLM01.
import {
  basicAuthorization,
  discardBody,
  fetchWithoutRedirect,
  isRedirect,
  isTemporaryStatus,
  isTimeout,
  parseRetryAfter,
  readBodyLimited,
  retryClock,
  withRetries,
  type HttpClientOptions,
  type RetryClock,
  type RetryPolicy,
} from '../../http/index.js';
import { PayerContractViolation, PayerRejected, PayerTransportError } from '../errors.js';

export type ClearinghouseAuth =
  { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  budgetMs: 15_000,
};

export interface HttpOptions extends HttpClientOptions, Partial<RetryClock> {
  baseUrl: string;
  auth: ClearinghouseAuth;
  retry?: Partial<RetryPolicy>;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  accept: string;
  /** Operation name for messages ("eligibility inquiry"): never data. */
  what: string;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  text: string;
}

function authorization(auth: ClearinghouseAuth): string {
  return auth.kind === 'basic' ? basicAuthorization(auth.username, auth.password) : `Bearer ${auth.token}`;
}

export class ClearinghouseHttp {
  private readonly base: URL;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly clock: RetryClock;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: HttpOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:')
      throw new PayerRejected('clearinghouse base URL must be http(s)');
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.fetchFn = opts.fetch ?? fetch;
    this.clock = retryClock(opts);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBytes = opts.maxResponseBytes ?? 5 * 1024 * 1024;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const result = await withRetries(this.retry, this.clock, async () => {
      try {
        return { ok: true as const, value: await this.once(req) };
      } catch (err) {
        if (!(err instanceof PayerTransportError)) throw err;
        return { ok: false as const, failure: err, retryAfterMs: err.retryAfterMs };
      }
    });
    if (!result.ok) throw result.failure;
    return result.value;
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.path.replace(/^\//, ''), this.base);
    const headers: Record<string, string> = {
      authorization: authorization(this.opts.auth),
      accept: req.accept,
    };
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    let res: Response;
    try {
      res = await fetchWithoutRedirect(
        this.fetchFn,
        url,
        { method: req.method, headers, ...(req.body !== undefined ? { body: req.body } : {}) },
        this.timeoutMs,
      );
    } catch (err) {
      if (isTimeout(err)) throw new PayerTransportError(`clearinghouse ${req.what} timed out`);
      throw new PayerTransportError(`clearinghouse ${req.what} network error`);
    }
    const status = res.status;
    if (isRedirect(status)) {
      await discardBody(res);
      throw new PayerContractViolation(`clearinghouse ${req.what} answered a redirect (HTTP ${status})`);
    }
    if (isTemporaryStatus(status)) {
      await discardBody(res);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
      throw new PayerTransportError(`clearinghouse ${req.what} unavailable (HTTP ${status})`, {
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    if (status >= 400) {
      await discardBody(res);
      throw new PayerRejected(`clearinghouse refused ${req.what} (HTTP ${status})`, status);
    }
    let text: string;
    try {
      const tooLarge = (): PayerContractViolation =>
        new PayerContractViolation(`clearinghouse ${req.what} response exceeds ${this.maxBytes} bytes`);
      text = (await readBodyLimited(res, this.maxBytes, tooLarge)).toString('utf8');
    } catch (err) {
      if (err instanceof PayerContractViolation) throw err;
      throw new PayerTransportError(`clearinghouse ${req.what} response interrupted`);
    }
    return { status, contentType: res.headers.get('content-type') ?? '', text };
  }
}
