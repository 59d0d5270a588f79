// Where the messaging connector keeps messages and consents: a port, implemented over Postgres by
// db/repositories/messages.ts and handed in by whoever composes the connector (the CLI, the sandbox, tests).
// The implementation makes every state change a conditional update on the current status, so concurrent
// attempts for one message id (a retry racing a slow first attempt) cannot both win.
import type { Channel, ConsentSource, ConsentStatus, MessageContext, MessageStatus } from './types.js';

/** A stored message (outbound or inbound), as the `messages` table holds it. */
export interface MessageRow {
  id: string;
  practiceId: string;
  patientId: string | null;
  dedupeKey: string;
  direction: 'outbound' | 'inbound';
  channel: Channel;
  template: string | null;
  language: 'en' | 'es' | null;
  status: MessageStatus;
  providerMessageId: string | null;
  recipientMasked: string | null;
  recipientHash: string | null;
  /** Opaque ids the conversation refers to (appointment id, workflow id) so replies can be routed. */
  context: unknown;
  attempts: number;
  /** Provider or SMTP error code of the last failure (a code, never the provider's free text). */
  errorCode: string | null;
  deferredUntil: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A message to store: the columns with defaults may be left out. */
export type NewMessageRow = Omit<
  MessageRow,
  | 'patientId'
  | 'template'
  | 'language'
  | 'providerMessageId'
  | 'recipientMasked'
  | 'recipientHash'
  | 'context'
  | 'attempts'
  | 'errorCode'
  | 'deferredUntil'
  | 'sentAt'
  | 'deliveredAt'
  | 'createdAt'
  | 'updatedAt'
> &
  Partial<MessageRow>;

export interface ConsentRow {
  id: string;
  practiceId: string;
  patientId: string;
  channel: Channel;
  status: ConsentStatus;
  source: ConsentSource;
  recipientHash: string | null;
  recordedAt: Date;
}

export interface MessageStore {
  /** Inserts the row unless its dedupe key exists; either way the stored row. */
  insertMessageIfAbsent(row: NewMessageRow): Promise<MessageRow>;
  /** Inserts an inbound message unless its dedupe key exists; the new row's id, or undefined for a repeat. */
  insertInboundIfAbsent(row: NewMessageRow): Promise<string | undefined>;
  findByDedupeKey(dedupeKey: string): Promise<MessageRow | undefined>;
  /** Move a message to a new status if it is still in one of `from`; returns the updated row or undefined. */
  transition(
    dedupeKey: string,
    from: MessageStatus[],
    set: Partial<NewMessageRow> & { status: MessageStatus },
    now: Date,
  ): Promise<MessageRow | undefined>;
  /** Claim the right to call the provider: one attempt at a time, counted (unchanged since `row` was read). */
  claimForSending(row: MessageRow, now: Date): Promise<MessageRow | undefined>;
  /** Forward-only delivery status from a provider callback. */
  advanceByProviderId(
    providerMessageId: string,
    status: 'sent' | 'delivered' | 'failed',
    from: MessageStatus[],
    errorCode: string | undefined,
    now: Date,
  ): Promise<MessageRow | undefined>;
  /** The latest outbound message to an address: the conversation an inbound reply belongs to. */
  latestOutboundTo(
    practiceId: string,
    channel: Channel,
    recipientHash: string,
  ): Promise<MessageRow | undefined>;
  /** Every patient we have messaged at this address (a shared family phone reaches several). */
  patientsAtAddress(practiceId: string, channel: Channel, recipientHash: string): Promise<string[]>;
  insertConsent(row: ConsentRow): Promise<void>;
  /** The latest consent decision of a patient on a channel. */
  latestPatientConsent(patientId: string, channel: Channel): Promise<ConsentStatus | undefined>;
  /** The latest consent decision recorded against an address (STOP from a number). */
  latestAddressConsent(
    practiceId: string,
    channel: Channel,
    recipientHash: string,
  ): Promise<ConsentStatus | undefined>;
}

/** Whether a conversation is recent enough for CONFIRM/CANCEL to refer to it. */
export function isRecent(row: { createdAt: Date }, now: Date, windowMs: number): boolean {
  return row.createdAt.getTime() > now.getTime() - windowMs;
}

export function contextOf(row: MessageRow): MessageContext {
  const c = row.context as Record<string, unknown> | null;
  const out: MessageContext = {};
  if (c && typeof c.appointmentId === 'string') out.appointmentId = c.appointmentId;
  if (c && typeof c.workflowId === 'string') out.workflowId = c.workflowId;
  return out;
}
