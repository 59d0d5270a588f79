// The contract of the patient onboarding process: its workflow type name, input and status types, and the
// signals and query the API, the EMR event router, other activities and tests use to start and steer it. Import
// this module (not workflow.ts) from outside the workflow; starters use the type name:
// `client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, …)`.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { IntakeFormsInput, PatientMessageInput } from '../../activities/onboarding/index.js';
import type { EligibilityOutcome } from '../../domain/onboarding/eligibility.js';
import type { OnboardingInput } from '../../domain/onboarding/intake.js';

export type { OnboardingInput } from '../../domain/onboarding/intake.js';

/** The registered workflow type (the name of the workflow function; never changes). */
export const ONBOARDING_WORKFLOW_TYPE = 'patientOnboarding' as const;

/** The workflow's signature: the raw intake in, the final status snapshot out. */
export type PatientOnboardingWorkflow = (input: OnboardingInput) => Promise<OnboardingStatus>;

export type OnboardingState =
  | 'registering'
  | 'verifying_eligibility'
  | 'awaiting_coverage_update'
  | 'awaiting_phone_verification'
  | 'scheduling'
  | 'needs_scheduling'
  | 'awaiting_check_in'
  | 'completed'
  | 'cancelled';

/** What staff and the API see: ids, outcomes and counts only (no names, member ids or contact details). */
export interface OnboardingStatus {
  onboardingId: string;
  patientId: string;
  state: OnboardingState;
  coverages: CoverageView[];
  forms: { state: 'not_sent' | 'sent' | 'completed'; remindersSent: number };
  /**
   * Messages as they went: sent, blocked_<reason>, or `dropped` when one waiting out the patient's quiet
   * hours became moot first (the patient checked in, or sent the insurance update it asked for).
   */
  messages: { template: PatientMessageInput['template']; status: string }[];
  appointment?: AppointmentBooked;
  authorizationWorkflowId?: string;
  /** The episode started at check-in (when the intake named the referring practitioner). */
  planOfCareWorkflowId?: string;
  openTasks: number;
  needsAttention: boolean;
  /** Coverages the nightly re-verification found inactive or not found (NeedsAttention until updated). */
  coverageAlerts?: string[];
  /**
   * An encrypted record this onboarding needs failed its integrity check: the process waits (NeedsAttention)
   * until the admin's security task for it is closed, then tries the step once more. Table and row id only.
   */
  integrityHold?: IntegrityHold;
  cancelReason?: string;
}

/** One coverage as the status shows it: how its verification went, without member details. */
export interface CoverageView {
  coverageId: string;
  priority: number;
  outcome?: EligibilityOutcome | 'verified_by_phone';
  verifications: number;
  authorizationRequired?: boolean;
  copayCents?: number;
}

/** The encrypted record that failed its integrity check (ids only) and the security task about it. */
export interface IntegrityHold {
  table: string;
  rowId: string;
  taskId?: string;
}

export interface CoverageUpdate {
  coverageId: string;
  payerId: string;
  memberId: string;
  groupNumber?: string;
}
export type IntakeFormsCompleted = Omit<IntakeFormsInput, 'emrPatientId'>;
export interface AppointmentBooked {
  emrAppointmentId: string;
  start?: string;
  therapistId?: string;
  locationId?: string;
}
export interface OnboardingCancel {
  reason: 'patient_request' | 'duplicate' | 'staff_decision' | 'no_show';
}

/** New insurance details for a coverage that was inactive or not found: it is verified again. */
export const coverageUpdatedSignal = defineSignal<[CoverageUpdate]>('coverageUpdated');
/** The patient completed the intake forms; the answers are written back to the EMR. */
export const intakeFormsCompletedSignal = defineSignal<[IntakeFormsCompleted]>('intakeFormsCompleted');
/** The EMR booked the evaluation (front desk or referral): it wins over the one the onboarding books. */
export const appointmentBookedSignal = defineSignal<[AppointmentBooked]>('appointmentBooked');
/** The patient checked in for the evaluation: onboarding completes and hands over to the plan of care. */
export const evaluationCheckedInSignal = defineSignal<[{ emrAppointmentId?: string }]>('evaluationCheckedIn');
export const cancelOnboardingSignal = defineSignal<[OnboardingCancel]>('cancel');
export const onboardingStatusQuery = defineQuery<OnboardingStatus>('status');
