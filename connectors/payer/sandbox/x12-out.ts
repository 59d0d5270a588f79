// The sandbox's real-time X12 answers: 271, 278 response and 277, written to the implementation guides' loop
// structure so our own parsers (and any real one) read them. Segment lists only; the envelope (ISA/GS/ST
// with the sandbox's persisted control numbers) is added by buildInterchange.
import type { Segment } from '../x12/index.js';
import type { SandboxPlan } from './plans.js';
import {
  clean,
  comp,
  d8,
  hhmm,
  money,
  orgNm1,
  payerAndProviderLevels,
  percent,
  personNm1,
  seg,
  type Stamp,
} from './x12-write.js';

export { IMPL, type Stamp } from './x12-write.js';

// ─── 271 ────────────────────────────────────────────────────────────────────────────────────────────

export interface Eligibility271Input {
  reference: string;
  plan: SandboxPlan;
  provider: { name: string; npi: string };
  subscriber: { memberId: string; lastName: string; firstName?: string; dateOfBirth?: string };
  trace: { number: string; originatorId: string };
  serviceDate: string;
  outcome:
    | { kind: 'not_found' }
    | { kind: 'inactive' }
    | {
        kind: 'active';
        deductibleCents: number;
        deductibleRemainingCents: number;
        coinsuranceBasisPoints: number;
        copayCents: number | null;
        visitLimit: number | null;
        authRequired: boolean;
      };
}

export function eligibility271(x: Eligibility271Input, now: Stamp): Segment[] {
  const ins = x.plan.insuranceType;
  const out: Segment[] = [
    seg('BHT', '0022', '11', clean(x.reference), d8(now.date), hhmm(now.time)),
    ...payerAndProviderLevels(
      orgNm1('PR', x.plan.name, 'PI', x.plan.x12PayerId),
      orgNm1('1P', x.provider.name, 'XX', x.provider.npi),
    ),
    seg('HL', '3', '2', '22', '0'),
    seg('TRN', '2', clean(x.trace.number), clean(x.trace.originatorId)),
    personNm1('IL', x.subscriber, 'MI', x.subscriber.memberId),
  ];
  if (x.outcome.kind === 'not_found') {
    // AAA*N**75*C: subscriber not found, correct and resubmit.
    out.push(seg('AAA', 'N', '', '75', 'C'));
    return out;
  }
  if (x.subscriber.dateOfBirth !== undefined) out.push(seg('DMG', 'D8', d8(x.subscriber.dateOfBirth)));
  out.push(seg('DTP', '346', 'D8', `${x.serviceDate.slice(0, 4)}0101`));
  if (x.outcome.kind === 'inactive') {
    out.push(seg('EB', '6', 'IND', '30', ins));
    return out;
  }
  const o = x.outcome;
  out.push(
    seg(
      'EB',
      '1',
      'IND',
      '30^PT',
      ins,
      clean(x.plan.name),
      '',
      '',
      '',
      '',
      '',
      o.authRequired ? 'Y' : undefined,
    ),
  );
  if (o.authRequired) out.push(seg('MSG', 'PRIOR AUTHORIZATION REQUIRED AFTER THE EVALUATION'));
  if (o.coinsuranceBasisPoints > 0)
    out.push(seg('EB', 'A', 'IND', 'PT', ins, '', '27', '', percent(o.coinsuranceBasisPoints)));
  if (o.deductibleCents > 0) {
    out.push(seg('EB', 'C', 'IND', '30', ins, '', '23', money(o.deductibleCents)));
    out.push(seg('EB', 'C', 'IND', '30', ins, '', '29', money(o.deductibleRemainingCents)));
  }
  if (o.copayCents !== null) out.push(seg('EB', 'B', 'IND', 'PT', ins, '', '27', money(o.copayCents)));
  if (o.visitLimit !== null)
    out.push(seg('EB', 'F', 'IND', 'PT', ins, '', '23', '', '', 'VS', String(o.visitLimit)));
  return out;
}

// ─── 278 response ───────────────────────────────────────────────────────────────────────────────────

export interface Auth278Input {
  reference: string;
  plan: SandboxPlan;
  requester: { name: string; npi: string };
  subscriber: { memberId: string; lastName: string; firstName?: string };
  trace: { number: string; originatorId: string };
  /** HCR01: A1 certified, A2 partially, A3 not certified, A4 pended, NA no action required. */
  action: 'A1' | 'A2' | 'A3' | 'A4' | 'NA';
  certificationNumber: string;
  authorizationNumber?: string;
  reasonCode?: string;
  period: { from: string; to: string };
  service: { code: string; visitsRequested: number; visitsApproved: number; weeks: number };
  message?: string;
}

/** BHT, utilization management organization, requester and subscriber (HL 22, with `subscriberHasChildren`). */
function auth278Head(
  x: Pick<Auth278Input, 'reference' | 'plan' | 'requester' | 'subscriber'>,
  now: Stamp,
  subscriberHasChildren: '0' | '1',
): Segment[] {
  return [
    seg('BHT', '0007', '11', clean(x.reference), d8(now.date), hhmm(now.time)),
    ...payerAndProviderLevels(
      orgNm1('X3', x.plan.name, 'PI', x.plan.x12PayerId),
      orgNm1('1P', x.requester.name, 'XX', x.requester.npi),
    ),
    seg('HL', '3', '2', '22', subscriberHasChildren),
    personNm1('IL', x.subscriber, 'MI', x.subscriber.memberId),
  ];
}

/**
 * A 278 answer that rejects the request before any review (no HL EV/SS, no HCR): AAA at the subscriber level
 * (HL 22), e.g. 75 subscriber not found, follow-up C "correct and resubmit". Nothing is filed at the payer.
 */
export function auth278Rejection(
  x: Pick<Auth278Input, 'reference' | 'plan' | 'requester' | 'subscriber' | 'trace'> & { reasonCode: string },
  now: Stamp,
): Segment[] {
  return [
    ...auth278Head(x, now, '0'),
    seg('TRN', '2', clean(x.trace.number), clean(x.trace.originatorId)),
    seg('AAA', 'N', '', x.reasonCode, 'C'),
  ];
}

export function auth278(x: Auth278Input, now: Stamp): Segment[] {
  const range = `${d8(x.period.from)}-${d8(x.period.to)}`;
  const out: Segment[] = [
    ...auth278Head(x, now, '1'),
    seg('HL', '4', '3', 'EV', '1'),
    seg('TRN', '2', clean(x.trace.number), clean(x.trace.originatorId)),
    seg('UM', 'HS', 'I', 'PT', comp('11', 'B')),
    seg('HCR', x.action, x.certificationNumber, x.reasonCode),
  ];
  if (x.authorizationNumber !== undefined) out.push(seg('REF', 'BB', x.authorizationNumber));
  out.push(seg('DTP', 'AAH', 'RD8', range));
  out.push(seg('HL', '5', '4', 'SS', '0'));
  out.push(seg('UM', 'HS', 'I'));
  out.push(seg('HCR', x.action, x.certificationNumber, x.reasonCode));
  if (x.authorizationNumber !== undefined) out.push(seg('REF', 'BB', x.authorizationNumber));
  out.push(seg('DTP', '472', 'RD8', range));
  // SV103 UN: the only units X217 allows besides MJ minutes; the visits are HSD's (below).
  out.push(seg('SV1', comp('HC', x.service.code), '', 'UN', String(x.service.visitsRequested)));
  if (x.service.visitsApproved > 0)
    out.push(seg('HSD', 'VS', String(x.service.visitsApproved), '', '', '35', String(x.service.weeks)));
  if (x.message !== undefined) out.push(seg('MSG', x.message));
  return out;
}

export interface Status277Input {
  reference: string;
  plan: SandboxPlan;
  receiver: { name: string; etin: string };
  provider: { name: string; npi: string };
  subscriber: { memberId: string; lastName: string; firstName?: string };
  traceNumber: string;
  patientControlNumber: string;
  /** STC01 category:status, e.g. F1:65 paid, F2:65 denied, A2:20 in adjudication, A4:35 not found. */
  category: string;
  status: string;
  chargeCents?: number;
  paidCents?: number;
  payerClaimNumber?: string;
  serviceDates: { from: string; to: string };
}

export function status277(x: Status277Input, now: Stamp): Segment[] {
  const out: Segment[] = [
    seg('BHT', '0010', '08', clean(x.reference), d8(now.date), hhmm(now.time), 'DG'),
    seg('HL', '1', '', '20', '1'),
    orgNm1('PR', x.plan.name, 'PI', x.plan.x12PayerId),
    seg('HL', '2', '1', '21', '1'),
    orgNm1('41', x.receiver.name, '46', x.receiver.etin),
    seg('HL', '3', '2', '19', '1'),
    orgNm1('1P', x.provider.name, 'XX', x.provider.npi),
    seg('HL', '4', '3', '22', '0'),
    personNm1('IL', x.subscriber, 'MI', x.subscriber.memberId),
    seg('TRN', '2', clean(x.traceNumber)),
    seg(
      'STC',
      comp(x.category, x.status),
      d8(now.date),
      '',
      x.chargeCents === undefined ? undefined : money(x.chargeCents),
      x.paidCents === undefined ? undefined : money(x.paidCents),
    ),
  ];
  if (x.payerClaimNumber !== undefined) out.push(seg('REF', '1K', x.payerClaimNumber));
  out.push(seg('REF', 'EJ', clean(x.patientControlNumber)));
  out.push(seg('DTP', '472', 'RD8', `${d8(x.serviceDates.from)}-${d8(x.serviceDates.to)}`));
  return out;
}
