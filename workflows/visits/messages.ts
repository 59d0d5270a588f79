// The missedVisitFollowUp and waitlistFill processes' contract (issue 18 §1/§2): workflow type names, inputs,
// results, the patient's reply signal and the status queries. The API (reply routing), the EMR router's
// activities and the tests import this file, never the workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const MISSED_VISIT_WORKFLOW_TYPE = 'missedVisitFollowUp' as const;
export const WAITLIST_FILL_WORKFLOW_TYPE = 'waitlistFill' as const;

/** The workflow-id prefixes whose processes take patient replies by SMS. */
export const REPLY_PROCESS_PREFIXES = ['missed:', 'waitfill:'] as const;

export interface MissedVisitInput {
  /** Our id of the follow-up (derived from practice + EMR appointment: one follow-up per missed appointment). */
  followUpId: string;
  practiceId: string;
  patientId: string;
  emrPatientId: string;
  emrAppointmentId: string;
  kind: 'no_show' | 'late_cancel';
  therapistId: string;
  locationId: string;
  appointmentKind: 'evaluation' | 'treatment' | 're-evaluation' | 'discharge';
  start: string;
  end: string;
  /** The patient's open plan of care and authorization, told that the visit does not count. */
  planOfCareWorkflowId?: string;
  authorizationWorkflowId?: string;
  /** Tests: override the rule's reply deadline. */
  replyDeadlineSeconds?: number;
}

export type MissedVisitOutcome =
  /** The patient booked one of the offered slots by reply; the EMR has the new appointment. */
  | 'rebooked'
  /** The front desk has a task (second miss, pattern, no reply by the deadline, no consent or no slot). */
  | 'front_desk';

export interface MissedVisitResult {
  outcome: MissedVisitOutcome;
  missesInEpisode: number;
  pattern: boolean;
  explanation: string;
  rebookedEmrAppointmentId?: string;
  taskWorkflowId?: string;
  /** Ids and codes only, in order (e.g. `message:sent`, `plan_of_care:told`, `task:missed_visit_no_reply`). */
  steps: string[];
}

export interface MissedVisitStatus {
  state: 'recording' | 'awaiting_reply' | 'booking' | MissedVisitOutcome;
  offeredSlots: number;
  replyBy?: string;
  steps: string[];
}

/** A patient's answer to an offer, routed from the inbound SMS (api/webhooks/process-replies.ts). */
export interface PatientReply {
  patientId: string;
  answer: { slot: number } | { accept: boolean };
}

export const patientReplySignal = defineSignal<[PatientReply]>('patientReply');
export const missedVisitStatusQuery = defineQuery<MissedVisitStatus>('status');

export interface WaitlistFillInput {
  /** Derived from practice + therapist + slot start: one fill process per freed slot. */
  fillId: string;
  practiceId: string;
  therapistId: string;
  locationId: string;
  start: string;
  end: string;
  appointmentKind: 'evaluation' | 'treatment' | 're-evaluation' | 'discharge';
  /** The patient whose cancellation freed the slot (never offered it back). */
  freedByPatientId?: string;
  /** Tests: override the rule's offer lifetime. */
  offerSeconds?: number;
}

export interface WaitlistOfferState {
  entryId: string;
  patientId: string;
  rank: number;
  explanation: string;
  round: number;
  state: 'offered' | 'booked' | 'declined' | 'taken' | 'expired' | 'not_sent';
}

export interface WaitlistFillResult {
  outcome: 'filled' | 'expired' | 'no_candidates' | 'too_late';
  winnerEntryId?: string;
  emrAppointmentId?: string;
  offers: WaitlistOfferState[];
  /** Waiting patients left out and why (entry id → reason). */
  ineligible: { entryId: string; reason: string }[];
  steps: string[];
}

export interface WaitlistFillStatus {
  state: 'ranking' | 'offering' | WaitlistFillResult['outcome'];
  round: number;
  offers: WaitlistOfferState[];
}

export const waitlistFillStatusQuery = defineQuery<WaitlistFillStatus>('status');
/** Staff confirm on the patient's behalf (phone call): the same path as a YES by SMS. */
export const confirmOfferUpdate = defineUpdate<{ booked: boolean; reason?: string }, [{ entryId: string }]>(
  'confirmOffer',
);

export type MissedVisitWorkflow = (input: MissedVisitInput) => Promise<MissedVisitResult>;
export type WaitlistFillWorkflow = (input: WaitlistFillInput) => Promise<WaitlistFillResult>;
