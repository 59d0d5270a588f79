// The sandbox payer's prior authorizations (278): a request is filed once per sender and trace number and
// decided by the plan's rules (fast lane, clinical review) or the member's scenario; an extension must name an
// authorization this payer issued to the member; pended requests are decided on a later query.
import { planAuthorizationRequest } from '../../../domain/prior-authorization/authorization.js';
import type { PayerProfile } from '../../../domain/model/payer-profile.js';
import {
  answerSubscriber,
  envelope,
  shortDigest,
  planProfileOn,
  stamp,
  type SandboxPayerOptions,
} from './common.js';
import type { SandboxPlan } from './plans.js';
import { scenarioFor } from './scenarios.js';
import type { AuthRow } from './store.js';
import type { RealtimeRequest } from './x12-in.js';
import { auth278, auth278Rejection } from './x12-out.js';

/** Who a 278 answer is about: the request's reference, plan, requester, subscriber and trace. */
function answerParties(req: Extract<RealtimeRequest, { type: '278' }>, plan: SandboxPlan) {
  return {
    reference: req.reference,
    plan,
    requester: { name: req.provider.name, npi: req.provider.id },
    subscriber: answerSubscriber(req.subscriber),
    trace: req.trace,
  };
}

export class SandboxAuthorizations {
  constructor(private readonly options: SandboxPayerOptions) {}

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

  async answer(req: Extract<RealtimeRequest, { type: '278' }>, plan: SandboxPlan): Promise<string> {
    const sender = req.interchange.senderId;
    const profile = planProfileOn(plan, req.period.from);
    const scenario = scenarioFor(req.subscriber.id);
    // An extension (UM02 4) must name, in 2000E REF*BB, an authorization this payer issued to this member:
    // otherwise it cannot be linked and is rejected (AAA 15, required application data missing), nothing filed.
    const extended =
      req.certificationType === '4' && req.previousAuthorizationNumber !== undefined
        ? await this.options.store.findAuthByNumber(sender, req.previousAuthorizationNumber)
        : undefined;
    const unlinkedExtension =
      req.certificationType === '4' &&
      (extended === undefined || extended.memberId !== req.subscriber.id) &&
      (await this.options.store.findAuth(sender, req.trace.number)) === undefined;
    if (scenario?.kind === 'not_found' || unlinkedExtension) {
      // The member is unknown here (AAA 75), or the extension names nothing it could extend (AAA 15): the
      // request is rejected before review and nothing is filed.
      const segments = auth278Rejection(
        {
          ...answerParties(req, plan),
          reasonCode: unlinkedExtension ? '15' : '75',
        },
        stamp(this.options.clock()),
      );
      return envelope(this.options, req.interchange, 'HI', '278', '278', segments);
    }
    let row = await this.options.store.findAuth(sender, req.trace.number);
    let message: string | undefined;
    let weeks = req.service.weeks ?? profile.auth.fastLane?.withinWeeks ?? 0;
    if (row === undefined) {
      const cert = `CERT${shortDigest(sender, req.trace.number)}`;
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
      if (!profile.auth.required)
        row = await this.options.store.insertAuth({ ...base, status: 'not_required' });
      else if (scenario?.kind === 'deny_auth')
        row = await this.options.store.insertAuth({ ...base, status: 'not_certified' });
      else if (scenario?.kind === 'pend')
        row = await this.options.store.insertAuth({ ...base, status: 'pended' });
      else {
        const d = this.decide(profile, req);
        message = d.message;
        weeks = d.weeks;
        row = await this.options.store.insertAuth({
          ...base,
          status: d.status,
          visitsApproved: d.visitsApproved,
          endDate: d.endDate,
          authorizationNumber: `AUTH${shortDigest('auth', sender, req.trace.number)}`,
        });
      }
    } else {
      const polls = row.polls + 1;
      if (row.status === 'pended' && polls >= this.options.pendPolls) {
        const d = this.decide(profile, req);
        message = d.message;
        weeks = d.weeks;
        const patch = {
          polls,
          status: d.status,
          visitsApproved: d.visitsApproved,
          endDate: d.endDate,
          authorizationNumber: `AUTH${shortDigest('auth', sender, req.trace.number)}`,
        };
        await this.options.store.updateAuth(row.id, patch);
        row = { ...row, ...patch };
      } else {
        await this.options.store.updateAuth(row.id, { polls });
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
        ...answerParties(req, plan),
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
      stamp(this.options.clock()),
    );
    return envelope(this.options, req.interchange, 'HI', '278', '278', segments);
  }

  /** Test hook: decide a pended request now. */
  async decidePended(certificationNumber: string, decision: 'approve' | 'deny'): Promise<boolean> {
    const row = await this.options.store.findAuthByCertification(certificationNumber);
    if (row === undefined || row.status !== 'pended') return false;
    await this.options.store.updateAuth(
      row.id,
      decision === 'deny'
        ? { status: 'not_certified' }
        : {
            status: 'certified',
            visitsApproved: row.visitsRequested,
            authorizationNumber: `AUTH${shortDigest('auth', row.senderId, row.traceNumber)}`,
          },
    );
    return true;
  }
}
