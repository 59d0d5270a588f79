// The EmrEventRouter the webhook routes hand verified events to: it starts one `emrEventRouter` workflow per
// delivery (workflows/emr-events/workflow.ts explains why the routing itself runs there). The workflow id is a hash of
// the delivery's dedupe key (practice, source and webhook id: signed.ts `deliveryDedupeKey`), so a re-routed delivery (inbox lease expired,
// reconciler) reaches the same workflow — running or completed — and never routes the event twice.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { uuidFromKey } from '../../temporal/derived-ids.js';
import { startIdempotently } from '../../temporal/start-process.js';
import { emrEventRouter } from '../../workflows/emr-events/workflow.js';
import { refusePayerEvent } from './payer-events.js';
import type { EmrEventRouter } from './types.js';

export interface EmrRouterDeps {
  temporal: Client;
  taskQueue: string;
}

/** The router workflow's id for a delivery. */
export function eventWorkflowUuid(dedupeKey: string): string {
  return uuidFromKey('emr-event', dedupeKey);
}

export function createEmrEventRouter(deps: EmrRouterDeps): EmrEventRouter {
  return {
    refuse: (parsed) => (parsed.kind === 'payer' ? refusePayerEvent(parsed.payload) : undefined),
    async route(event) {
      // Payer events were refused before the inbox; reaching here would be a wiring error.
      if (event.kind !== 'emr') throw new Error('payer events are not routed');
      try {
        await startIdempotently(deps.temporal, {
          taskQueue: deps.taskQueue,
          kind: 'event',
          processKind: 'emrEvent',
          id: eventWorkflowUuid(event.dedupeKey),
          workflow: emrEventRouter,
          args: [{ practiceId: event.tenant, event: event.event }],
          practiceId: event.tenant,
          // A run that failed (say the EMR connector was not configured) is routed again by a redelivery; its
          // steps are idempotent, so a half-done run repeats nothing.
          retryFailed: true,
        });
      } catch (err) {
        // Routed before and completed: exactly what a redelivery should find.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return;
        throw err;
      }
    },
  };
}
