// The sandbox payer's behaviour behind the HTTP routes: answers real-time 270/276/278 with 271/277/278,
// takes 837P batches (999 at once; 277CA and 835 into the mailbox), idempotent by submitter + CLM01.
import { createHash } from 'node:crypto';
import { planAuthorizationRequest } from '../../../domain/prior-authorization/authorization.js';
import type { AuthorizationRecord } from '../../../domain/prior-authorization/authorization.js';
import type { PriorClaim } from '../../../domain/claims/duplicates.js';
import { addDays } from '../../../domain/core/dates.js';
import type { PayerProfile } from '../../../domain/model/payer-profile.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import type { ControlNumberSource } from '../control-numbers.js';
import {
  X12ParseError,
  buildInterchange,
  parseX12,
  type Claim837,
  type InterchangeHeader,
  type Segment,
} from '../x12/index.js';
import { adjudicate, type Adjudication } from './adjudicate.js';
import { planByX12Id, type SandboxPlan } from './plans.js';
import { scenarioFor } from './scenarios.js';
import type { AuthRow, ClaimRow, SandboxPayerStore } from './store.js';
import {
  IMPL,
  ack277CA,
  type Ack277Claim,
  ack999,
  auth278,
  auth278Rejection,
  eligibility271,
  remittance835,
  status277,
  type Stamp,
} from './x12-out.js';
import { parseRealtimeRequest, transactionControlNumbers, type RealtimeRequest } from './x12-in.js';

export interface SandboxIdentity {
  /** ISA06 of everything the sandbox sends. */
  senderId: string;
  name: string;
}

export interface SandboxPayerOptions {
  store: SandboxPayerStore;
  controlNumbers: ControlNumberSource;
  identity: SandboxIdentity;
  clock: () => Date;
  /** A pended authorization is decided on this many later queries (default 1). */
  pendPolls: number;
}

/** Thrown for requests the sandbox cannot read: the route answers 400 without echoing input. */
export class SandboxBadRequest extends Error {}

/** The first copy of a repeated interchange is still being processed: the route answers 503 + Retry-After. */
export class SandboxBusy extends Error {}

/** A first copy that never got its 999 (the sandbox died mid-way) is processed again after this long. */
const STALE_INTERCHANGE_MS = 30_000;

const hash = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 10).toUpperCase();

function stamp(d: Date): Stamp {
  const iso = d.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

export class SandboxPayer {
  constructor(private readonly o: SandboxPayerOptions) {}

  // ─── envelopes ─────────────────────────────────────────────────────────────────────────────────────

  private async envelope(
    to: InterchangeHeader,
    functionalIdCode: string,
    type: keyof typeof IMPL,
    transactionSetId: string,
    segments: Segment[],
  ): Promise<string> {
    const n = await this.o.controlNumbers.next(this.o.identity.senderId);
    const now = stamp(this.o.clock());
    return buildInterchange(
      {
        sender: { qualifier: 'ZZ', id: this.o.identity.senderId },
        receiver: { qualifier: to.senderQualifier, id: to.senderId },
        date: now.date,
        time: now.time,
        interchangeControlNumber: n.interchange,
        groupControlNumber: n.group,
        usage: to.usage === 'P' ? 'P' : 'T',
      },
      [
        {
          functionalIdCode,
          version: IMPL[type],
          transactions: [
            {
              transactionSetId,
              // ST03 is "not used" in the 835 (005010X221A1): the version is GS08's alone there.
              implementationReference: type === '835' ? '' : IMPL[type],
              controlNumber: '0001',
              segments,
            },
          ],
        },
      ],
    );
  }

  // ─── real time ─────────────────────────────────────────────────────────────────────────────────────

  async realtime(text: string): Promise<string> {
    let req: RealtimeRequest;
    try {
      req = parseRealtimeRequest(text);
    } catch (err) {
      if (err instanceof X12ParseError) throw new SandboxBadRequest(err.code);
      throw err;
    }
    const plan = planByX12Id(req.payerId);
    if (plan === undefined) throw new SandboxBadRequest('UNKNOWN_PAYER');
    switch (req.type) {
      case '270':
        return this.eligibility(req, plan);
      case '276':
        return this.claimStatus(req, plan);
      case '278':
        return this.authorization(req, plan);
    }
  }

  private profile(plan: SandboxPlan, date: string): PayerProfile {
    const p = payerProfileOn(plan.profileId, date);
    if (p === undefined) throw new SandboxBadRequest('NO_PROFILE_ON_DATE');
    return p;
  }

  private async eligibility(
    req: Extract<RealtimeRequest, { type: '270' }>,
    plan: SandboxPlan,
  ): Promise<string> {
    const scenario = scenarioFor(req.subscriber.id);
    const profile = this.profile(plan, req.serviceDate);
    const year = req.serviceDate.slice(0, 4);
    const claims = await this.o.store.memberClaims(req.subscriber.id, '');
    const met = claims.filter((c) => c.dos.startsWith(year)).reduce((s, c) => s + c.deductibleCents, 0);
    const outcome =
      scenario?.kind === 'not_found'
        ? ({ kind: 'not_found' } as const)
        : scenario?.kind === 'inactive' || (scenario?.kind === 'carc' && scenario.carc === '27')
          ? ({ kind: 'inactive' } as const)
          : ({
              kind: 'active',
              deductibleCents: plan.deductibleCents,
              deductibleRemainingCents:
                scenario?.kind === 'over_kx_threshold' ? 0 : Math.max(0, plan.deductibleCents - met),
              coinsuranceBasisPoints: plan.coinsuranceBasisPoints,
              copayCents: profile.copayCents,
              visitLimit: profile.annualVisitLimit,
              authRequired: profile.auth.required,
            } as const);
    const now = stamp(this.o.clock());
    const subscriber = {
      memberId: req.subscriber.id,
      lastName: req.subscriber.name,
      ...(req.subscriber.firstName !== undefined ? { firstName: req.subscriber.firstName } : {}),
      ...(req.subscriber.dateOfBirth !== undefined ? { dateOfBirth: req.subscriber.dateOfBirth } : {}),
    };
    const segments = eligibility271(
      {
        reference: req.reference,
        plan,
        provider: { name: req.provider.name, npi: req.provider.id },
        subscriber,
        trace: req.trace,
        serviceDate: req.serviceDate,
        outcome,
      },
      now,
    );
    const x12 = await this.envelope(req.interchange, 'HB', '271', '271', segments);
    // GARBLE: a 271 whose SE count is wrong (the client must refuse it without leaking what is inside).
    return scenario?.kind === 'garbled_response'
      ? x12.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 3}*`)
      : x12;
  }

  private async claimStatus(
    req: Extract<RealtimeRequest, { type: '276' }>,
    plan: SandboxPlan,
  ): Promise<string> {
    const row = await this.o.store.findClaim(req.interchange.senderId, req.patientControlNumber);
    const status: { category: string; status: string } =
      row === undefined
        ? { category: 'A4', status: '35' }
        : row.status === 'rejected'
          ? { category: 'A3', status: '21' }
          : row.status === 'denied'
            ? { category: 'F2', status: '65' }
            : row.status === 'voided'
              ? { category: 'F1', status: '3' }
              : { category: 'F1', status: '65' };
    const segments = status277(
      {
        reference: req.reference,
        plan,
        receiver: { name: req.receiver.name, etin: req.receiver.id },
        provider: { name: req.provider.name, npi: req.provider.id },
        subscriber: {
          memberId: req.subscriber.id,
          lastName: req.subscriber.name,
          ...(req.subscriber.firstName !== undefined ? { firstName: req.subscriber.firstName } : {}),
        },
        traceNumber: req.trace.number,
        patientControlNumber: req.patientControlNumber,
        ...status,
        ...(row !== undefined
          ? { chargeCents: row.chargeCents, paidCents: row.paidCents, payerClaimNumber: row.payerClaimNumber }
          : {}),
        serviceDates: req.serviceDates,
      },
      stamp(this.o.clock()),
    );
    return this.envelope(req.interchange, 'HN', '277', '277', segments);
  }

  private decide(
    profile: PayerProfile,
    req: Extract<RealtimeRequest, { type: '278' }>,
  ): Pick<AuthRow, 'status' | 'visitsApproved' | 'endDate'> & { weeks: number; message?: string } {
    const lane = profile.auth.fastLane;
    const plan = planAuthorizationRequest(profile.auth, req.service.visits, req.period.from);
    if (lane === undefined) {
      return {
        status: 'certified',
        visitsApproved: req.service.visits,
        endDate: req.period.to,
        weeks: req.service.weeks ?? 0,
      };
    }
    const end =
      plan.fastLaneWindowEnds !== undefined && plan.fastLaneWindowEnds < req.period.to
        ? plan.fastLaneWindowEnds
        : req.period.to;
    return plan.reviewVisits > 0
      ? {
          status: 'partially_certified',
          visitsApproved: plan.fastLaneVisits,
          endDate: end,
          weeks: lane.withinWeeks,
          message: `FIRST ${plan.fastLaneVisits} VISITS APPROVED REMAINDER IN CLINICAL REVIEW`,
        }
      : { status: 'certified', visitsApproved: plan.fastLaneVisits, endDate: end, weeks: lane.withinWeeks };
  }

  private async authorization(
    req: Extract<RealtimeRequest, { type: '278' }>,
    plan: SandboxPlan,
  ): Promise<string> {
    const sender = req.interchange.senderId;
    const profile = this.profile(plan, req.period.from);
    const scenario = scenarioFor(req.subscriber.id);
    // An extension (UM02 4) must name, in 2000E REF*BB, an authorization this payer issued to this member:
    // otherwise it cannot be linked and is rejected (AAA 15, required application data missing), nothing filed.
    const extended =
      req.certificationType === '4' && req.previousAuthorizationNumber !== undefined
        ? await this.o.store.findAuthByNumber(sender, req.previousAuthorizationNumber)
        : undefined;
    const unlinkedExtension =
      req.certificationType === '4' &&
      (extended === undefined || extended.memberId !== req.subscriber.id) &&
      (await this.o.store.findAuth(sender, req.trace.number)) === undefined;
    if (scenario?.kind === 'not_found' || unlinkedExtension) {
      // The member is unknown here (AAA 75), or the extension names nothing it could extend (AAA 15): the
      // request is rejected before review and nothing is filed.
      const segments = auth278Rejection(
        {
          reference: req.reference,
          plan,
          requester: { name: req.provider.name, npi: req.provider.id },
          subscriber: {
            memberId: req.subscriber.id,
            lastName: req.subscriber.name,
            ...(req.subscriber.firstName !== undefined ? { firstName: req.subscriber.firstName } : {}),
          },
          trace: req.trace,
          reasonCode: unlinkedExtension ? '15' : '75',
        },
        stamp(this.o.clock()),
      );
      return this.envelope(req.interchange, 'HI', '278', '278', segments);
    }
    let row = await this.o.store.findAuth(sender, req.trace.number);
    let message: string | undefined;
    let weeks = req.service.weeks ?? profile.auth.fastLane?.withinWeeks ?? 0;
    if (row === undefined) {
      const cert = `CERT${hash(sender, req.trace.number)}`;
      const base = {
        senderId: sender,
        traceNumber: req.trace.number,
        x12PayerId: plan.x12PayerId,
        memberId: req.subscriber.id,
        certificationNumber: cert,
        procedureCode: req.service.code,
        visitsRequested: req.service.visits,
        startDate: req.period.from,
        endDate: req.period.to,
      };
      if (!profile.auth.required) row = await this.o.store.insertAuth({ ...base, status: 'not_required' });
      else if (scenario?.kind === 'deny_auth')
        row = await this.o.store.insertAuth({ ...base, status: 'not_certified' });
      else if (scenario?.kind === 'pend') row = await this.o.store.insertAuth({ ...base, status: 'pended' });
      else {
        const d = this.decide(profile, req);
        message = d.message;
        weeks = d.weeks;
        row = await this.o.store.insertAuth({
          ...base,
          status: d.status,
          visitsApproved: d.visitsApproved,
          endDate: d.endDate,
          authorizationNumber: `AUTH${hash('auth', sender, req.trace.number)}`,
        });
      }
    } else {
      const polls = row.polls + 1;
      if (row.status === 'pended' && polls >= this.o.pendPolls) {
        const d = this.decide(profile, req);
        message = d.message;
        weeks = d.weeks;
        const patch = {
          polls,
          status: d.status,
          visitsApproved: d.visitsApproved,
          endDate: d.endDate,
          authorizationNumber: `AUTH${hash('auth', sender, req.trace.number)}`,
        };
        await this.o.store.updateAuth(row.id, patch);
        row = { ...row, ...patch };
      } else {
        await this.o.store.updateAuth(row.id, { polls });
        if (row.status === 'partially_certified')
          message = `FIRST ${row.visitsApproved} VISITS APPROVED REMAINDER IN CLINICAL REVIEW`;
      }
    }
    const action =
      (
        {
          certified: 'A1',
          partially_certified: 'A2',
          not_certified: 'A3',
          pended: 'A4',
          not_required: 'NA',
        } as const
      )[row.status as 'certified'] ?? 'A4';
    const segments = auth278(
      {
        reference: req.reference,
        plan,
        requester: { name: req.provider.name, npi: req.provider.id },
        subscriber: {
          memberId: req.subscriber.id,
          lastName: req.subscriber.name,
          ...(req.subscriber.firstName !== undefined ? { firstName: req.subscriber.firstName } : {}),
        },
        trace: req.trace,
        action,
        certificationNumber: row.certificationNumber,
        ...(row.authorizationNumber !== null ? { authorizationNumber: row.authorizationNumber } : {}),
        period: { from: row.startDate, to: row.endDate },
        service: {
          code: row.procedureCode,
          visitsRequested: row.visitsRequested,
          visitsApproved: row.visitsApproved,
          weeks,
        },
        ...(message !== undefined ? { message } : {}),
      },
      stamp(this.o.clock()),
    );
    return this.envelope(req.interchange, 'HI', '278', '278', segments);
  }

  /** Test hook: decide a pended request now. */
  async decidePended(certificationNumber: string, decision: 'approve' | 'deny'): Promise<boolean> {
    const row = await this.o.store.findAuthByCertification(certificationNumber);
    if (row === undefined || row.status !== 'pended') return false;
    await this.o.store.updateAuth(
      row.id,
      decision === 'deny'
        ? { status: 'not_certified' }
        : {
            status: 'certified',
            visitsApproved: row.visitsRequested,
            authorizationNumber: `AUTH${hash('auth', row.senderId, row.traceNumber)}`,
          },
    );
    return true;
  }

  // ─── batch (837P) ──────────────────────────────────────────────────────────────────────────────────

  async batch(text: string): Promise<string> {
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
    const seen = await this.o.store.receiveInterchange(sender, header.controlNumber);
    if (seen.kind === 'duplicate') {
      if (seen.ack999 !== null) return seen.ack999;
      if (this.o.clock().getTime() - seen.receivedAt.getTime() < STALE_INTERCHANGE_MS)
        throw new SandboxBusy();
    }
    const ack = await this.fileBatches(header, batches, controls);
    await this.o.store.saveInterchangeAck(sender, header.controlNumber, ack);
    return ack;
  }

  private async fileBatches(
    header: InterchangeHeader,
    batches: Extract<ReturnType<typeof parseX12>['documents'][number], { type: '837P' }>['document'][],
    controls: { group: string; controls: string[] },
  ): Promise<string> {
    const sender = header.senderId;
    const now = this.o.clock();
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
            reference: `CA${controls.controls[i] ?? '0001'}${hash(sender, batch.batchReference, String(now.getTime()))}`,
            sandbox: { name: this.o.identity.name, id: this.o.identity.senderId },
            submitter: { name: batch.submitter.name, id: batch.submitter.id },
            batchReference: batch.batchReference,
            claims: acks,
          },
          stamp(now),
        );
        await this.o.store.pushResponse(
          sender,
          '277CA',
          await this.envelope(header, 'HN', '277CA', '277', segs),
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
            traceNumber: `EFT${hash(r.payerClaimNumber, String(now.getTime()))}`,
            paymentDate: addDays(today, 1),
            claims: [r],
          },
          stamp(now),
        );
        await this.o.store.pushResponse(sender, '835', await this.envelope(header, 'HP', '835', '835', segs));
      }
    }
    return this.envelope(
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
    const payerClaimNumber = `SBX${hash(sender, claim.patientControlNumber)}`;
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
    let row = await this.o.store.insertClaim({ ...base, status: frontEndReject ? 'rejected' : 'accepted' });
    if (row === undefined) {
      const existing = await this.o.store.findClaim(sender, claim.patientControlNumber);
      if (existing === undefined) throw new Error('claim row vanished');
      await this.o.store.updateClaim(existing.id, { receipts: existing.receipts + 1 });
      // Same CLM01, original frequency, already on file and not rejected: the same claim again (no CO-18,
      // no second claim). A rejected claim was never filed, so it is taken as new; 7/8 replace or void.
      if (claim.frequencyCode === '1' && existing.status !== 'rejected') return undefined;
      if (claim.frequencyCode === '8') {
        await this.o.store.updateClaim(existing.id, {
          status: 'voided',
          version: existing.version + 1,
          claim,
        });
        return { ack: { claim, accepted: true, payerClaimNumber } };
      }
      await this.o.store.updateClaim(existing.id, {
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
    const adjudication = await this.adjudicate(row, claim, plan, dos, today);
    await this.o.store.updateClaim(row.id, {
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
    row: ClaimRow,
    claim: Claim837,
    plan: SandboxPlan,
    dos: string,
    today: string,
  ): Promise<Adjudication> {
    const profile = this.profile(plan, dos);
    const others = await this.o.store.memberClaims(claim.subscriber.memberId, claim.patientControlNumber);
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
    const auths = await this.o.store.memberAuths(claim.subscriber.memberId);
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
    void row;
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
