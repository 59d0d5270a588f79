// Payload codec and failure converter (SEC-ENC-2, SEC-ENC-3): no canary survives encoding, everything
// round-trips, tampering and unknown keys fail loudly, and rotation keeps old payloads readable.
import { randomBytes } from 'node:crypto';
import {
  ApplicationFailure,
  DefaultFailureConverter,
  defaultPayloadConverter,
  type Payload,
} from '@temporalio/common';
import { decodeFailure, encodeFailure } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { describe, expect, it } from 'vitest';
import { generateKeyring, parseKeyring, withNewActiveKey } from '../../db/crypto/keyring.js';
import { dataConverterFor, failureConverterPath } from '../../temporal/codec/data-converter.js';
import {
  ENCODING_ENCRYPTED,
  EncryptionCodec,
  METADATA_KEY_ID,
  PayloadDecryptionError,
} from '../../temporal/codec/encryption-codec.js';
import { failureConverter } from '../../temporal/codec/failure-converter.js';

const CANARY = 'ZZCANARY-1';
const text = (a: Uint8Array | null | undefined) => Buffer.from(a ?? []).toString('utf8');
const patientPayload = (): Payload =>
  defaultPayloadConverter.toPayload({ patient: { lastName: `Doe ${CANARY}`, memberId: `M-${CANARY}` } });

describe('EncryptionCodec', () => {
  const ring = generateKeyring('k2025');
  const codec = new EncryptionCodec(ring);

  it('leaves no canary anywhere in the encoded payload and marks it encrypted with the key id', async () => {
    const [encoded] = await codec.encode([patientPayload()]);
    expect(text(encoded!.data)).not.toContain(CANARY);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain(CANARY);
    for (const v of Object.values(encoded!.metadata ?? {})) expect(text(v)).not.toContain(CANARY);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(text(encoded!.metadata![METADATA_KEY_ID])).toBe('k2025');
    // The original encoding (json/plain) is inside the ciphertext, not beside it.
    expect(Object.keys(encoded!.metadata!).sort()).toEqual(['encoding', METADATA_KEY_ID].sort());
  });

  it('round-trips payloads, metadata included, with a fresh IV each time', async () => {
    const original = patientPayload();
    const [a] = await codec.encode([original]);
    const [b] = await codec.encode([original]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const [decoded] = await codec.decode([a!]);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(
      defaultPayloadConverter.fromPayload(original),
    );
  });

  it('passes through payloads that were never encrypted', async () => {
    const plain = defaultPayloadConverter.toPayload({ ok: true });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('throws on a tampered payload (any flipped byte)', async () => {
    const [encoded] = await codec.encode([patientPayload()]);
    for (const index of [0, 12, encoded!.data!.length - 1]) {
      const data = Uint8Array.from(encoded!.data!);
      data[index] = data[index]! ^ 0x01;
      await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(PayloadDecryptionError);
    }
  });

  it('throws on a relabelled key id, an unknown key id and missing parts, without echoing data', async () => {
    const [encoded] = await codec.encode([patientPayload()]);
    const other = withNewActiveKey(ring, 'k2026');
    const relabelled = {
      ...encoded!,
      metadata: { ...encoded!.metadata, [METADATA_KEY_ID]: Buffer.from('k2026') },
    };
    await expect(new EncryptionCodec(other).decode([relabelled])).rejects.toThrow(/authentication failed/);

    const stranger = new EncryptionCodec(generateKeyring('k2099'));
    const err = await stranger.decode([encoded!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toMatch(/unknown key.*k2025/);
    expect((err as Error).message).not.toContain(CANARY);

    const { data: _data, ...noData } = encoded!;
    await expect(codec.decode([noData])).rejects.toThrow(/malformed/);
    const noKey = { ...encoded!, metadata: { encoding: encoded!.metadata!.encoding! } };
    await expect(codec.decode([noKey])).rejects.toThrow(/malformed/);
  });

  it('rotates: the old key still decrypts, new payloads carry the new key id', async () => {
    const [old] = await codec.encode([patientPayload()]);
    const rotated = new EncryptionCodec(withNewActiveKey(ring, 'k2026'));
    const [fresh] = await rotated.encode([patientPayload()]);
    expect(text(fresh!.metadata![METADATA_KEY_ID])).toBe('k2026');
    const [decodedOld] = await rotated.decode([old!]);
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(decodedOld!))).toContain(CANARY);
    // …and a process still on the old ring cannot read the new key's payloads (it must be given the key).
    await expect(codec.decode([fresh!])).rejects.toThrow(/unknown key/);
  });

  it('reads its keyring from the PTFLOW_PAYLOAD_KEYS format', async () => {
    const k1 = randomBytes(32).toString('base64');
    const k2 = randomBytes(32).toString('base64');
    const parsed = parseKeyring(`k2025:${k1}, k2026:${k2}`, 'k2026', {
      keys: 'PTFLOW_PAYLOAD_KEYS',
      activeKeyId: 'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
    });
    const [encoded] = await new EncryptionCodec(parsed).encode([patientPayload()]);
    expect(text(encoded!.metadata![METADATA_KEY_ID])).toBe('k2026');
  });
});

describe('failure converter', () => {
  const ring = generateKeyring('k2025');
  const codecs = [new EncryptionCodec(ring)];

  it('is the encoding DefaultFailureConverter and is found by path', () => {
    expect(failureConverter).toBeInstanceOf(DefaultFailureConverter);
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
    expect(failureConverterPath()).toMatch(/temporal\/codec\/failure-converter\.(ts|js)$/);
    expect(dataConverterFor(ring)).toMatchObject({ failureConverterPath: failureConverterPath() });
  });

  it('stores neither message nor stack in clear and recovers both through the codec', async () => {
    const failure = failureConverter.errorToFailure(new Error(CANARY), defaultPayloadConverter);
    const stored = await encodeFailure(codecs, failure);
    expect(stored.message).not.toContain(CANARY);
    expect(stored.message).toBe('Encoded failure');
    expect(stored.stackTrace ?? '').not.toContain(CANARY);
    expect(text(stored.encodedAttributes?.data)).not.toContain(CANARY);

    const decoded = await decodeFailure(codecs, stored);
    const attrs = defaultPayloadConverter.fromPayload<{ message: string }>(decoded.encodedAttributes!);
    expect(attrs.message).toBe(CANARY);
    const error = failureConverter.failureToError(decoded, defaultPayloadConverter);
    expect(error.message).toBe(CANARY);
  });

  it('keeps ApplicationFailure.type readable (retry policies need it) and encodes the message', async () => {
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable(CANARY, 'EmrContractViolation'),
      defaultPayloadConverter,
    );
    const stored = await encodeFailure(codecs, failure);
    expect(stored.applicationFailureInfo?.type).toBe('EmrContractViolation');
    expect(JSON.stringify(stored)).not.toContain(CANARY);
  });
});
