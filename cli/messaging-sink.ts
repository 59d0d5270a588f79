// The messaging service as the API's Twilio routes need it (MessagingWebhookSink): inbound replies and delivery
// status recorded in our messages tables, keyed by the blind-index hash of the address. Recording needs no
// transport; sending stays in the worker. The practice's name and phone are what keyword replies (HELP, STOP)
// quote back to the patient.
import type { MessagingWebhookSink } from '../api/webhooks/types.js';
import { createAddressHasher, createMessaging, type PracticeContact } from '../connectors/messaging/index.js';
import type { Database } from '../db/connection.js';
import { createPracticeRepository } from '../db/repositories/practices.js';
import type { Config } from './config.js';
import { dataKeys } from './keyrings.js';
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

export function messagingWebhookSink(config: Config, db: Database): MessagingWebhookSink {
  const log = createLogger(config.LOG_LEVEL, 'messaging');
  const messaging = createMessaging({
    db,
    hashAddress: createAddressHasher(dataKeys(config).blindIndexKey),
    transports: {},
    logger: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
    practiceContact: practiceContactFrom(db),
  });
  return { recordInbound: messaging.recordInbound, recordStatus: messaging.recordStatus };
}
