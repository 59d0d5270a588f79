// ISA/IEA, GS/GE and ST/SE envelopes. Parsing validates every control number pair and every count
// (SE01 segments, GE01 transaction sets, IEA01 groups) so a truncated or spliced file is refused as a
// whole rather than half-processed. Generation computes the counts itself and takes control numbers,
// date and time from the caller: the codec has no clock and no counter.

import { X12BuildError, X12ParseError } from './errors.js';
import { SegmentBuilder } from './builder.js';
import {
  DEFAULT_DELIMITERS,
  serializeSegments,
  tokenize,
  type Delimiters,
  type PositionedSegment,
  type Segment,
} from './tokenizer.js';
import type { EnvelopeOptions, GroupHeader, InterchangeHeader } from './types.js';
import { formatDate, formatShortDate, formatTime, parseDate, parseShortDate, parseTime } from './values.js';
import { req, site } from './reader.js';

/** One transaction set between ST and SE (both excluded from `segments`). */
export interface ParsedTransaction {
  transactionSetId: string;
  controlNumber: string;
  implementationReference: string | undefined;
  /** Position of the ST segment in the interchange. */
  startIndex: number;
  segments: PositionedSegment[];
  group: GroupHeader;
}

export interface ParsedGroup {
  header: GroupHeader;
  transactions: ParsedTransaction[];
}

export interface ParsedInterchange {
  delimiters: Delimiters;
  header: InterchangeHeader;
  groups: ParsedGroup[];
}

function count(seg: PositionedSegment, n: number): number {
  const v = req(seg, n);
  if (!/^\d{1,10}$/.test(v)) throw new X12ParseError('INVALID_NUMBER', 'count must be digits', site(seg, n));
  return Number(v);
}

/** Control numbers compare numerically when both are digits ("000000001" = "1"), else literally. */
function sameControlNumber(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) === Number(b) : a === b;
}

function parseIsa(seg: PositionedSegment): InterchangeHeader {
  if (seg.elements.length !== 16) {
    throw new X12ParseError('INVALID_ISA', 'ISA must have 16 elements', {
      segmentIndex: 0,
      segmentId: 'ISA',
    });
  }
  const e = (n: number): string => (seg.elements[n - 1] ?? '').trim();
  const usage = e(15);
  if (usage !== 'P' && usage !== 'T' && usage !== 'I') {
    throw new X12ParseError('INVALID_VALUE', 'usage indicator must be P, T or I', site(seg, 15));
  }
  if (!/^\d{9}$/.test(e(13))) {
    throw new X12ParseError('INVALID_ISA', 'interchange control number must be 9 digits', site(seg, 13));
  }
  return {
    authorizationQualifier: e(1),
    securityQualifier: e(3),
    senderQualifier: e(5),
    senderId: e(6),
    receiverQualifier: e(7),
    receiverId: e(8),
    date: parseShortDate(e(9), site(seg, 9)),
    time: parseTime(e(10), site(seg, 10)),
    version: e(12),
    controlNumber: e(13),
    acknowledgmentRequested: e(14) === '1',
    usage,
  };
}

function parseGs(seg: PositionedSegment): GroupHeader {
  return {
    functionalIdCode: req(seg, 1),
    applicationSenderCode: req(seg, 2),
    applicationReceiverCode: req(seg, 3),
    date: parseDate(req(seg, 4), site(seg, 4)),
    time: parseTime(req(seg, 5), site(seg, 5)),
    controlNumber: req(seg, 6),
    version: req(seg, 8),
  };
}

/**
 * Tokenizes and validates an interchange. Throws X12ParseError on any structural problem; the returned
 * transactions are exactly the ones the envelope vouches for.
 */
export function parseInterchange(text: string): ParsedInterchange {
  const { delimiters, segments } = tokenize(text);
  const isaSeg = segments[0];
  if (isaSeg === undefined) throw new X12ParseError('EMPTY_INPUT', 'no segments');
  const header = parseIsa(isaSeg);
  const groups: ParsedGroup[] = [];
  let i = 1;
  const at = (k: number): PositionedSegment | undefined => segments[k];
  const unexpected = (s: PositionedSegment, detail: string): X12ParseError =>
    new X12ParseError('UNEXPECTED_SEGMENT', detail, { segmentIndex: s.index, segmentId: s.id });
  const truncated = (detail: string): X12ParseError =>
    new X12ParseError('TRUNCATED', detail, { segmentIndex: segments.length });

  while (true) {
    const s = at(i);
    if (s === undefined) throw truncated('interchange has no IEA');
    if (s.id === 'TA1') {
      // An interchange acknowledgment may precede the groups; it carries no transaction data.
      i++;
      continue;
    }
    if (s.id === 'IEA') break;
    if (s.id !== 'GS') throw unexpected(s, 'expected GS or IEA');
    const groupHeader = parseGs(s);
    const transactions: ParsedTransaction[] = [];
    i++;
    while (true) {
      const t = at(i);
      if (t === undefined) throw truncated('functional group has no GE');
      if (t.id === 'GE') break;
      if (t.id !== 'ST') throw unexpected(t, 'expected ST or GE');
      const stIndex = i;
      i++;
      while (true) {
        const b = at(i);
        if (b === undefined) throw truncated('transaction set has no SE');
        if (b.id === 'SE') break;
        if (b.id === 'ST' || b.id === 'GE' || b.id === 'GS' || b.id === 'IEA' || b.id === 'ISA') {
          throw unexpected(b, 'transaction set not closed by SE');
        }
        i++;
      }
      const body = segments.slice(stIndex + 1, i);
      const se = at(i) as PositionedSegment;
      const stControl = req(t, 2);
      if (count(se, 1) !== body.length + 2) {
        throw new X12ParseError(
          'SEGMENT_COUNT_MISMATCH',
          'SE01 does not match the segment count',
          site(se, 1),
        );
      }
      if (req(se, 2) !== stControl) {
        throw new X12ParseError('CONTROL_NUMBER_MISMATCH', 'SE02 does not match ST02', site(se, 2));
      }
      const impl = t.element(3);
      transactions.push({
        transactionSetId: req(t, 1),
        controlNumber: stControl,
        implementationReference: impl === '' ? undefined : impl,
        startIndex: segments[stIndex]?.index ?? stIndex,
        segments: body,
        group: groupHeader,
      });
      i++;
    }
    const ge = at(i) as PositionedSegment;
    if (count(ge, 1) !== transactions.length) {
      throw new X12ParseError(
        'TRANSACTION_COUNT_MISMATCH',
        'GE01 does not match the transaction count',
        site(ge, 1),
      );
    }
    if (!sameControlNumber(req(ge, 2), groupHeader.controlNumber)) {
      throw new X12ParseError('CONTROL_NUMBER_MISMATCH', 'GE02 does not match GS06', site(ge, 2));
    }
    groups.push({ header: groupHeader, transactions });
    i++;
  }
  const iea = at(i) as PositionedSegment;
  if (count(iea, 1) !== groups.length) {
    throw new X12ParseError('GROUP_COUNT_MISMATCH', 'IEA01 does not match the group count', site(iea, 1));
  }
  if (!sameControlNumber(req(iea, 2), header.controlNumber)) {
    throw new X12ParseError('CONTROL_NUMBER_MISMATCH', 'IEA02 does not match ISA13', site(iea, 2));
  }
  return { delimiters, header, groups };
}

/** All transaction sets of an interchange, in order. */
export function transactionsOf(interchange: ParsedInterchange): ParsedTransaction[] {
  return interchange.groups.flatMap((g) => g.transactions);
}

/**
 * Parse an interchange whose transaction sets must all be `transactionSetId` (`article` + id names it in the
 * error: "an 835"), one document per set.
 */
export function parseEachTransaction<T>(
  text: string,
  transactionSetId: string,
  article: 'a' | 'an',
  parseTransaction: (tx: ParsedTransaction, delimiters: Delimiters) => T,
): T[] {
  const ix = parseInterchange(text);
  return transactionsOf(ix).map((tx) => {
    if (tx.transactionSetId !== transactionSetId) {
      throw new X12ParseError('UNSUPPORTED_TRANSACTION', `expected ${article} ${transactionSetId}`, {
        segmentIndex: tx.startIndex,
        segmentId: 'ST',
      });
    }
    return parseTransaction(tx, ix.delimiters);
  });
}

// ─── Generation ─────────────────────────────────────────────────────────────────────────────────────

/** A transaction set body produced by a generator; ST and SE are added by the envelope. */
export interface TransactionBody {
  transactionSetId: string;
  implementationReference: string;
  controlNumber: string;
  segments: Segment[];
}

export interface GroupInput {
  /** GS01 functional identifier (HC 837, HS 270, HR 276, HI 278 …). */
  functionalIdCode: string;
  /** GS08 version / implementation reference. */
  version: string;
  transactions: TransactionBody[];
}

function fixed(value: string, width: number, field: string): string {
  if (value.length > width) throw new X12BuildError('VALUE_TOO_LONG', field, `at most ${width} characters`);
  return value.padEnd(width, ' ');
}

function controlNumber(n: number, field: string, max = 999_999_999): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new X12BuildError('INVALID_INPUT', field, `control number must be 1..${max}`);
  }
  return n;
}

/** Wraps one transaction body in ST/SE, with SE01 = segments including ST and SE. */
export function wrapTransaction(body: TransactionBody, d: Delimiters): Segment[] {
  if (!/^[A-Za-z0-9]{4,9}$/.test(body.controlNumber)) {
    throw new X12BuildError('INVALID_INPUT', 'ST02', 'transaction control number must be 4-9 alphanumerics');
  }
  const b = new SegmentBuilder(d);
  b.add('ST', body.transactionSetId, body.controlNumber, body.implementationReference);
  b.segments.push(...body.segments);
  b.add('SE', String(body.segments.length + 2), body.controlNumber);
  return b.segments;
}

/** Builds a complete interchange string with correct counts; groups get GS06 = groupControlNumber + k. */
export function buildInterchange(options: EnvelopeOptions, groups: readonly GroupInput[]): string {
  const d = options.delimiters ?? DEFAULT_DELIMITERS;
  const isa13 = String(controlNumber(options.interchangeControlNumber, 'ISA13')).padStart(9, '0');
  const qualifier = (q: string, field: string): string => {
    if (!/^[A-Z0-9]{2}$/.test(q))
      throw new X12BuildError('INVALID_INPUT', field, 'qualifier must be 2 characters');
    return q;
  };
  const isaElements = [
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    qualifier(options.sender.qualifier, 'ISA05'),
    fixed(options.sender.id, 15, 'ISA06'),
    qualifier(options.receiver.qualifier, 'ISA07'),
    fixed(options.receiver.id, 15, 'ISA08'),
    formatShortDate(options.date, 'ISA09'),
    formatTime(options.time, 'ISA10').slice(0, 4),
    d.repetition ?? 'U',
    '00501',
    isa13,
    options.acknowledgmentRequested === true ? '1' : '0',
    options.usage,
    d.component,
  ];
  const segments: Segment[] = [{ id: 'ISA', elements: isaElements }];
  const b = new SegmentBuilder(d);
  // Validate the ISA data fields too: a delimiter inside a sender id would break the fixed width.
  b.add('ISA', ...isaElements.slice(0, 10), undefined, ...isaElements.slice(11, 15));
  groups.forEach((group, k) => {
    const gs06 = String(controlNumber(options.groupControlNumber + k, 'GS06'));
    const g = new SegmentBuilder(d);
    g.add(
      'GS',
      group.functionalIdCode,
      options.applicationSenderCode ?? options.sender.id,
      options.applicationReceiverCode ?? options.receiver.id,
      formatDate(options.date, 'GS04'),
      formatTime(options.time, 'GS05').slice(0, 4),
      gs06,
      'X',
      group.version,
    );
    segments.push(...g.segments);
    for (const t of group.transactions) segments.push(...wrapTransaction(t, d));
    segments.push({ id: 'GE', elements: [String(group.transactions.length), gs06] });
  });
  segments.push({ id: 'IEA', elements: [String(groups.length), isa13] });
  return serializeSegments(segments, d, options.lineBreaks === true);
}
