// The planOfCare process's contract: its workflow type name, input and status types, and the signals, query
// and updates it answers. The API, the activities, the EMR event router and the tests import this file, never
// the workflow itself (starters use PLAN_OF_CARE_WORKFLOW_TYPE with the PlanOfCareWorkflow type).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CertificationRecord } from '../../domain/care/certification-record.js';
import type { CareClaimContext, CareEpisode, CarePolicy } from '../../domain/care/episode.js';
import type { PocCertificationState } from '../../domain/care/poc.js';
import type { ProgressReportStatus } from '../../domain/care/progress.js';
import type { IsoDate } from '../../domain/core/dates.js';
import type { OutcomeAssessment, OutcomeMeasurement } from '../../domain/outcomes/change.js';
import type { VisitMissed } from '../shared/visit-missed-signal.js';

/** The registered workflow type (the name of the workflow function): it never changes. */
export const PLAN_OF_CARE_WORKFLOW_TYPE = 'planOfCare' as const;

/** Why an episode was discharged ('inactive': no visit for the policy's number of days). */
export type DischargeReason = 'goals_met' | 'patient_request' | 'inactive' | 'plateau' | 'other';

/** What makes an open task moot, so the worklist does not keep chasing work already done. */
export type TaskTopic = 'progress_report' | 'certification' | 'recertification';
export interface OpenTask {
  workflowId: string;
  topic: TaskTopic;
}

/** What one run hands the next one on continue-as-new. */
export interface PlanOfCareCarry {
  episode: CareEpisode;
  outcomes: OutcomeMeasurement[];
  /** Progress-report dates whose summary still has to go to the physician. */
  pendingSummaries: IsoDate[];
  openTasks: OpenTask[];
  runs: number;
  /** Coverages the nightly re-verification found inactive or not found (see `coverageChecked`). */
  coverageAlerts?: string[];
  /** The pocSignature processes started for this episode, oldest first (see signature.ts). */
  signatureProcesses?: SignatureProcessRef[];
  /** Missed visits (no-shows, late cancellations) the missedVisitFollowUp reported: never treatment days. */
  missedVisits?: VisitMissed[];
}

/** A pocSignature process of the episode (`pocsig:<processId>`, GET /v1/poc-signatures/{processId}). */
export interface SignatureProcessRef {
  processId: string;
  cycle: 'initial' | 'recertification';
}

export interface PlanOfCareInput {
  episodeId: string;
  practiceId: string;
  patientId: string;
  /** Our id of the referring/certifying practitioner. */
  referringPractitionerId: string;
  /** The clinic's IANA zone: dates of service and deadlines are local calendar dates. */
  timezone: string;
  /** The evaluation date (treatment day 1, certification day 0). */
  firstTreatmentDate: IsoDate;
  /** Last day of the POC's planned duration when shorter than 90 days. */
  pocEndDate?: IsoDate;
  /** The patient came with a signed and dated order/referral (2025 transmission rule). */
  referralSignedAndDated?: boolean;
  /** The priorAuthorization workflow covering this episode, if any. */
  authorizationWorkflowId?: string;
  policy?: Partial<CarePolicy>;
  /** Continue-as-new after this many history events even when the server has not suggested it yet. */
  maxHistoryEventsPerRun?: number;
  carry?: PlanOfCareCarry;
}

export type PlanOfCareProcessStatus =
  'awaiting_certification' | 'certified' | 'certification_late' | 'recertification_due' | 'discharged';

export interface PlanOfCareStatus {
  episodeId: string;
  status: PlanOfCareProcessStatus;
  certification: PocCertificationState['status'];
  initialCertificationDueBy: IsoDate;
  certifiedThrough: IsoDate;
  treatmentDays: number;
  visitsCounted: number;
  progressReport: { status: ProgressReportStatus; treatmentDayInPeriod: number; periodStart: IsoDate };
  /** The scrubber holds claims while this is set. */
  progressReportOverdue: boolean;
  outcomes: OutcomeAssessment[];
  /** An instrument shows no meaningful change (or worsening): the therapist has a task. */
  plateau: boolean;
  /** Coverages of the patient the nightly re-verification found inactive or not found (front-desk task). */
  coverageAlerts?: string[];
  needsAttention: boolean;
  nextCheck?: IsoDate;
  discharged?: { date: IsoDate; reason: DischargeReason };
  /** What a claim's scrubber needs (ScrubContext.poc and .progress) to hold claims by the same rules. */
  claimContext: CareClaimContext;
  /** The signature processes of the episode, oldest first (absent on episodes from before them). */
  signatureProcesses?: SignatureProcessRef[];
  /** Missed visits reported by missedVisitFollowUp (issue 18): they do not count as treatment days. */
  missedVisits?: number;
  runs: number;
}

/** The planOfCare workflow function's type, for starting it by type name. */
export type PlanOfCareWorkflow = (input: PlanOfCareInput) => Promise<PlanOfCareStatus>;

export interface VisitCompleted {
  visitId: string;
  dos: IsoDate;
}
export interface ProgressReportRecord {
  reportDate: IsoDate;
}
export interface DischargeRequest {
  reason: Exclude<DischargeReason, 'inactive'>;
}

export const visitCompletedSignal = defineSignal<[VisitCompleted]>('visitCompleted');
export const dischargePlanOfCareSignal = defineSignal<[DischargeRequest]>('discharge');
export const recordCertificationUpdate = defineUpdate<PlanOfCareStatus, [CertificationRecord]>(
  'recordCertification',
);
export const recordProgressReportUpdate = defineUpdate<PlanOfCareStatus, [ProgressReportRecord]>(
  'recordProgressReport',
);
export const recordOutcomeUpdate = defineUpdate<OutcomeAssessment, [OutcomeMeasurement]>('recordOutcome');
export const planOfCareStatusQuery = defineQuery<PlanOfCareStatus>('status');
