// The progressReportDelivery process's side effects (workflows/progress-reports/workflow.ts):
// - prepareProgressReport: gathers the report's facts (facts.ts: the signed report from the EMR, our patient
//   mirror, the outcome scores, the visits of the authorization or the plan of care, the referring physician of
//   the referral, the practice header), renders the PDF (pdf.ts) and stores it encrypted. Idempotent: the row's
//   id is the report id, and a stored rendering is never replaced.
// - sendProgressReport: decrypts the stored PDF (a PHI read, audited by the activity wrapper) and hands it to the
//   PhysicianDelivery port with a key per round (every retry of a round sends at most once); the disclosure is
//   written to the audit chain.
// - confirmProgressReportDelivery: asks the gateway how the delivery stands; still queued → a retryable failure
//   (the activity's retries are the poll); delivered → the row is marked; failed → non-retryable DeliveryFailed.
// - recordProgressReportFailure: a failed round on the row (failure type only; failed sends are audited).
// Nothing here logs or returns report content: results are ids, counts and states.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Emr } from '../../connectors/emr/types.js';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import {
  physicianDeliveryFailure,
  PhysicianDeliveryNoRoute,
  type DeliveryChannel,
  type PhysicianDelivery,
  type PhysicianRecipient,
} from '../../connectors/physician-delivery/index.js';
import { appendAudit } from '../../db/audit/append.js';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createProgressReportRepository } from '../../db/repositories/progress-reports.js';
import { physicianReportContent, type PhysicianReportKind } from '../../domain/care/physician-report.js';
import { workflowId } from '../../domain/ids.js';
import {
  PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE,
  type ProgressReportDeliveryInput,
  type ProgressReportDeliveryWorkflow,
} from '../../workflows/progress-reports/messages.js';
import { uuidFromKey } from '../shared/derived-ids.js';
import { startIdempotently } from '../shared/process-starter.js';
import { gatherReportFacts } from './facts.js';
import { renderPhysicianReportPdf } from './pdf.js';

/** The referring physician's delivery addresses (the practice's referring-provider directory). */
export type PhysicianRecipientLookup = (q: {
  practiceId: string;
  npi?: string;
}) => Promise<PhysicianRecipient | undefined>;

export interface ProgressReportDeps {
  db: Database;
  temporal?: Client;
  emr?: Emr;
  keys?: RepositoryKeys;
  /** The data keyring of `progress_reports.pdf_enc` (defaults to `keys.keyring`). */
  keyring?: Keyring;
  delivery?: PhysicianDelivery;
  recipient?: PhysicianRecipientLookup;
  now?: () => Date;
}

/** What the report lists as disclosed (field names only) on the audit chain. */
export const DISCLOSED_FIELDS = [
  'patient.name',
  'patient.birthYear',
  'report.goals',
  'report.assessment',
  'report.plan',
  'outcomes',
  'visits',
];

const notConfigured = (what: string) =>
  ApplicationFailure.nonRetryable(`No ${what} is configured for progress reports.`, 'ConnectorNotConfigured');
const notAvailable = (what: string) =>
  ApplicationFailure.nonRetryable(`The progress report cannot be prepared: ${what}.`, 'ReportNotAvailable');

function origin(): { workflowId?: string } {
  try {
    const id = Context.current().info.workflowExecution?.workflowId;
    return id ? { workflowId: id } : {};
  } catch {
    return {};
  }
}

/** Our id of a report the EMR signed: one per practice and EMR report (EMRs number reports on their own). */
export function progressReportIdFor(practiceId: string, emrReportId: string): string {
  return uuidFromKey('progress-report', practiceId, emrReportId);
}

export function createProgressReportActivities(deps: ProgressReportDeps) {
  const now = deps.now ?? (() => new Date());
  const reports = () => {
    const keyring = deps.keyring ?? deps.keys?.keyring;
    if (!keyring) throw notConfigured('data keyring');
    return createProgressReportRepository(deps.db, keyring);
  };
  const emr = () =>
    deps.emr ??
    (() => {
      throw notConfigured('EMR connector');
    })();
  const delivery = () =>
    deps.delivery ??
    (() => {
      throw notConfigured('physician delivery connector');
    })();
  const emrCall = async <T>(call: (e: Emr) => Promise<T>): Promise<T> => {
    try {
      return await call(emr());
    } catch (err) {
      throw emrErrorToFailure(err);
    }
  };

  return {
    /**
     * The EMR event router's step for `report.signed`: starts the report's delivery process. Its id derives from
     * the practice and the EMR's report id, so every redelivery of the event names the same process (and a
     * process that already finished is not started again).
     */
    async startProgressReportFromEvent(
      q: Omit<ProgressReportDeliveryInput, 'reportId'>,
    ): Promise<{ workflowId: string; outcome: 'started' | 'already_done' }> {
      if (!deps.temporal) throw notConfigured('Temporal client');
      const reportId = progressReportIdFor(q.practiceId, q.emrReportId);
      try {
        const id = await startIdempotently<ProgressReportDeliveryWorkflow>(deps.temporal, {
          taskQueue: Context.current().info.taskQueue,
          kind: 'report',
          processKind: PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE,
          id: reportId,
          workflow: PROGRESS_REPORT_DELIVERY_WORKFLOW_TYPE,
          args: [{ ...q, reportId }],
          practiceId: q.practiceId,
          patientId: q.patientId,
          rejectDuplicate: true,
        });
        return { workflowId: id, outcome: 'started' };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return { workflowId: workflowId('report', reportId), outcome: 'already_done' };
        throw err;
      }
    },

    /** Renders the report and stores it encrypted; returns its page count (and whether this call stored it). */
    async prepareProgressReport(
      input: ProgressReportDeliveryInput,
    ): Promise<{ pageCount: number; stored: boolean }> {
      const repo = reports();
      const existing = await repo.meta(input.practiceId, input.reportId);
      if (existing) return { pageCount: existing.pageCount, stored: false };
      if (!deps.keys) throw notConfigured('data keys');
      const patient = await createPatientRepository(deps.db, deps.keys).get(
        input.practiceId,
        input.patientId,
      );
      if (!patient) throw notAvailable('unknown patient');
      const e = emr();
      if (!e.getSignedReport) throw notAvailable('the EMR does not expose signed reports');
      const report = await emrCall((x) => x.getSignedReport!(input.emrReportId));
      if (report.emrPatientId !== input.emrPatientId)
        throw notAvailable('the report is about another patient');
      const facts = await gatherReportFacts(
        {
          db: deps.db,
          ...(deps.temporal ? { temporal: deps.temporal } : {}),
          emrCall,
          notAvailable,
        },
        { input, report, patient: patient.demographics, emr: e },
      );
      const rendered = await renderPhysicianReportPdf(physicianReportContent(facts), {
        createdAt: new Date(report.signedAt),
      });
      const stored = await repo.insert({
        id: input.reportId,
        practiceId: input.practiceId,
        patientId: input.patientId,
        kind: input.kind,
        reportDate: report.reportDate,
        workflowId: workflowId('report', input.reportId),
        pdf: rendered.pdf,
        pageCount: rendered.pageCount,
      });
      return { pageCount: rendered.pageCount, stored };
    },

    /** One delivery round: the stored PDF to the referring physician (at most once per round, audited). */
    async sendProgressReport(q: {
      reportId: string;
      practiceId: string;
      emrPatientId: string;
      round: number;
      channel?: DeliveryChannel;
    }): Promise<{ deliveryId: string; channel: DeliveryChannel; status: string }> {
      const gateway = delivery();
      const stored = await reports().pdf(q.practiceId, q.reportId);
      if (!stored) throw notAvailable('no stored report');
      // The referring physician of the episode's referral (not stored beside the report: who referred a patient
      // is PHI, and the clear columns hold none).
      const e = emr();
      const referral = e.getReferral
        ? await emrCall((x) => x.getReferral!(q.emrPatientId, stored.meta.reportDate))
        : undefined;
      const npi = referral?.referringProvider?.npi;
      const recipient = await deps.recipient?.({ practiceId: q.practiceId, ...(npi ? { npi } : {}) });
      const audit = (outcome: 'success' | 'error') =>
        appendAudit(deps.db, {
          actorId: origin().workflowId ?? 'worker',
          actorType: 'service',
          actorRole: 'worker',
          action: 'E',
          resourceType: 'progress_report_delivery',
          resourceId: q.reportId,
          patientRef: stored.meta.patientId,
          purposeOfUse: 'TREAT',
          outcome,
          ...origin(),
          fieldsDisclosed: DISCLOSED_FIELDS,
        });
      try {
        if (!recipient) throw new PhysicianDeliveryNoRoute('no delivery address for the referring physician');
        const receipt = await gateway.send({
          idempotencyKey: `${workflowId('report', q.reportId)}:send:${q.round}`,
          practiceId: q.practiceId,
          kind: stored.meta.kind as PhysicianReportKind,
          purpose: 'original',
          document: { type: 'pdf', bytes: stored.pdf, pageCount: stored.meta.pageCount },
          recipient,
          reference: q.reportId,
          // A recertification's signature is chased by the plan of care's certification process, not here.
          signatureRequested: false,
          ...(q.channel ? { channel: q.channel } : {}),
        });
        await audit('success');
        return { deliveryId: receipt.deliveryId, channel: receipt.channel, status: receipt.status };
      } catch (err) {
        // An attempt that fails is on the chain too (the disclosure may or may not have happened).
        await audit('error');
        throw physicianDeliveryFailure(err);
      }
    },

    /** Where the round's delivery stands: pending → retryable failure (the poll), failed → DeliveryFailed. */
    async confirmProgressReportDelivery(q: {
      reportId: string;
      practiceId: string;
      deliveryId: string;
      channel: DeliveryChannel;
    }): Promise<{ deliveredAt: string }> {
      let state;
      try {
        state = await delivery().status(q.deliveryId);
      } catch (err) {
        throw physicianDeliveryFailure(err);
      }
      if (state.status === 'delivered' || state.status === 'signed') {
        const at = state.deliveredAt ? new Date(state.deliveredAt) : now();
        await reports().markDelivered(q.practiceId, q.reportId, {
          channel: state.channel,
          transmissionId: q.deliveryId,
          at,
        });
        return { deliveredAt: at.toISOString() };
      }
      if (state.status === 'failed') {
        throw ApplicationFailure.create({
          type: 'DeliveryFailed',
          message: `The gateway reported the delivery failed (${state.failureCode ?? 'no code'}).`,
          nonRetryable: true,
        });
      }
      // Expected while a fax goes out: a benign failure (the retry is the poll), not an error to alert on.
      throw ApplicationFailure.create({
        type: 'DeliveryPending',
        message: 'The delivery is still under way.',
        category: ApplicationFailureCategory.BENIGN,
      });
    },

    /** A round that failed for good, on the row (failure type only; each failed send is on the audit chain). */
    async recordProgressReportFailure(q: {
      reportId: string;
      practiceId: string;
      channel: string;
      failure: string;
    }): Promise<void> {
      await reports().markFailed(q.practiceId, q.reportId, {
        channel: q.channel,
        failure: q.failure,
        at: now(),
      });
    },
  };
}

/** The activities the progressReportDelivery workflow proxies (type only: the worker runs them). */
export type ProgressReportActivities = ReturnType<typeof createProgressReportActivities>;
