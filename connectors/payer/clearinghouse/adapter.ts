// PayerConnector over an X12 clearinghouse (HTTPS):
//   POST {base}/x12/realtime   270 / 276 / 278  → 271 / 277 / 278 response (application/edi-x12)
//   POST {base}/x12/batch      837P             → 999
//   GET  {base}/x12/responses?after=<cursor>     → JSON { documents: [{ cursor, type, x12 }], nextCursor }
//        (files not yet acknowledged)
//   POST {base}/x12/responses/ack                → { cursors: [...] }: those files leave the listing
// Every response is parsed strictly (X12 codec, zod for the JSON mailbox envelope) before use; anything
// else becomes a PayerContractViolation without PHI (the answer is untrusted input and never quoted).
import { z } from 'zod';
import type { PayerProfile } from '../../../domain/model/payer-profile.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import { PayerContractViolation, PayerRejected } from '../errors.js';
import {
  acknowledgementsFrom277CA,
  fromAuthResponse278,
  fromEligibility271,
  fromStatus277,
  toAuthRequest278,
  toClaim837,
  toClaimBatch,
  toEligibility270,
  toStatus276,
  type Created,
  type PayerDirectoryEntry,
} from '../mapping.js';
import { transactionControlNumber, type ControlNumberSource } from '../control-numbers.js';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  ClaimStatusRequest,
  ClaimStatusResult,
  ClaimSubmission,
  ClaimSubmissionResult,
  EligibilityRequest,
  EligibilityResult,
  InboundBatch,
  PayerConnector,
} from '../types.js';
import {
  X12BuildError,
  X12ParseError,
  generate270,
  generate276,
  generate278,
  generate837P,
  parseX12,
  type ParsedDocument,
  type SingleTransactionEnvelope,
  type Submitter,
} from '../x12/index.js';
import { ClearinghouseHttp, type HttpOptions } from './http.js';

export const X12_CONTENT_TYPE = 'application/edi-x12';
/** Largest X12 document we accept inside the mailbox envelope (a big 835 fits comfortably). */
export const MAX_DOCUMENT_CHARS = 2 * 1024 * 1024;

export interface ClearinghouseConfig {
  http: HttpOptions;
  /** ISA05/06 (our submitter id at the clearinghouse) and ISA07/08. */
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  /** 837P loop 1000A / 1000B. */
  submitter: Submitter;
  receiverName: string;
  /** TRN03 "9" + company id. */
  originatorId: string;
  usage: 'P' | 'T';
  payers: readonly PayerDirectoryEntry[];
  profiles?: readonly PayerProfile[];
  controlNumbers: ControlNumberSource;
  clock?: () => Date;
}

/** The parsed document of one transaction type (277 and 277CA share a model). */
type DocOf<T extends ParsedDocument['type']> = ParsedDocument & { type: T };

const CursorSchema = z.string().regex(/^\d{1,18}$/);
const MailboxSchema = z.strictObject({
  documents: z
    .array(
      z.strictObject({
        cursor: CursorSchema,
        type: z.enum(['277CA', '835']),
        x12: z.string().min(1).max(MAX_DOCUMENT_CHARS),
      }),
    )
    .max(1000),
  nextCursor: CursorSchema,
});

/** Envelope clock: the ISA date and time in UTC (the interchange's creation instant). */
function stamp(d: Date): { date: string; time: string } {
  const iso = d.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

export class ClearinghouseConnector implements PayerConnector {
  private readonly http: ClearinghouseHttp;
  private readonly clock: () => Date;

  constructor(private readonly config: ClearinghouseConfig) {
    this.http = new ClearinghouseHttp(config.http);
    this.clock = config.clock ?? (() => new Date());
  }

  async checkEligibility(req: EligibilityRequest): Promise<EligibilityResult> {
    const payer = this.payer(req.payerId);
    const { envelope, created } = await this.envelope();
    const x12 = this.build('eligibility inquiry', () =>
      generate270(toEligibility270(req, payer, created), envelope),
    );
    const doc = await this.realtime(x12, '271', 'eligibility inquiry');
    return fromEligibility271(doc.document);
  }

  async submitAuthorization(req: AuthorizationRequest): Promise<AuthorizationDecision> {
    return this.authorization(req, 'authorization request');
  }

  async queryAuthorization(req: AuthorizationRequest): Promise<AuthorizationDecision> {
    // X12 has no separate "status of my 278" transaction at most UMOs: the same request (same trace)
    // is answered with the current decision.
    return this.authorization(req, 'authorization inquiry');
  }

  async submitClaim({ claim, parties, idempotencyKey }: ClaimSubmission): Promise<ClaimSubmissionResult> {
    const payer = this.payer(claim.payerId);
    const dos = claim.lines.map((l) => l.dos).sort()[0];
    const profile = dos === undefined ? undefined : payerProfileOn(claim.payerId, dos, this.config.profiles);
    if (profile === undefined) throw new PayerRejected('no payer profile in force for the claim');
    // With a key, a retry re-sends the identical interchange (same ISA13/GS06/date/time): the clearinghouse
    // answers a duplicate interchange with its first 999 instead of filing the claim twice.
    const { envelope, created, numbers, reused } = await this.envelope(idempotencyKey);
    const x12 = this.build('claim', () =>
      generate837P(
        toClaimBatch([toClaim837(claim, parties, payer, profile)], {
          reference: `B${numbers.interchange}`,
          createdDate: created.date,
          createdTime: created.time,
          // 1000A: the practice names itself (profile); the submitter id is the clearinghouse account's.
          submitter: parties.submitter
            ? { ...this.config.submitter, name: parties.submitter.name, phone: parties.submitter.phone }
            : this.config.submitter,
          receiver: { name: this.config.receiverName, id: this.config.receiver.id },
        }),
        envelope,
      ),
    );
    const res = await this.http.request({
      method: 'POST',
      path: 'x12/batch',
      body: x12,
      contentType: X12_CONTENT_TYPE,
      accept: X12_CONTENT_TYPE,
      what: 'claim submission',
    });
    const ack = this.expect(res.text, '999', 'claim submission').document;
    if (ack.functionalGroup.controlNumber.replace(/^0+/, '') !== String(numbers.group)) {
      throw new PayerContractViolation('clearinghouse 999 acknowledges a different functional group');
    }
    const tx = ack.transactionSets[0];
    const accepted = ack.groupAccepted && (tx?.accepted ?? false);
    return {
      accepted,
      patientControlNumber: claim.patientControlNumber,
      interchangeControlNumber: numbers.interchange,
      groupControlNumber: numbers.group,
      errorCodes: [...ack.groupErrorCodes, ...(tx?.errorCodes ?? [])],
      acknowledgement: ack,
      resent: reused,
    };
  }

  async queryClaimStatus(req: ClaimStatusRequest): Promise<ClaimStatusResult> {
    const payer = this.payer(req.payerId);
    const { envelope, created } = await this.envelope();
    const receiver = { name: this.config.submitter.name, etin: this.config.submitter.id };
    const x12 = this.build('claim status inquiry', () =>
      generate276(toStatus276(req, payer, receiver, created), envelope),
    );
    const doc = await this.realtime(x12, '277', 'claim status inquiry');
    return fromStatus277(doc.document, req.patientControlNumber);
  }

  async fetchInbound(cursor?: string): Promise<InboundBatch> {
    const after = cursor ?? '0';
    if (!CursorSchema.safeParse(after).success) throw new PayerRejected('mailbox cursor must be digits');
    const res = await this.http.request({
      method: 'GET',
      path: `x12/responses?after=${after}`,
      accept: 'application/json',
      what: 'mailbox',
    });
    if (!res.contentType.startsWith('application/json'))
      throw new PayerContractViolation('clearinghouse mailbox answered a non-JSON body');
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new PayerContractViolation('clearinghouse mailbox body is not valid JSON');
    }
    const parsed = MailboxSchema.safeParse(json);
    if (!parsed.success)
      throw new PayerContractViolation('clearinghouse mailbox body has an unexpected shape');
    const out: InboundBatch = {
      cursor: parsed.data.documents.length === 0 ? after : parsed.data.nextCursor,
      acknowledgements: [],
      remittances: [],
      acknowledgementDocuments: [],
      files: [],
      mailbox: this.config.sender.id,
    };
    for (const item of parsed.data.documents) {
      const docs = this.parse(item.x12, 'mailbox document').documents;
      const file: InboundBatch['files'][number] = {
        cursor: item.cursor,
        acknowledgements: [],
        remittances: [],
      };
      out.files.push(file);
      for (const d of docs) {
        if (item.type === '277CA' && d.type === '277CA') {
          const acks = acknowledgementsFrom277CA(d.document);
          out.acknowledgementDocuments.push(d.document);
          out.acknowledgements.push(...acks);
          file.acknowledgements.push(...acks);
        } else if (item.type === '835' && d.type === '835') {
          out.remittances.push(d.document);
          file.remittances.push(d.document);
        } else {
          throw new PayerContractViolation('clearinghouse mailbox document is not of its declared type');
        }
      }
    }
    return out;
  }

  async acknowledgeInbound(cursors: string[]): Promise<void> {
    if (cursors.length === 0) return;
    if (!cursors.every((c) => CursorSchema.safeParse(c).success))
      throw new PayerRejected('mailbox cursor must be digits');
    await this.http.request({
      method: 'POST',
      path: 'x12/responses/ack',
      body: JSON.stringify({ cursors }),
      contentType: 'application/json',
      accept: 'application/json',
      what: 'mailbox acknowledgement',
    });
  }

  // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────

  private async authorization(req: AuthorizationRequest, what: string): Promise<AuthorizationDecision> {
    const payer = this.payer(req.payerId);
    const { envelope, created } = await this.envelope();
    const x12 = this.build(what, () => generate278(toAuthRequest278(req, payer, created), envelope));
    const doc = await this.realtime(x12, '278', what);
    if (!doc.document.traceNumbers.includes(req.traceNumber))
      throw new PayerContractViolation(`clearinghouse ${what} response does not echo our trace`);
    return fromAuthResponse278(doc.document);
  }

  private payer(payerId: string): PayerDirectoryEntry {
    const entry = this.config.payers.find((p) => p.payerId === payerId);
    // The payer id is an opaque configuration key, not PHI.
    if (entry === undefined)
      throw new PayerRejected(`payer ${payerId} is not in the clearinghouse directory`);
    return entry;
  }

  private async envelope(idempotencyKey?: string): Promise<{
    envelope: SingleTransactionEnvelope;
    created: Created;
    numbers: { interchange: number; group: number };
    reused: boolean;
  }> {
    const source = this.config.controlNumbers;
    const keyed =
      idempotencyKey !== undefined && source.forKey
        ? await source.forKey(this.config.sender.id, idempotencyKey, this.clock())
        : undefined;
    const numbers = keyed ?? (await source.next(this.config.sender.id));
    const { date, time } = stamp(keyed?.createdAt ?? this.clock());
    return {
      numbers: { interchange: numbers.interchange, group: numbers.group },
      reused: keyed?.reused ?? false,
      created: { date, time, originatorId: this.config.originatorId },
      envelope: {
        sender: this.config.sender,
        receiver: this.config.receiver,
        date,
        time,
        interchangeControlNumber: numbers.interchange,
        groupControlNumber: numbers.group,
        transactionControlNumber: transactionControlNumber(),
        usage: this.config.usage,
        acknowledgmentRequested: false,
      },
    };
  }

  private build(what: string, fn: () => string): string {
    try {
      return fn();
    } catch (err) {
      // X12BuildError names the field path, never the value.
      if (err instanceof X12BuildError) throw new PayerRejected(`cannot build the ${what}: ${err.message}`);
      throw err;
    }
  }

  private async realtime<T extends ParsedDocument['type']>(
    x12: string,
    type: T,
    what: string,
  ): Promise<DocOf<T>> {
    const res = await this.http.request({
      method: 'POST',
      path: 'x12/realtime',
      body: x12,
      contentType: X12_CONTENT_TYPE,
      accept: X12_CONTENT_TYPE,
      what,
    });
    return this.expect(res.text, type, what);
  }

  private expect<T extends ParsedDocument['type']>(text: string, type: T, what: string): DocOf<T> {
    const parsed = this.parse(text, what);
    const doc = parsed.documents.find((d): d is DocOf<T> => d.type === type);
    if (doc === undefined || parsed.documents.length !== 1)
      throw new PayerContractViolation(`clearinghouse ${what} response is not a single ${type}`);
    return doc;
  }

  private parse(text: string, what: string): ReturnType<typeof parseX12> {
    if (text.length > MAX_DOCUMENT_CHARS)
      throw new PayerContractViolation(`clearinghouse ${what} response is too large`);
    try {
      return parseX12(text);
    } catch (err) {
      // X12ParseError messages carry a code and a segment position only (no element values).
      if (err instanceof X12ParseError)
        throw new PayerContractViolation(`clearinghouse ${what} response is not valid X12: ${err.message}`);
      throw new PayerContractViolation(`clearinghouse ${what} response could not be parsed`);
    }
  }
}
