// PhysicianDelivery over a fax / Direct (HISP) gateway's REST API: the sandbox gateway in dev
// (../sandbox/server.ts), a vendor gateway speaking the same API in production. Bearer token, no redirects,
// a deadline per attempt, bounded response bodies, zod-checked answers. Temporary failures (408/429/5xx,
// timeouts, resets) are PhysicianDeliveryUnavailable with the server's Retry-After; Temporal retries them.
// Nothing from a request or a response body ever reaches an error message.
import { z } from 'zod';
import {
  fetchWithoutRedirect,
  isRedirect,
  isTemporaryStatus,
  isTimeout,
  parseRetryAfter,
  readBodyLimited,
} from '../../http/index.js';
import {
  PhysicianDeliveryContractViolation,
  PhysicianDeliveryNoRoute,
  PhysicianDeliveryRejected,
  PhysicianDeliveryUnavailable,
} from '../errors.js';
import {
  DELIVERY_REFERENCE,
  type DeliveryChannel,
  type PhysicianDelivery,
  type PhysicianDeliveryReceipt,
  type PhysicianDeliveryRequest,
  type PhysicianDeliveryState,
  type SignedReturnPage,
} from '../types.js';

export interface GatewayConfig {
  /** Base URL of the gateway API, e.g. `https://fax-gateway.example/` or the sandbox's URL. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per attempt (keep below the activity's startToCloseTimeout). Default 20 s. */
  timeoutMs?: number;
  maxResponseBytes?: number;
}

const STATUS = z.enum(['queued', 'sending', 'delivered', 'failed', 'signed']);
const CHANNEL = z.enum(['fax', 'direct']);
const KIND = z.enum(['poc_certification', 'progress_report', 'recertification', 'discharge_summary']);
const CODE = z
  .string()
  .regex(/^[a-z_]{1,40}$/)
  .optional();

const ReceiptBody = z.object({
  deliveryId: z.string().min(1).max(200),
  channel: CHANNEL,
  status: STATUS,
  acceptedAt: z.iso.datetime({ offset: true }),
  duplicate: z.boolean(),
});
const ReturnBody = z.object({
  returnId: z.string().min(1).max(200),
  deliveryId: z.string().min(1).max(200),
  reference: z.string().regex(DELIVERY_REFERENCE),
  kind: KIND,
  signedDate: z.iso.date(),
  signerNpi: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  channel: CHANNEL,
  receivedAt: z.iso.datetime({ offset: true }),
  documentRef: z.string().min(1).max(200),
});
const StateBody = z.object({
  deliveryId: z.string().min(1).max(200),
  channel: CHANNEL,
  status: STATUS,
  updatedAt: z.iso.datetime({ offset: true }),
  deliveredAt: z.iso.datetime({ offset: true }).optional(),
  failureCode: CODE,
  signedReturn: ReturnBody.optional(),
});
const ReturnsBody = z.object({ returns: z.array(ReturnBody).max(1000), nextCursor: z.string().max(40) });
const ErrorBody = z.object({ code: CODE }).loose();

/** The gateway adapter (fax and Direct). */
export class GatewayPhysicianDelivery implements PhysicianDelivery {
  readonly channels: readonly DeliveryChannel[] = ['fax', 'direct'];
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly config: GatewayConfig) {
    this.fetchFn = config.fetch ?? fetch;
    this.timeoutMs = config.timeoutMs ?? 20_000;
    this.maxBytes = config.maxResponseBytes ?? 1024 * 1024;
  }

  /** Sends on the requested channel, else Direct when the office has an address, else fax. */
  async send(
    req: PhysicianDeliveryRequest,
    opts?: { signal?: AbortSignal },
  ): Promise<PhysicianDeliveryReceipt> {
    if (!DELIVERY_REFERENCE.test(req.reference))
      throw new PhysicianDeliveryRejected('The delivery reference is not an opaque reference.');
    const channel = req.channel ?? (req.recipient.directAddress ? 'direct' : 'fax');
    const to =
      channel === 'direct' ? req.recipient.directAddress : channel === 'fax' ? req.recipient.fax : undefined;
    if (to === undefined) throw new PhysicianDeliveryNoRoute(`The recipient has no ${channel} address.`);
    const document =
      req.document.type === 'pdf'
        ? {
            pdfBase64: Buffer.from(req.document.bytes).toString('base64'),
            ...(req.document.pageCount ? { pageCount: req.document.pageCount } : {}),
          }
        : { documentRef: req.document.documentRef };
    const body = {
      idempotencyKey: req.idempotencyKey,
      channel,
      kind: req.kind,
      purpose: req.purpose,
      reference: req.reference,
      signatureRequested: req.signatureRequested,
      to,
      displayName: req.recipient.displayName,
      ...(req.recipient.npi ? { npi: req.recipient.npi } : {}),
      document,
    };
    return this.call('send', 'POST', 'v1/deliveries', ReceiptBody, body, opts?.signal);
  }

  async status(deliveryId: string, opts?: { signal?: AbortSignal }): Promise<PhysicianDeliveryState> {
    const state = await this.call(
      'status',
      'GET',
      `v1/deliveries/${encodeURIComponent(deliveryId)}`,
      StateBody,
      undefined,
      opts?.signal,
    );
    return state as PhysicianDeliveryState;
  }

  async listReturns(after?: string, opts?: { signal?: AbortSignal }): Promise<SignedReturnPage> {
    const query = after ? `?after=${encodeURIComponent(after)}` : '';
    return this.call('returns', 'GET', `v1/returns${query}`, ReturnsBody, undefined, opts?.signal);
  }

  async acknowledgeReturns(returnIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void> {
    if (returnIds.length === 0) return;
    await this.call(
      'acknowledge',
      'POST',
      'v1/returns/ack',
      z.object({}).loose(),
      { returnIds },
      opts?.signal,
    );
  }

  /** One HTTP exchange, its failures mapped to the typed errors (operation and status only). */
  private async call<T extends z.ZodType>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<z.infer<T>> {
    const url = new URL(
      path,
      this.config.baseUrl.endsWith('/') ? this.config.baseUrl : `${this.config.baseUrl}/`,
    );
    let res: Response;
    try {
      res = await fetchWithoutRedirect(
        this.fetchFn,
        url,
        {
          method,
          headers: {
            authorization: `Bearer ${this.config.token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        },
        this.timeoutMs,
        signal,
      );
    } catch (err) {
      throw new PhysicianDeliveryUnavailable(
        isTimeout(err) ? `Gateway ${operation}: timed out` : `Gateway ${operation}: connection failed`,
      );
    }
    const tooLarge = () => new PhysicianDeliveryContractViolation(`Gateway ${operation}: response too large`);
    if (isRedirect(res.status)) {
      await res.body?.cancel().catch(() => undefined);
      throw new PhysicianDeliveryContractViolation(
        `Gateway ${operation}: unexpected redirect (${res.status})`,
      );
    }
    const raw = await readBodyLimited(res, this.maxBytes, tooLarge);
    if (isTemporaryStatus(res.status)) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      throw new PhysicianDeliveryUnavailable(`Gateway ${operation}: HTTP ${res.status}`, {
        status: res.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    let json: unknown;
    try {
      json = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new PhysicianDeliveryContractViolation(
        `Gateway ${operation}: response is not JSON (HTTP ${res.status})`,
      );
    }
    if (res.status >= 400) {
      const code = ErrorBody.safeParse(json).data?.code;
      throw new PhysicianDeliveryRejected(
        `Gateway ${operation}: refused (HTTP ${res.status}${code ? `, ${code}` : ''})`,
        res.status,
        code,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new PhysicianDeliveryContractViolation(`Gateway ${operation}: unexpected response shape`);
    return parsed.data;
  }
}
