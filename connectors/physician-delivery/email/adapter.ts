// The e-mail fallback of PhysicianDelivery: the document stays with us, behind an opaque token; the office gets a
// notice (messaging template `physician_report_notice`, over SMTP or the sandbox outbox) carrying only the
// practice's name and phone, the office's name, the opaque reference and the secure link — no patient, no
// clinical detail. The page behind the link (authenticating the office before showing anything) is the portal's
// job; this adapter issues the link and reports what the mail relay did with the notice.
import { createHash, randomBytes } from 'node:crypto';
import type { Messaging } from '../../messaging/types.js';
import {
  PhysicianDeliveryNoRoute,
  PhysicianDeliveryRejected,
  PhysicianDeliveryUnavailable,
} from '../errors.js';
import type {
  DeliveryChannel,
  PhysicianDelivery,
  PhysicianDeliveryReceipt,
  PhysicianDeliveryRequest,
  PhysicianDeliveryState,
  PhysicianDocumentContent,
  PhysicianDocumentKind,
  SignedReturnPage,
} from '../types.js';

/** What the secure-link store keeps per issued document (the content is encrypted at rest by the store). */
export interface SecureDocumentEntry {
  /** `em_` + a hash of the token: what the process keeps (the token itself only travels in the e-mail). */
  deliveryId: string;
  token: string;
  practiceId: string;
  kind: PhysicianDocumentKind;
  reference: string;
  document: PhysicianDocumentContent;
  expiresAt: Date;
  status: 'queued' | 'delivered' | 'failed';
  updatedAt: Date;
  failureCode?: string;
}

/** Where documents wait behind their opaque tokens (the portal serves them after authenticating the office). */
export interface SecureDocumentStore {
  /** The entry of an idempotency key, created with `make()` the first time. */
  getOrCreate(
    key: string,
    make: () => SecureDocumentEntry,
  ): Promise<{ entry: SecureDocumentEntry; created: boolean }>;
  get(deliveryId: string): Promise<SecureDocumentEntry | undefined>;
  update(
    deliveryId: string,
    change: Pick<SecureDocumentEntry, 'status' | 'updatedAt' | 'failureCode'>,
  ): Promise<void>;
}

/**
 * A store in process memory: for the sandbox and tests only (a restart forgets the links). A production
 * deployment supplies a store that encrypts the document at rest.
 */
export function memorySecureDocumentStore(): SecureDocumentStore {
  const byKey = new Map<string, SecureDocumentEntry>();
  const ids = new Map<string, SecureDocumentEntry>();
  return {
    async getOrCreate(key, make) {
      const known = byKey.get(key);
      if (known) return { entry: known, created: false };
      const entry = make();
      byKey.set(key, entry);
      ids.set(entry.deliveryId, entry);
      return { entry, created: true };
    },
    async get(deliveryId) {
      return ids.get(deliveryId);
    },
    async update(deliveryId, change) {
      const entry = ids.get(deliveryId);
      if (entry) Object.assign(entry, change);
    },
  };
}

export interface SecureLinkEmailConfig {
  messaging: Pick<Messaging, 'send'>;
  store: SecureDocumentStore;
  /** The portal's https base, e.g. `https://portal.riverside.example/d/` (the token is appended). */
  linkBase: string;
  practice: (practiceId: string) => Promise<{ name: string; phone: string }>;
  /** The clinic's zone for the notice (the template's quiet-hours rule is the messaging connector's). */
  timeZone: string;
  linkTtlDays?: number;
  now?: () => Date;
}

/** Notice references are at most 24 characters ([A-Za-z0-9-]): the delivery reference, shortened if need be. */
function noticeReference(reference: string): string {
  return reference.length <= 24 ? reference : reference.slice(0, 24);
}

/** The e-mail secure-link adapter. Delivery ids are the opaque tokens' hashes (`em_…`): the link never leaks. */
export class SecureLinkEmailDelivery implements PhysicianDelivery {
  readonly channels: readonly DeliveryChannel[] = ['email'];
  private readonly now: () => Date;

  constructor(private readonly config: SecureLinkEmailConfig) {
    if (!/^https:\/\//.test(config.linkBase)) throw new RangeError('linkBase must be an https URL');
    this.now = config.now ?? (() => new Date());
  }

  async send(req: PhysicianDeliveryRequest): Promise<PhysicianDeliveryReceipt> {
    const to = req.recipient.email;
    if (!to) throw new PhysicianDeliveryNoRoute('The recipient has no e-mail address.');
    const at = this.now();
    const { entry, created } = await this.config.store.getOrCreate(`email:${req.idempotencyKey}`, () => {
      const token = randomBytes(24).toString('base64url');
      return {
        deliveryId: deliveryIdOf(token),
        token,
        practiceId: req.practiceId,
        kind: req.kind,
        reference: req.reference,
        document: req.document,
        expiresAt: new Date(at.getTime() + (this.config.linkTtlDays ?? 30) * 86_400_000),
        status: 'queued',
        updatedAt: at,
      };
    });
    const deliveryId = entry.deliveryId;
    if (!created && entry.status !== 'queued')
      return {
        deliveryId,
        channel: 'email',
        status: entry.status,
        acceptedAt: entry.updatedAt.toISOString(),
        duplicate: true,
      };
    const practice = await this.config.practice(req.practiceId);
    const result = await this.config.messaging.send({
      messageId: `physician-delivery:${createHash('sha256').update(req.idempotencyKey).digest('hex').slice(0, 32)}`,
      practiceId: req.practiceId,
      channel: 'email',
      to,
      template: 'physician_report_notice',
      language: 'en',
      params: {
        practiceName: practice.name.slice(0, 40),
        practicePhone: practice.phone,
        recipientName: req.recipient.displayName.slice(0, 40),
        reference: noticeReference(req.reference),
        link: `${this.config.linkBase}${entry.token}`,
      },
      timeZone: this.config.timeZone,
    });
    if (result.status === 'deferred')
      throw new PhysicianDeliveryUnavailable('E-mail notice deferred by quiet hours', {
        retryAfterMs: Math.max(1_000, Date.parse(result.deferredUntil) - at.getTime()),
      });
    if (result.status === 'blocked_no_consent')
      throw new PhysicianDeliveryNoRoute('The e-mail address opted out.');
    const status = result.status === 'sent' ? 'delivered' : 'failed';
    await this.config.store.update(deliveryId, {
      status,
      updatedAt: at,
      ...(result.status === 'failed' ? { failureCode: 'rejected_by_relay' } : {}),
    });
    if (result.status === 'failed')
      throw new PhysicianDeliveryRejected(
        'E-mail notice refused by the relay',
        undefined,
        'rejected_by_relay',
      );
    return { deliveryId, channel: 'email', status, acceptedAt: at.toISOString(), duplicate: !created };
  }

  async status(deliveryId: string): Promise<PhysicianDeliveryState> {
    const entry = await this.config.store.get(deliveryId);
    if (!entry) throw new PhysicianDeliveryRejected('Unknown e-mail delivery.', 404, 'not_found');
    return {
      deliveryId,
      channel: 'email',
      status: entry.status,
      updatedAt: entry.updatedAt.toISOString(),
      ...(entry.status === 'delivered' ? { deliveredAt: entry.updatedAt.toISOString() } : {}),
      ...(entry.failureCode ? { failureCode: entry.failureCode } : {}),
    };
  }

  /** Signed copies come back through the portal, not through e-mail: nothing to read here. */
  async listReturns(after?: string): Promise<SignedReturnPage> {
    return { returns: [], nextCursor: after ?? '0' };
  }

  async acknowledgeReturns(): Promise<void> {}
}

function deliveryIdOf(token: string): string {
  return `em_${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}
