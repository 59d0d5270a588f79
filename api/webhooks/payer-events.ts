// Payer webhook events (POST /v1/webhooks/payer/:source). ptflow has no payer push contract yet: claim results
// (999, 277CA, 835) and authorization decisions arrive through the clearinghouse mailbox the processes poll
// (connectors/payer), whose shapes are X12, not JSON notices. So a verified payer event is validated for its
// envelope and then refused with a clear problem — before the inbox, so nothing is stored and the sender's
// retries are processed once a contract (and a route to the claim's `remittanceArrived`) exists.
import { z } from 'zod';
import type { WebhookRefusal } from './types.js';

const PayerEnvelopeSchema = z.object({
  type: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
});

export function refusePayerEvent(payload: Record<string, unknown>): WebhookRefusal {
  if (!PayerEnvelopeSchema.safeParse(payload).success) {
    return {
      status: 400,
      reason: 'invalid_payload',
      detail: 'A payer event needs a "type" (lower-case letters, digits, dot, dash, underscore).',
    };
  }
  return {
    status: 422,
    reason: 'unsupported_event',
    detail:
      'Payer webhook events are not routed: claim and authorization results are read from the ' +
      'clearinghouse mailbox (999, 277CA, 835, 278).',
  };
}
