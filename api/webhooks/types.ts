// What the webhook routes hand on after a delivery is verified, parsed and recorded in the inbox. The router
// that starts or signals workflows lives elsewhere; these routes only depend on this interface.
import type { EmrEvent } from '../../connectors/webhooks/emr-events.js';
import type { Messaging } from '../../connectors/messaging/types.js';

interface VerifiedBase {
  /** The configured source (`sandbox`, `athena`, …) under its kind. */
  source: string;
  /** The practice the source's secret belongs to; the event was checked to be about this practice. */
  tenant: string;
  /** The sender's message id (`webhook-id`). */
  webhookId: string;
  /** The `webhook_events` row; the router's caller marks it processed. */
  inboxId: string;
  /**
   * `<tenant>:<kind>:<source>:<sha256(webhook-id)>` (signed.ts `deliveryDedupeKey`): a workflow id (or id suffix) for processes started by this event when no
   * business key fits. With `workflowIdConflictPolicy: 'USE_EXISTING'` a re-routed event never starts
   * a second process.
   */
  dedupeKey: string;
}

export interface VerifiedEmrEvent extends VerifiedBase {
  kind: 'emr';
  event: EmrEvent;
}

/** Payer events have no shared contract yet: the payload is the parsed JSON object, to be validated by the router. */
export interface VerifiedPayerEvent extends VerifiedBase {
  kind: 'payer';
  payload: Record<string, unknown>;
}

export type VerifiedWebhookEvent = VerifiedEmrEvent | VerifiedPayerEvent;

/**
 * Starts or signals the process an event concerns. Must be idempotent per event (signal-with-start with a
 * workflow id from a business key or `dedupeKey`): an event can be routed more than once (see inbox.ts).
 * Resolves once Temporal has accepted the start/signal; rejects to leave the event unprocessed.
 */
export interface EmrEventRouter {
  route(event: VerifiedWebhookEvent): Promise<void>;
  /**
   * Checked after verification and before the inbox: an event the router can never route (an unsupported
   * payer event) is answered with this problem and not recorded, so the sender's retries are processed once
   * it is supported instead of being swallowed as duplicates.
   */
  refuse?(event: ParsedWebhookEvent): WebhookRefusal | undefined;
}

export type ParsedWebhookEvent =
  { kind: 'emr'; event: EmrEvent } | { kind: 'payer'; payload: Record<string, unknown> };

export interface WebhookRefusal {
  status: 400 | 422;
  /** Metric outcome and problem `reason` (a code, never event data). */
  reason: string;
  detail: string;
}

/** The part of the messaging service the Twilio routes use. */
export type MessagingWebhookSink = Pick<Messaging, 'recordInbound' | 'recordStatus'>;
