// Plan-of-care side effects: documents to the referring practitioner (the POC for certification, progress
// summaries, the discharge summary with the outcome report) through a PhysicianPort. A real implementation sits
// on the EMR / fax / secure-messaging connector; the workflow only sees transmission receipts, which double as
// the documented proof of transmission the 2025 initial-certification rule accepts.
import { ApplicationFailure } from '@temporalio/activity';
import type { IsoDate } from '../../domain/core/dates.js';
import type { OutcomeAssessment } from '../../domain/outcomes/change.js';
import type { DischargeReason } from '../../workflows/plan-of-care/messages.js';

export interface PhysicianDocumentBase {
  episodeId: string;
  practiceId: string;
  patientId: string;
  /** Our id of the referring/certifying practitioner (the connector resolves NPI, fax number, EMR inbox). */
  referringPractitionerId: string;
}

export interface PlanOfCareDocument extends PhysicianDocumentBase {
  kind: 'initial' | 'recertification';
  firstTreatmentDate: IsoDate;
  certifiedThrough: IsoDate;
}

export interface ProgressSummaryDocument extends PhysicianDocumentBase {
  reportDate: IsoDate;
  treatmentDays: number;
  outcomes: OutcomeAssessment[];
}

export interface DischargeSummaryDocument extends PhysicianDocumentBase {
  dischargeDate: IsoDate;
  reason: DischargeReason;
  treatmentDays: number;
  outcomes: OutcomeAssessment[];
}

export interface TransmissionReceipt {
  /** The connector's reference (fax confirmation, message id): the documented proof of sending. */
  transmissionId: string;
  /** When it was sent (ISO instant). */
  sentAt: string;
}

/** What the plan-of-care activities need from the outside world. */
export interface PhysicianPort {
  sendPlanOfCare(doc: PlanOfCareDocument, idempotencyKey: string): Promise<TransmissionReceipt>;
  sendProgressSummary(doc: ProgressSummaryDocument, idempotencyKey: string): Promise<TransmissionReceipt>;
  sendDischargeSummary(doc: DischargeSummaryDocument, idempotencyKey: string): Promise<TransmissionReceipt>;
}

/** Without a configured connector the activities fail non-retryably; the workflow then raises a task. */
const physicianNotConfigured: PhysicianPort = new Proxy({} as PhysicianPort, {
  get: () => () =>
    Promise.reject(
      ApplicationFailure.nonRetryable('No physician connector is configured.', 'ConnectorNotConfigured'),
    ),
});

export function createPlanOfCareActivities({
  physician = physicianNotConfigured,
}: {
  physician?: PhysicianPort;
}) {
  return {
    /** Idempotent per episode and certification cycle: a retry never faxes twice. */
    async sendPlanOfCareToPhysician(doc: PlanOfCareDocument): Promise<TransmissionReceipt> {
      return physician.sendPlanOfCare(doc, `poc:${doc.episodeId}:${doc.kind}:${doc.certifiedThrough}`);
    },
    async sendProgressSummaryToPhysician(doc: ProgressSummaryDocument): Promise<TransmissionReceipt> {
      return physician.sendProgressSummary(doc, `poc:${doc.episodeId}:progress:${doc.reportDate}`);
    },
    /** The discharge summary is the final progress report and carries the outcome report. */
    async sendDischargeSummaryToPhysician(doc: DischargeSummaryDocument): Promise<TransmissionReceipt> {
      return physician.sendDischargeSummary(doc, `poc:${doc.episodeId}:discharge`);
    },
  };
}

/** The activities the planOfCare workflow proxies (type only: the worker runs them). */
export type PlanOfCareActivities = ReturnType<typeof createPlanOfCareActivities>;
