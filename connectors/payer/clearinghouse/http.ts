// HTTP to the clearinghouse with the reliability rules of WF-3 / FT-3 and SEC-INT-3:
//  - per-attempt timeout; 408/429/5xx and network failures retried with capped exponential backoff and
//    full jitter, honouring Retry-After, inside a time budget — past it the caller gets a retryable
//    PayerTransportError carrying the server's delay (Temporal's nextRetryDelay takes over);
//  - redirects are never followed (a 3xx is a contract violation: credentials must not travel elsewhere);
//  - bodies are read with a hard byte limit;
//  - messages name the operation and status only, never a body.
// Every call we retry is idempotent at the payer: real-time inquiries are reads, claims are keyed by CLM01.
import { PayerContractViolation, PayerRejected, PayerTransportError } from '../errors.js';

export type ClearinghouseAuth =
  { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time (waits included) before handing the retry to Temporal. */
  budgetMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  budgetMs: 15_000,
};

/** Longest Retry-After we pass on; beyond it Temporal's own backoff is the better judge. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export interface HttpOptions {
  baseUrl: string;
  auth: ClearinghouseAuth;
  /** Per attempt (headers and body). Keep below the activity's startToCloseTimeout. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
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

export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (!Number.isNaN(at)) ms = Math.max(0, at - nowMs);
  }
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

function authorization(auth: ClearinghouseAuth): string {
  return auth.kind === 'basic'
    ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    : `Bearer ${auth.token}`;
}

async function readLimited(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const tooBig = (): PayerContractViolation =>
    new PayerContractViolation(`clearinghouse ${what} response exceeds ${maxBytes} bytes`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class ClearinghouseHttp {
  private readonly base: URL;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: HttpOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:')
      throw new PayerRejected('clearinghouse base URL must be http(s)');
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.fetchFn = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBytes = opts.maxResponseBytes ?? 5 * 1024 * 1024;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const started = this.now();
    let last: PayerTransportError | undefined;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      try {
        return await this.once(req);
      } catch (err) {
        if (!(err instanceof PayerTransportError)) throw err;
        last = err;
        if (attempt === this.retry.maxAttempts) break;
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        const wait = err.retryAfterMs ?? Math.floor(this.random() * backoff);
        // Past the budget the wait is Temporal's job (nextRetryDelay), not a blocked activity slot's.
        if (this.now() - started + wait > this.retry.budgetMs) break;
        await this.sleep(wait);
      }
    }
    throw last ?? new PayerTransportError(`clearinghouse ${req.what} failed`);
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
      res = await this.fetchFn(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new PayerTransportError(`clearinghouse ${req.what} timed out`);
      throw new PayerTransportError(`clearinghouse ${req.what} network error`);
    }
    const status = res.status;
    if (status >= 300 && status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new PayerContractViolation(`clearinghouse ${req.what} answered a redirect (HTTP ${status})`);
    }
    if (status === 408 || status === 429 || status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      throw new PayerTransportError(`clearinghouse ${req.what} unavailable (HTTP ${status})`, {
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    if (status >= 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new PayerRejected(`clearinghouse refused ${req.what} (HTTP ${status})`, status);
    }
    let text: string;
    try {
      text = await readLimited(res, this.maxBytes, req.what);
    } catch (err) {
      if (err instanceof PayerContractViolation) throw err;
      throw new PayerTransportError(`clearinghouse ${req.what} response interrupted`);
    }
    return { status, contentType: res.headers.get('content-type') ?? '', text };
  }
}
