// Task ids for work a periodic sweep raises: derived from the business key (claim, appointment + coverage)
// instead of random, so the nightly run that finds the same claim again names the same worklist row and the
// same task workflow and raises nothing new. Formatted as an RFC 9562 version-8 UUID (domain/ids.ts accepts
// it for the `task:` workflow id); the inputs are already opaque ids, and the hash hides even those.
import { createHash } from 'node:crypto';

export function derivedTaskId(purpose: string, ...keys: string[]): string {
  const h = createHash('sha256')
    .update([purpose, ...keys].join('\u0000'))
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
