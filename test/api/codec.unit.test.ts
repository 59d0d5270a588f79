// Codec endpoints (SEC-ENC-5) on a bare Fastify: 401 without a principal, CORS only for the UI origin, every
// call audited before the answer, 503 and no payloads when the audit write fails, round trip with the codec.
import { defaultPayloadConverter } from '@temporalio/common';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { codecRoutes, exactOrigin, type CodecAuditEvent } from '../../api/routes/codec.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec.js';

const CANARY = 'ZZCANARY-9';
const UI = 'http://localhost:8233';
const codec = new EncryptionCodec(generateKeyring('k1'));

async function app(opts: { auditFails?: boolean } = {}) {
  const audits: CodecAuditEvent<{ sub: string }>[] = [];
  const a = Fastify();
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  await a.register(
    codecRoutes<{ sub: string }>({
      codec,
      allowedOrigin: UI,
      roles: ['admin'],
      authorize: async (req) => (req.headers.authorization === 'Bearer good' ? { sub: 'user:1' } : undefined),
      audit: async (e) => {
        if (opts.auditFails) throw new Error('insert failed');
        audits.push(e);
      },
    }),
  );
  return { a, audits };
}

async function encryptedBody() {
  const [p] = await codec.encode([defaultPayloadConverter.toPayload({ lastName: CANARY })]);
  return {
    payloads: [
      {
        metadata: Object.fromEntries(
          Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p!.data!).toString('base64'),
      },
    ],
  };
}

describe('codec routes', () => {
  it('decodes for an authorised principal, audits it, and answers with CORS for the UI origin only', async () => {
    const { a, audits } = await app();
    const res = await a.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: 'Bearer good', origin: UI, 'x-namespace': 'default' },
      payload: await encryptedBody(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = (res.json() as { payloads: { data: string }[] }).payloads[0]!.data;
    expect(Buffer.from(data, 'base64').toString()).toContain(CANARY);
    expect(audits).toEqual([
      expect.objectContaining({ operation: 'decode', outcome: 'success', payloadCount: 1 }),
    ]);

    const other = await a.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: 'Bearer good', origin: 'https://evil.example' },
      payload: await encryptedBody(),
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        // What the UI asks for with "Pass the user access token" on and an id token held.
        'access-control-request-headers': 'authorization,authorization-extras,content-type,x-namespace',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const allowedHeaders = String(preflight.headers['access-control-allow-headers'])
      .toLowerCase()
      .split(/,\s*/);
    for (const h of ['authorization', 'authorization-extras', 'content-type', 'x-namespace']) {
      expect(allowedHeaders).toContain(h);
    }
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const badPreflight = await a.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example' },
    });
    expect(badPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses to start with a wildcard or a non-origin as the UI origin (credentials are never granted to *)', () => {
    for (const bad of ['*', 'null', 'http://ui.example/path', 'ftp://ui.example', '']) {
      expect(() => exactOrigin(bad)).toThrow(/allowedOrigin/);
    }
    expect(exactOrigin('http://127.0.0.1:8233/')).toBe('http://127.0.0.1:8233');
  });

  it('answers 401 without a principal and 503 without payloads when the audit write fails', async () => {
    const { a, audits } = await app();
    const anon = await a.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { origin: UI },
      payload: await encryptedBody(),
    });
    expect(anon.statusCode).toBe(401);
    // The UI can read the 401 (CORS on the error too) and keeps showing ciphertext.
    expect(anon.headers['access-control-allow-origin']).toBe(UI);
    expect(anon.body).not.toContain(CANARY);
    expect(audits).toHaveLength(0);

    const failing = (await app({ auditFails: true })).a;
    const res = await failing.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: 'Bearer good' },
      payload: await encryptedBody(),
    });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain(Buffer.from(CANARY).toString('base64').slice(0, 8));
    expect(res.body).not.toContain(CANARY);
  });

  it('encode then decode round-trips; a tampered payload is a 400 without data', async () => {
    const { a } = await app();
    const plain = defaultPayloadConverter.toPayload({ ok: 1 });
    const enc = await a.inject({
      method: 'POST',
      url: '/codec/encode',
      headers: { authorization: 'Bearer good' },
      payload: {
        payloads: [
          {
            metadata: { encoding: Buffer.from(plain.metadata!.encoding!).toString('base64') },
            data: Buffer.from(plain.data!).toString('base64'),
          },
        ],
      },
    });
    expect(enc.statusCode).toBe(200);
    const body = enc.json() as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const tampered = structuredClone(body);
    const bytes = Buffer.from(tampered.payloads[0]!.data, 'base64');
    bytes[20] = bytes[20]! ^ 1;
    tampered.payloads[0]!.data = bytes.toString('base64');
    const dec = await a.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: 'Bearer good' },
      payload: tampered,
    });
    expect(dec.statusCode).toBe(400);
    expect(dec.headers['content-type']).toContain('application/problem+json');
  });
});
