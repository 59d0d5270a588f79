// The SMTP adapter against a real in-process SMTP server (smtp-server) with STARTTLS and a certificate made for
// this run: the received message is parsed with mailparser and checked, TLS is required and verified, a
// refused recipient is a non-retryable typed error, and a retried message id delivers once.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageRepository } from '../../../db/repositories/messages.js';
import { DEMO_PRACTICE_ID } from '../../../db/seed.js';
import {
  createMessaging,
  MessagingRejected,
  SmtpEmailTransport,
  type Messaging,
  type SendRequest,
  type SmtpEmailConfig,
} from '../../../connectors/messaging/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { CANARY, captureLogger, hashAddress, practiceContact, seedPatient } from './fixtures.js';

interface Received {
  mail: ParsedMail;
  secure: boolean;
  rcpt: string[];
}

let db: TestDatabase;
let tmp: string;
let cert: string;
let key: string;
const received: Received[] = [];
const servers: SMTPServer[] = [];
const logger = captureLogger();
const errors: string[] = [];

/** Self-signed certificate for localhost/127.0.0.1, made with openssl for this run only. */
function makeCertificate(dir: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
  };
}

async function startSmtp(opts: { starttls?: boolean; refuse?: RegExp } = {}): Promise<number> {
  const server = new SMTPServer({
    secure: false,
    key,
    cert,
    authOptional: true,
    logger: false,
    disabledCommands: opts.starttls === false ? ['STARTTLS'] : [],
    onRcptTo(address, _session, callback) {
      if (opts.refuse?.test(address.address)) {
        const err = Object.assign(new Error(`5.1.1 <${address.address}> mailbox unavailable`), {
          responseCode: 550,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            mail,
            secure: session.secure,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch(callback);
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.server.address() as AddressInfo).port;
}

function transportConfig(port: number, over: Partial<SmtpEmailConfig> = {}): SmtpEmailConfig {
  return {
    host: '127.0.0.1',
    port,
    from: '"Riverside PT" <no-reply@riverside.example>',
    messageIdDomain: 'ptflow.riverside.example',
    tls: { ca: cert, servername: 'localhost' },
    connectionTimeoutMs: 5_000,
    ...over,
  };
}

function messaging(transport: SmtpEmailTransport): Messaging {
  return createMessaging({
    store: createMessageRepository(db.db),
    hashAddress,
    logger,
    practiceContact,
    now: () => new Date('2026-05-04T15:00:00Z'),
    transports: { email: transport },
  });
}

function request(patientId: string, over: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: `onboarding:${randomUUID()}:intake`,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    channel: 'email',
    to: 'Ana.Garcia@Example.com',
    template: 'intake_link',
    language: 'es',
    params: {
      practiceName: 'Riverside PT',
      practicePhone: '+1 555 555 0100',
      firstName: CANARY,
      link: 'https://forms.riverside.example/i/abc123',
    },
    timeZone: 'America/Chicago',
    ...over,
  };
}

async function consenting(m: Messaging): Promise<string> {
  const patientId = await seedPatient(db.db);
  await m.recordConsent({
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    channel: 'email',
    status: 'granted',
    source: 'intake',
  });
  return patientId;
}

beforeAll(async () => {
  db = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-smtp-'));
  ({ cert, key } = makeCertificate(tmp));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  fs.rmSync(tmp, { recursive: true, force: true });
  await db?.drop();
});

describe('e-mail over SMTP', () => {
  it('delivers over STARTTLS with a verified certificate; the received message is what we rendered', async () => {
    const port = await startSmtp();
    const transport = new SmtpEmailTransport(transportConfig(port));
    const m = messaging(transport);
    const patientId = await consenting(m);
    const req = request(patientId);
    const res = await m.send(req);
    expect(res).toMatchObject({ status: 'sent', duplicate: false });
    const got = received.at(-1)!;
    expect(got.secure).toBe(true);
    expect(got.rcpt).toEqual(['ana.garcia@example.com']);
    expect(got.mail.subject).toBe('Sus formularios de paciente nuevo de Riverside PT');
    expect(got.mail.text).toContain('https://forms.riverside.example/i/abc123');
    expect(got.mail.text).toContain(`Hola ${CANARY}:`);
    expect(got.mail.from?.text).toContain('no-reply@riverside.example');
    expect(got.mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(got.mail.messageId).toBe(transport.messageIdFor(req.messageId));
    expect(res.status === 'sent' && res.providerMessageId).toBe(transport.messageIdFor(req.messageId));
    transport.close();
  });

  it('a retried message id delivers once', async () => {
    const port = await startSmtp();
    const transport = new SmtpEmailTransport(transportConfig(port));
    const m = messaging(transport);
    const patientId = await consenting(m);
    const req = request(patientId);
    const before = received.length;
    await m.send(req);
    await expect(m.send(req)).resolves.toMatchObject({ status: 'sent', duplicate: true });
    expect(received.length - before).toBe(1);
    transport.close();
  });

  it('a refused recipient is a non-retryable MessagingRejected without the address in it', async () => {
    const port = await startSmtp({ refuse: /zzcanary/i });
    const transport = new SmtpEmailTransport(transportConfig(port));
    const m = messaging(transport);
    const patientId = await consenting(m);
    const err = await m.send(request(patientId, { to: `${CANARY}@example.com` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingRejected);
    expect((err as MessagingRejected).retryable).toBe(false);
    expect((err as MessagingRejected).status).toBe(550);
    errors.push((err as Error).message);
    transport.close();
  });

  it('refuses to send in clear text when the server offers no STARTTLS', async () => {
    const port = await startSmtp({ starttls: false });
    const transport = new SmtpEmailTransport(transportConfig(port));
    const before = received.length;
    const err = await transport
      .send({
        idempotencyKey: 'k1',
        practiceId: DEMO_PRACTICE_ID,
        to: 'a@example.com',
        template: 'statement',
        language: 'en',
        subject: 's',
        text: 't',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingRejected);
    expect(received.length).toBe(before);
    transport.close();
  });

  it('verifies certificates by default: an untrusted certificate fails the send', async () => {
    const port = await startSmtp();
    const transport = new SmtpEmailTransport(transportConfig(port, { tls: { servername: 'localhost' } }));
    const before = received.length;
    const err = await transport
      .send({
        idempotencyKey: 'k2',
        practiceId: DEMO_PRACTICE_ID,
        to: 'a@example.com',
        template: 'statement',
        language: 'en',
        subject: 's',
        text: 't',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { retryable?: boolean }).retryable).toBe(false);
    expect(received.length).toBe(before);
    transport.close();
  });

  it('never logs or throws the PHI canary', () => {
    expect(logger.lines.length).toBeGreaterThan(2);
    for (const line of [...logger.lines, ...errors]) {
      expect(line.toLowerCase()).not.toContain(CANARY.toLowerCase());
      expect(line).not.toContain('ana.garcia');
    }
  });
});
