// Read an HTTP response body with a hard size limit (SEC-INT-3 / OWASP API10): a misbehaving upstream cannot
// make us buffer megabytes. Oversized answers are a contract violation.
import { MessagingContractViolation } from '../errors.js';

export async function readBodyLimited(res: Response, limitBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    await res.body?.cancel();
    throw new MessagingContractViolation('response body too large');
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel();
      throw new MessagingContractViolation('response body too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
