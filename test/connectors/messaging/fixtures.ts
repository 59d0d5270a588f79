// Shared pieces of the messaging integration tests: a seeded practice and patients, a capturing logger, and a
// local HTTP server that speaks the Twilio Messages API shape.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { patients } from '../../../db/schema.js';
import { seedDemoPractice, DEMO_PRACTICE_ID } from '../../../db/seed.js';
import type { Database } from '../../../db/connection.js';
import { createAddressHasher, type MessagingLogger } from '../../../connectors/messaging/index.js';

export const CANARY = 'ZZCANARY-3';
export const practiceContact = async () => ({
  practiceName: 'Riverside PT',
  practicePhone: '+1 555 555 0100',
});
export const hashAddress = createAddressHasher(randomBytes(32));

export async function seedPatient(db: Database, timezone = 'America/Chicago'): Promise<string> {
  await seedDemoPractice(db);
  const id = randomUUID();
  await db.insert(patients).values({
    id,
    practiceId: DEMO_PRACTICE_ID,
    // Stand-in ciphertext: these tests never decrypt demographics.
    demographicsEnc: Buffer.from('not-a-real-ciphertext'),
    keyId: 'test',
    matchHash: randomUUID(),
    preferredChannel: 'sms',
    timezone,
  });
  return id;
}

export function captureLogger(): MessagingLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (obj: Record<string, unknown>, msg: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { lines, info: push, warn: push };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

export type Scripted = { status: number; headers?: Record<string, string>; body: string };

/**
 * A Twilio-compatible Messages endpoint. Answers from `script` first (one entry per request), otherwise 201
 * with a message resource. With `honourIdempotency`, a repeated Idempotency-Key returns the original resource
 * without "sending" again, like a provider that deduplicates.
 */
export async function startFakeTwilio(opts: { honourIdempotency?: boolean } = {}) {
  const requests: RecordedRequest[] = [];
  const delivered: Array<{ sid: string; to: string; body: string }> = [];
  const byKey = new Map<string, string>();
  const script: Scripted[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, form });
      const next = script.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
        res.end(next.body);
        return;
      }
      const key = req.headers['idempotency-key'];
      let sid = typeof key === 'string' && opts.honourIdempotency ? byKey.get(key) : undefined;
      if (!sid) {
        sid = 'SM' + randomBytes(16).toString('hex');
        if (typeof key === 'string') byKey.set(key, sid);
        delivered.push({ sid, to: form.get('To') ?? '', body: form.get('Body') ?? '' });
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          sid,
          account_sid: ACCOUNT_SID,
          status: 'queued',
          to: form.get('To'),
          from: form.get('From'),
          body: form.get('Body'),
          error_code: null,
          error_message: null,
          num_segments: '1',
          price: null,
          uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    delivered,
    script,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const AUTH_TOKEN = 'test-auth-token-not-secret';
