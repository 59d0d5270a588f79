// 278 services review response parser (005010X217).
//   HL 20 UMO (NM1*X3, AAA) · HL 21 requester (NM1*1P) · HL 22 subscriber (NM1*IL) · [HL 23 dependent]
//   HL EV patient event and HL SS service: TRN, AAA, UM, HCR (decision), REF*BB (authorization number),
//   DTP*AAH (certification period) / 472 / 036, HI, SV1, HSD, MSG.
// A review is recorded per EV/SS level that carries an HCR. HCR01 → action (A1 certified, A2 partially,
// A3 not certified, A4 pended, A6 modified, C cancelled, CT contact payer, NA no action required).

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { readPersonName, readLevelEntity } from './parties.js';
import { readDelivery, readRejection } from './parse-271.js';
import { comps, date, dateRange, el, opt, optQuantity, req, SegmentReader, site } from './reader.js';
import type { Delimiters } from './tokenizer.js';
import type { AuthResponse278, RequestRejection, Review278, ReviewAction } from './types.js';

const ACTIONS: Record<string, ReviewAction> = {
  A1: 'certified',
  A2: 'partially_certified',
  A3: 'not_certified',
  A4: 'pended',
  A6: 'modified',
  C: 'cancelled',
  NA: 'no_action_required',
};

export function reviewAction(code: string): ReviewAction {
  return ACTIONS[code] ?? 'other';
}

const LEVEL_NAMES: Record<string, RequestRejection['level']> = {
  '20': 'payer',
  '21': 'provider',
  '22': 'subscriber',
  '23': 'dependent',
};

/** Interprets one 278 response transaction set. */
export function parse278ResponseTransaction(tx: ParsedTransaction, d: Delimiters): AuthResponse278 {
  const r = new SegmentReader(tx.segments, d);
  const bht = r.expect('BHT');
  const out: AuthResponse278 = {
    controlNumber: tx.controlNumber,
    umo: { name: '' },
    traceNumbers: [],
    rejections: [],
    reviews: [],
  };
  const ref = opt(bht, 3);
  if (ref !== undefined) out.reference = ref;
  let level = '';
  // Pending review of the current EV/SS level; only kept if an HCR decision appears.
  let review: Review278 | undefined;
  let hasDecision = false;
  const flush = (): void => {
    if (review !== undefined && hasDecision) out.reviews.push(review);
    review = undefined;
    hasDecision = false;
  };
  while (!r.atEnd) {
    const s = r.next();
    const q = el(s, 1);
    const inReview = level === 'EV' || level === 'SS';
    switch (s.id) {
      case 'HL':
        flush();
        level = req(s, 3);
        if (level === 'EV' || level === 'SS') {
          review = {
            level: level === 'EV' ? 'event' : 'service',
            actionCode: '',
            action: 'other',
            deliveries: [],
            messages: [],
          };
        }
        break;
      case 'NM1': {
        const entity = readLevelEntity(s);
        if (level === '20') out.umo = entity;
        else if (level === '21') out.requester = entity;
        else if (level === '22' || level === '23')
          out.subscriber = { ...readPersonName(s), ...(entity.id ? { memberId: entity.id } : {}) };
        break;
      }
      case 'TRN':
        out.traceNumbers.push(req(s, 2));
        break;
      case 'AAA':
        out.rejections.push(readRejection(s, LEVEL_NAMES[level] ?? 'subscriber'));
        break;
      case 'HCR':
        if (review !== undefined) {
          hasDecision = true;
          review.actionCode = req(s, 1);
          review.action = reviewAction(review.actionCode);
          const cert = opt(s, 2);
          if (cert !== undefined) review.certificationNumber = cert;
          const reason = opt(s, 3);
          if (reason !== undefined) review.decisionReasonCode = reason;
        }
        break;
      case 'REF':
        if (review !== undefined && q === 'BB') review.authorizationNumber = req(s, 2);
        break;
      case 'DTP':
        if (review !== undefined) {
          if (q === 'AAH') review.certificationPeriod = dateRange(s, 2);
          else if (q === '472') review.serviceDates = dateRange(s, 2);
          else if (q === '036') review.certificationExpirationDate = date(s, 3);
        }
        break;
      case 'SV1':
        if (review !== undefined) {
          const [qualifier, code, ...mods] = comps(s, 1, d);
          if (code === undefined || code === '')
            throw new X12ParseError('MISSING_ELEMENT', 'SV101 procedure', site(s, 1));
          review.procedure = { qualifier: qualifier ?? '', code, modifiers: mods.filter((m) => m !== '') };
          const unit = opt(s, 3);
          const qty = optQuantity(s, 4);
          if (unit !== undefined) review.procedure.unit = unit;
          if (qty !== undefined) review.procedure.quantity = qty;
        }
        break;
      case 'HSD':
        if (review !== undefined) review.deliveries.push(readDelivery(s));
        break;
      case 'MSG':
        if (inReview && review !== undefined) review.messages.push(req(s, 1));
        break;
      default:
        break;
    }
  }
  flush();
  return out;
}

/** Parses a 278 response interchange; one response per transaction set. */
export function parse278Response(text: string): AuthResponse278[] {
  return parseEachTransaction(text, '278', 'a', parse278ResponseTransaction);
}
