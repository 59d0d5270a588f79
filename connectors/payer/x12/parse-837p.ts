// 837P parser (005010X222A1) — the inverse of generate-837p.ts. The sandbox payer reads our claims with
// it and the round-trip property tests use it. It flattens the HL hierarchy: every 2300 claim carries
// its billing provider, subscriber, payer and patient. Situational segments we do not model are skipped;
// required ones are enforced with positioned, PHI-free errors.

import { parseEachTransaction, type ParsedTransaction } from './envelope.js';
import { X12ParseError } from './errors.js';
import { readAddress, readDemographics, readEntity, readPersonName } from './parties.js';
import { code, comps, date, el, money, opt, req, site, SegmentReader, time } from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type {
  BillingProvider,
  Claim837,
  Claim837Batch,
  ClaimFrequencyCode,
  Member,
  Practitioner,
  ServiceLine837,
} from './types.js';
import { parseQuantity } from './values.js';

type ClaimContext = Pick<
  Claim837,
  | 'billingProvider'
  | 'payerResponsibility'
  | 'claimFilingIndicator'
  | 'groupNumber'
  | 'subscriber'
  | 'payer'
  | 'patient'
>;

function readPractitioner(r: SegmentReader, nm1: PositionedSegment): Practitioner {
  const p: Practitioner = { ...readPersonName(nm1), npi: req(nm1, 9) };
  const prv = r.take('PRV');
  if (prv !== undefined && opt(prv, 3) !== undefined) p.taxonomy = req(prv, 3);
  return p;
}

function readMember(r: SegmentReader, nm1: PositionedSegment, needsId: boolean): Member {
  const m: Member = { ...readPersonName(nm1), memberId: needsId ? req(nm1, 9) : el(nm1, 9) };
  const address = readAddress(r);
  if (address !== undefined) m.address = address;
  const dmg = r.take('DMG');
  if (dmg !== undefined) Object.assign(m, readDemographics(dmg));
  return m;
}

function readBillingProvider(r: SegmentReader): BillingProvider {
  const prv = r.take('PRV', 'BI');
  const nm1 = r.expect('NM1', '85');
  const entity = readEntity(nm1);
  const address = readAddress(r);
  if (address === undefined)
    throw new X12ParseError('MISSING_SEGMENT', 'billing provider address', {
      segmentIndex: nm1.index,
      segmentId: 'NM1',
    });
  let taxId: string | undefined;
  while (r.is('REF')) {
    const ref = r.next();
    if (el(ref, 1) === 'EI') taxId = req(ref, 2);
  }
  if (taxId === undefined)
    throw new X12ParseError('MISSING_SEGMENT', 'billing provider REF*EI', {
      segmentIndex: nm1.index,
      segmentId: 'NM1',
    });
  const bp: BillingProvider = { name: entity.name, npi: req(nm1, 9), taxId, address };
  if (entity.firstName !== undefined) bp.firstName = entity.firstName;
  if (prv !== undefined) bp.taxonomy = req(prv, 3);
  // 2010AB pay-to address, when payments go elsewhere.
  const payTo = r.take('NM1', '87');
  if (payTo !== undefined) {
    const payToAddress = readAddress(r);
    if (payToAddress === undefined)
      throw new X12ParseError('MISSING_SEGMENT', 'pay-to address', {
        segmentIndex: payTo.index,
        segmentId: 'NM1',
      });
    bp.payToAddress = payToAddress;
  }
  return bp;
}

function readLine(r: SegmentReader, d: Delimiters): ServiceLine837 {
  r.expect('LX');
  const sv1 = r.expect('SV1');
  const proc = comps(sv1, 1, d);
  if (proc[0] !== 'HC' || proc[1] === undefined || proc[1] === '') {
    throw new X12ParseError('INVALID_VALUE', 'SV101 must be HC:<code>', site(sv1, 1));
  }
  const pointers = comps(sv1, 7, d).map((p) => {
    if (!/^\d{1,2}$/.test(p)) throw new X12ParseError('INVALID_VALUE', 'diagnosis pointer', site(sv1, 7));
    return Number(p);
  });
  const line: ServiceLine837 = {
    procedureCode: proc[1],
    modifiers: proc.slice(2).filter((m) => m !== ''),
    chargeCents: money(sv1, 2),
    units: parseQuantity(req(sv1, 4), site(sv1, 4)),
    diagnosisPointers: pointers,
    serviceDate: '',
  };
  const pos = opt(sv1, 5);
  if (pos !== undefined) line.placeOfService = pos;
  while (!r.atEnd && !r.is('LX') && !r.is('CLM') && !r.is('HL')) {
    const s = r.next();
    if (s.id === 'DTP' && el(s, 1) === '472') line.serviceDate = date(s, 3);
    else if (s.id === 'REF' && el(s, 1) === '6R') line.lineControlNumber = req(s, 2);
  }
  if (line.serviceDate === '')
    throw new X12ParseError('MISSING_SEGMENT', 'line DTP*472', { segmentIndex: sv1.index, segmentId: 'SV1' });
  return line;
}

function readClaim(r: SegmentReader, d: Delimiters, ctx: ClaimContext): Claim837 {
  const clm = r.expect('CLM');
  const facility = comps(clm, 5, d);
  const frequency = facility[2];
  if (frequency !== '1' && frequency !== '7' && frequency !== '8') {
    throw new X12ParseError('INVALID_VALUE', 'claim frequency must be 1, 7 or 8', site(clm, 5));
  }
  const claim: Claim837 = {
    ...ctx,
    patientControlNumber: req(clm, 1),
    totalChargeCents: money(clm, 2),
    placeOfService: facility[0] ?? '',
    frequencyCode: frequency as ClaimFrequencyCode,
    providerSignatureOnFile: code(clm, 6, ['Y', 'N']) === 'Y',
    assignmentCode: code(clm, 7, ['A', 'B', 'C']),
    benefitsAssigned: code(clm, 8, ['Y', 'N', 'W']) === 'Y',
    releaseOfInformation: code(clm, 9, ['Y', 'I']),
    diagnosisCodes: [],
    lines: [],
  };
  while (!r.atEnd && !r.is('LX') && !r.is('CLM') && !r.is('HL')) {
    const s = r.peek() as PositionedSegment;
    const q = el(s, 1);
    if (s.id === 'NM1' && (q === 'DN' || q === '82')) {
      r.next();
      const p = readPractitioner(r, s);
      if (q === 'DN') claim.referringProvider = p;
      else claim.renderingProvider = p;
      continue;
    }
    r.next();
    if (s.id === 'DTP' && q === '454') claim.initialTreatmentDate = date(s, 3);
    else if (s.id === 'DTP' && q === '304') claim.lastSeenDate = date(s, 3);
    else if (s.id === 'REF' && q === '9F') claim.referralNumber = req(s, 2);
    else if (s.id === 'REF' && q === 'G1') claim.priorAuthorizationNumber = req(s, 2);
    else if (s.id === 'REF' && q === 'F8') claim.originalClaimNumber = req(s, 2);
    else if (s.id === 'HI') {
      s.elements.forEach((_, k) => {
        const [qual, dx] = comps(s, k + 1, d);
        if ((qual === 'ABK' || qual === 'ABF') && dx !== undefined) claim.diagnosisCodes.push(dx);
      });
    }
  }
  while (r.is('LX')) claim.lines.push(readLine(r, d));
  if (claim.lines.length === 0)
    throw new X12ParseError('MISSING_SEGMENT', 'claim has no service line', {
      segmentIndex: clm.index,
      segmentId: 'CLM',
    });
  return claim;
}

/** Interprets one 837 transaction set. */
export function parse837PTransaction(tx: ParsedTransaction, d: Delimiters): Claim837Batch {
  const r = new SegmentReader(tx.segments, d);
  const bht = r.expect('BHT');
  const sub = r.expect('NM1', '41');
  const per = r.take('PER');
  const recv = r.expect('NM1', '40');
  const batch: Claim837Batch = {
    batchReference: req(bht, 3),
    createdDate: date(bht, 4),
    createdTime: time(bht, 5),
    submitter: { name: req(sub, 3), id: req(sub, 9), contactName: per === undefined ? '' : el(per, 2) },
    receiver: { name: req(recv, 3), id: req(recv, 9) },
    claims: [],
  };
  if (per !== undefined) {
    for (let k = 3; k + 1 <= per.elements.length; k += 2) {
      if (el(per, k) === 'TE') batch.submitter.phone = req(per, k + 1);
      if (el(per, k) === 'EM') batch.submitter.email = req(per, k + 1);
    }
  }
  let provider: BillingProvider | undefined;
  let ctx: ClaimContext | undefined;
  while (!r.atEnd) {
    const s = r.peek() as PositionedSegment;
    if (s.id === 'HL') {
      r.next();
      const level = req(s, 3);
      if (level === '20') {
        provider = readBillingProvider(r);
        ctx = undefined;
      } else if (level === '22') {
        if (provider === undefined)
          throw new X12ParseError('UNEXPECTED_SEGMENT', 'subscriber before billing provider', {
            segmentIndex: s.index,
            segmentId: 'HL',
          });
        const sbr = r.expect('SBR');
        const subscriber = readMember(r, r.expect('NM1', 'IL'), true);
        const payerNm1 = r.expect('NM1', 'PR');
        const payer: Claim837['payer'] = { name: req(payerNm1, 3), payerId: req(payerNm1, 9) };
        const payerAddress = readAddress(r);
        if (payerAddress !== undefined) payer.address = payerAddress;
        ctx = {
          billingProvider: provider,
          payerResponsibility: code(sbr, 1, ['P', 'S', 'T']),
          claimFilingIndicator: req(sbr, 9),
          subscriber,
          payer,
        };
        const group = opt(sbr, 3);
        if (group !== undefined) ctx.groupNumber = group;
      } else if (level === '23') {
        if (ctx === undefined)
          throw new X12ParseError('UNEXPECTED_SEGMENT', 'patient before subscriber', {
            segmentIndex: s.index,
            segmentId: 'HL',
          });
        const pat = r.expect('PAT');
        const patient = readMember(r, r.expect('NM1', 'QC'), false);
        const { memberId: _unused, ...rest } = patient;
        ctx = { ...ctx, patient: { ...rest, relationshipCode: req(pat, 1) } };
      } else {
        throw new X12ParseError('INVALID_VALUE', 'unexpected HL level', site(s, 3));
      }
    } else if (s.id === 'CLM') {
      if (ctx === undefined)
        throw new X12ParseError('UNEXPECTED_SEGMENT', 'claim before subscriber', {
          segmentIndex: s.index,
          segmentId: 'CLM',
        });
      batch.claims.push(readClaim(r, d, ctx));
    } else {
      r.skip();
    }
  }
  return batch;
}

/** Parses an 837P interchange; one batch per transaction set. */
export function parse837P(text: string): Claim837Batch[] {
  return parseEachTransaction(text, '837', 'an', parse837PTransaction);
}
