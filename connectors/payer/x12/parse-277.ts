// 277 claim status response (005010X212) and 277CA claim acknowledgment (005010X214) parser. Both share
// one HL grammar: 20 information source (payer) · 21 information receiver (us; batch STC/QTY/AMT)
// · 19 billing provider / provider of service (2100C name, 2200C TRN + STC: a provider-level answer such as an
// NPI rejection, kept per provider and on each of its claims) · 22/23 subscriber/dependent (277) or PT patient (277CA), whose TRN opens the
// claim-level loop (STC, REF*1K/EJ/D9, DTP*472, then SVC service lines with their own STC).
// `accepted` is derived from the first STC category: a front-end rejection (A3/A4/A6/A7/A8, D0, E*)
// means the claim was never filed (docs §7) and must be corrected and resubmitted.

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { readPersonName, readLevelEntity } from './parties.js';
import {
  comps,
  date,
  dateRange,
  el,
  opt,
  optMoney,
  optQuantity,
  req,
  SegmentReader,
  site,
} from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type {
  ClaimStatus277,
  ClaimStatusEntry,
  ProviderStatus277,
  ServiceLineStatus,
  StatusInfo,
} from './types.js';

const REJECTED_CATEGORIES = new Set(['A3', 'A4', 'A6', 'A7', 'A8', 'D0', 'E0', 'E1', 'E2', 'E3', 'E4']);

/** True when an STC category code means the claim entered (or passed) adjudication. */
export function isAcceptedCategory(category: string): boolean {
  return !REJECTED_CATEGORIES.has(category);
}

/** STC*category:status:entity*date*action*charge*paid*…*additional1*additional2*freeText. */
export function readStc(seg: PositionedSegment, d: Delimiters): StatusInfo {
  const [category, status, entity] = comps(seg, 1, d);
  if (category === undefined || category === '')
    throw new X12ParseError('MISSING_ELEMENT', 'STC01 category', site(seg, 1));
  const info: StatusInfo = { category, additional: [] };
  if (status !== undefined && status !== '') info.status = status;
  if (entity !== undefined && entity !== '') info.entity = entity;
  if (opt(seg, 2) !== undefined) info.effectiveDate = date(seg, 2);
  const action = opt(seg, 3);
  if (action !== undefined) info.actionCode = action;
  const charge = optMoney(seg, 4);
  if (charge !== undefined) info.chargeCents = charge;
  const paid = optMoney(seg, 5);
  if (paid !== undefined) info.paidCents = paid;
  for (const n of [10, 11]) {
    const [c, st, en] = comps(seg, n, d);
    if (c === undefined || c === '') continue;
    info.additional.push({ category: c, ...(st ? { status: st } : {}), ...(en ? { entity: en } : {}) });
  }
  const text = opt(seg, 12);
  if (text !== undefined) info.freeText = text;
  return info;
}

function readLine(r: SegmentReader, d: Delimiters): ServiceLineStatus {
  const svc = r.expect('SVC');
  const [qualifier, code, ...mods] = comps(svc, 1, d);
  const line: ServiceLineStatus = {
    procedure: { qualifier: qualifier ?? '', code: code ?? '', modifiers: mods.filter((m) => m !== '') },
    statuses: [],
  };
  const charge = optMoney(svc, 2);
  if (charge !== undefined) line.chargeCents = charge;
  const paid = optMoney(svc, 3);
  if (paid !== undefined) line.paidCents = paid;
  const units = optQuantity(svc, 7);
  if (units !== undefined) line.units = units;
  while (!r.atEnd && !r.is('SVC') && !r.is('HL') && !r.is('TRN')) {
    const s = r.next();
    if (s.id === 'STC') line.statuses.push(readStc(s, d));
    else if (s.id === 'REF' && el(s, 1) === 'FJ') line.lineControlNumber = req(s, 2);
    else if (s.id === 'DTP' && el(s, 1) === '472') line.serviceDates = dateRange(s, 2);
  }
  return line;
}

/** Interprets one 277 or 277CA transaction set. */
export function parse277Transaction(tx: ParsedTransaction, d: Delimiters): ClaimStatus277 {
  const r = new SegmentReader(tx.segments, d);
  const bht = r.expect('BHT');
  const impl = tx.implementationReference ?? tx.group.version;
  const out: ClaimStatus277 = {
    controlNumber: tx.controlNumber,
    kind: impl.includes('X214') ? '277CA' : '277',
    payer: { name: '' },
    receiverStatuses: [],
    providers: [],
    claims: [],
  };
  if (tx.implementationReference !== undefined) out.implementationReference = tx.implementationReference;
  const ref = opt(bht, 3);
  if (ref !== undefined) out.reference = ref;
  let level = '';
  let provider: ClaimStatusEntry['billingProvider'];
  let providerLevel: ProviderStatus277 | undefined;
  let patient: ClaimStatusEntry['patient'] | undefined;
  let claim: ClaimStatusEntry | undefined;
  const claimLevel = (): boolean => level === '22' || level === '23' || level === 'PT';

  while (!r.atEnd) {
    if (r.is('SVC') && claim !== undefined) {
      claim.lines.push(readLine(r, d));
      continue;
    }
    const s = r.next();
    const q = el(s, 1);
    switch (s.id) {
      case 'HL':
        level = req(s, 3);
        claim = undefined;
        if (claimLevel()) patient = undefined;
        if (level === '19') {
          // A new provider of service (2000C): its name, TRN and STCs (2100C/2200C) follow.
          provider = undefined;
          providerLevel = { provider: {}, statuses: [] };
          out.providers.push(providerLevel);
        } else if (level === '20' || level === '21') providerLevel = undefined;
        break;
      case 'NM1': {
        const entity = readLevelEntity(s);
        if (level === '20') out.payer = entity;
        else if (level === '21') out.receiver = entity;
        else if (level === '19') {
          provider = entity;
          if (providerLevel !== undefined) providerLevel.provider = entity;
        } else if (claimLevel()) {
          patient = { ...readPersonName(s), ...(entity.id ? { memberId: entity.id } : {}) };
        }
        break;
      }
      case 'TRN':
        if (level === '19' && providerLevel !== undefined) providerLevel.traceNumber = req(s, 2);
        else if (claimLevel()) {
          claim = {
            traceNumber: req(s, 2),
            patient: patient ?? { lastName: '' },
            statuses: [],
            accepted: true,
            lines: [],
          };
          if (provider !== undefined) claim.billingProvider = provider;
          if (providerLevel !== undefined && providerLevel.statuses.length > 0)
            claim.providerStatuses = providerLevel.statuses;
          out.claims.push(claim);
        }
        break;
      case 'STC': {
        const info = readStc(s, d);
        if (claim !== undefined) claim.statuses.push(info);
        else if (level === '21') out.receiverStatuses.push(info);
        else if (level === '19' && providerLevel !== undefined) providerLevel.statuses.push(info);
        break;
      }
      case 'REF':
        if (claim !== undefined) {
          if (q === '1K') claim.payerClaimControlNumber = req(s, 2);
          else if (q === 'EJ') claim.patientAccountNumber = req(s, 2);
          else if (q === 'D9') claim.clearinghouseTraceNumber = req(s, 2);
        }
        break;
      case 'DTP':
        if (claim !== undefined && q === '472') claim.serviceDates = dateRange(s, 2);
        break;
      default:
        break; // QTY/AMT totals, PER, DTP*050/009 at source level: informational.
    }
  }
  for (const c of out.claims) {
    // A claim without its own STC takes its provider's; a rejected provider rejects its claims.
    const first = c.statuses[0] ?? c.providerStatuses?.[0];
    const providerRejected = (c.providerStatuses ?? []).some((p) => !isAcceptedCategory(p.category));
    c.accepted = first === undefined ? false : isAcceptedCategory(first.category) && !providerRejected;
  }
  return out;
}

/** Parses a 277 or 277CA interchange; one document per transaction set. */
export function parse277(text: string): ClaimStatus277[] {
  return parseEachTransaction(text, '277', 'a', parse277Transaction);
}
