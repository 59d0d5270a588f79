// Delivery status callbacks. Callbacks arrive out of order and more than once, so a status only moves forward:
// sent → delivered | failed; a late "sent" after "delivered" changes nothing.
import type { MessageStore } from './store.js';
import type {
  MessageStatus,
  MessagingLogger,
  ProviderDeliveryStatus,
  StatusUpdate,
  StatusUpdateResult,
} from './types.js';

export function mapProviderStatus(s: ProviderDeliveryStatus): 'sent' | 'delivered' | 'failed' {
  switch (s) {
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return 'sent';
  }
}

/** Statuses each target may overwrite. `sending` is included: a callback can beat our own "sent" mark. */
const overwritable: Record<'sent' | 'delivered' | 'failed', MessageStatus[]> = {
  sent: ['sending'],
  delivered: ['sending', 'sent'],
  failed: ['sending', 'sent'],
};

export async function recordStatus(
  deps: { store: MessageStore; logger: MessagingLogger; now: () => Date },
  update: StatusUpdate,
): Promise<StatusUpdateResult> {
  const target = mapProviderStatus(update.status);
  const row = await deps.store.advanceByProviderId(
    update.providerMessageId,
    target,
    overwritable[target],
    target === 'failed' ? update.errorCode : undefined,
    deps.now(),
  );
  deps.logger.info(
    {
      messageRowId: row?.id,
      providerMessageId: update.providerMessageId,
      providerStatus: update.status,
      status: row?.status ?? 'unchanged',
      errorCode: update.errorCode,
    },
    'message status',
  );
  return row ? { updated: true, messageId: row.dedupeKey, status: row.status } : { updated: false };
}
