// pocSignature side effects: the certification request to the referring physician through the PhysicianDelivery
// port, the delivery's status (and its signed copy), the signature recorded on the plan of care (by workflow type
// name through the Temporal client: activities never import workflow code), and the claims the scrubber held for
// the signature sent back to it. Gateway refusals come back as values the workflow branches on; an unreachable
// gateway is a retryable failure Temporal retries.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  isPhysicianDeliveryError,
  physicianDeliveryFailure,
  type PhysicianDelivery,
  type PhysicianDeliveryState,
  type PhysicianRecipient,
  type SignedReturn,
} from '../../connectors/physician-delivery/index.js';
import type { Database } from '../../db/connection.js';
import type { CertificationRecord } from '../../domain/care/certification-record.js';
import type { SignatureCycle } from '../../domain/care/poc-signature.js';
import type { IsoDate } from '../../domain/core/dates.js';
import type { PlanOfCareStatus } from '../../workflows/plan-of-care/messages.js';
import { releaseHeldClaims } from '../shared/held-claims.js';
import { renderSignatureRequest } from './document.js';

/** Where a referring practitioner's office takes documents (the practice's referring-provider directory). */
export interface PhysicianDirectory {
  recipient(practiceId: string, practitionerId: string): Promise<PhysicianRecipient | undefined>;
}

export interface PocSignatureDeps {
  db: Database;
  temporal?: Client;
  delivery?: PhysicianDelivery;
  directory?: PhysicianDirectory;
  /** The sending practice's name on the request (the practice profile). */
  practiceName?: (practiceId: string) => Promise<string>;
}

export interface SignatureSendRequest {
  workflowId: string;
  practiceId: string;
  episodeId: string;
  referringPractitionerId: string;
  cycle: SignatureCycle;
  reference: string;
  dueBy: IsoDate;
  purpose: 'original' | 'reminder';
  /** Reminder day (0 for the original) and attempt: with the workflow id, the idempotency key. */
  day: number;
  attempt: number;
  /** Force the e-mail secure-link fallback. */
  channel?: 'email';
}

export type SignatureSendResult =
  | {
      outcome: 'sent';
      deliveryId: string;
      channel: 'fax' | 'direct' | 'email';
      acceptedAt: string;
      duplicate: boolean;
    }
  /** No address on file for the channel, or no delivery connector / directory: a person must send it. */
  | { outcome: 'no_route'; code: string }
  /** The gateway refused it (e.g. `invalid_number`): retrying the same request cannot help. */
  | { outcome: 'rejected'; code: string };

/** Certification on the plan of care, as the signature process reads it. */
export interface CertificationOnFile {
  onFile: boolean;
  basis?: 'signature' | 'transmission' | 'recertification';
  signedDate?: IsoDate;
}

/** Codes the claim scrubber holds a claim on until the certification is recorded. */
const POC_HOLD = /^POC_/;

function temporalOf(deps: PocSignatureDeps): Client {
  if (!deps.temporal)
    throw ApplicationFailure.nonRetryable(
      'No Temporal client is configured for activities.',
      'ConnectorNotConfigured',
    );
  return deps.temporal;
}

/** An update the plan of care refused (validator) or could not take: the reason type, never a message. */
async function updatePlanOfCare(
  deps: PocSignatureDeps,
  planOfCareWorkflowId: string,
  record: CertificationRecord,
): Promise<{ recorded: boolean; reason?: string }> {
  try {
    await temporalOf(deps)
      .workflow.getHandle(planOfCareWorkflowId)
      .executeUpdate<PlanOfCareStatus, [CertificationRecord]>('recordCertification', { args: [record] });
    return { recorded: true };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { recorded: false, reason: 'PlanOfCareNotRunning' };
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as { type?: string } | undefined;
      return { recorded: false, reason: cause?.type ?? 'UpdateRejected' };
    }
    throw err;
  }
}

export function createPocSignatureActivities(deps: PocSignatureDeps) {
  const activities = {
    /** The certification request (or a reminder) to the office; at most one per workflow step and channel. */
    async sendSignatureRequest(req: SignatureSendRequest): Promise<SignatureSendResult> {
      if (!deps.delivery) return { outcome: 'no_route', code: 'delivery_not_configured' };
      if (!deps.directory) return { outcome: 'no_route', code: 'directory_not_configured' };
      const recipient = await deps.directory.recipient(req.practiceId, req.referringPractitionerId);
      if (!recipient) return { outcome: 'no_route', code: 'practitioner_not_in_directory' };
      if (req.channel === 'email' && (!recipient.email || !deps.delivery.channels.includes('email')))
        return { outcome: 'no_route', code: 'no_email' };
      const practiceName = (await deps.practiceName?.(req.practiceId)) ?? 'Physical therapy practice';
      const document = await renderSignatureRequest({
        practiceName,
        recipientName: recipient.displayName,
        reference: req.reference,
        cycle: req.cycle,
        dueBy: req.dueBy,
        purpose: req.purpose,
      });
      try {
        const receipt = await deps.delivery.send({
          idempotencyKey: `${req.workflowId}:${req.purpose}:${req.day}:${req.attempt}:${req.channel ?? 'auto'}`,
          practiceId: req.practiceId,
          kind: req.cycle.kind === 'initial' ? 'poc_certification' : 'recertification',
          purpose: req.purpose,
          document: { type: 'pdf', bytes: document.bytes, pageCount: document.pageCount },
          recipient,
          reference: req.reference,
          signatureRequested: true,
          ...(req.channel ? { channel: req.channel } : {}),
        });
        return {
          outcome: 'sent',
          deliveryId: receipt.deliveryId,
          channel: receipt.channel,
          acceptedAt: receipt.acceptedAt,
          duplicate: receipt.duplicate,
        };
      } catch (err) {
        if (isPhysicianDeliveryError(err) && !err.retryable) {
          if (err.type === 'PhysicianDeliveryNoRoute') return { outcome: 'no_route', code: 'no_address' };
          const code = (err as { code?: string }).code;
          return { outcome: 'rejected', code: code ?? err.type };
        }
        throw physicianDeliveryFailure(err);
      }
    },

    /** Where a delivery stands, with its signed copy once it came back. */
    async deliveryState(deliveryId: string): Promise<PhysicianDeliveryState> {
      if (!deps.delivery)
        throw ApplicationFailure.nonRetryable(
          'No physician delivery connector is configured.',
          'ConnectorNotConfigured',
        );
      try {
        return await deps.delivery.status(deliveryId);
      } catch (err) {
        throw physicianDeliveryFailure(err);
      }
    },

    /** The first signed copy that came back for any of these deliveries (newest delivery first). */
    async signedReturnAmong(deliveryIds: readonly string[]): Promise<SignedReturn | undefined> {
      if (!deps.delivery)
        throw ApplicationFailure.nonRetryable(
          'No physician delivery connector is configured.',
          'ConnectorNotConfigured',
        );
      try {
        for (const id of [...deliveryIds].reverse()) {
          const state = await deps.delivery.status(id);
          if (state.signedReturn) return state.signedReturn;
        }
        return undefined;
      } catch (err) {
        throw physicianDeliveryFailure(err);
      }
    },

    /**
     * One look for the signature, wherever it may be (one activity per poll keeps the history small): a signed
     * copy returned for any of the deliveries, else the certification on the plan of care.
     */
    async pollSignature(args: {
      deliveryIds: readonly string[];
      planOfCareWorkflowId?: string;
      cycle: SignatureCycle;
    }): Promise<
      | { source: 'returned_copy'; signedDate: IsoDate; documentRef: string }
      | { source: 'plan_of_care'; onFile: CertificationOnFile }
      | undefined
    > {
      if (args.deliveryIds.length > 0 && deps.delivery) {
        const r = await activities.signedReturnAmong(args.deliveryIds);
        if (r) return { source: 'returned_copy', signedDate: r.signedDate, documentRef: r.documentRef };
      }
      if (!args.planOfCareWorkflowId || !deps.temporal) return undefined;
      const onFile = await activities.certificationOnPlanOfCare(args.planOfCareWorkflowId, args.cycle);
      return onFile.onFile ? { source: 'plan_of_care', onFile } : undefined;
    },

    /** Whether the plan of care already holds this cycle's certification (recorded there directly). */
    async certificationOnPlanOfCare(
      planOfCareWorkflowId: string,
      cycle: SignatureCycle,
    ): Promise<CertificationOnFile> {
      let status: PlanOfCareStatus;
      try {
        status = await temporalOf(deps)
          .workflow.getHandle(planOfCareWorkflowId)
          .query<PlanOfCareStatus>('status');
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { onFile: false };
        throw err;
      }
      const poc = status.claimContext.poc;
      if (cycle.kind === 'recertification') {
        const recert = (poc.recertifications ?? []).find((r) => r.certifiedFrom === cycle.certifiedFrom);
        return recert
          ? { onFile: true, basis: 'recertification', signedDate: recert.signedDate }
          : { onFile: false };
      }
      if (poc.signedDate !== undefined)
        return { onFile: true, basis: 'signature', signedDate: poc.signedDate };
      if (
        poc.referralSignedAndDated &&
        poc.transmittedToReferrerDate !== undefined &&
        status.certification === 'certified'
      )
        return { onFile: true, basis: 'transmission' };
      return { onFile: false };
    },

    /** The signature on the plan of care: the initial certification, or the recertified period. */
    async recordSignatureOnPlanOfCare(args: {
      planOfCareWorkflowId: string;
      cycle: SignatureCycle;
      signedDate: IsoDate;
      delayJustification: boolean;
    }): Promise<{ recorded: boolean; reason?: string }> {
      const record: CertificationRecord =
        args.cycle.kind === 'initial'
          ? {
              kind: 'signature',
              signedDate: args.signedDate,
              ...(args.delayJustification ? { delayJustification: true } : {}),
            }
          : {
              kind: 'recertification',
              signedDate: args.signedDate,
              certifiedFrom: args.cycle.certifiedFrom,
              certifiedThrough: args.cycle.certifiedThrough,
            };
      return updatePlanOfCare(deps, args.planOfCareWorkflowId, record);
    },

    /** The delivery as transmission proof (the plan of care accepts it only where the 2025 rule applies). */
    async recordTransmissionOnPlanOfCare(args: {
      planOfCareWorkflowId: string;
      transmittedDate: IsoDate;
      proofRef: string;
    }): Promise<{ recorded: boolean; reason?: string }> {
      return updatePlanOfCare(deps, args.planOfCareWorkflowId, {
        kind: 'transmission',
        transmittedDate: args.transmittedDate,
        proofRef: args.proofRef.slice(0, 100),
      });
    },

    /**
     * The patient's claims the scrubber holds on a POC finding go back to the scrubber (an empty correction:
     * coded and scrubbed again against the plan of care as it now stands). Claims still held for something
     * else are left alone.
     */
    async releaseHeldClaims(args: { practiceId: string; patientId: string }): Promise<{ released: number }> {
      return releaseHeldClaims(
        { db: deps.db, temporal: temporalOf(deps) },
        args,
        (c) => POC_HOLD.test(c),
        'poc-signature',
      );
    },
  };
  return activities;
}

/** The activities the pocSignature workflow proxies (type only: the worker runs them). */
export type PocSignatureActivities = ReturnType<typeof createPocSignatureActivities>;
