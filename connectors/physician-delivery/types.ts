// The PhysicianDelivery port: documents to a referring physician's office (the plan of care for certification,
// progress reports, recertifications, discharge summaries) and what comes back (the signed copy). One interface
// the activities use; adapters: fax / Direct secure messaging over HTTP (a sandbox service in dev, the same API
// a fax/HISP vendor gateway speaks) and e-mail carrying only a secure link with an opaque token (the fallback).
//
// What crosses this port is PHI (the document, the physician's fax number or address): adapters never log it,
// never put it in an id, a URL or an error message. Ids and references are opaque.

/** The documents a practice sends to a referring physician. */
export const PHYSICIAN_DOCUMENT_KINDS = [
  'poc_certification',
  'progress_report',
  'recertification',
  'discharge_summary',
] as const;
export type PhysicianDocumentKind = (typeof PHYSICIAN_DOCUMENT_KINDS)[number];

/** The kinds whose signed copy is expected back (the physician certifies by signing). */
export const SIGNATURE_DOCUMENT_KINDS: readonly PhysicianDocumentKind[] = [
  'poc_certification',
  'recertification',
];

export const DELIVERY_CHANNELS = ['fax', 'direct', 'email'] as const;
/** fax: a fax gateway; direct: Direct secure messaging (HISP); email: a notice with a secure link only. */
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** The document: its PDF bytes, or a reference to a document the gateway already holds (e.g. an EMR document id). */
export type PhysicianDocumentContent =
  { type: 'pdf'; bytes: Uint8Array; pageCount?: number } | { type: 'reference'; documentRef: string };

/** The referring physician and the addresses the office accepts documents at (PHI-adjacent: never logged). */
export interface PhysicianRecipient {
  /** Our id of the practitioner (opaque). */
  practitionerId: string;
  npi?: string;
  /** Shown on the fax cover sheet / greeting. */
  displayName: string;
  /** E.164 fax number. */
  fax?: string;
  /** Direct address (e.g. `dr.lee@direct.clinic.example`). */
  directAddress?: string;
  /** E-mail for the secure-link fallback. */
  email?: string;
}

export interface PhysicianDeliveryRequest {
  /**
   * Caller-chosen dedupe key, deterministic per workflow step (e.g. `${workflowId}:send:1`). Every retry of the
   * same send uses the same key; at most one document goes out per key and channel.
   */
  idempotencyKey: string;
  practiceId: string;
  kind: PhysicianDocumentKind;
  /** `original` the first time, `reminder` when the office is chased (the gateway may add a reminder cover). */
  purpose: 'original' | 'reminder';
  document: PhysicianDocumentContent;
  recipient: PhysicianRecipient;
  /**
   * Opaque reference printed on the cover sheet and carried by the return (4–40 of [A-Za-z0-9-]): how a signed
   * copy is matched to the process waiting for it. Never PHI.
   */
  reference: string;
  /** A signed copy is expected back (certification, recertification). */
  signatureRequested: boolean;
  /** Force a channel; otherwise the adapter picks the best one the recipient has (direct > fax > email). */
  channel?: DeliveryChannel;
}

/** queued → sending → delivered | failed; a delivered document asking for a signature may become `signed`. */
export type DeliveryStatus = 'queued' | 'sending' | 'delivered' | 'failed' | 'signed';

export interface PhysicianDeliveryReceipt {
  /** The gateway's id of this delivery (opaque): the proof-of-transmission reference. */
  deliveryId: string;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  /** When the gateway accepted it (ISO instant). */
  acceptedAt: string;
  /** True when an earlier attempt with the same idempotency key already created it. */
  duplicate: boolean;
}

/** A signed copy the physician's office sent back. */
export interface SignedReturn {
  /** The gateway's id of the returned document (dedupe key of the intake). */
  returnId: string;
  deliveryId: string;
  reference: string;
  kind: PhysicianDocumentKind;
  /** The date the physician wrote next to the signature (YYYY-MM-DD), as read from the returned copy. */
  signedDate: string;
  /** NPI of the signer when the gateway read it. */
  signerNpi?: string;
  channel: DeliveryChannel;
  /** When the return arrived (ISO instant). */
  receivedAt: string;
  /** The gateway's reference to the signed copy (kept with the record as the certification evidence). */
  documentRef: string;
}

export interface PhysicianDeliveryState {
  deliveryId: string;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  /** ISO instant of the last change. */
  updatedAt: string;
  deliveredAt?: string;
  /** Fixed code of a failed delivery (e.g. `busy`, `no_answer`, `invalid_number`, `bounced`): never free text. */
  failureCode?: string;
  /** Present once the signed copy came back. */
  signedReturn?: SignedReturn;
}

export interface SignedReturnPage {
  returns: SignedReturn[];
  /** Pass as `after` to read on; unchanged when nothing new arrived. */
  nextCursor: string;
}

/** The port the activities use. */
export interface PhysicianDelivery {
  /** The channels this implementation can send on. */
  readonly channels: readonly DeliveryChannel[];
  /** Sends at most once per idempotency key; a repeat answers with the first receipt (`duplicate: true`). */
  send(req: PhysicianDeliveryRequest, opts?: { signal?: AbortSignal }): Promise<PhysicianDeliveryReceipt>;
  /** Where a delivery stands, including its signed return once it arrived. */
  status(deliveryId: string, opts?: { signal?: AbortSignal }): Promise<PhysicianDeliveryState>;
  /** Signed copies received and not yet acknowledged (intake mailbox, oldest first). */
  listReturns(after?: string, opts?: { signal?: AbortSignal }): Promise<SignedReturnPage>;
  /** The caller stored these returns: they leave the mailbox. */
  acknowledgeReturns(returnIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void>;
}

/** A reference fit for a cover sheet and the return match: opaque, short, no PHI. */
export const DELIVERY_REFERENCE = /^[A-Za-z0-9-]{4,40}$/;
