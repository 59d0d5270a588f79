// E-mail over SMTP with nodemailer. TLS is on by default: implicit TLS on 465 (`secure`), otherwise STARTTLS
// is required (`requireTLS`) so a server that does not offer it (or a stripping attacker) fails the send
// instead of downgrading to plain text; certificates are always verified unless a caller explicitly passes
// `rejectUnauthorized: false` (tests with a self-signed server pass their CA instead).
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { MessagingError, MessagingRejected, MessagingTransportError } from '../errors.js';
import type { ChannelTransport, OutboundEnvelope } from '../types.js';

export interface SmtpEmailConfig {
  host: string;
  port: number;
  /** Implicit TLS (SMTPS). Default: true on port 465. */
  secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds. Default: true whenever `secure` is false. */
  requireTLS?: boolean;
  tls?: {
    /** Default true. Setting false disables certificate checks: never in production. */
    rejectUnauthorized?: boolean;
    /** Extra trusted CA (PEM), e.g. a private relay's CA or a test server's self-signed certificate. */
    ca?: string | Buffer;
    servername?: string;
    minVersion?: 'TLSv1.2' | 'TLSv1.3';
  };
  auth?: { user: string; pass: string };
  /** Envelope and header sender, e.g. `"Riverside PT" <no-reply@riverside.example>`. */
  from: string;
  /** Right-hand side of our deterministic Message-IDs. */
  messageIdDomain: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** SMTP/nodemailer error codes that a retry cannot fix (bad credentials, TLS refusal, malformed message). */
const PERMANENT_CODES = new Set(['EAUTH', 'ETLS', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'ENOAUTH']);

export function classifySmtpError(err: unknown): MessagingError {
  if (err instanceof MessagingError) return err;
  const e = err as { responseCode?: unknown; code?: unknown; originalCode?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = codeOf(e.code);
  // nodemailer replaces a socket error's own code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT …) by the step
  // that failed (ESOCKET) and keeps the original beside it: that one tells what happened.
  const original = codeOf(e.originalCode);
  // Reply codes decide first: 5xx is permanent (e.g. 550 no such mailbox), 4xx temporary (greylisting, 421).
  if (responseCode !== undefined && responseCode >= 500) return new MessagingRejected(responseCode, code);
  if (responseCode !== undefined && responseCode >= 400) {
    return new MessagingTransportError('SMTP temporary failure', {
      status: responseCode,
      ...(code ? { providerCode: code } : {}),
    });
  }
  if (code && PERMANENT_CODES.has(code)) return new MessagingRejected(undefined, code);
  // A certificate that does not verify will not verify on the next attempt either, and retrying a possible
  // interception is pointless: permanent, and loud.
  if (original && CERTIFICATE_ERROR.test(original)) return new MessagingRejected(undefined, original);
  // Connection refused/reset, timeouts, DNS: temporary. Never copy err.message: it can quote the recipient.
  const best = original ?? code;
  return new MessagingTransportError('SMTP connection failure', best ? { providerCode: best } : {});
}

const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

function codeOf(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Z0-9_]{2,40}$/.test(v) ? v : undefined;
}

export class SmtpEmailTransport implements ChannelTransport {
  readonly channel = 'email' as const;
  /**
   * A resend carries the same deterministic Message-ID; mailbox providers drop or thread a second copy of a
   * Message-ID they already hold, so an attempt with an unknown outcome may be resent.
   */
  readonly deduplicatesResends = true;
  readonly #transporter: Transporter<SMTPTransport.SentMessageInfo>;
  readonly #cfg: SmtpEmailConfig;

  constructor(cfg: SmtpEmailConfig) {
    this.#cfg = cfg;
    const secure = cfg.secure ?? cfg.port === 465;
    this.#transporter = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure,
      requireTLS: cfg.requireTLS ?? !secure,
      ...(cfg.auth ? { auth: cfg.auth } : {}),
      tls: {
        rejectUnauthorized: cfg.tls?.rejectUnauthorized ?? true,
        minVersion: cfg.tls?.minVersion ?? 'TLSv1.2',
        ...(cfg.tls?.ca !== undefined ? { ca: cfg.tls.ca } : {}),
        ...(cfg.tls?.servername !== undefined ? { servername: cfg.tls.servername } : {}),
      },
      connectionTimeout: cfg.connectionTimeoutMs ?? 10_000,
      greetingTimeout: cfg.greetingTimeoutMs ?? 10_000,
      socketTimeout: cfg.socketTimeoutMs ?? 20_000,
      // nodemailer's own logger would print envelopes (addresses): keep it off.
      logger: false,
      debug: false,
    });
  }

  /** `<sha256(key)@domain>`: the same message id always yields the same Message-ID header. */
  messageIdFor(idempotencyKey: string): string {
    const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
    return `<${digest}@${this.#cfg.messageIdDomain}>`;
  }

  async send(envelope: OutboundEnvelope): Promise<{ providerMessageId: string }> {
    if (envelope.subject === undefined) throw new MessagingRejected(undefined, 'NO_SUBJECT');
    const messageId = this.messageIdFor(envelope.idempotencyKey);
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.#transporter.sendMail({
        from: this.#cfg.from,
        to: envelope.to,
        subject: envelope.subject,
        text: envelope.text,
        messageId,
        headers: {
          // RFC 3834: automated message; stops vacation auto-replies from looping back.
          'Auto-Submitted': 'auto-generated',
          'Content-Language': envelope.language,
        },
      });
    } catch (err) {
      throw classifySmtpError(err);
    }
    if (info.rejected.length > 0) throw new MessagingRejected(550, 'RECIPIENT_REJECTED');
    return { providerMessageId: messageId };
  }

  async verify(): Promise<void> {
    try {
      await this.#transporter.verify();
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  close(): void {
    this.#transporter.close();
  }
}
