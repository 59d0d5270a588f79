// WH-1, WH-2, WH-3, WH-5: the verifier the API uses, against deliveries signed by the sandbox's signer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signedWebhookHeaders,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
} from '../../../connectors/webhooks/standard-webhooks.js';

const secret = generateWebhookSecret();
const now = 1_760_000_000;
const body = JSON.stringify({ type: 'patient.created', timestamp: '2025-10-09T08:53:20Z', data: { a: 1 } });
const id = 'msg_2fTqz8Xb1';

function headersFor(raw: string | Uint8Array, ts = now, secrets = [secret]) {
  return signedWebhookHeaders({ id, timestamp: ts, body: raw }, secrets);
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
}

describe('Standard Webhooks verifier', () => {
  it('accepts a valid delivery and returns its id and timestamp', () => {
    const headers = headersFor(body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook({ headers, rawBody: body, secrets: [secret], nowSeconds: now })).toEqual({
      id,
      timestamp: now,
    });
  });

  it('rejects a body with one byte changed', () => {
    const headers = headersFor(body);
    const bytes = Buffer.from(body);
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    expect(reason(() => verifyWebhook({ headers, rawBody: bytes, secrets: [secret], nowSeconds: now }))).toBe(
      'no_matching_signature',
    );
  });

  it('rejects the same JSON re-serialized with different whitespace', () => {
    const headers = headersFor(body);
    const reserialized = JSON.stringify(JSON.parse(body), null, 2);
    expect(
      reason(() => verifyWebhook({ headers, rawBody: reserialized, secrets: [secret], nowSeconds: now })),
    ).toBe('no_matching_signature');
  });

  it('rejects a signature made with another secret', () => {
    const headers = headersFor(body, now, [generateWebhookSecret()]);
    expect(reason(() => verifyWebhook({ headers, rawBody: body, secrets: [secret], nowSeconds: now }))).toBe(
      'no_matching_signature',
    );
  });

  it('enforces ±300 s in both directions', () => {
    const verifyAt = (ts: number) => () =>
      verifyWebhook({ headers: headersFor(body, ts), rawBody: body, secrets: [secret], nowSeconds: now });
    expect(reason(verifyAt(now - 301))).toBe('timestamp_too_old');
    expect(reason(verifyAt(now + 301))).toBe('timestamp_too_new');
    expect(reason(verifyAt(now - 300))).toBeUndefined();
    expect(reason(verifyAt(now + 300))).toBeUndefined();
  });

  it('rejects non-integer timestamps before computing anything', () => {
    for (const ts of [`${now}.5`, `${now}e0`, `-${now}`, ` ${now}`, 'abc', `0x${now.toString(16)}`]) {
      const headers = { ...headersFor(body), 'webhook-timestamp': ts };
      expect(
        reason(() => verifyWebhook({ headers, rawBody: body, secrets: [secret], nowSeconds: now })),
      ).toBe('invalid_timestamp');
    }
  });

  it('reports missing headers as a 400, signature failures as a 401', () => {
    const { 'webhook-signature': _sig, ...rest } = headersFor(body);
    let err: unknown;
    try {
      verifyWebhook({ headers: rest, rawBody: body, secrets: [secret], nowSeconds: now });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WebhookVerificationError);
    expect((err as WebhookVerificationError).httpStatus).toBe(400);
    const wrong = headersFor(body, now, [generateWebhookSecret()]);
    try {
      verifyWebhook({ headers: wrong, rawBody: body, secrets: [secret], nowSeconds: now });
    } catch (e) {
      expect((e as WebhookVerificationError).httpStatus).toBe(401);
    }
  });

  it('rotation: old+new signatures verify against either secret set; only-old fails after the overlap', () => {
    const oldSecret = secret;
    const newSecret = generateWebhookSecret();
    const both = headersFor(body, now, [oldSecret, newSecret]);
    expect(both['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secrets of [[oldSecret], [newSecret], [newSecret, oldSecret]]) {
      expect(verifyWebhook({ headers: both, rawBody: body, secrets, nowSeconds: now }).id).toBe(id);
    }
    const onlyOld = headersFor(body, now, [oldSecret]);
    expect(
      reason(() => verifyWebhook({ headers: onlyOld, rawBody: body, secrets: [newSecret], nowSeconds: now })),
    ).toBe('no_matching_signature');
  });

  it('ignores unknown versions: a lone v2 entry is rejected, v2 beside a valid v1 is fine', () => {
    const v1 = signWebhook({ id, timestamp: now, body }, secret);
    const v2 = `v2,${v1.slice(3)}`;
    const base = headersFor(body);
    expect(
      reason(() =>
        verifyWebhook({
          headers: { ...base, 'webhook-signature': v2 },
          rawBody: body,
          secrets: [secret],
          nowSeconds: now,
        }),
      ),
    ).toBe('no_matching_signature');
    expect(
      verifyWebhook({
        headers: { ...base, 'webhook-signature': `${v2} ${v1}` },
        rawBody: body,
        secrets: [secret],
        nowSeconds: now,
      }).id,
    ).toBe(id);
  });

  it('reads headers case-insensitively and accepts a Buffer body', () => {
    const h = headersFor(body);
    const upper = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'Webhook-Signature': h['webhook-signature'],
    };
    expect(
      verifyWebhook({ headers: upper, rawBody: Buffer.from(body), secrets: [secret], nowSeconds: now }).id,
    ).toBe(id);
  });

  it('property: any body signed with any other secret is rejected', () => {
    const secretArb = fc
      .uint8Array({ minLength: 24, maxLength: 64 })
      .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), secretArb, (raw, other) => {
        fc.pre(other !== secret);
        const headers = headersFor(raw, now, [other]);
        return (
          reason(() => verifyWebhook({ headers, rawBody: raw, secrets: [secret], nowSeconds: now })) ===
          'no_matching_signature'
        );
      }),
      { numRuns: 300 },
    );
  });

  it('property: single-byte mutations of a signed body are all rejected', () => {
    const headers = headersFor(body);
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, flip) => {
        const bytes = Buffer.from(body);
        bytes[pos] = (bytes[pos] ?? 0) ^ flip;
        return (
          reason(() => verifyWebhook({ headers, rawBody: bytes, secrets: [secret], nowSeconds: now })) ===
          'no_matching_signature'
        );
      }),
      { numRuns: 500 },
    );
  });

  it('refuses weak or malformed secrets', () => {
    expect(() => signWebhook({ id, timestamp: now, body }, 'whsec_c2hvcnQ=')).toThrow(/bytes/);
    expect(() => signWebhook({ id, timestamp: now, body }, 'whsec_not base64!')).toThrow(/base64/);
  });
});
