// 999 implementation acknowledgment parser (005010X231A1).
//   AK1 functional group · 2000 AK2 transaction set (2100 IK3 segment error + CTX, 2110 IK4 element
//   error + CTX, IK5 transaction result) · AK9 group result.
// IK501/AK901 "A" and "E" (accepted with errors) count as accepted; "P" partially accepted at group
// level; M/R/W/X are rejections. IK404 (a copy of the bad element) may be PHI: it is kept in the model
// for the biller's screen but never appears in errors or logs.

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { comps, el, opt, req, SegmentReader, site } from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type { Ack999, ElementError999, SegmentError999, TransactionAck999 } from './types.js';

function int(seg: PositionedSegment, n: number): number {
  const v = req(seg, n);
  if (!/^\d{1,9}$/.test(v)) throw new X12ParseError('INVALID_NUMBER', 'expected an integer', site(seg, n));
  return Number(v);
}

function codesFrom(seg: PositionedSegment, from: number, to: number): string[] {
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const v = opt(seg, n);
    if (v !== undefined) out.push(v);
  }
  return out;
}

function readElementError(seg: PositionedSegment, d: Delimiters): ElementError999 {
  const [pos, comp, rep] = comps(seg, 1, d);
  if (pos === undefined || !/^\d+$/.test(pos))
    throw new X12ParseError('INVALID_NUMBER', 'IK401 position', site(seg, 1));
  const e: ElementError999 = { position: Number(pos), errorCode: req(seg, 3) };
  if (comp !== undefined && /^\d+$/.test(comp)) e.componentPosition = Number(comp);
  if (rep !== undefined && /^\d+$/.test(rep)) e.repeatPosition = Number(rep);
  const ref = opt(seg, 2);
  if (ref !== undefined) e.dataElementReference = ref;
  const bad = opt(seg, 4);
  if (bad !== undefined) e.badValueCopy = bad;
  return e;
}

/** Interprets one 999 transaction set. */
export function parse999Transaction(tx: ParsedTransaction, d: Delimiters): Ack999 {
  const r = new SegmentReader(tx.segments, d);
  const ak1 = r.expect('AK1');
  const out: Ack999 = {
    controlNumber: tx.controlNumber,
    functionalGroup: { functionalIdCode: req(ak1, 1), controlNumber: req(ak1, 2) },
    transactionSets: [],
    groupStatusCode: '',
    groupAccepted: false,
    includedCount: 0,
    receivedCount: 0,
    acceptedCount: 0,
    groupErrorCodes: [],
  };
  const version = opt(ak1, 3);
  if (version !== undefined) out.functionalGroup.version = version;
  while (r.is('AK2')) {
    const ak2 = r.next();
    const set: TransactionAck999 = {
      transactionSetId: req(ak2, 1),
      controlNumber: req(ak2, 2),
      statusCode: '',
      accepted: false,
      errorCodes: [],
      segmentErrors: [],
    };
    const impl = opt(ak2, 3);
    if (impl !== undefined) set.implementationReference = impl;
    let current: SegmentError999 | undefined;
    while (!r.atEnd && !r.is('IK5')) {
      const s = r.next();
      if (s.id === 'IK3') {
        current = { segmentId: req(s, 1), position: int(s, 2), errorCode: el(s, 4), elementErrors: [] };
        const loop = opt(s, 3);
        if (loop !== undefined) current.loopId = loop;
        set.segmentErrors.push(current);
      } else if (s.id === 'IK4') {
        if (current === undefined)
          throw new X12ParseError('UNEXPECTED_SEGMENT', 'IK4 without IK3', {
            segmentIndex: s.index,
            segmentId: 'IK4',
          });
        current.elementErrors.push(readElementError(s, d));
      } else if (s.id !== 'CTX') {
        throw new X12ParseError('UNEXPECTED_SEGMENT', 'expected IK3, IK4, CTX or IK5', {
          segmentIndex: s.index,
          segmentId: s.id,
        });
      }
    }
    const ik5 = r.expect('IK5');
    set.statusCode = req(ik5, 1);
    set.accepted = set.statusCode === 'A' || set.statusCode === 'E';
    set.errorCodes = codesFrom(ik5, 2, 6);
    out.transactionSets.push(set);
  }
  const ak9 = r.expect('AK9');
  out.groupStatusCode = req(ak9, 1);
  out.groupAccepted = out.groupStatusCode === 'A' || out.groupStatusCode === 'E';
  out.includedCount = int(ak9, 2);
  out.receivedCount = int(ak9, 3);
  out.acceptedCount = int(ak9, 4);
  out.groupErrorCodes = codesFrom(ak9, 5, 9);
  if (!r.atEnd) {
    const s = r.peek() as PositionedSegment;
    throw new X12ParseError('UNEXPECTED_SEGMENT', 'segment after AK9', {
      segmentIndex: s.index,
      segmentId: s.id,
    });
  }
  return out;
}

/** Parses a 999 interchange; one acknowledgment per transaction set. */
export function parse999(text: string): Ack999[] {
  return parseEachTransaction(text, '999', 'a', parse999Transaction);
}
