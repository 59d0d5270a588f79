// The request fingerprint stored with an idempotency record: sha256 over a canonical JSON rendering (object
// keys sorted at every depth), so the same payload sent with other key order or whitespace still matches,
// while any change of a value is a different request (→ 422).
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The route pattern is part of the record's unique key, but the concrete path parameters are not: they go
 * into the fingerprint so reusing one key for `/tasks/A/complete` and then `/tasks/B/complete` is a 422,
 * never a replay of A's answer for B.
 */
export function requestFingerprint(input: { params: unknown; body: unknown }): string {
  return createHash('sha256')
    .update(canonicalJson({ params: input.params ?? {}, body: input.body ?? null }))
    .digest('hex');
}
