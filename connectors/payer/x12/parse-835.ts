// 835 health care claim payment/advice parser (005010X221A1).
//   Header: BPR (payment), TRN (reassociation trace), DTM*405 · 1000A payer N1*PR · 1000B payee N1*PE
//   2000 LX header number · 2100 CLP claim (CAS, NM1*QC/IL/82, MOA/MIA, REF, DTM, AMT)
//     2110 SVC service (DTM*472/150/151, CAS, REF*6R, AMT*B6, LQ*HE) · summary PLB
// Loops are recognized by their leading segment; segments we do not model are skipped. All money is
// integer cents, so the reconciliation BPR02 = Σ CLP04 − Σ PLB is exact (see reconcile835).

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { readAddress, readEntity } from './parties.js';
import {
  code,
  comps,
  date,
  el,
  money,
  opt,
  optMoney,
  optQuantity,
  req,
  SegmentReader,
  site,
} from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type {
  Adjustment,
  AdjustmentGroup,
  ClaimPayment835,
  ProviderAdjustment835,
  Remittance835,
  ServicePayment835,
} from './types.js';
import { parseDate } from './values.js';

const GROUPS: readonly AdjustmentGroup[] = ['CO', 'PR', 'OA', 'PI', 'CR'];

/** One CAS segment → its 1..6 (group, reason, amount, quantity) triplets. */
export function readCas(seg: PositionedSegment): Adjustment[] {
  return readCasInto(seg, []);
}

/** Appends the triplets of one CAS segment to `out` (a claim's or a line's adjustments) and returns it. */
function readCasInto(seg: PositionedSegment, out: Adjustment[]): Adjustment[] {
  const group = code(seg, 1, GROUPS);
  const before = out.length;
  for (let k = 2; k <= 17; k += 3) {
    const reason = opt(seg, k);
    if (reason === undefined) {
      if (seg.elementLength(k + 1) !== 0)
        throw new X12ParseError('MISSING_ELEMENT', 'CAS amount without reason', site(seg, k));
      continue;
    }
    const adj: Adjustment = { group, reasonCode: reason, amountCents: money(seg, k + 1) };
    const qty = optQuantity(seg, k + 2);
    if (qty !== undefined) adj.quantity = qty;
    out.push(adj);
  }
  if (out.length === before)
    throw new X12ParseError('MISSING_ELEMENT', 'CAS without any adjustment', site(seg, 2));
  return out;
}

function readProcedure(
  seg: PositionedSegment,
  n: number,
  d: Delimiters,
): { qualifier: string; code: string; modifiers: string[] } {
  const parts = comps(seg, n, d);
  const qualifier = parts[0];
  const c = parts[1];
  if (qualifier === undefined || c === undefined || c === '') {
    throw new X12ParseError('MISSING_ELEMENT', 'composite procedure identifier', site(seg, n));
  }
  const modifiers: string[] = [];
  for (let k = 2; k < parts.length && modifiers.length < 4; k++) {
    const modifier = parts[k] as string;
    if (modifier !== '') modifiers.push(modifier);
  }
  return { qualifier, code: c, modifiers };
}

function readService(r: SegmentReader, d: Delimiters): ServicePayment835 {
  const svc = r.expect('SVC');
  const line: ServicePayment835 = {
    procedure: readProcedure(svc, 1, d),
    chargeCents: money(svc, 2),
    paidCents: money(svc, 3),
    adjustments: [],
    remarkCodes: [],
  };
  const rev = opt(svc, 4);
  if (rev !== undefined) line.revenueCode = rev;
  const units = optQuantity(svc, 5);
  if (units !== undefined) line.units = units;
  if (opt(svc, 6) !== undefined) line.submittedProcedure = readProcedure(svc, 6, d);
  const orig = optQuantity(svc, 7);
  if (orig !== undefined) line.originalUnits = orig;
  let from: string | undefined;
  let to: string | undefined;
  while (!r.atEnd && !ENDS_SERVICE.has((r.peek() as PositionedSegment).id)) {
    // Qualifiers are compared in place (elementIs): no string per segment for the tests below.
    const s = r.next();
    if (s.id === 'DTM') {
      if (s.elementIs(1, '472')) {
        const day = date(s, 2);
        line.serviceDates = { from: day, to: day };
      } else if (s.elementIs(1, '150')) from = date(s, 2);
      else if (s.elementIs(1, '151')) to = date(s, 2);
    } else if (s.id === 'CAS') readCasInto(s, line.adjustments);
    else if (s.id === 'REF' && s.elementIs(1, '6R')) line.lineControlNumber = req(s, 2);
    else if (s.id === 'AMT' && s.elementIs(1, 'B6')) line.allowedCents = money(s, 2);
    else if (s.id === 'LQ' && s.elementIs(1, 'HE')) line.remarkCodes.push(req(s, 2));
  }
  if (line.serviceDates === undefined && (from !== undefined || to !== undefined)) {
    line.serviceDates = { from: from ?? (to as string), to: to ?? (from as string) };
  }
  return line;
}

// Loop boundaries and element positions, built once: a large 835 walks these for every claim and line.
const ENDS_SERVICE = new Set(['SVC', 'CLP', 'LX', 'PLB']);
const ENDS_CLAIM = new Set(['CLP', 'LX', 'PLB']);
const MOA_REMARKS = [3, 4, 5, 6, 7] as const;
const MIA_REMARKS = [5, 20, 21, 22, 23] as const;
const CLP_OPTIONAL: readonly [keyof ClaimPayment835, number][] = [
  ['claimFilingIndicator', 6],
  ['payerClaimControlNumber', 7],
  ['facilityCode', 8],
  ['frequencyCode', 9],
];

/** NM1*QC / NM1*IL of a claim: last name (NM103), first name of a person, NM108/NM109 identifier. */
function readPerson(seg: PositionedSegment): NonNullable<ClaimPayment835['patient']> {
  const e = readEntity(seg);
  const person: NonNullable<ClaimPayment835['patient']> = { lastName: e.name };
  if (e.firstName !== undefined) person.firstName = e.firstName;
  if (e.idQualifier !== undefined) person.idQualifier = e.idQualifier;
  if (e.id !== undefined) person.id = e.id;
  return person;
}

function readClaim(r: SegmentReader, d: Delimiters): ClaimPayment835 {
  const clp = r.expect('CLP');
  const claim: ClaimPayment835 = {
    patientControlNumber: req(clp, 1),
    statusCode: req(clp, 2),
    chargeCents: money(clp, 3),
    paidCents: money(clp, 4),
    adjustments: [],
    claimRemarkCodes: [],
    amounts: {},
    services: [],
  };
  const pr = optMoney(clp, 5);
  if (pr !== undefined) claim.patientResponsibilityCents = pr;
  for (const [key, n] of CLP_OPTIONAL) {
    const v = opt(clp, n);
    if (v !== undefined) (claim as unknown as Record<string, string>)[key] = v;
  }
  let from: string | undefined;
  let to: string | undefined;
  while (!r.atEnd && !ENDS_CLAIM.has((r.peek() as PositionedSegment).id)) {
    if (r.is('SVC')) {
      claim.services.push(readService(r, d));
      continue;
    }
    const s = r.next();
    if (s.id === 'CAS') readCasInto(s, claim.adjustments);
    else if (s.id === 'NM1') {
      if (s.elementIs(1, 'QC')) claim.patient = readPerson(s);
      else if (s.elementIs(1, 'IL')) claim.insured = readPerson(s);
      else if (s.elementIs(1, '82')) {
        const e = readEntity(s);
        const provider: NonNullable<ClaimPayment835['renderingProvider']> = { name: e.name };
        if (e.firstName !== undefined) provider.firstName = e.firstName;
        if (e.idQualifier !== undefined) provider.idQualifier = e.idQualifier;
        if (e.id !== undefined) provider.id = e.id;
        claim.renderingProvider = provider;
      }
    } else if (s.id === 'MOA') {
      // MOA03..07 are claim payment remark codes (RARC); MIA carries them at 05, 20..23.
      for (const n of MOA_REMARKS) {
        const v = opt(s, n);
        if (v !== undefined) claim.claimRemarkCodes.push(v);
      }
    } else if (s.id === 'MIA') {
      for (const n of MIA_REMARKS) {
        const v = opt(s, n);
        if (v !== undefined) claim.claimRemarkCodes.push(v);
      }
    } else if (s.id === 'DTM') {
      if (s.elementIs(1, '232')) from = date(s, 2);
      else if (s.elementIs(1, '233')) to = date(s, 2);
      else if (s.elementIs(1, '050')) claim.receivedDate = date(s, 2);
    } else if (s.id === 'AMT') claim.amounts[req(s, 1)] = money(s, 2);
  }
  if (from !== undefined || to !== undefined)
    claim.statementPeriod = { from: from ?? (to as string), to: to ?? (from as string) };
  return claim;
}

function readPlb(seg: PositionedSegment, d: Delimiters): ProviderAdjustment835 {
  const plb: ProviderAdjustment835 = {
    providerId: req(seg, 1),
    fiscalPeriodDate: parseDate(req(seg, 2), site(seg, 2)),
    adjustments: [],
  };
  for (let k = 3; k <= 13; k += 2) {
    if (opt(seg, k) === undefined) continue;
    const [reasonCode, referenceId] = comps(seg, k, d);
    const adj: ProviderAdjustment835['adjustments'][number] = {
      reasonCode: reasonCode ?? '',
      amountCents: money(seg, k + 1),
    };
    if (referenceId !== undefined && referenceId !== '') adj.referenceId = referenceId;
    plb.adjustments.push(adj);
  }
  return plb;
}

/** Interprets one 835 transaction set. */
export function parse835Transaction(tx: ParsedTransaction, d: Delimiters): Remittance835 {
  const r = new SegmentReader(tx.segments, d);
  const bpr = r.expect('BPR');
  const trn = r.expect('TRN');
  const remit: Remittance835 = {
    controlNumber: tx.controlNumber,
    payment: {
      handlingCode: req(bpr, 1),
      amountCents: money(bpr, 2),
      creditDebit: code(bpr, 3, ['C', 'D']),
      method: req(bpr, 4),
      paymentDate: date(bpr, 16),
    },
    trace: { typeCode: req(trn, 1), referenceId: req(trn, 2), originatorId: req(trn, 3) },
    payer: { name: '' },
    payee: { name: '' },
    claims: [],
    providerAdjustments: [],
  };
  const fmt = opt(bpr, 5);
  if (fmt !== undefined) remit.payment.format = fmt;
  while (!r.atEnd && !r.is('N1')) {
    const s = r.next();
    if (s.id === 'DTM' && el(s, 1) === '405') remit.productionDate = date(s, 2);
  }
  const payerN1 = r.expect('N1', 'PR');
  remit.payer.name = req(payerN1, 2);
  const payerAddress = readAddress(r);
  if (payerAddress !== undefined) remit.payer.address = payerAddress;
  while (!r.atEnd && !r.is('N1')) {
    const s = r.next();
    if (s.id === 'REF' && el(s, 1) === '2U') remit.payer.id = req(s, 2);
  }
  const payeeN1 = r.expect('N1', 'PE');
  remit.payee.name = req(payeeN1, 2);
  const pq = opt(payeeN1, 3);
  const pid = opt(payeeN1, 4);
  if (pq !== undefined) remit.payee.idQualifier = pq;
  if (pid !== undefined) remit.payee.id = pid;
  while (!r.atEnd && !r.is('LX') && !r.is('CLP') && !r.is('PLB')) {
    const s = r.next();
    if (s.id === 'REF' && el(s, 1) === 'TJ') remit.payee.taxId = req(s, 2);
  }
  while (!r.atEnd) {
    if (r.is('CLP')) remit.claims.push(readClaim(r, d));
    else {
      const s = r.next();
      if (s.id === 'PLB') remit.providerAdjustments.push(readPlb(s, d));
    }
  }
  return remit;
}

/** Parses an 835 interchange; one remittance per transaction set. */
export function parse835(text: string): Remittance835[] {
  return parseEachTransaction(text, '835', 'an', parse835Transaction);
}

export interface Reconciliation835 {
  /** Σ CLP04 − Σ PLB amounts (positive PLB amounts reduce the payment). */
  expectedCents: number;
  paymentCents: number;
  balanced: boolean;
}

/** Checks BPR02 = Σ CLP04 − Σ PLB (credit payments; a debit BPR is negated). */
export function reconcile835(remit: Remittance835): Reconciliation835 {
  const paid = remit.claims.reduce((s, c) => s + c.paidCents, 0);
  const plb = remit.providerAdjustments.reduce(
    (s, p) => s + p.adjustments.reduce((t, a) => t + a.amountCents, 0),
    0,
  );
  const expectedCents = paid - plb;
  const paymentCents =
    remit.payment.creditDebit === 'D' ? -remit.payment.amountCents : remit.payment.amountCents;
  return { expectedCents, paymentCents, balanced: expectedCents === paymentCents };
}

/** Line balance: SVC02 charge − SVC03 paid must equal Σ line CAS amounts. */
export function serviceBalances(line: ServicePayment835): boolean {
  return line.chargeCents - line.paidCents === line.adjustments.reduce((s, a) => s + a.amountCents, 0);
}

/** Claim balance: CLP03 − CLP04 = Σ claim CAS + Σ line CAS. */
export function claimBalances(claim: ClaimPayment835): boolean {
  const cas = [...claim.adjustments, ...claim.services.flatMap((l) => l.adjustments)].reduce(
    (s, a) => s + a.amountCents,
    0,
  );
  return claim.chargeCents - claim.paidCents === cas;
}
