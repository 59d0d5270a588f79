// Helpers of the PHI canary tests (security.md §0): a unique marker per run, a detector that also looks inside
// byte arrays and base64 strings (Temporal's JSON carries payloads as base64), and a log sink that keeps every
// line a pino logger writes.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

/** `ZZCANARY-<8 hex>`: upper case, so it survives the normalizations of member ids and X12. */
export function newCanary(): string {
  return `ZZCANARY-${randomUUID().slice(0, 8).toUpperCase()}`;
}

function base64Reveals(value: string, needle: string): boolean {
  if (value.length < 8 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  return Buffer.from(value, 'base64').toString('latin1').includes(needle);
}

/** True when `needle` is in any string, key, byte array or base64 string (decoded) anywhere inside `value`. */
export function reveals(value: unknown, needle: string, seen = new Set<unknown>()): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.includes(needle) || base64Reveals(value, needle);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return false;
  if (value instanceof Uint8Array) {
    const latin1 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
    return latin1.includes(needle) || base64Reveals(latin1, needle);
  }
  if (typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Map) return reveals([...value.entries()], needle, seen);
  if (value instanceof Date) return false;
  return Object.entries(value).some(([k, v]) => k.includes(needle) || reveals(v, needle, seen));
}

/** A pino destination that keeps every line. */
export function lineSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = partial + String(chunk);
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
      done();
    },
  });
  return { stream, lines };
}
