// The Messaging implementation over Postgres and channel transports (real adapters or the sandbox).
import type { Database } from '../../db/connection.js';
import { decideConsent, storeConsent } from './consent.js';
import { recordInbound } from './inbound.js';
import type { AddressHasher } from './recipient.js';
import { sendMessage } from './send.js';
import { recordStatus } from './status.js';
import type { PracticeContact } from './templates/index.js';
import type { ChannelTransport, Messaging, MessagingLogger } from './types.js';

export interface MessagingDeps {
  db: Database;
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
  const base = { db: deps.db, hash: deps.hashAddress, logger: deps.logger, now };
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
    consent: (q) => decideConsent(deps.db, deps.hashAddress, q),
    recordConsent: (c) => storeConsent(deps.db, deps.hashAddress, c, now()),
  };
}
