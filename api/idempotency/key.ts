// Parsing of the `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header): an RFC 8941
// sf-string (`"…"`), or — because many clients send one — a bare token. At most 255 characters. Anything
// else is refused rather than normalised, so two different header values can never map to the same key.

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** sf-string content: printable ASCII, with `"` and `\` only as escapes. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** Bare token: a UUID, ULID or any opaque id made of token characters. */
const BARE_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~:/-]+$/;

export type ParsedKey = { ok: true; key: string } | { ok: false; reason: 'missing' | 'malformed' };

export function parseIdempotencyKey(header: string | string[] | undefined): ParsedKey {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  // A repeated header is ambiguous (which one did the client mean?): refuse it.
  if (Array.isArray(header))
    return header.length === 0 ? { ok: false, reason: 'missing' } : { ok: false, reason: 'malformed' };
  const value = header.trim();
  const quoted = SF_STRING.exec(value);
  const key = quoted
    ? (quoted[1] ?? '').replace(/\\(["\\])/g, '$1')
    : BARE_TOKEN.test(value)
      ? value
      : undefined;
  if (key === undefined || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, key };
}
