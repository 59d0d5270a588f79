// The sandbox's answers to an 837P batch: 999, 277CA and 835, written to the implementation guides' loop
// structure. Segment lists only; the envelope is added by buildInterchange.
import type { Claim837, ClaimFrequencyCode, Segment } from '../x12/index.js';
import type { Adjudication } from './adjudicate.js';
import type { SandboxPlan } from './plans.js';
import { clean, comp, d8, hhmm, IMPL, money, orgNm1, personNm1, seg, type Stamp } from './x12-write.js';

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
