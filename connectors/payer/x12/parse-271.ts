// 271 eligibility response parser (005010X279A1).
//   HL 20 information source (NM1*PR, AAA) · HL 21 receiver (NM1*1P, AAA)
//   HL 22 subscriber (TRN, NM1*IL, REF, N3/N4, AAA, DMG, DTP plan dates; 2110C EB + HSD/REF/DTP/AAA/MSG,
//     2120C LS / NM1 related entity / LE) · HL 23 dependent (same shape)
// EB is the heart: EB01 benefit code, EB03 repeating service types, EB07 amount, EB08 percent, EB09/EB10
// quantity (visit limits), EB11 authorization required, EB12 in network (docs §10).

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { readDemographics, readEntity, readPersonName, readLevelEntity } from './parties.js';
import {
  comps,
  dateRange,
  el,
  opt,
  optMoney,
  optQuantity,
  req,
  reps,
  SegmentReader,
  site,
} from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type {
  Benefit,
  BenefitKind,
  Eligibility271,
  Member,
  RequestRejection,
  ServiceDelivery,
} from './types.js';
import { parsePercentBasisPoints } from './values.js';

type Level = RequestRejection['level'];

const LEVELS: Record<string, Level> = {
  '20': 'payer',
  '21': 'provider',
  '22': 'subscriber',
  '23': 'dependent',
};

export function benefitKind(code: string): BenefitKind {
  if (['1', '2', '3', '4', '5'].includes(code)) return 'active_coverage';
  if (['6', '7', '8'].includes(code)) return 'inactive';
  const kinds: Record<string, BenefitKind> = {
    A: 'coinsurance',
    B: 'copayment',
    C: 'deductible',
    F: 'limitation',
    G: 'out_of_pocket',
    I: 'non_covered',
    U: 'contact_following_entity',
  };
  return kinds[code] ?? 'other';
}

/** AAA*valid*agency*reason*followup. */
export function readRejection(seg: PositionedSegment, level: Level): RequestRejection {
  const rej: RequestRejection = { level, valid: el(seg, 1) === 'Y', reasonCode: req(seg, 3) };
  const follow = opt(seg, 4);
  if (follow !== undefined) rej.followUpCode = follow;
  return rej;
}

/** HSD*qualifier*quantity*unit*modulus*periodQualifier*periods. */
export function readDelivery(seg: PositionedSegment): ServiceDelivery {
  const out: ServiceDelivery = {};
  const q = opt(seg, 1);
  const qty = optQuantity(seg, 2);
  const unit = opt(seg, 3);
  const modulus = optQuantity(seg, 4);
  const period = opt(seg, 5);
  const count = optQuantity(seg, 6);
  if (q !== undefined) out.quantityQualifier = q;
  if (qty !== undefined) out.quantity = qty;
  if (unit !== undefined) out.unitOrBasis = unit;
  if (modulus !== undefined) out.sampleSelectionModulus = modulus;
  if (period !== undefined) out.timePeriodQualifier = period;
  if (count !== undefined) out.periodCount = count;
  return out;
}

function readBenefit(seg: PositionedSegment, d: Delimiters): Benefit {
  const c = req(seg, 1);
  const b: Benefit = {
    code: c,
    kind: benefitKind(c),
    serviceTypeCodes: reps(seg, 3, d),
    dates: [],
    messages: [],
    deliveries: [],
  };
  const set = <K extends keyof Benefit>(key: K, v: Benefit[K] | undefined): void => {
    if (v !== undefined) b[key] = v;
  };
  set('coverageLevel', opt(seg, 2));
  set('insuranceType', opt(seg, 4));
  set('planDescription', opt(seg, 5));
  set('timePeriod', opt(seg, 6));
  set('amountCents', optMoney(seg, 7));
  const pct = opt(seg, 8);
  if (pct !== undefined) b.percentBasisPoints = parsePercentBasisPoints(pct, site(seg, 8));
  set('quantityQualifier', opt(seg, 9));
  set('quantity', optQuantity(seg, 10));
  const auth = opt(seg, 11);
  if (auth === 'Y' || auth === 'N') b.authorizationRequired = auth === 'Y';
  const net = opt(seg, 12);
  if (net === 'Y' || net === 'N') b.inNetwork = net === 'Y';
  if (opt(seg, 13) !== undefined) {
    const [qualifier, code, ...mods] = comps(seg, 13, d);
    b.procedure = { qualifier: qualifier ?? '', code: code ?? '', modifiers: mods.filter((m) => m !== '') };
  }
  return b;
}

/** Interprets one 271 transaction set. */
export function parse271Transaction(tx: ParsedTransaction, d: Delimiters): Eligibility271 {
  const r = new SegmentReader(tx.segments, d);
  const bht = r.expect('BHT');
  const out: Eligibility271 = {
    controlNumber: tx.controlNumber,
    payer: { name: '' },
    coverage: 'unknown',
    planDates: [],
    benefits: [],
    rejections: [],
  };
  const ref = opt(bht, 3);
  if (ref !== undefined) out.reference = ref;
  let level: Level | undefined;
  let benefit: Benefit | undefined;
  let inRelatedEntity = false;
  const member = (): (Member & { traceNumbers: string[]; groupNumber?: string }) | undefined =>
    level === 'subscriber' ? out.subscriber : level === 'dependent' ? out.dependent : undefined;

  while (!r.atEnd) {
    const s = r.next();
    const q = el(s, 1);
    switch (s.id) {
      case 'HL': {
        const l = LEVELS[req(s, 3)];
        if (l === undefined) throw new X12ParseError('INVALID_VALUE', 'unexpected HL level', site(s, 3));
        level = l;
        benefit = undefined;
        inRelatedEntity = false;
        if (l === 'subscriber') out.subscriber = { lastName: '', memberId: '', traceNumbers: [] };
        if (l === 'dependent') out.dependent = { lastName: '', memberId: '', traceNumbers: [] };
        break;
      }
      case 'TRN':
        member()?.traceNumbers.push(req(s, 2));
        break;
      case 'NM1': {
        if (inRelatedEntity && benefit !== undefined) {
          const e = readEntity(s);
          benefit.relatedEntity = {
            entityCode: q,
            ...(e.name === '' ? {} : { name: e.name }),
            ...(e.idQualifier === undefined ? {} : { idQualifier: e.idQualifier }),
            ...(e.id === undefined ? {} : { id: e.id }),
          };
        } else if (level === 'payer' || level === 'provider') {
          const entity = readLevelEntity(s);
          if (level === 'payer') out.payer = entity;
          else out.provider = entity;
        } else {
          const m = member();
          if (m !== undefined) {
            Object.assign(m, readPersonName(s));
            m.memberId = el(s, 9);
          }
        }
        break;
      }
      case 'DMG': {
        const m = member();
        if (m !== undefined) Object.assign(m, readDemographics(s));
        break;
      }
      case 'REF': {
        const m = member();
        if (benefit === undefined && q === '6P' && m !== undefined) m.groupNumber = req(s, 2);
        break;
      }
      case 'AAA':
        if (level !== undefined) out.rejections.push(readRejection(s, level));
        break;
      case 'DTP': {
        const entry = { qualifier: q, range: dateRange(s, 2) };
        if (benefit !== undefined) benefit.dates.push(entry);
        else out.planDates.push(entry);
        break;
      }
      case 'EB':
        benefit = readBenefit(s, d);
        inRelatedEntity = false;
        out.benefits.push(benefit);
        break;
      case 'HSD':
        benefit?.deliveries.push(readDelivery(s));
        break;
      case 'MSG':
        benefit?.messages.push(req(s, 1));
        break;
      case 'LS':
        inRelatedEntity = true;
        break;
      case 'LE':
        inRelatedEntity = false;
        break;
      default:
        break; // N3/N4/PER/PRV/INS/HI/MPI/III: not needed by the engine yet.
    }
  }
  const kinds = out.benefits.map((b) => b.kind);
  out.coverage = kinds.includes('active_coverage')
    ? 'active'
    : kinds.includes('inactive')
      ? 'inactive'
      : 'unknown';
  return out;
}

/** Parses a 271 interchange; one response per transaction set. */
export function parse271(text: string): Eligibility271[] {
  return parseEachTransaction(text, '271', 'a', parse271Transaction);
}
