// The sandbox reads our outbound requests the way a payer would. The codec parses 837P; the three real-time
// requests (270, 276, 278) are read here with just the fields a payer needs to answer, from the envelope-
// validated segments (counts and control numbers already checked by parseInterchange).
import {
  X12ParseError,
  components,
  parseDate,
  parseInterchange,
  transactionsOf,
  type Delimiters,
  type InterchangeHeader,
  type GroupHeader,
  type PositionedSegment,
} from '../x12/index.js';

export interface RequestParty {
  name: string;
  firstName?: string;
  id: string;
}

interface Common {
  interchange: InterchangeHeader;
  group: GroupHeader;
  reference: string;
  payerId: string;
  provider: RequestParty;
  subscriber: RequestParty & { dateOfBirth?: string };
  trace: { number: string; originatorId: string };
}

export type RealtimeRequest =
  | (Common & { type: '270'; serviceDate: string })
  | (Common & {
      type: '276';
      receiver: RequestParty;
      patientControlNumber: string;
      payerClaimNumber?: string;
      serviceDates: { from: string; to: string };
    })
  | (Common & {
      type: '278';
      certificationType: string;
      /** 2000E REF*BB: the authorization an extension extends. */
      previousAuthorizationNumber?: string;
      period: { from: string; to: string };
      service: { code: string; visits: number; weeks?: number };
    });

const el = (s: PositionedSegment, n: number): string => s.elements[n - 1] ?? '';

function missing(what: string, at?: PositionedSegment): X12ParseError {
  return new X12ParseError(
    'MISSING_SEGMENT',
    `request lacks ${what}`,
    at === undefined ? {} : { segmentIndex: at.index, segmentId: at.id },
  );
}

function party(s: PositionedSegment): RequestParty {
  const p: RequestParty = { name: el(s, 3), id: el(s, 9) };
  if (el(s, 4) !== '') p.firstName = el(s, 4);
  return p;
}

function range(s: PositionedSegment, d: Delimiters): { from: string; to: string } {
  const fmt = el(s, 2);
  const v = el(s, 3);
  const where = { segmentIndex: s.index, segmentId: s.id, elementPosition: 3 };
  if (fmt === 'RD8') {
    const [a, b] = v.split('-');
    return { from: parseDate(a ?? '', where), to: parseDate(b ?? '', where) };
  }
  void d;
  const one = parseDate(v, where);
  return { from: one, to: one };
}

/** Parses a single-transaction 270, 276 or 278 interchange. */
export function parseRealtimeRequest(text: string): RealtimeRequest {
  const ix = parseInterchange(text);
  const txs = transactionsOf(ix);
  const tx = txs[0];
  if (tx === undefined || txs.length !== 1) throw missing('exactly one transaction set');
  const d = ix.delimiters;
  const find = (id: string, q?: string): PositionedSegment | undefined =>
    tx.segments.find((s) => s.id === id && (q === undefined || el(s, 1) === q));
  const need = (id: string, q?: string): PositionedSegment => {
    const s = find(id, q);
    if (s === undefined) throw missing(q === undefined ? id : `${id}*${q}`);
    return s;
  };
  const bht = need('BHT');
  const payerNm1 = find('NM1', 'PR') ?? find('NM1', 'X3');
  if (payerNm1 === undefined) throw missing('payer NM1');
  const provider = party(need('NM1', '1P'));
  const il = need('NM1', 'IL');
  const subscriber: Common['subscriber'] = party(il);
  const dmg = tx.segments.find((s) => s.id === 'DMG' && s.index > il.index - 2 && el(s, 1) === 'D8');
  if (dmg !== undefined && el(dmg, 2) !== '')
    subscriber.dateOfBirth = parseDate(el(dmg, 2), { segmentIndex: dmg.index, segmentId: 'DMG' });
  const trn = need('TRN');
  const common: Common = {
    interchange: ix.header,
    group: tx.group,
    reference: el(bht, 3),
    payerId: el(payerNm1, 9),
    provider,
    subscriber,
    trace: { number: el(trn, 2), originatorId: el(trn, 3) },
  };
  if (common.trace.number === '') throw missing('TRN02', trn);
  switch (tx.transactionSetId) {
    case '270': {
      const dtp = need('DTP', '291');
      return { ...common, type: '270', serviceDate: range(dtp, d).from };
    }
    case '276': {
      const ej = need('REF', 'EJ');
      const out: RealtimeRequest = {
        ...common,
        type: '276',
        receiver: party(need('NM1', '41')),
        patientControlNumber: el(ej, 2),
        serviceDates: range(need('DTP', '472'), d),
      };
      const k = find('REF', '1K');
      if (k !== undefined) out.payerClaimNumber = el(k, 2);
      return out;
    }
    case '278': {
      const um = need('UM');
      const sv1 = need('SV1');
      const [, code] = components(el(sv1, 1), d);
      // Visits are HSD02 under HSD01 VS (SV103 may only be UN or MJ in X217); an HSD-less request counts SV104.
      const hsd = find('HSD', 'VS');
      const visits = Number(hsd !== undefined && el(hsd, 2) !== '' ? el(hsd, 2) : el(sv1, 4));
      if (code === undefined || !Number.isInteger(visits) || visits < 1) throw missing('SV1 service', sv1);
      const weeks = hsd !== undefined && el(hsd, 5) === '35' ? Number(el(hsd, 6)) : undefined;
      const bb = find('REF', 'BB');
      return {
        ...common,
        type: '278',
        certificationType: el(um, 2),
        ...(bb !== undefined && el(bb, 2) !== '' ? { previousAuthorizationNumber: el(bb, 2) } : {}),
        period: range(need('DTP', 'AAH'), d),
        service: { code, visits, ...(weeks !== undefined && Number.isInteger(weeks) ? { weeks } : {}) },
      };
    }
    default:
      throw new X12ParseError('UNSUPPORTED_TRANSACTION', 'not a real-time request', {
        segmentIndex: tx.startIndex,
        segmentId: 'ST',
      });
  }
}

/** ST02 control numbers of an 837 interchange (for the 999's AK2), in order. */
export function transactionControlNumbers(text: string): { group: string; controls: string[] } {
  const ix = parseInterchange(text);
  const txs = transactionsOf(ix);
  return { group: ix.groups[0]?.header.controlNumber ?? '0', controls: txs.map((t) => t.controlNumber) };
}
