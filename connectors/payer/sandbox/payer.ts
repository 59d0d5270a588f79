// The sandbox payer's behaviour behind the HTTP routes: answers real-time 270/276/278 with 271/277/278,
// takes 837P batches (999 at once; filed after the answer, 277CA and 835 into the mailbox), idempotent by
// submitter + CLM01.
import { X12ParseError } from '../x12/index.js';
import { SandboxAuthorizations } from './authorizations.js';
import { SandboxClaims } from './claims.js';
import {
  answerSubscriber,
  envelope,
  planProfileOn,
  SandboxBadRequest,
  stamp,
  type SandboxPayerOptions,
} from './common.js';
import { planByX12Id, type SandboxPlan } from './plans.js';
import { scenarioFor } from './scenarios.js';
import { parseRealtimeRequest, type RealtimeRequest } from './x12-in.js';
import { eligibility271, status277 } from './x12-out.js';

export { SandboxBadRequest, SandboxBusy, type SandboxIdentity, type SandboxPayerOptions } from './common.js';

export class SandboxPayer {
  private readonly authorizations: SandboxAuthorizations;
  private readonly claims: SandboxClaims;

  constructor(private readonly options: SandboxPayerOptions) {
    this.authorizations = new SandboxAuthorizations(options);
    this.claims = new SandboxClaims(options);
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
        return this.authorizations.answer(req, plan);
    }
  }

  private async eligibility(
    req: Extract<RealtimeRequest, { type: '270' }>,
    plan: SandboxPlan,
  ): Promise<string> {
    const scenario = scenarioFor(req.subscriber.id);
    const profile = planProfileOn(plan, req.serviceDate);
    const year = req.serviceDate.slice(0, 4);
    const claims = await this.options.store.memberClaims(req.subscriber.id, '');
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
    const now = stamp(this.options.clock());
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
    const x12 = await envelope(this.options, req.interchange, 'HB', '271', '271', segments);
    // GARBLE: a 271 whose SE count is wrong (the client must refuse it without leaking what is inside).
    return scenario?.kind === 'garbled_response'
      ? x12.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 3}*`)
      : x12;
  }

  private async claimStatus(
    req: Extract<RealtimeRequest, { type: '276' }>,
    plan: SandboxPlan,
  ): Promise<string> {
    const row = await this.options.store.findClaim(req.interchange.senderId, req.patientControlNumber);
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
        subscriber: answerSubscriber(req.subscriber),
        traceNumber: req.trace.number,
        patientControlNumber: req.patientControlNumber,
        ...status,
        ...(row !== undefined
          ? { chargeCents: row.chargeCents, paidCents: row.paidCents, payerClaimNumber: row.payerClaimNumber }
          : {}),
        serviceDates: req.serviceDates,
      },
      stamp(this.options.clock()),
    );
    return envelope(this.options, req.interchange, 'HN', '277', '277', segments);
  }

  /** Test hook: decide a pended request now. */
  decidePended(certificationNumber: string, decision: 'approve' | 'deny'): Promise<boolean> {
    return this.authorizations.decidePended(certificationNumber, decision);
  }

  /** An 837P interchange: its 999 (277CA and 835 go to the sender's mailbox once filed, after the answer). */
  batch(text: string): Promise<string> {
    return this.claims.receive(text);
  }

  /** Before a mailbox listing: the interchanges answered so far are filed (their 277CA and 835 listed). */
  fileWaiting(): Promise<void> {
    return this.claims.fileWaiting();
  }

  /** Resolves when the filings under way in this process have finished. */
  settled(): Promise<void> {
    return this.claims.settled();
  }
}
