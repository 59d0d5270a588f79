// The messaging connector's contract: one `Messaging` interface the activities use, the channel-transport port
// the real adapters (Twilio-style REST, SMTP) and the sandbox implement, and the typed errors (errors.ts).
import type { QuietHours } from './quiet-hours.js';
import type { Language, TemplateId } from './templates/params.js';

export * from './errors.js';
export type { QuietHours } from './quiet-hours.js';
export type { Language, TemplateId, TemplateParams } from './templates/params.js';

export type Channel = 'sms' | 'email';

/** Opaque ids a conversation refers to, so a reply (CONFIRM/CANCEL) can be routed. Never PHI. */
export interface MessageContext {
  appointmentId?: string;
  workflowId?: string;
}

export interface SendRequest {
  /**
   * Caller-chosen message id and dedupe key, deterministic per workflow step (e.g. `${workflowId}:reminder-24h`).
   * Every retry of the same send uses the same id; at most one message goes out per id.
   */
  messageId: string;
  practiceId: string;
  /**
   * The patient the message is to or about (consent is checked for patient-audience templates, which require
   * it). Absent for staff messages such as the daily digest, which are about no patient.
   */
  patientId?: string;
  channel: Channel;
  /** E.164 phone number or e-mail address. PHI: used for this send only, stored masked + hashed. */
  to: string;
  template: TemplateId;
  language: Language;
  /** Validated against the template's zod schema. */
  params: unknown;
  /** The recipient's IANA time zone, for quiet hours. */
  timeZone: string;
  /** Defaults to 08:00–21:00 local. */
  quietHours?: QuietHours;
  context?: MessageContext;
}

export type SendResult =
  | {
      status: 'sent';
      messageId: string;
      providerMessageId: string;
      /** True when an earlier attempt already sent it and nothing went out this time. */
      duplicate: boolean;
    }
  /** Inside quiet hours: nothing sent; sleep durably until `deferredUntil` (ISO instant) and call again. */
  | { status: 'deferred'; messageId: string; deferredUntil: string }
  /** No consent for this channel (or the address opted out): recorded, nothing sent. */
  | { status: 'blocked_no_consent'; messageId: string }
  /** The provider refused this message earlier (non-retryable); a repeat returns the same answer. */
  | { status: 'failed'; messageId: string; errorCode: string | null };

export interface InboundMessage {
  practiceId: string;
  channel: 'sms';
  /** Sender number (PHI: matched by keyed hash, never stored). */
  from: string;
  body: string;
  /** Provider id of the inbound message (Twilio `MessageSid`): the dedupe key of webhook retries. */
  providerMessageId: string;
}

export type InboundResult = (
  | { kind: 'duplicate' }
  /** No message of ours ever went to this number: nothing to route (the API answers 200 and drops it). */
  | { kind: 'unknown_sender' }
  | { kind: 'opted_out'; patientIds: string[] }
  | { kind: 'opted_in'; patientIds: string[] }
  | { kind: 'help'; patientIds: string[] }
  | {
      kind: 'appointment_reply';
      action: 'confirm' | 'cancel';
      patientId: string;
      appointmentId: string;
      workflowId: string | undefined;
    }
  /**
   * A reply a process waits for (issue 18): the slot number of a rebooking offer or YES/NO to a waitlist offer,
   * for the process named in the conversation's context (the API signals it).
   */
  | {
      kind: 'process_reply';
      patientId: string;
      workflowId: string;
      answer: { slot: number } | { accept: boolean };
    }
  /** Free text: a person should read it (the API raises a worklist task with the message id). */
  | { kind: 'free_text'; patientId: string; messageId: string }
) & {
  /** Text to answer with (TwiML `<Message>` in the webhook response), in the patient's language. */
  reply?: string;
};

/** Delivery states a Twilio-compatible status callback reports (`MessageStatus`). */
export const PROVIDER_DELIVERY_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'undelivered',
  'failed',
  'canceled',
] as const;
export type ProviderDeliveryStatus = (typeof PROVIDER_DELIVERY_STATUSES)[number];

export interface StatusUpdate {
  providerMessageId: string;
  status: ProviderDeliveryStatus;
  errorCode?: string;
}

export type MessageStatus =
  'queued' | 'deferred' | 'sending' | 'sent' | 'delivered' | 'failed' | 'blocked_no_consent' | 'received';

export type StatusUpdateResult =
  | { updated: true; messageId: string; status: MessageStatus }
  /** Unknown provider id, or an out-of-order callback that would move the status backwards. */
  | { updated: false };

export type ConsentStatus = 'granted' | 'revoked';
export type ConsentSource = 'intake' | 'keyword' | 'staff' | 'import' | 'provider';

export interface ConsentChange {
  practiceId: string;
  patientId: string;
  channel: Channel;
  status: ConsentStatus;
  source: ConsentSource;
  /** The address the decision is about; a revocation then also covers other patients at that address. */
  address?: string;
}

export interface ConsentQuery {
  practiceId: string;
  patientId: string;
  channel: Channel;
  address?: string;
}

export type ConsentDecision =
  { allowed: true } | { allowed: false; reason: 'no_consent' | 'revoked' | 'address_opted_out' };

export interface Messaging {
  /** Consent → quiet hours → send at most once per `messageId`. */
  send(req: SendRequest, opts?: { signal?: AbortSignal }): Promise<SendResult>;
  /** An inbound reply: dedupe, match the sender, apply STOP/START/HELP/CONFIRM/CANCEL, record it. */
  recordInbound(msg: InboundMessage): Promise<InboundResult>;
  /** A delivery status callback; statuses only move forward. */
  recordStatus(update: StatusUpdate): Promise<StatusUpdateResult>;
  consent(query: ConsentQuery): Promise<ConsentDecision>;
  recordConsent(change: ConsentChange): Promise<void>;
}

/** What a channel transport is handed: a rendered message for one recipient. */
export interface OutboundEnvelope {
  /** Stable per message id: providers that honour idempotency keys deduplicate resends with it. */
  idempotencyKey: string;
  practiceId: string;
  /** Normalized address (E.164 / lower-case e-mail). */
  to: string;
  template: TemplateId;
  language: Language;
  /** E-mail only. */
  subject?: string;
  text: string;
}

export interface ChannelTransport {
  readonly channel: Channel;
  /**
   * True when resending with the same idempotency key cannot reach the recipient twice (the provider
   * deduplicates). Decides what happens to an attempt whose outcome was never recorded.
   */
  readonly deduplicatesResends: boolean;
  send(envelope: OutboundEnvelope, signal?: AbortSignal): Promise<{ providerMessageId: string }>;
}

/** The subset of pino the connector logs through (structured object first, fixed message second). */
export interface MessagingLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}
