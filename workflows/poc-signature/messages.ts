// The pocSignature process's contract: its workflow type name, input, status and the update, signal and query it
// answers. The API, the activities, the planOfCare process (which starts it) and the tests import this file,
// never the workflow itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SignatureCycle } from '../../domain/care/poc-signature.js';
import type { IsoDate } from '../../domain/core/dates.js';

/** The registered workflow type (the name of the workflow function): it never changes. */
export const POC_SIGNATURE_WORKFLOW_TYPE = 'pocSignature' as const;

export type { SignatureCycle } from '../../domain/care/poc-signature.js';

export interface PocSignatureInput {
  /** The episode of care (its plan of care is `poc:<episodeId>`; this process is `pocsig:<episodeId>`). */
  episodeId: string;
  practiceId: string;
  patientId: string;
  /** Our id of the referring/certifying practitioner (the directory resolves fax, Direct address, e-mail). */
  referringPractitionerId: string;
  /** The clinic's IANA zone: dates and office hours are local. */
  timezone: string;
  cycle: SignatureCycle;
  /** The planOfCare process the signature is recorded on (absent: recorded here only). */
  planOfCareWorkflowId?: string;
}

export type PocSignatureState =
  | 'sending'
  | 'awaiting_signature'
  /** The front desk has the task (escalation, or the document could not be delivered). */
  | 'escalated'
  | 'signed'
  | 'cancelled';

export interface DeliveryAttemptRecord {
  purpose: 'original' | 'reminder';
  /** Reminder day, 0 for the original. */
  day: number;
  attempt: number;
  deliveryId?: string;
  channel?: 'fax' | 'direct' | 'email';
  /** ISO instant (workflow time) the process sent it: always inside the office hours of the rule. */
  requestedAt: string;
  /** ISO instant the gateway accepted it (the gateway's clock). */
  acceptedAt?: string;
  status: 'queued' | 'sending' | 'delivered' | 'failed' | 'signed' | 'rejected' | 'no_route';
  failureCode?: string;
}

export interface PocSignatureStatus {
  episodeId: string;
  cycle: SignatureCycle['kind'];
  state: PocSignatureState;
  /** The opaque reference on the cover sheet (matches the signed copy to this process). */
  reference: string;
  dueBy: IsoDate;
  /** Past the due date without a signature: claims for later dates of service stay held. */
  late: boolean;
  signedDate?: IsoDate;
  /**
   * How it arrived; `transmission`: the 2025 rule certified the initial plan of care by the documented
   * transmission (signed and dated referral on file), so no signature is chased.
   */
  signedVia?: 'returned_copy' | 'staff' | 'task' | 'plan_of_care' | 'transmission';
  /** Days after the anchor on which the office was reminded. */
  remindersSent: number[];
  deliveries: DeliveryAttemptRecord[];
  /** Claims held for the signature that were sent back to the scrubber once it was recorded. */
  releasedClaims: number;
  needsAttention: boolean;
  /** The open front-desk task, if any (its workflow id). */
  openTask?: string;
}

export type PocSignatureWorkflow = (input: PocSignatureInput) => Promise<PocSignatureStatus>;

export interface SignatureRecord {
  signedDate: IsoDate;
  /** Who recorded it (staff id, or `gateway` for a returned copy). */
  recordedBy: string;
  /** The signed copy's reference (gateway document id) when there is one: the certification evidence. */
  documentRef?: string;
}

/** Record the physician's signature date (staff, API); refused with a reason when the date cannot be right. */
export const recordSignatureUpdate = defineUpdate<PocSignatureStatus, [SignatureRecord]>('recordSignature');
/** A signed copy came back through the delivery gateway's intake (by reference). */
export const signedCopyReturnedSignal = defineSignal<[SignatureRecord]>('signedCopyReturned');
export const pocSignatureStatusQuery = defineQuery<PocSignatureStatus>('status');
