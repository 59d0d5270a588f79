// AES-256-GCM payload codec. Temporal stores every input, result, signal, query/update argument,
// memo and (with the failure converter) error message in its history; this codec makes all of them ciphertext
// before they leave the process. The WHOLE original payload — its metadata included, since `encoding` and
// friends can hint at content — is proto-encoded and encrypted; the stored payload only says
// `encoding=binary/encrypted` and which key (`encryption-key-id`) to decrypt with.
//
// Stored data: [IV 12][ciphertext][tag 16]; the key id is also authenticated (AAD), so relabelling a payload
// with another key id fails like any other tampering.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader exposes it as a default export only.
import proto from '@temporalio/proto';

const { temporal } = proto;
import type { Keyring } from '../../db/crypto/keyring.js';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted. Carries the key id (not secret) and nothing of the payload. */
export class PayloadDecryptionError extends Error {
  constructor(
    readonly reason: 'malformed' | 'unknown_key' | 'authentication_failed',
    keyId?: string,
  ) {
    super(`cannot decrypt payload: ${reason.replace('_', ' ')}${keyId ? ` (key ${keyId})` : ''}`);
    this.name = 'PayloadDecryptionError';
  }
}

const utf8Encode = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const utf8Decode = (a: Uint8Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('utf8');

function aad(keyId: string): Buffer {
  return Buffer.from(`ptflow-payload-v1|${keyId}`, 'utf8');
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.activeKey;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(keyId));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8Encode(ENCODING_ENCRYPTED),
          [METADATA_KEY_ID]: utf8Encode(keyId),
        },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Histories written before encryption was switched on (or by other tooling) stay readable.
      if (!encoding || utf8Decode(encoding) !== ENCODING_ENCRYPTED) return payload;
      const rawKeyId = payload.metadata?.[METADATA_KEY_ID];
      const data = payload.data;
      if (!rawKeyId || !data || data.length < IV_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError('malformed');
      }
      const keyId = utf8Decode(rawKeyId);
      const key = this.keyring.key(keyId);
      if (!key) throw new PayloadDecryptionError('unknown_key', keyId);
      let plain: Buffer;
      try {
        const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
        decipher.setAAD(aad(keyId));
        decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
        plain = Buffer.concat([
          decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new PayloadDecryptionError('authentication_failed', keyId);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
