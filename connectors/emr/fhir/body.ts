// Reads a response body with a hard byte limit (SEC-INT-3, OWASP API4): a huge or endless body is cut off
// as soon as it crosses the limit instead of being buffered whole, and the connection is released.
import { EmrContractViolation } from '../errors.js';

export async function readLimited(res: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new EmrContractViolation(`EMR ${what} response exceeds ${maxBytes} bytes`);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new EmrContractViolation(`EMR ${what} response exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Parse JSON without letting the parser's message (which quotes input) escape. */
export function parseJsonBody(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new EmrContractViolation(`EMR ${what} response is not valid JSON`);
  }
}
