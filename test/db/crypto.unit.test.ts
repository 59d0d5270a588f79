// Column encryption, keyrings and the blind index (SEC-ENC-1), without a database.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  memberIdHash,
  normalizeIdentifier,
  normalizeText,
  parseBlindIndexKey,
  patientMatchHash,
} from '../../db/crypto/blind-index.js';
import { fieldContext } from '../../db/crypto/encrypted-tables.js';
import {
  decryptFieldText,
  encryptField,
  fieldKeyId,
  FieldDecryptionError,
  type FieldContext,
} from '../../db/crypto/field-encryption.js';
import { generateKeyring, KeyringError, parseKeyring, withNewActiveKey } from '../../db/crypto/keyring.js';

const CANARY = 'ZZCANARY-1';
const vars = { keys: 'PTFLOW_DATA_KEYS', activeKeyId: 'PTFLOW_ACTIVE_DATA_KEY_ID' };
const ctx = (over: Partial<FieldContext> = {}): FieldContext => ({
  tenant: randomUUID(),
  table: 'patients',
  column: 'demographics_enc',
  rowId: randomUUID(),
  ...over,
});

describe('encryptField / decryptField', () => {
  const ring = generateKeyring('d2025');

  it('round-trips, never contains the canary, and names its key in the header', () => {
    const c = ctx();
    const enc = encryptField(JSON.stringify({ lastName: `Doe ${CANARY}` }), c, ring);
    expect(enc.keyId).toBe('d2025');
    expect(fieldKeyId(enc.data)).toBe('d2025');
    expect(enc.data.toString('latin1')).not.toContain(CANARY);
    expect(JSON.parse(decryptFieldText(enc.data, c, ring))).toEqual({ lastName: `Doe ${CANARY}` });
  });

  it('uses a random IV: the same value encrypts differently every time', () => {
    const c = ctx();
    expect(encryptField('same', c, ring).data.equals(encryptField('same', c, ring).data)).toBe(false);
  });

  it.each<[string, Partial<FieldContext>]>([
    ['another practice', { tenant: randomUUID() }],
    ['another table', { table: 'coverages' }],
    ['another column', { column: 'member_id_enc' }],
    ['another row', { rowId: randomUUID() }],
  ])('fails to decrypt under the AAD of %s', (_name, change) => {
    const c = ctx();
    const enc = encryptField(CANARY, c, ring);
    const err = (() => {
      try {
        decryptFieldText(enc.data, { ...c, ...change }, ring);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FieldDecryptionError);
    expect((err as Error).message).not.toContain(CANARY);
  });

  it('detects one flipped byte anywhere, including the header', () => {
    const c = ctx();
    const enc = encryptField(CANARY, c, ring);
    for (let i = 0; i < enc.data.length; i++) {
      const tampered = Buffer.from(enc.data);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(() => decryptFieldText(tampered, c, ring)).toThrow(FieldDecryptionError);
    }
  });

  it('rotation: rows under the old key still decrypt, new rows carry the new key id', () => {
    const c = ctx();
    const old = encryptField(CANARY, c, ring);
    const rotated = withNewActiveKey(ring, 'd2026');
    const fresh = encryptField(CANARY, c, rotated);
    expect(fresh.keyId).toBe('d2026');
    expect(decryptFieldText(old.data, c, rotated)).toBe(CANARY);
    expect(() => decryptFieldText(fresh.data, c, ring)).toThrow(/unknown key/);
  });

  it('refuses ambiguous contexts and unknown encrypted columns', () => {
    expect(() => encryptField('x', ctx({ rowId: 'a|b' }), ring)).toThrow(/must not contain/);
    expect(() => fieldContext('patients', 'name', { tenant: 't', rowId: 'r' })).toThrow(
      /not an encrypted column/,
    );
    expect(fieldContext('coverages', 'member_id_enc', { tenant: 't', rowId: 'r' })).toEqual({
      tenant: 't',
      table: 'coverages',
      column: 'member_id_enc',
      rowId: 'r',
    });
  });
});

describe('parseKeyring', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');

  it('parses several keys with one active', () => {
    const ring = parseKeyring(`d2025:${k1},d2026:${k2}`, 'd2026', vars);
    expect(ring.keyIds).toEqual(['d2025', 'd2026']);
    expect(ring.activeKeyId).toBe('d2026');
    expect(ring.key('d2025')!.toString('base64')).toBe(k1);
    // Never printable by accident.
    expect(JSON.stringify(ring)).not.toContain(k1);
  });

  it.each([
    ['', 'd1', 'PTFLOW_DATA_KEYS'],
    ['d1', 'd1', 'PTFLOW_DATA_KEYS'],
    [`d1:${k1.slice(4)}`, 'd1', 'PTFLOW_DATA_KEYS'],
    [`d1:${randomBytes(16).toString('base64')}`, 'd1', 'PTFLOW_DATA_KEYS'],
    [`d1:${k1},d1:${k2}`, 'd1', 'PTFLOW_DATA_KEYS'],
    [`bad id:${k1}`, 'bad id', 'PTFLOW_DATA_KEYS'],
    [`d1:${k1}`, 'd2', 'PTFLOW_ACTIVE_DATA_KEY_ID'],
  ])('rejects %s (active %s) naming %s, never echoing key material', (spec, active, variable) => {
    let err: unknown;
    try {
      parseKeyring(spec, active, vars);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeyringError);
    expect((err as KeyringError).variable).toBe(variable);
    expect((err as Error).message).not.toContain(k1.slice(4, 20));
  });
});

describe('blind index', () => {
  const key = randomBytes(32);

  it('is stable across formatting differences and hex SHA-256 sized', () => {
    const a = patientMatchHash(key, '  Smith ', '1980-02-03');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(patientMatchHash(key, 'SMITH', '1980-02-03T00:00:00Z')).toBe(a);
    expect(patientMatchHash(key, 'Smith', '1980-02-04')).not.toBe(a);
    expect(memberIdHash(key, 'P1', 'abc-123 45')).toBe(memberIdHash(key, 'P1', 'ABC12345'));
  });

  it('depends on the key, the purpose and part boundaries', () => {
    const other = randomBytes(32);
    expect(memberIdHash(other, 'P1', 'ABC')).not.toBe(memberIdHash(key, 'P1', 'ABC'));
    expect(blindIndex(key, 'mrn', ['ABC'])).not.toBe(blindIndex(key, 'member_id', ['ABC']));
    expect(blindIndex(key, 'mrn', ['ab', 'c'])).not.toBe(blindIndex(key, 'mrn', ['a', 'bc']));
    expect(memberIdHash(key, 'P2', 'ABC')).not.toBe(memberIdHash(key, 'P1', 'ABC'));
  });

  it('normalizes and parses its key', () => {
    expect(normalizeText('  José\u00a0 GARCÍA ')).toBe('josé garcía');
    expect(normalizeIdentifier(' w123-45 6 ')).toBe('W123456');
    expect(() => patientMatchHash(key, 'Smith', '02/03/1980')).toThrow(/YYYY-MM-DD/);
    expect(parseBlindIndexKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseBlindIndexKey('short')).toThrow(KeyringError);
  });
});
