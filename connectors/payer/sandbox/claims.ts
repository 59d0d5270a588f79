// The sandbox payer's 837P batches: a 999 at once, then — after the answer, like a clearinghouse — the claims
// are filed and adjudicated and a 277CA and an 835 per batch go into the sender's mailbox. Idempotent by
// sender + CLM01 (a resubmitted original is not a second claim; 7 replaces, 8 voids) and by sender + ISA13 (a
// repeated interchange gets the first copy's 999 and files nothing).
import type { AuthorizationRecord } from '../../../domain/prior-authorization/authorization.js';
import type { PriorClaim } from '../../../domain/claims/duplicates.js';
import { addDays } from '../../../domain/core/dates.js';
import { X12ParseError, parseX12, type Claim837, type InterchangeHeader } from '../x12/index.js';
import { adjudicate, type Adjudication } from './adjudicate.js';
import {
  envelope,
  shortDigest,
  planProfileOn,
  SandboxBadRequest,
  SandboxBusy,
  stamp,
  type SandboxPayerOptions,
} from './common.js';
import { planByX12Id, type SandboxPlan } from './plans.js';
import { scenarioFor } from './scenarios.js';
import type { SandboxPayerStore } from './store.js';
import { transactionControlNumbers } from './x12-in.js';
import { ack277CA, ack999, remittance835, type Ack277Claim } from './x12-out-batch.js';

/** A first copy that never got its 999 (the sandbox died mid-way) is processed again after this long. */
const STALE_INTERCHANGE_MS = 30_000;
/** Unfiled interchanges a mailbox poll picks up at most (left by a sandbox that died after its 999). */
const SWEEP_LIMIT = 50;
/**
 * Filing transactions open at once. Each holds a pooled connection while its envelopes take control numbers
 * on another (outside the transaction, so the counter row is not locked until commit): the sandboxes' pools
 * have five connections or more, so two filings always leave one for the rest.
 */
const FILING_CONCURRENCY = 2;

type Batch837 = Extract<ReturnType<typeof parseX12>['documents'][number], { type: '837P' }>['document'];

interface Parsed837 {
  header: InterchangeHeader;
  batches: Batch837[];
  controls: { group: string; controls: string[] };
}

function parse837(text: string): Parsed837 {
  let parsed: ReturnType<typeof parseX12>;
  let controls: { group: string; controls: string[] };
  try {
    controls = transactionControlNumbers(text);
    parsed = parseX12(text);
  } catch (err) {
    if (err instanceof X12ParseError) throw new SandboxBadRequest(err.code);
    throw err;
  }
  const batches = parsed.documents.flatMap((d) => (d.type === '837P' ? [d.document] : []));
  if (batches.length !== parsed.documents.length) throw new SandboxBadRequest('NOT_837P');
  return { header: parsed.interchange, batches, controls };
}

const dateOfService = (claim: Claim837, today: string): string =>
  claim.lines.map((l) => l.serviceDate).sort()[0] ?? today;

/**
 * Claims intake of the sandbox payer. `receive` answers the 999 after one durable write (the interchange with
 * its 999 and its text); filing and adjudication run after the answer, off the submitter's request, in one
 * transaction per interchange. Interchanges naming the same member are filed in arrival order (a later claim's
 * adjudication sees the earlier one's deductible and visits); others in parallel. A mailbox poll waits for the
 * filings under way in this process and files any interchange left unfiled (by a sandbox that died after its
 * 999), so a poll after a 999 always finds that interchange's 277CA and 835.
 */
export class SandboxClaims {
  /** Filings under way in this process, by sender + ISA13. */
  private readonly filing = new Map<string, Promise<void>>();
  /** The last filing queued per member: the next interchange naming that member waits for it. */
  private readonly memberTail = new Map<string, Promise<void>>();

  /** Filings waiting for one of the FILING_CONCURRENCY slots. */
  private readonly slotWaiters: (() => void)[] = [];
  private slotsFree = FILING_CONCURRENCY;

  constructor(private readonly options: SandboxPayerOptions) {}

  async receive(text: string): Promise<string> {
    const { header, batches, controls } = parse837(text);
    const sender = header.senderId;
    const today = this.options.clock().toISOString().slice(0, 10);
    // What adjudication would refuse is refused now, before the 999: no profile of the plan on the date of service.
    for (const claim of batches.flatMap((b) => b.claims)) {
      const plan = planByX12Id(claim.payer.payerId);
      if (plan !== undefined) planProfileOn(plan, dateOfService(claim, today));
    }
    const ack = await this.ack999(header, controls);
    const received = { ack999: ack, x12: text };
    // A repeated ISA13 from the same sender is the same interchange sent again (a client that lost our
    // answer): it gets the first copy's 999 and files nothing.
    const seen = await this.options.store.receiveInterchange(sender, header.controlNumber, received);
    if (seen.kind === 'duplicate') {
      if (seen.ack999 !== null) return seen.ack999;
      if (this.options.clock().getTime() - seen.receivedAt.getTime() < STALE_INTERCHANGE_MS)
        throw new SandboxBusy();
      await this.options.store.saveInterchangeAck(sender, header.controlNumber, received);
    }
    this.schedule(sender, header.controlNumber, [
      ...new Set(batches.flatMap((b) => b.claims.map((c) => c.subscriber.memberId))),
    ]);
    return ack;
  }

  /**
   * Waits for every filing under way in this process, then files what is left unfiled in the database (not
   * under way here: left by a sandbox that died after its 999). The mailbox route calls it before listing.
   */
  async fileWaiting(): Promise<void> {
    await this.settled();
    const unfiled = await this.options.store.unfiledInterchanges(SWEEP_LIMIT);
    for (const i of unfiled) {
      const key = `${i.senderId}\u0000${i.controlNumber}`;
      const running = this.filing.get(key);
      if (running !== undefined) await running;
      // A filing that fails rolled back whole and stays waiting for the next poll; the listing is still served.
      else await this.fileNow(i.senderId, i.controlNumber).catch(() => undefined);
    }
  }

  /** Resolves when the filings under way in this process have finished (each committed or rolled back). */
  async settled(): Promise<void> {
    while (this.filing.size > 0) await Promise.allSettled([...this.filing.values()]);
  }

  private schedule(sender: string, controlNumber: string, members: string[]): void {
    const key = `${sender}\u0000${controlNumber}`;
    const before = members.flatMap((m) => this.memberTail.get(m) ?? []);
    const run = Promise.allSettled([...before, this.filing.get(key)])
      .then(() => this.fileNow(sender, controlNumber))
      // A failed filing rolled back whole: the interchange stays unfiled and the next mailbox poll files it.
      .catch(() => undefined);
    this.filing.set(key, run);
    for (const m of members) this.memberTail.set(m, run);
    void run.finally(() => {
      if (this.filing.get(key) === run) this.filing.delete(key);
      for (const m of members) if (this.memberTail.get(m) === run) this.memberTail.delete(m);
    });
  }

  /** Files one interchange (no-op when already filed): claims, 277CA and 835 commit together with "filed". */
  private async fileNow(sender: string, controlNumber: string): Promise<void> {
    if (this.slotsFree > 0) this.slotsFree--;
    else await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    try {
      await this.options.store.fileInterchange(sender, controlNumber, async (store, x12) => {
        const { header, batches, controls } = parse837(x12);
        await this.fileBatches(store, header, batches, controls);
      });
    } finally {
      const next = this.slotWaiters.shift();
      if (next !== undefined) next();
      else this.slotsFree++;
    }
  }

  private ack999(
    header: InterchangeHeader,
    controls: { group: string; controls: string[] },
  ): Promise<string> {
    return envelope(
      this.options,
      header,
      'FA',
      '999',
      '999',
      ack999({
        groupControlNumber: controls.group,
        transactions: controls.controls.map((c) => ({ controlNumber: c, accepted: true })),
      }),
    );
  }

  private async fileBatches(
    store: SandboxPayerStore,
    header: InterchangeHeader,
    batches: Batch837[],
    controls: { group: string; controls: string[] },
  ): Promise<void> {
    const sender = header.senderId;
    const now = this.options.clock();
    const today = now.toISOString().slice(0, 10);
    for (const [i, batch] of batches.entries()) {
      const acks: Ack277Claim[] = [];
      const remits: {
        claim: Claim837;
        adjudication: Adjudication;
        payerClaimNumber: string;
        frequency: Claim837['frequencyCode'];
      }[] = [];
      for (const claim of batch.claims) {
        const outcome = await this.receiveClaim(store, sender, claim, today);
        if (outcome === undefined) continue; // idempotent resubmission: nothing new to say
        acks.push(outcome.ack);
        if (outcome.remit !== undefined) remits.push(outcome.remit);
      }
      if (acks.length > 0) {
        const segs = ack277CA(
          {
            reference: `CA${controls.controls[i] ?? '0001'}${shortDigest(sender, batch.batchReference, String(now.getTime()))}`,
            sandbox: { name: this.options.identity.name, id: this.options.identity.senderId },
            submitter: { name: batch.submitter.name, id: batch.submitter.id },
            batchReference: batch.batchReference,
            claims: acks,
          },
          stamp(now),
        );
        await store.pushResponse(
          sender,
          '277CA',
          await envelope(this.options, header, 'HN', '277CA', '277', segs),
        );
      }
      for (const r of remits) {
        const plan = planByX12Id(r.claim.payer.payerId);
        if (plan === undefined) continue;
        const bp = r.claim.billingProvider;
        const segs = remittance835(
          {
            plan,
            payee: { name: bp.name, npi: bp.npi, taxId: bp.taxId },
            traceNumber: `EFT${shortDigest(r.payerClaimNumber, String(now.getTime()))}`,
            paymentDate: addDays(today, 1),
            claims: [r],
          },
          stamp(now),
        );
        await store.pushResponse(
          sender,
          '835',
          await envelope(this.options, header, 'HP', '835', '835', segs),
        );
      }
    }
  }

  private async receiveClaim(
    store: SandboxPayerStore,
    sender: string,
    claim: Claim837,
    today: string,
  ): Promise<
    | {
        ack: Ack277Claim;
        remit?: {
          claim: Claim837;
          adjudication: Adjudication;
          payerClaimNumber: string;
          frequency: Claim837['frequencyCode'];
        };
      }
    | undefined
  > {
    const plan = planByX12Id(claim.payer.payerId);
    const dos = dateOfService(claim, today);
    const scenario = scenarioFor(claim.subscriber.memberId);
    const payerClaimNumber = `SBX${shortDigest(sender, claim.patientControlNumber)}`;
    const base = {
      senderId: sender,
      patientControlNumber: claim.patientControlNumber,
      payerClaimNumber,
      x12PayerId: claim.payer.payerId,
      memberId: claim.subscriber.memberId,
      dos,
      frequency: claim.frequencyCode,
      chargeCents: claim.totalChargeCents,
      claim,
      authorizationNumber: claim.priorAuthorizationNumber ?? null,
    };
    const frontEndReject =
      plan === undefined || scenario?.kind === 'front_end_reject' || scenario?.kind === 'provider_npi_reject';
    let row = await store.insertClaim({
      ...base,
      status: frontEndReject ? 'rejected' : 'accepted',
    });
    if (row === undefined) {
      const existing = await store.findClaim(sender, claim.patientControlNumber);
      if (existing === undefined) throw new Error('claim row vanished');
      await store.updateClaim(existing.id, { receipts: existing.receipts + 1 });
      // Same CLM01, original frequency, already on file and not rejected: the same claim again (no CO-18,
      // no second claim). A rejected claim was never filed, so it is taken as new; 7/8 replace or void.
      if (claim.frequencyCode === '1' && existing.status !== 'rejected') return undefined;
      if (claim.frequencyCode === '8') {
        await store.updateClaim(existing.id, {
          status: 'voided',
          version: existing.version + 1,
          claim,
        });
        return { ack: { claim, accepted: true, payerClaimNumber } };
      }
      await store.updateClaim(existing.id, {
        ...base,
        status: frontEndReject ? 'rejected' : 'accepted',
        version: existing.version + 1,
      });
      row = { ...existing, ...base, status: frontEndReject ? 'rejected' : 'accepted' };
    }
    if (frontEndReject || plan === undefined) {
      return {
        ack: {
          claim,
          accepted: false,
          rejection: scenario?.kind === 'provider_npi_reject' ? 'billing_npi' : 'subscriber_id',
        },
      };
    }
    const adjudication = await this.adjudicate(store, claim, plan, dos, today);
    await store.updateClaim(row.id, {
      status: adjudication.statusCode === '4' ? 'denied' : 'paid',
      allowedCents: adjudication.allowedCents,
      paidCents: adjudication.paidCents,
      patientResponsibilityCents: adjudication.patientResponsibilityCents,
      deductibleCents: adjudication.deductibleCents,
    });
    return {
      ack: { claim, accepted: true, payerClaimNumber },
      remit: { claim, adjudication, payerClaimNumber, frequency: claim.frequencyCode },
    };
  }

  private async adjudicate(
    store: SandboxPayerStore,
    claim: Claim837,
    plan: SandboxPlan,
    dos: string,
    today: string,
  ): Promise<Adjudication> {
    const profile = planProfileOn(plan, dos);
    const others = await store.memberClaims(claim.subscriber.memberId, claim.patientControlNumber);
    const year = dos.slice(0, 4);
    const counted = others.filter(
      (c) => c.dos.startsWith(year) && (c.status === 'paid' || c.status === 'denied'),
    );
    const priorClaims: PriorClaim[] = others
      .filter((c) => c.status !== 'rejected' && c.status !== 'voided')
      .map((c) => ({
        claimId: c.patientControlNumber,
        patientId: c.memberId,
        payerId: c.x12PayerId,
        dos: c.dos,
        status: c.status === 'denied' ? 'denied' : 'paid',
        frequency: c.frequency as '1' | '7' | '8',
        payerClaimNumber: c.payerClaimNumber,
        lines: (c.claim as Claim837).lines.map((l) => ({
          code: l.procedureCode,
          modifiers: l.modifiers,
          units: l.units,
        })),
      }));
    const auths = await store.memberAuths(claim.subscriber.memberId);
    const authorizations: AuthorizationRecord[] = auths.flatMap((a) =>
      a.authorizationNumber === null
        ? []
        : [
            {
              number: a.authorizationNumber,
              status:
                a.status === 'certified'
                  ? 'approved'
                  : a.status === 'partially_certified'
                    ? 'partially_approved'
                    : a.status === 'pended'
                      ? 'pending'
                      : 'denied',
              startDate: a.startDate,
              endDate: a.endDate,
              visitsAuthorized: a.visitsApproved,
              visitsUsed: others.filter(
                (c) => c.authorizationNumber === a.authorizationNumber && c.status === 'paid',
              ).length,
            },
          ],
    );
    const scenario = scenarioFor(claim.subscriber.memberId);
    return adjudicate({
      claim,
      plan,
      profile,
      receivedDate: today,
      ...(scenario !== undefined ? { scenario } : {}),
      accruedAllowedCents: counted.reduce((s, c) => s + c.allowedCents, 0),
      deductibleMetCents: counted.reduce((s, c) => s + c.deductibleCents, 0),
      priorClaims,
      authorizations,
    });
  }
}
