// The one data converter of ptflow: the encryption codec plus the encoding failure converter. The client, the
// worker, the workflow bundle, replay tooling and the codec server all take it from here, so they can never
// disagree about how a payload is protected.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Keyring } from '../../db/crypto/keyring.js';
import { EncryptionCodec } from './encryption-codec.js';

/** Absolute path of the failure-converter module (TypeScript in development and tests, JavaScript when built). */
export function failureConverterPath(): string {
  for (const ext of ['ts', 'js']) {
    const candidate = fileURLToPath(new URL(`./failure-converter.${ext}`, import.meta.url));
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('temporal/codec/failure-converter not found');
}

export function dataConverterFor(keyring: Keyring): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keyring)],
    failureConverterPath: failureConverterPath(),
  };
}
