// The progressReportDelivery process's contract (issue 17 point 3): its workflow type name, input, status and
// query. The EMR event router's activity starts it by this name; the API and tests read its status.
import { defineQuery } from '@temporalio/workflow';
import type { PhysicianReportKind } from '../../domain/care/physician-report.js';
import type { IsoDate } from '../../domain/core/dates.js';

export const PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE = 'progressReportDelivery' as const;

/** Task kind raised when a delivery round failed (its outcome may ask for the e-mail link instead). */
export const DELIVERY_FAILED_TASK_KIND = 'progress_report_delivery_failed';
/** Task kind raised when the report could not be prepared (EMR or data missing): completing it tries again. */
export const PREPARE_FAILED_TASK_KIND = 'progress_report_prepare_failed';

export interface ProgressReportDeliveryInput {
  /** Our id of the report (derived from the practice and the EMR's report id); the workflow id is `report:<id>`. */
  reportId: string;
  practiceId: string;
  patientId: string;
  emrPatientId: string;
  /** The EMR's id of the signed report (read back for goals, assessment and plan). */
  emrReportId: string;
  kind: PhysicianReportKind;
  reportDate: IsoDate;
  /** The patient's open processes when the report was signed: visits and outcomes come from them. */
  planOfCareWorkflowId?: string;
  authorizationWorkflowId?: string;
}

export type ProgressReportDeliveryState =
  'preparing' | 'sending' | 'confirming' | 'waiting_for_staff' | 'delivered' | 'closed_by_staff';

export interface ProgressReportDeliveryStatus {
  reportId: string;
  kind: PhysicianReportKind;
  state: ProgressReportDeliveryState;
  /** Delivery rounds started (each has its own bounded retries; a new round needs a person after a failure). */
  rounds: number;
  pageCount?: number;
  channel?: string;
  /** The gateway's delivery id (opaque): the proof-of-transmission reference. */
  deliveryId?: string;
  /** Failure type of the last failed step (a type name, never a message). */
  lastFailure?: string;
}

export type ProgressReportDeliveryWorkflow = (
  input: ProgressReportDeliveryInput,
) => Promise<ProgressReportDeliveryStatus>;

export const progressReportDeliveryStatusQuery = defineQuery<ProgressReportDeliveryStatus>('status');
