// SMS over a Twilio-compatible REST API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded,
// HTTP Basic auth, StatusCallback for delivery receipts. Plain fetch (Node 20) instead of the twilio SDK: one
// request shape does not justify a 30 MB dependency tree, and we need our own timeout, size limit and
// retryable/non-retryable error classification anyway.
import { z } from 'zod';
import { basicAuthorization, fetchWithoutRedirect, isRedirect, readBodyLimited } from '../../http/index.js';
import { MessagingContractViolation, MessagingError } from '../errors.js';
import { classifyFetchError, classifyHttpFailure } from '../http-errors.js';
import { PROVIDER_DELIVERY_STATUSES, type ChannelTransport, type OutboundEnvelope } from '../types.js';
import { TWILIO_SID } from './twilio-signature.js';

export interface TwilioSmsConfig {
  /** `https://api.twilio.com` in production; a compatible provider or a test server otherwise. */
  baseUrl: string;
  accountSid: string;
  /** Basic-auth user: the Account SID, or an API key SID (SK…) with its secret. */
  username?: string;
  /** Auth token or API key secret. */
  password: string;
  /** Sender: a number in E.164, or a Messaging Service SID (MG…) which takes precedence. */
  from?: string;
  messagingServiceSid?: string;
  /** Our public delivery-receipt endpoint (POST /v1/webhooks/messaging/twilio). */
  statusCallbackUrl?: string;
  /** Per-call timeout; keep it well under the activity's startToCloseTimeout. Default 10 s. */
  timeoutMs?: number;
  /** Largest response body accepted. Default 64 KiB (a message resource is about 1 KiB). */
  maxResponseBytes?: number;
  /**
   * True when the provider deduplicates on the `Idempotency-Key` header we always send. Twilio's own Messages
   * API does not document one, so the default is false: an attempt with an unknown outcome is then not resent
   * blindly (see MessagingOutcomeUnknown).
   */
  providerHonoursIdempotencyKey?: boolean;
  fetch?: typeof fetch;
  now?: () => Date;
}

// Only the fields we use are checked; the rest of Twilio's message resource (prices, URIs, counts) is
// dropped, because Twilio adds fields without versioning the API and a new field must not stop all texting.
const messageResource = z.object({
  sid: z.string().regex(TWILIO_SID),
  status: z.enum(PROVIDER_DELIVERY_STATUSES),
  error_code: z.number().int().nullable().optional(),
});
const errorResource = z.object({ code: z.number().int().optional() });

export class TwilioSmsTransport implements ChannelTransport {
  readonly channel = 'sms' as const;
  readonly deduplicatesResends: boolean;
  readonly #cfg: TwilioSmsConfig;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;

  constructor(cfg: TwilioSmsConfig) {
    if (!cfg.from && !cfg.messagingServiceSid)
      throw new Error('an SMS sender (from or messagingServiceSid) is required');
    if (!/^AC[0-9a-fA-F]{32}$/.test(cfg.accountSid))
      throw new Error('accountSid must look like AC + 32 hex digits');
    this.#cfg = cfg;
    this.#fetch = cfg.fetch ?? fetch;
    this.#now = cfg.now ?? (() => new Date());
    this.deduplicatesResends = cfg.providerHonoursIdempotencyKey ?? false;
  }

  get messagesUrl(): string {
    return new URL(
      `/2010-04-01/Accounts/${this.#cfg.accountSid}/Messages.json`,
      this.#cfg.baseUrl,
    ).toString();
  }

  async send(envelope: OutboundEnvelope, signal?: AbortSignal): Promise<{ providerMessageId: string }> {
    const form = new URLSearchParams();
    form.set('To', envelope.to);
    if (this.#cfg.messagingServiceSid) form.set('MessagingServiceSid', this.#cfg.messagingServiceSid);
    else if (this.#cfg.from) form.set('From', this.#cfg.from);
    form.set('Body', envelope.text);
    if (this.#cfg.statusCallbackUrl) form.set('StatusCallback', this.#cfg.statusCallbackUrl);

    let res: Response;
    try {
      res = await fetchWithoutRedirect(
        this.#fetch,
        this.messagesUrl,
        {
          method: 'POST',
          headers: {
            authorization: basicAuthorization(this.#cfg.username ?? this.#cfg.accountSid, this.#cfg.password),
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'idempotency-key': envelope.idempotencyKey,
          },
          body: form.toString(),
        },
        this.#cfg.timeoutMs ?? 10_000,
        signal,
      );
    } catch (err) {
      // Cancellation by the caller (activity cancelled) is not a transport failure: let it propagate.
      if (signal?.aborted) throw err;
      throw classifyFetchError(err);
    }
    return this.#interpret(res);
  }

  async #interpret(res: Response): Promise<{ providerMessageId: string }> {
    let text: string;
    try {
      const tooLarge = (): MessagingContractViolation =>
        new MessagingContractViolation('response body too large');
      text = (await readBodyLimited(res, this.#cfg.maxResponseBytes ?? 64 * 1024, tooLarge)).toString('utf8');
    } catch (err) {
      if (err instanceof MessagingError) throw err;
      throw classifyFetchError(err);
    }
    if (isRedirect(res.status)) throw new MessagingContractViolation('unexpected redirect');
    if (res.status >= 400) {
      const code = errorResource.safeParse(safeJson(text));
      throw classifyHttpFailure(res.status, {
        retryAfter: res.headers.get('retry-after'),
        ...(code.success && code.data.code !== undefined ? { providerCode: String(code.data.code) } : {}),
        now: this.#now(),
      });
    }
    const parsed = messageResource.safeParse(safeJson(text));
    if (!parsed.success) throw new MessagingContractViolation('message resource does not match the schema');
    return { providerMessageId: parsed.data.sid };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
