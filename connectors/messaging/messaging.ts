// The Messaging implementation over a message store (Postgres: db/repositories/messages.ts) and channel transports (real adapters or the sandbox).
import { decideConsent, storeConsent } from './consent.js';
import { recordInbound } from './inbound.js';
import type { AddressHasher } from './recipient.js';
import { sendMessage } from './send.js';
import type { MessageStore } from './store.js';
import { recordStatus } from './status.js';
import type { PracticeContact } from './templates/index.js';
import type { ChannelTransport, Messaging, MessagingLogger } from './types.js';

export interface MessagingDeps {
  /** Where messages and consents are kept (db/repositories/messages.ts `createMessageRepository`). */
  store: MessageStore;
  /** `createAddressHasher(key)`, with the blind-index key (kept apart from the data). */
  hashAddress: AddressHasher;
  transports: Partial<Record<'sms' | 'email', ChannelTransport>>;
  logger: MessagingLogger;
  /** Practice name and phone for keyword replies. */
  practiceContact: (practiceId: string) => Promise<PracticeContact>;
  now?: () => Date;
  /** A `sending` row younger than this is an attempt in flight. Default 60 s (> transport timeouts). */
  inFlightMs?: number;
  /** CONFIRM/CANCEL refer to a reminder sent within this window. Default 7 days. */
  replyWindowMs?: number;
  /** Resend an unknown-outcome attempt on a channel that cannot deduplicate. Default false. */
  resendUnknownOutcome?: boolean;
}

export function createMessaging(deps: MessagingDeps): Messaging {
  const now = deps.now ?? (() => new Date());
  const base = { store: deps.store, hash: deps.hashAddress, logger: deps.logger, now };
  return {
    send: (req, opts) =>
      sendMessage(
        {
          ...base,
          transports: deps.transports,
          inFlightMs: deps.inFlightMs ?? 60_000,
          resendUnknownOutcome: deps.resendUnknownOutcome ?? false,
        },
        req,
        opts?.signal,
      ),
    recordInbound: (msg) =>
      recordInbound(
        {
          ...base,
          practiceContact: deps.practiceContact,
          replyWindowMs: deps.replyWindowMs ?? 7 * 86_400_000,
        },
        msg,
      ),
    recordStatus: (update) => recordStatus(base, update),
    consent: (q) => decideConsent(deps.store, deps.hashAddress, q),
    recordConsent: (c) => storeConsent(deps.store, deps.hashAddress, c, now()),
  };
}
