// The sandbox's outbound X12: 271, 278 response, 999, 277CA, 277 and 835, written to the implementation
// guides' loop structure so our own parsers (and any real one) read them. Segment lists only; the envelope
// (ISA/GS/ST with the sandbox's persisted control numbers) is added by buildInterchange.
import { formatMoney, type Segment } from '../x12/index.js';
import type { Claim837, ClaimFrequencyCode, Member } from '../x12/index.js';
import type { Adjudication } from './adjudicate.js';
import type { SandboxPlan } from './plans.js';

export const IMPL = {
  '271': '005010X279A1',
  '278': '005010X217',
  '999': '005010X231A1',
  '277CA': '005010X214',
  '277': '005010X212',
  '835': '005010X221A1',
  '837P': '005010X222A1',
} as const;

/** Echoed values come from parsed X12 (maybe with other delimiters): keep ours out of them. */
const clean = (v: string): string => v.replace(/[*:^~\r\n]/g, ' ');
const seg = (id: string, ...elements: (string | undefined)[]): Segment => ({
  id,
  elements: elements.map((e) => (e === undefined ? '' : e)),
});
const comp = (...parts: (string | undefined)[]): string => {
  const p = parts.map((x) => x ?? '');
  while (p.length > 0 && p[p.length - 1] === '') p.pop();
  return p.join(':');
};
const d8 = (iso: string): string => iso.replace(/-/g, '');
const hhmm = (t: string): string => t.replace(':', '');
const money = (cents: number): string => formatMoney(cents, 'amount');
const percent = (bp: number): string => String(bp / 10_000);

function personNm1(
  entity: string,
  m: Pick<Member, 'lastName' | 'firstName'>,
  q?: string,
  id?: string,
): Segment {
  return seg(
    'NM1',
    entity,
    '1',
    clean(m.lastName),
    m.firstName && clean(m.firstName),
    '',
    '',
    '',
    q,
    id && clean(id),
  );
}
function orgNm1(entity: string, name: string, q: string, id: string): Segment {
  return seg('NM1', entity, '2', clean(name), '', '', '', '', q, clean(id));
}

export interface Stamp {
  date: string;
  time: string;
}

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
    seg('HL', '1', '', '20', '1'),
    orgNm1('PR', x.plan.name, 'PI', x.plan.x12PayerId),
    seg('HL', '2', '1', '21', '1'),
    orgNm1('1P', x.provider.name, 'XX', x.provider.npi),
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

/**
 * A 278 answer that rejects the request before any review (no HL EV/SS, no HCR): AAA at the subscriber level
 * (HL 22), e.g. 75 subscriber not found, follow-up C "correct and resubmit". Nothing is filed at the payer.
 */
export function auth278Rejection(
  x: Pick<Auth278Input, 'reference' | 'plan' | 'requester' | 'subscriber' | 'trace'> & { reasonCode: string },
  now: Stamp,
): Segment[] {
  return [
    seg('BHT', '0007', '11', clean(x.reference), d8(now.date), hhmm(now.time)),
    seg('HL', '1', '', '20', '1'),
    orgNm1('X3', x.plan.name, 'PI', x.plan.x12PayerId),
    seg('HL', '2', '1', '21', '1'),
    orgNm1('1P', x.requester.name, 'XX', x.requester.npi),
    seg('HL', '3', '2', '22', '0'),
    personNm1('IL', x.subscriber, 'MI', x.subscriber.memberId),
    seg('TRN', '2', clean(x.trace.number), clean(x.trace.originatorId)),
    seg('AAA', 'N', '', x.reasonCode, 'C'),
  ];
}

export function auth278(x: Auth278Input, now: Stamp): Segment[] {
  const range = `${d8(x.period.from)}-${d8(x.period.to)}`;
  const out: Segment[] = [
    seg('BHT', '0007', '11', clean(x.reference), d8(now.date), hhmm(now.time)),
    seg('HL', '1', '', '20', '1'),
    orgNm1('X3', x.plan.name, 'PI', x.plan.x12PayerId),
    seg('HL', '2', '1', '21', '1'),
    orgNm1('1P', x.requester.name, 'XX', x.requester.npi),
    seg('HL', '3', '2', '22', '1'),
    personNm1('IL', x.subscriber, 'MI', x.subscriber.memberId),
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

// ─── 999 ────────────────────────────────────────────────────────────────────────────────────────────

export function ack999(x: {
  groupControlNumber: string;
  transactions: { controlNumber: string; accepted: boolean }[];
}): Segment[] {
  const accepted = x.transactions.filter((t) => t.accepted).length;
  const out: Segment[] = [seg('AK1', 'HC', x.groupControlNumber, IMPL['837P'])];
  for (const t of x.transactions) {
    out.push(seg('AK2', '837', t.controlNumber, IMPL['837P']));
    // IK5*R*5: one or more segments in error (the detail stays with the clearinghouse).
    out.push(t.accepted ? seg('IK5', 'A') : seg('IK5', 'R', '5'));
  }
  const n = String(x.transactions.length);
  const status = accepted === x.transactions.length ? 'A' : accepted === 0 ? 'R' : 'P';
  out.push(seg('AK9', status, n, n, String(accepted)));
  return out;
}

// ─── 277CA ──────────────────────────────────────────────────────────────────────────────────────────

export interface Ack277Claim {
  claim: Claim837;
  accepted: boolean;
  payerClaimNumber?: string;
  /**
   * Why a rejected claim was rejected: the subscriber's id (claim level, the default) or the billing
   * provider's NPI (provider level, loop 2200C, with the claim pointing to it).
   */
  rejection?: 'subscriber_id' | 'billing_npi';
}

export function ack277CA(
  x: {
    reference: string;
    sandbox: { name: string; id: string };
    submitter: { name: string; id: string };
    batchReference: string;
    claims: Ack277Claim[];
  },
  now: Stamp,
): Segment[] {
  const day = d8(now.date);
  const sum = (cs: Ack277Claim[]): number => cs.reduce((s, c) => s + c.claim.totalChargeCents, 0);
  const ok = x.claims.filter((c) => c.accepted);
  const bad = x.claims.filter((c) => !c.accepted);
  const out: Segment[] = [
    seg('BHT', '0085', '08', clean(x.reference), day, hhmm(now.time), 'TH'),
    seg('HL', '1', '', '20', '1'),
    orgNm1('AY', x.sandbox.name, '46', x.sandbox.id),
    seg('TRN', '1', clean(x.reference)),
    seg('DTP', '050', 'D8', day),
    seg('DTP', '009', 'D8', day),
    seg('HL', '2', '1', '21', '1'),
    orgNm1('41', x.submitter.name, '46', x.submitter.id),
    seg('TRN', '2', clean(x.batchReference)),
    seg('STC', comp('A1', '19', 'PR'), day, 'WQ', money(sum(x.claims))),
    seg('QTY', '90', String(ok.length)),
    seg('QTY', 'AA', String(bad.length)),
    seg('AMT', 'YU', money(sum(ok))),
    seg('AMT', 'YY', money(sum(bad))),
  ];
  let hl = 3;
  for (const [k, c] of x.claims.entries()) {
    const bp = c.claim.billingProvider;
    const providerHl = hl++;
    const npiRejected = !c.accepted && c.rejection === 'billing_npi';
    out.push(seg('HL', String(providerHl), '2', '19', '1'));
    out.push(orgNm1('85', bp.name, 'XX', bp.npi));
    // 2200C (required by 005010X214): the provider-of-service trace, its status when it is the provider that
    // is rejected (A3:562:85 = the billing provider's identifier is invalid), and its counts and amounts.
    out.push(seg('TRN', '1', `${clean(x.batchReference)}-${k + 1}`));
    // 2200C STC is required and takes no date (STC02 not used): acknowledged, or the provider's rejection.
    out.push(
      npiRejected
        ? seg('STC', comp('A3', '562', '85'), '', 'U', money(c.claim.totalChargeCents))
        : seg('STC', comp('A1', '19', 'PR'), '', 'WQ', money(c.claim.totalChargeCents)),
    );
    out.push(seg('REF', 'TJ', clean(bp.taxId)));
    out.push(seg('QTY', c.accepted ? 'QA' : 'QC', '1'));
    out.push(seg('AMT', c.accepted ? 'YU' : 'YY', money(c.claim.totalChargeCents)));
    out.push(seg('HL', String(hl++), String(providerHl), 'PT'));
    out.push(personNm1('QC', c.claim.subscriber, 'MI', c.claim.subscriber.memberId));
    out.push(seg('TRN', '2', clean(c.claim.patientControlNumber)));
    out.push(
      c.accepted
        ? seg('STC', comp('A2', '20', 'PR'), day, 'WQ', money(c.claim.totalChargeCents))
        : npiRejected
          ? // A3:21 missing or invalid information: the provider level above says which.
            seg('STC', comp('A3', '21', '85'), day, 'U', money(c.claim.totalChargeCents))
          : // A7:562 entity's identifier invalid (the subscriber id, entity IL).
            seg('STC', comp('A7', '562', 'IL'), day, 'U', money(c.claim.totalChargeCents)),
    );
    if (c.payerClaimNumber !== undefined) out.push(seg('REF', '1K', c.payerClaimNumber));
    const dates = c.claim.lines.map((l) => l.serviceDate).sort();
    const from = dates[0];
    const to = dates[dates.length - 1];
    if (from !== undefined && to !== undefined)
      out.push(
        from === to ? seg('DTP', '472', 'D8', d8(from)) : seg('DTP', '472', 'RD8', `${d8(from)}-${d8(to)}`),
      );
  }
  return out;
}

// ─── 277 claim status ───────────────────────────────────────────────────────────────────────────────

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

// ─── 835 ────────────────────────────────────────────────────────────────────────────────────────────

export interface Remit835Claim {
  claim: Claim837;
  adjudication: Adjudication;
  payerClaimNumber: string;
  frequency: ClaimFrequencyCode;
}

/** CAS: one segment per group, up to six reason/amount triplets each (835 guide). */
function casSegments(adjs: { group: string; reasonCode: string; amountCents: number }[]): Segment[] {
  const out: Segment[] = [];
  for (const group of [...new Set(adjs.map((a) => a.group))]) {
    const mine = adjs.filter((a) => a.group === group);
    for (let i = 0; i < mine.length; i += 6) {
      const triplets = mine.slice(i, i + 6).flatMap((a) => [a.reasonCode, money(a.amountCents), '']);
      out.push(seg('CAS', group, ...triplets));
    }
  }
  return out;
}

export function remittance835(
  x: {
    plan: SandboxPlan;
    payee: { name: string; npi: string; taxId: string };
    traceNumber: string;
    paymentDate: string;
    claims: Remit835Claim[];
  },
  now: Stamp,
): Segment[] {
  const total = x.claims.reduce((s, c) => s + c.adjudication.paidCents, 0);
  const payDate = d8(x.paymentDate);
  const out: Segment[] = [
    total > 0
      ? seg(
          'BPR',
          'I',
          money(total),
          'C',
          'ACH',
          'CCP',
          '01',
          '011000015',
          'DA',
          '123456789',
          '1512345678',
          '',
          '01',
          '031100209',
          'DA',
          '987654321',
          payDate,
        )
      : seg('BPR', 'H', money(0), 'C', 'NON', '', '', '', '', '', '', '', '', '', '', '', payDate),
    seg('TRN', '1', x.traceNumber, '1512345678'),
    seg('DTM', '405', d8(now.date)),
    seg('N1', 'PR', clean(x.plan.name)),
    seg('N3', '1 SANDBOX WAY'),
    seg('N4', 'SPRINGFIELD', 'IL', '62701'),
    seg('REF', '2U', x.plan.x12PayerId),
    // 1000A PER*BL, the payer's technical contact: required by the 835 guide.
    seg('PER', 'BL', 'SANDBOX EDI SUPPORT', 'TE', '8005550199', 'EM', 'edi@sandbox-payer.example'),
    seg('N1', 'PE', clean(x.payee.name), 'XX', x.payee.npi),
    seg('REF', 'TJ', clean(x.payee.taxId)),
    seg('LX', '1'),
  ];
  for (const c of x.claims) {
    const a = c.adjudication;
    out.push(
      seg(
        'CLP',
        clean(c.claim.patientControlNumber),
        a.statusCode,
        money(a.chargeCents),
        money(a.paidCents),
        money(a.patientResponsibilityCents),
        // CLP06 from the 835's own code list, never the 837's SBR09 echoed (CI is not an 835 code).
        x.plan.remittanceFilingIndicator,
        c.payerClaimNumber,
        '11',
        c.frequency,
      ),
    );
    out.push(personNm1('QC', c.claim.subscriber, 'MI', c.claim.subscriber.memberId));
    const dates = c.claim.lines.map((l) => l.serviceDate).sort();
    if (dates[0] !== undefined) out.push(seg('DTM', '232', d8(dates[0])));
    for (const l of a.lines) {
      out.push(
        seg(
          'SVC',
          comp('HC', l.line.procedureCode, ...l.line.modifiers),
          money(l.line.chargeCents),
          money(l.paidCents),
          '',
          String(l.line.units),
        ),
      );
      out.push(seg('DTM', '472', d8(l.line.serviceDate)));
      out.push(...casSegments(l.adjustments));
      if (l.line.lineControlNumber !== undefined) out.push(seg('REF', '6R', clean(l.line.lineControlNumber)));
      if (l.allowedCents > 0) out.push(seg('AMT', 'B6', money(l.allowedCents)));
      for (const r of l.remarks) out.push(seg('LQ', 'HE', r));
    }
  }
  return out;
}
