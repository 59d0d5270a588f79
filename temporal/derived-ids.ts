// Deterministic UUIDs for processes started by an external event. A webhook can arrive many times (redelivery,
// the sender re-emitting the same fact under a new message id), and every arrival must name the same process:
// the id is a keyed hash of the business key, never random. Formatted as an RFC 9562 version-8 ("custom") UUID
// so domain/ids.ts accepts it, and opaque: the hash reveals nothing of the EMR ids it came from.
import { createHash } from 'node:crypto';

export function uuidFromKey(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  digest.writeUInt8((digest.readUInt8(6) & 0x0f) | 0x80, 6); // version 8
  digest.writeUInt8((digest.readUInt8(8) & 0x3f) | 0x80, 8); // variant 10xx
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A claim's id: one per visit *and practice*. EMRs number visits on their own (often sequentially), so two
 * practices can bill the same visit id; the claim id, its workflow id (`claim:<id>`), CLM01 and the `claims` row
 * all derive from this hash, never from the visit id alone.
 */
export function claimIdFor(practiceId: string, visitId: string): string {
  return uuidFromKey('claim', practiceId, visitId);
}
