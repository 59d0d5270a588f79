// The sandbox payer's 837P batches: a 999 at once, then a 277CA and an 835 per batch into the sender's
// mailbox. Idempotent by sender + CLM01 (a resubmitted original is not a second claim; 7 replaces, 8 voids)
// and by sender + ISA13 (a repeated interchange gets the first copy's 999 and files nothing).
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
import { transactionControlNumbers } from './x12-in.js';
import { ack277CA, ack999, remittance835, type Ack277Claim } from './x12-out-batch.js';

/** A first copy that never got its 999 (the sandbox died mid-way) is processed again after this long. */
const STALE_INTERCHANGE_MS = 30_000;

export class SandboxClaims {
  constructor(private readonly options: SandboxPayerOptions) {}

  async receive(text: string): Promise<string> {
    let parsed: ReturnType<typeof parseX12>;
    let controls: { group: string; controls: string[] };
    try {
      controls = transactionControlNumbers(text);
      parsed = parseX12(text);
    } catch (err) {
      if (err instanceof X12ParseError) throw new SandboxBadRequest(err.code);
      throw err;
    }
    const header = parsed.interchange;
    const batches = parsed.documents.flatMap((d) => (d.type === '837P' ? [d.document] : []));
    if (batches.length !== parsed.documents.length) throw new SandboxBadRequest('NOT_837P');
    const sender = header.senderId;
    // A repeated ISA13 from the same sender is the same interchange sent again (a client that lost our
    // answer): it gets the first copy's 999 and files nothing.
    const seen = await this.options.store.receiveInterchange(sender, header.controlNumber);
    if (seen.kind === 'duplicate') {
      if (seen.ack999 !== null) return seen.ack999;
      if (this.options.clock().getTime() - seen.receivedAt.getTime() < STALE_INTERCHANGE_MS)
        throw new SandboxBusy();
    }
    const ack = await this.fileBatches(header, batches, controls);
    await this.options.store.saveInterchangeAck(sender, header.controlNumber, ack);
    return ack;
  }

  private async fileBatches(
    header: InterchangeHeader,
    batches: Extract<ReturnType<typeof parseX12>['documents'][number], { type: '837P' }>['document'][],
    controls: { group: string; controls: string[] },
  ): Promise<string> {
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
        const outcome = await this.receiveClaim(sender, claim, today);
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
        await this.options.store.pushResponse(
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
        await this.options.store.pushResponse(
          sender,
          '835',
          await envelope(this.options, header, 'HP', '835', '835', segs),
        );
      }
    }
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

  private async receiveClaim(
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
    const dos = claim.lines.map((l) => l.serviceDate).sort()[0] ?? today;
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
    let row = await this.options.store.insertClaim({
      ...base,
      status: frontEndReject ? 'rejected' : 'accepted',
    });
    if (row === undefined) {
      const existing = await this.options.store.findClaim(sender, claim.patientControlNumber);
      if (existing === undefined) throw new Error('claim row vanished');
      await this.options.store.updateClaim(existing.id, { receipts: existing.receipts + 1 });
      // Same CLM01, original frequency, already on file and not rejected: the same claim again (no CO-18,
      // no second claim). A rejected claim was never filed, so it is taken as new; 7/8 replace or void.
      if (claim.frequencyCode === '1' && existing.status !== 'rejected') return undefined;
      if (claim.frequencyCode === '8') {
        await this.options.store.updateClaim(existing.id, {
          status: 'voided',
          version: existing.version + 1,
          claim,
        });
        return { ack: { claim, accepted: true, payerClaimNumber } };
      }
      await this.options.store.updateClaim(existing.id, {
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
    const adjudication = await this.adjudicate(claim, plan, dos, today);
    await this.options.store.updateClaim(row.id, {
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
    claim: Claim837,
    plan: SandboxPlan,
    dos: string,
    today: string,
  ): Promise<Adjudication> {
    const profile = planProfileOn(plan, dos);
    const others = await this.options.store.memberClaims(
      claim.subscriber.memberId,
      claim.patientControlNumber,
    );
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
    const auths = await this.options.store.memberAuths(claim.subscriber.memberId);
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
