// Sandbox messaging: the real Messaging service (consent, quiet hours, dedupe, logging) over outbox transports.
import type { Database } from '../../../db/connection.js';
import { createMessaging, type MessagingDeps } from '../messaging.js';
import type { Messaging } from '../types.js';
import { SandboxTransport } from './outbox.js';

export { SandboxTransport, listOutbox, type OutboxEntry } from './outbox.js';

export function createSandboxMessaging(
  deps: Omit<MessagingDeps, 'transports'> & { db: Database },
): Messaging {
  return createMessaging({
    ...deps,
    transports: {
      sms: new SandboxTransport('sms', deps.db, deps.hashAddress),
      email: new SandboxTransport('email', deps.db, deps.hashAddress),
    },
  });
}
