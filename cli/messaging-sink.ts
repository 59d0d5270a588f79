// The messaging service as the API's Twilio routes need it (MessagingWebhookSink): inbound replies and delivery
// status recorded in our messages tables, keyed by the blind-index hash of the address. Recording needs no
// transport; sending stays in the worker. The practice's name and phone are what keyword replies (HELP, STOP)
// quote back to the patient.
import type { MessagingWebhookSink } from '../api/webhooks/types.js';
import {
  createAddressHasher,
  createMessaging,
  type MessagingDeps,
  type PracticeContact,
} from '../connectors/messaging/index.js';
import type { Database } from '../db/connection.js';
import { createMessageRepository } from '../db/repositories/messages.js';
import { createPracticeRepository } from '../db/repositories/practices.js';
import type { Config } from './config.js';
import { dataKeys, type DataKeys } from './keyrings.js';
import { createLogger } from './logger.js';

/** The practice's phone in message templates until practices have a phone column (demo number). */
export const DEMO_PRACTICE_PHONE = '+1 555 555 0100';

export function practiceContactFrom(db: Database): (practiceId: string) => Promise<PracticeContact> {
  const practices = createPracticeRepository(db);
  return async (practiceId) => {
    const practice = await practices.get(practiceId);
    return {
      practiceName: practice?.name ?? 'Your physical therapy clinic',
      practicePhone: DEMO_PRACTICE_PHONE,
    };
  };
}

/**
 * What every messaging service the CLI builds shares (all but the transports): the database, the blind-index
 * hasher of addresses, the `messaging` log and the practice's contact for keyword replies.
 */
export function messagingBasics(
  config: Config,
  db: Database,
  keys: DataKeys,
): Omit<MessagingDeps, 'transports'> {
  const log = createLogger(config.LOG_LEVEL, 'messaging');
  return {
    store: createMessageRepository(db),
    hashAddress: createAddressHasher(keys.blindIndexKey),
    logger: {
      info: (fields, message) => log.info(fields, message),
      warn: (fields, message) => log.warn(fields, message),
    },
    practiceContact: practiceContactFrom(db),
  };
}

export function messagingWebhookSink(config: Config, db: Database): MessagingWebhookSink {
  const messaging = createMessaging({ ...messagingBasics(config, db, dataKeys(config)), transports: {} });
  return { recordInbound: messaging.recordInbound, recordStatus: messaging.recordStatus };
}
