// Blind index for equality lookups on encrypted columns (PHI encrypted at rest by the application):
// HMAC-SHA256 under a key of its own (never a data key), over normalized input, so "Smith " and "smith" find
// the same row while the stored value reveals nothing without the key. Each purpose is domain-separated, so
// the same input under two purposes (say a member id and a last name) never yields the same hash.
import { createHmac } from 'node:crypto';
import { decodeKey, KeyringError } from './keyring.js';

export type BlindIndexPurpose = 'patient_match' | 'member_id' | 'mrn' | (string & {});

/** Unicode-normalize, trim, collapse inner whitespace, lower-case. */
export function normalizeText(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Identifiers (member ids, MRNs): case, spaces and dashes are formatting, not identity. */
export function normalizeIdentifier(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\s-]+/g, '')
    .toUpperCase();
}

/** Dates of birth as YYYY-MM-DD; anything else is refused rather than hashed into a useless index. */
export function normalizeDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) throw new Error('date must be YYYY-MM-DD');
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Parse PTFLOW_BLIND_INDEX_KEY (base64, 32 bytes). */
export function parseBlindIndexKey(encoded: string, variable = 'PTFLOW_BLIND_INDEX_KEY'): Buffer {
  const key = decodeKey(encoded);
  if (!key) throw new KeyringError(variable, 'must be 32 bytes in base64');
  return key;
}

/**
 * Hex HMAC-SHA256 of already-normalized parts under a purpose. Parts are length-prefixed, so
 * ["ab","c"] and ["a","bc"] differ.
 */
export function blindIndex(key: Uint8Array, purpose: BlindIndexPurpose, parts: readonly string[]): string {
  const mac = createHmac('sha256', key);
  mac.update(`ptflow-bidx-v1\u0000${purpose}\u0000`);
  for (const p of parts) {
    const bytes = Buffer.from(p, 'utf8');
    mac.update(`${bytes.length}:`);
    mac.update(bytes);
  }
  return mac.digest('hex');
}

/** `patients.match_hash`: normalized last name + date of birth. */
export function patientMatchHash(key: Uint8Array, lastName: string, dateOfBirth: string): string {
  return blindIndex(key, 'patient_match', [normalizeText(lastName), normalizeDate(dateOfBirth)]);
}

/** `coverages.member_id_hash`: normalized member id, scoped to the payer. */
export function memberIdHash(key: Uint8Array, payerId: string, memberId: string): string {
  return blindIndex(key, 'member_id', [payerId, normalizeIdentifier(memberId)]);
}
