// The keys a repository of PHI rows needs: the data keyring (AES-256-GCM per field) and the blind-index key
// (HMAC for equality lookups). Kept apart so a leaked hash key never decrypts anything.
import type { Keyring } from '../crypto/keyring.js';

export interface RepositoryKeys {
  keyring: Keyring;
  blindIndexKey: Uint8Array;
}
