// Application-level encryption of PHI columns (on top of the storage's own encryption at rest): AES-256-GCM,
// a random 96-bit IV per value, and a small versioned header that names the key, so a row can be decrypted
// (and re-encrypted by rotation) without trusting the `key_id` column beside it. The additional authenticated
// data binds each ciphertext to its place — `tenant|table|column|rowId` — so a value copied into another row,
// column or practice fails to decrypt.
//
// Layout: [version 0x01][key id length][key id (ASCII)][IV 12][ciphertext][tag 16]
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a value lives. Every part is an opaque id or an identifier, never PHI. */
export interface FieldContext {
  tenant: string;
  table: string;
  column: string;
  rowId: string;
}

export interface EncryptedField {
  /** The bytes to store in the `*_enc` column. */
  data: Buffer;
  /** The key that encrypted them, to store in `key_id`. */
  keyId: string;
}

/**
 * Decryption failed. Names the column (and, as properties, the row's opaque id and practice) only: no value, no
 * key material, no row content. The message names table and column alone.
 */
export class FieldDecryptionError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly reason: 'malformed' | 'unknown_key' | 'authentication_failed',
    /** The row's id and its practice (the AAD's `rowId` and `tenant`): opaque ids, for the security task. */
    readonly rowId?: string,
    readonly tenant?: string,
  ) {
    super(`cannot decrypt ${table}.${column}: ${reason.replace('_', ' ')}`);
    this.name = 'FieldDecryptionError';
  }
}

function aad(header: Buffer, ctx: FieldContext): Buffer {
  const parts = [ctx.tenant, ctx.table, ctx.column, ctx.rowId];
  // A separator inside a part would make two different places produce the same AAD.
  if (parts.some((p) => p === '' || p.includes('|'))) {
    throw new Error('field context parts must be non-empty and must not contain "|"');
  }
  // The header is authenticated too, so the version and key id cannot be swapped undetected.
  return Buffer.concat([header, Buffer.from(parts.join('|'), 'utf8')]);
}

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([Buffer.from([VERSION, id.length]), id]);
}

export function encryptField(
  value: string | Uint8Array,
  ctx: FieldContext,
  keyring: Keyring,
): EncryptedField {
  const keyId = keyring.activeKeyId;
  const head = header(keyId);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.activeKey, iv);
  cipher.setAAD(aad(head, ctx));
  const plain = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { data: Buffer.concat([head, iv, body, cipher.getAuthTag()]), keyId };
}

/** The key id in a stored value's header (undefined when the bytes are not one of ours). */
export function fieldKeyId(data: Uint8Array): string | undefined {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const len = buf[1];
  if (len === undefined || buf[0] !== VERSION) return undefined;
  if (len === 0 || buf.length < 2 + len + IV_BYTES + TAG_BYTES) return undefined;
  return buf.subarray(2, 2 + len).toString('ascii');
}

export function decryptField(data: Uint8Array, ctx: FieldContext, keyring: Keyring): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const keyId = fieldKeyId(buf);
  if (keyId === undefined)
    throw new FieldDecryptionError(ctx.table, ctx.column, 'malformed', ctx.rowId, ctx.tenant);
  const key = keyring.key(keyId);
  if (!key) throw new FieldDecryptionError(ctx.table, ctx.column, 'unknown_key', ctx.rowId, ctx.tenant);
  const headLen = 2 + keyId.length;
  const iv = buf.subarray(headLen, headLen + IV_BYTES);
  const body = buf.subarray(headLen + IV_BYTES, buf.length - TAG_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(buf.subarray(0, headLen), ctx));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    // Tampered bytes, a wrong place (AAD) or a wrong key all end here; the cause is not more specific.
    throw new FieldDecryptionError(ctx.table, ctx.column, 'authentication_failed', ctx.rowId, ctx.tenant);
  }
}

export function decryptFieldText(data: Uint8Array, ctx: FieldContext, keyring: Keyring): string {
  return decryptField(data, ctx, keyring).toString('utf8');
}
