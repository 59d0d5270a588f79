// The emrEventRouter process's contract: its workflow type name, input and result. The API's webhook routes
// start it by this name (api/webhooks/emr-router.ts); tests read its result.
import type { EmrEvent } from '../../activities/emr-events/index.js';

export const EMR_EVENT_ROUTER_WORKFLOW_TYPE = 'emrEventRouter' as const;

export interface EmrEventRouterInput {
  /** The practice the verified source belongs to (the event was checked to be about it). */
  practiceId: string;
  event: EmrEvent;
}

export type EventRouteOutcome =
  /** Processes were started or signalled (see `workflowIds`). */
  | 'routed'
  /** The EMR patient is not one of ours: recorded here, nothing started. */
  | 'unknown_patient'
  /** A known patient, but no running process cares about this event. */
  | 'no_process'
  /** Something the event needs is missing (coverage, billing profile …): a task was raised for staff. */
  | 'needs_attention'
  /** The event type needs nothing from ptflow. */
  | 'acknowledged';

export interface EventRouteResult {
  type: EmrEvent['type'];
  outcome: EventRouteOutcome;
  patientId?: string;
  /** What the event started or signalled. */
  workflowIds: string[];
  /** Outcomes of the individual steps (ids and codes only), e.g. `claim:started`, `authorization:rejected:visits_exhausted`. */
  steps: string[];
}

export type EmrEventRouterWorkflow = (input: EmrEventRouterInput) => Promise<EventRouteResult>;
