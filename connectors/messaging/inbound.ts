// Inbound replies: dedupe on the provider's message id, find the conversation by the sender's keyed hash,
// apply the keyword (keywords.ts documents the precedence), record consent changes, and hand back the reply
// text plus what the caller must route (appointment confirm/cancel → workflow signal; free text → a task).
// The body is not stored: free text can carry PHI and has no place in a clear-text column (the caller holds
// it for the task until encrypted storage exists).
import { randomUUID } from 'node:crypto';
import type { MessageStore } from './store.js';
import { storeConsent } from './consent.js';
import { classifyReply, normalizeReply } from './keywords.js';
import { maskAddress, normalizeAddress, type AddressHasher } from './recipient.js';
import { contextOf, isRecent } from './store.js';
import {
  expectsAppointmentReply,
  expectsProcessReply,
  renderReply,
  type Language,
  type PracticeContact,
} from './templates/index.js';
import type { InboundMessage, InboundResult, MessagingLogger } from './types.js';

export interface InboundDeps {
  store: MessageStore;
  hash: AddressHasher;
  logger: MessagingLogger;
  now: () => Date;
  practiceContact: (practiceId: string) => Promise<PracticeContact>;
  /** How long after a reminder CONFIRM/CANCEL still refer to it. */
  replyWindowMs: number;
}

export async function recordInbound(deps: InboundDeps, msg: InboundMessage): Promise<InboundResult> {
  const now = deps.now();
  const from = normalizeAddress(msg.channel, msg.from);
  const senderHash = deps.hash(msg.channel, from);
  const conversation = await deps.store.latestOutboundTo(msg.practiceId, msg.channel, senderHash);
  const id = randomUUID();
  const insertedId = await deps.store.insertInboundIfAbsent({
    id,
    practiceId: msg.practiceId,
    patientId: conversation?.patientId ?? null,
    dedupeKey: `inbound:${msg.channel}:${msg.providerMessageId}`,
    direction: 'inbound',
    channel: msg.channel,
    status: 'received',
    providerMessageId: msg.providerMessageId,
    recipientMasked: maskAddress(msg.channel, from),
    recipientHash: senderHash,
    context: conversation ? contextOf(conversation) : {},
    createdAt: now,
    updatedAt: now,
  });
  const log = (kind: string, extra: Record<string, unknown> = {}) =>
    deps.logger.info(
      {
        messageRowId: insertedId,
        practiceId: msg.practiceId,
        channel: msg.channel,
        status: 'received',
        kind,
        ...extra,
      },
      'inbound message',
    );
  if (insertedId === undefined) {
    log('duplicate');
    return { kind: 'duplicate' };
  }
  if (!conversation?.patientId) {
    log('unknown_sender');
    return { kind: 'unknown_sender' };
  }

  const ctx = contextOf(conversation);
  const awaitingAppointmentReply =
    expectsAppointmentReply(conversation.template ?? '') &&
    ctx.appointmentId !== undefined &&
    isRecent(conversation, now, deps.replyWindowMs);
  const intent = classifyReply(msg.body, { awaitingAppointmentReply });
  const language: Language = conversation.language ?? 'en';
  const practice = await deps.practiceContact(msg.practiceId);

  // A reply a process waits for (a slot number, YES/NO to an offer); STOP and HELP keep their meaning.
  const expected = expectsProcessReply(conversation.template ?? '');
  if (
    expected &&
    ctx.workflowId !== undefined &&
    intent !== 'opt_out' &&
    intent !== 'help' &&
    isRecent(conversation, now, deps.replyWindowMs)
  ) {
    const answer = parseProcessReply(msg.body, expected);
    if (answer) {
      log('process_reply');
      return { kind: 'process_reply', patientId: conversation.patientId, workflowId: ctx.workflowId, answer };
    }
  }

  switch (intent) {
    case 'opt_out':
    case 'opt_in': {
      const patientIds = await deps.store.patientsAtAddress(msg.practiceId, msg.channel, senderHash);
      for (const patientId of patientIds) {
        await storeConsent(
          deps.store,
          deps.hash,
          {
            practiceId: msg.practiceId,
            patientId,
            channel: msg.channel,
            status: intent === 'opt_out' ? 'revoked' : 'granted',
            source: 'keyword',
            address: from,
          },
          now,
        );
      }
      log(intent, { patientCount: patientIds.length });
      return intent === 'opt_out'
        ? { kind: 'opted_out', patientIds, reply: renderReply('optedOut', language, practice) }
        : { kind: 'opted_in', patientIds, reply: renderReply('optedIn', language, practice) };
    }
    case 'help': {
      const patientIds = await deps.store.patientsAtAddress(msg.practiceId, msg.channel, senderHash);
      log('help');
      return { kind: 'help', patientIds, reply: renderReply('help', language, practice) };
    }
    case 'confirm_appointment':
    case 'cancel_appointment': {
      const action = intent === 'confirm_appointment' ? 'confirm' : 'cancel';
      log('appointment_reply', { action, appointmentId: ctx.appointmentId });
      return {
        kind: 'appointment_reply',
        action,
        patientId: conversation.patientId,
        // Checked in awaitingAppointmentReply above.
        appointmentId: ctx.appointmentId ?? '',
        workflowId: ctx.workflowId,
        reply: renderReply(
          action === 'confirm' ? 'appointmentConfirmed' : 'appointmentCancelled',
          language,
          practice,
        ),
      };
    }
    case 'other':
      log('free_text');
      return { kind: 'free_text', patientId: conversation.patientId, messageId: id };
  }
}

const YES_WORDS = new Set(['YES', 'Y', 'SI', 'CONFIRM', 'CONFIRMAR', 'OK']);
const NO_WORDS = new Set(['NO', 'N']);

/** "2" / "#2" / "2." → slot 2; YES/SI/CONFIRM → accept, NO → decline; anything else is not an answer. */
export function parseProcessReply(
  body: string,
  expected: 'slot_number' | 'yes_no',
): { slot: number } | { accept: boolean } | undefined {
  const text = normalizeReply(body);
  if (expected === 'slot_number') return /^[1-9]$/.test(text) ? { slot: Number(text) } : undefined;
  if (YES_WORDS.has(text)) return { accept: true };
  if (NO_WORDS.has(text)) return { accept: false };
  return undefined;
}
