// Twilio's request signature (`X-Twilio-Signature`), implemented with node:crypto rather than pulling in the
// whole twilio SDK for one HMAC: base64(HMAC-SHA1(authToken, url + every POST parameter as name+value, sorted
// by name)). Repeated parameters contribute each value, sorted. `url` is the exact public URL Twilio called,
// query string included: take it from configuration, never from the Host header (an attacker controls that).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A Twilio resource SID: two capital letters (SM, MM, AC, MG …) and 32 hex digits. */
export const TWILIO_SID = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

export type FormParams = Iterable<readonly [string, string]> | Record<string, string | readonly string[]>;

function pairs(params: FormParams): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const entries: Iterable<readonly [string, string | readonly string[]]> =
    Symbol.iterator in params
      ? (params as Iterable<readonly [string, string]>)
      : Object.entries(params as Record<string, string | readonly string[]>);
  for (const [k, v] of entries) {
    if (typeof v === 'string') out.push([k, v]);
    else for (const one of v) out.push([k, one]);
  }
  // Sort by name, then value, comparing UTF-16 code units like Twilio's reference libraries.
  return out.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
}

export function computeTwilioSignature(authToken: string, url: string, params: FormParams): string {
  const data = pairs(params).reduce((acc, [k, v]) => acc + k + v, url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Constant-time check of a received `X-Twilio-Signature` header. */
export function validateTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: FormParams,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(computeTwilioSignature(authToken, url, params));
  const received = Buffer.from(signature);
  return received.length === expected.length && timingSafeEqual(received, expected);
}
