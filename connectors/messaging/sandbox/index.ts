// Sandbox messaging: the real Messaging service (consent, quiet hours, dedupe, logging) over outbox transports.
import type { Database } from '../../../db/connection.js';
import { createMessageRepository } from '../../../db/repositories/messages.js';
import { createMessaging, type MessagingDeps } from '../messaging.js';
import type { Messaging } from '../types.js';
import { SandboxTransport } from './outbox.js';

export { SandboxTransport, listOutbox, type OutboxEntry } from './outbox.js';

export function createSandboxMessaging(
  deps: Omit<MessagingDeps, 'transports' | 'store'> & { db: Database },
): Messaging {
  const { db, ...rest } = deps;
  return createMessaging({
    ...rest,
    store: createMessageRepository(db),
    transports: {
      sms: new SandboxTransport('sms', db, deps.hashAddress),
      email: new SandboxTransport('email', db, deps.hashAddress),
    },
  });
}
