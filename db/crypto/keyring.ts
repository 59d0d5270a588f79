// A keyring of 256-bit AES keys read from configuration: several keys, each under a short id, one of them
// active for new encryptions and all of them usable for decryption. Rotation is therefore "add a key, switch
// the active id": everything written under an older key keeps decrypting until it is re-encrypted.
// The same format serves the Temporal payload codec and the column encryption; they use separate rings.
import { randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Names of the two variables a keyring comes from, so errors can name the right one. */
export interface KeyringVariables {
  keys: string;
  activeKeyId: string;
}

/** A bad keyring. The message names the variable and never contains key material. */
export class KeyringError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
    this.name = 'KeyringError';
  }
}

export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Buffer>,
    readonly activeKeyId: string,
  ) {
    if (!keys.has(activeKeyId)) throw new Error('the active key id is not in the keyring');
    for (const [id, key] of keys) {
      if (!KEY_ID.test(id)) throw new Error('key ids are 1-64 letters, digits, dot, dash or underscore');
      if (key.length !== KEY_BYTES) throw new Error(`keys must be ${KEY_BYTES} bytes`);
    }
    this.#keys = new Map(keys);
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  get activeKey(): Buffer {
    return this.#keys.get(this.activeKeyId)!;
  }

  /** The key with this id, or undefined (callers turn that into their own error). */
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The `id:base64,id:base64` form of the environment variable (used when writing a dev keyring). */
  toSpec(): string {
    return [...this.#keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
  }

  /** Keep key bytes out of console.log / util.inspect / JSON by accident. */
  toJSON(): { activeKeyId: string; keyIds: string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring(${this.keyIds.join(',')}; active ${this.activeKeyId})`;
  }
}

/** Decode one base64 key strictly: exactly 32 bytes, canonical base64 (no silently ignored characters). */
export function decodeKey(encoded: string): Buffer | undefined {
  const text = encoded.trim();
  if (!BASE64.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text) return undefined;
  return key;
}

/**
 * Parse `k2025:<base64 32 bytes>,k2026:<base64>` plus the active id. Throws KeyringError naming the variable;
 * the reason never echoes a value (a key fragment in a log is a leaked key).
 */
export function parseKeyring(spec: string, activeKeyId: string, vars: KeyringVariables): Keyring {
  const keys = new Map<string, Buffer>();
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new KeyringError(vars.keys, 'must list at least one id:base64-key');
  for (const [i, entry] of entries.entries()) {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep) : '';
    if (!KEY_ID.test(id)) {
      throw new KeyringError(vars.keys, `entry ${i + 1} must be <id>:<base64 key> with a 1-64 character id`);
    }
    if (keys.has(id)) throw new KeyringError(vars.keys, `lists key id ${id} twice`);
    const key = decodeKey(entry.slice(sep + 1));
    if (!key) throw new KeyringError(vars.keys, `key ${id} must be ${KEY_BYTES} bytes in base64`);
    keys.set(id, key);
  }
  const active = activeKeyId.trim();
  if (!keys.has(active)) throw new KeyringError(vars.activeKeyId, `must name one of the ids in ${vars.keys}`);
  return new Keyring(keys, active);
}

/** A fresh keyring with one random key (development keyrings, tests). */
export function generateKeyring(keyId: string): Keyring {
  return new Keyring(new Map([[keyId, randomBytes(KEY_BYTES)]]), keyId);
}

/** A new ring with `keyId` added (random key) and made active; the old keys stay for decryption. */
export function withNewActiveKey(
  ring: Keyring,
  keyId: string,
  key: Buffer = randomBytes(KEY_BYTES),
): Keyring {
  if (ring.has(keyId)) throw new Error('key id already in the keyring');
  const keys = new Map(ring.keyIds.map((id) => [id, ring.key(id)!] as const));
  keys.set(keyId, key);
  return new Keyring(keys, keyId);
}
