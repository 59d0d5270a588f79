// Standard Webhooks (https://www.standardwebhooks.com) signer and verifier: the one scheme every signed
// inbound webhook uses (HMAC over id, timestamp and raw body). The sandbox EMR signs with it and the API's webhook routes verify with it, so both
// sides share a single implementation of the byte-exact signed content.
//
// Signed content: `${webhook-id}.${webhook-timestamp}.` followed by the RAW body bytes (never a re-serialized
// JSON), HMAC-SHA256 keyed with the base64-decoded secret, sent as `v1,<base64>`. Several space-separated
// signatures may be present (secret rotation); versions other than v1 are ignored.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** Replay window, both directions: a timestamp further in the past or the future is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
/** The spec allows 24–64 byte keys; shorter keys are refused rather than silently weak. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
/** Integer Unix seconds, no sign, no fraction, no exponent: anything else is rejected before any HMAC. */
const TIMESTAMP = /^[0-9]{1,12}$/;
/** Message ids are opaque, but bounded and free of the separator so the signed content stays unambiguous. */
const MESSAGE_ID = /^[A-Za-z0-9_\-:]{1,128}$/;

export type WebhookHeaders = Record<string, string | string[] | undefined>;

// A type alias (not an interface) so it is assignable to WebhookHeaders and to fetch's HeadersInit.
export type SignedWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export type WebhookFailureReason =
  | 'missing_header'
  | 'invalid_id'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

/**
 * Why a delivery was refused. The message names the reason only — never the body, the secret or a signature —
 * so it can be logged and returned in a problem+json. `httpStatus` is: malformed request 400,
 * authentication failure 401.
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly httpStatus: 400 | 401;
  constructor(readonly reason: WebhookFailureReason) {
    super(`webhook rejected: ${reason}`);
    this.httpStatus = reason === 'missing_header' || reason === 'invalid_id' ? 400 : 401;
  }
}

/** A fresh `whsec_<base64>` secret with 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Decode a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function decodeWebhookSecret(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('webhook secret is not base64');
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new Error(`webhook secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  }
  return key;
}

function toBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}

/** The base64 HMAC of one message under one secret (without the `v1,` prefix). */
function hmac(key: Buffer, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64');
}

export interface SignInput {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string | Uint8Array;
}

/** `v1,<base64>` for one secret. */
export function signWebhook(input: SignInput, secret: string): string {
  if (!MESSAGE_ID.test(input.id)) throw new Error('webhook id must match [A-Za-z0-9_-:]{1,128}');
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new Error('webhook timestamp must be integer Unix seconds');
  }
  return `v1,${hmac(decodeWebhookSecret(secret), input.id, String(input.timestamp), toBytes(input.body))}`;
}

/**
 * The three headers for a delivery. With more than one secret (rotation overlap) every secret signs, so a
 * receiver holding either the old or the new secret accepts the message.
 */
export function signedWebhookHeaders(input: SignInput, secrets: readonly string[]): SignedWebhookHeaders {
  if (secrets.length === 0) throw new Error('at least one webhook secret is required');
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(input, s)).join(' '),
  };
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  // Node lower-cases incoming header names, but callers may hand us a plain object from elsewhere.
  const direct = headers[name];
  const value =
    direct ??
    Object.entries(headers).find(([k]) => k.toLowerCase() === name && headers[k] !== undefined)?.[1];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value === '' ? undefined : value;
}

/** Constant-time string comparison; the length check first because timingSafeEqual needs equal lengths. */
function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

export interface VerifyInput {
  headers: WebhookHeaders;
  /** The exact bytes received, before any JSON parsing. */
  rawBody: string | Uint8Array;
  /** Active secrets (one, or two during a rotation overlap). */
  secrets: readonly string[];
  /** Current time in Unix seconds (injected so tests and replays are deterministic). */
  nowSeconds: number;
  toleranceSeconds?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: number;
}

/** Verify a delivery; throws WebhookVerificationError, returns the message id and timestamp on success. */
export function verifyWebhook(input: VerifyInput): VerifiedWebhook {
  if (input.secrets.length === 0) throw new Error('at least one webhook secret is required');
  const id = header(input.headers, WEBHOOK_ID_HEADER);
  const ts = header(input.headers, WEBHOOK_TIMESTAMP_HEADER);
  const sig = header(input.headers, WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || ts === undefined || sig === undefined) {
    throw new WebhookVerificationError('missing_header');
  }
  if (!MESSAGE_ID.test(id)) throw new WebhookVerificationError('invalid_id');
  if (!TIMESTAMP.test(ts)) throw new WebhookVerificationError('invalid_timestamp');
  const timestamp = Number(ts);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestamp < input.nowSeconds - tolerance) throw new WebhookVerificationError('timestamp_too_old');
  if (timestamp > input.nowSeconds + tolerance) throw new WebhookVerificationError('timestamp_too_new');

  const body = toBytes(input.rawBody);
  const expected = input.secrets.map((s) => hmac(decodeWebhookSecret(s), id, ts, body));
  // Compare every v1 entry with every expected value and never short-circuit on the first match, so the
  // timing does not reveal which entry or secret matched.
  let matched = false;
  for (const entry of sig.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue; // unknown versions are ignored, not errors
    const given = entry.slice(comma + 1);
    for (const want of expected) if (safeEqual(given, want)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError('no_matching_signature');
  return { id, timestamp };
}
