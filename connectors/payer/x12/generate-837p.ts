// 837P professional claim generator (005010X222A1). Loop layout:
//   1000A submitter (NM1*41, PER) · 1000B receiver (NM1*40)
//   2000A billing provider HL 20 (PRV*BI, 2010AA NM1*85 + N3/N4 + REF*EI, [2010AB NM1*87 + N3/N4])
//     2000B subscriber HL 22 (SBR, 2010BA NM1*IL + N3/N4 + DMG, 2010BB NM1*PR)
//       [2000C patient HL 23 (PAT, 2010CA NM1*QC + N3/N4 + DMG)]
//         2300 claim (CLM, DTP*454/304, REF*9F/G1/F8, HI, 2310A NM1*DN, 2310B NM1*82 + PRV*PE)
//           2400 line (LX, SV1, DTP*472, REF*6R)
// Consecutive claims for the same billing provider and subscriber/patient share their HL loops; the
// parser flattens them back, so generate → parse is the identity on Claim837Batch.

import { SegmentBuilder } from './builder.js';
import { buildInterchange, type TransactionBody } from './envelope.js';
import { X12BuildError } from './errors.js';
import {
  addAddress,
  addBeginningOfTransaction,
  addDemographics,
  addOrgNm1,
  addPartyNm1,
  addPersonNm1,
} from './parties.js';
import { DEFAULT_DELIMITERS, type Delimiters } from './tokenizer.js';
import type {
  Claim837,
  Claim837Batch,
  Practitioner,
  ServiceLine837,
  SingleTransactionEnvelope,
} from './types.js';
import { formatDate, formatMoney, formatQuantity } from './values.js';

export const IMPL_837P = '005010X222A1';

/** A claim's field in build errors ("claims[0].lines"), written only when one is thrown. */
function claimField(k: number, name: string): string {
  return `claims[${k}].${name}`;
}

/** A service line's field in build errors ("claims[0].lines[1].units"). */
function lineField(k: number, i: number, name: string): string {
  return `claims[${k}].lines[${i}].${name}`;
}

function validateClaim(c: Claim837, k: number): void {
  if (c.diagnosisCodes.length < 1 || c.diagnosisCodes.length > 12) {
    throw new X12BuildError(
      'INVALID_INPUT',
      claimField(k, 'diagnosisCodes'),
      'between 1 and 12 diagnosis codes',
    );
  }
  if (c.lines.length < 1 || c.lines.length > 50) {
    throw new X12BuildError('INVALID_INPUT', claimField(k, 'lines'), 'between 1 and 50 service lines');
  }
  if ((c.frequencyCode === '7' || c.frequencyCode === '8') && (c.originalClaimNumber ?? '') === '') {
    // A replacement or void without the payer's claim number cannot be matched and is rejected.
    throw new X12BuildError(
      'INVALID_INPUT',
      claimField(k, 'originalClaimNumber'),
      'frequency 7/8 requires REF*F8',
    );
  }
  const sum = c.lines.reduce((s, l) => s + l.chargeCents, 0);
  if (sum !== c.totalChargeCents) {
    throw new X12BuildError(
      'INVALID_INPUT',
      claimField(k, 'totalChargeCents'),
      'CLM02 must equal the sum of SV102',
    );
  }
  c.lines.forEach((l, i) => {
    if (l.modifiers.length > 4)
      throw new X12BuildError('TOO_MANY_MODIFIERS', lineField(k, i, 'modifiers'), 'at most 4 modifiers');
    if (l.diagnosisPointers.length < 1 || l.diagnosisPointers.length > 4) {
      throw new X12BuildError(
        'INVALID_INPUT',
        lineField(k, i, 'diagnosisPointers'),
        'between 1 and 4 pointers',
      );
    }
    for (const p of l.diagnosisPointers) {
      if (!Number.isInteger(p) || p < 1 || p > c.diagnosisCodes.length) {
        throw new X12BuildError(
          'INVALID_INPUT',
          lineField(k, i, 'diagnosisPointers'),
          'pointer outside the diagnosis list',
        );
      }
    }
    if (!(l.units > 0))
      throw new X12BuildError('INVALID_INPUT', lineField(k, i, 'units'), 'units must be positive');
  });
}

function addPractitioner(b: SegmentBuilder, entity: string, p: Practitioner): void {
  addPersonNm1(b, entity, p, 'XX', p.npi);
}

function addLine(b: SegmentBuilder, line: ServiceLine837, n: number): void {
  b.add('LX', String(n));
  b.add(
    'SV1',
    ['HC', line.procedureCode, ...line.modifiers],
    formatMoney(line.chargeCents, 'SV102'),
    'UN',
    formatQuantity(line.units, 'SV104'),
    line.placeOfService,
    undefined,
    line.diagnosisPointers.map(String),
  );
  b.add('DTP', '472', 'D8', formatDate(line.serviceDate, 'DTP03'));
  if (line.lineControlNumber !== undefined) b.add('REF', '6R', line.lineControlNumber);
}

function addClaim(b: SegmentBuilder, c: Claim837): void {
  b.add(
    'CLM',
    c.patientControlNumber,
    formatMoney(c.totalChargeCents, 'CLM02'),
    undefined,
    undefined,
    [c.placeOfService, 'B', c.frequencyCode],
    c.providerSignatureOnFile ? 'Y' : 'N',
    c.assignmentCode,
    c.benefitsAssigned ? 'Y' : 'N',
    c.releaseOfInformation,
  );
  if (c.initialTreatmentDate !== undefined)
    b.add('DTP', '454', 'D8', formatDate(c.initialTreatmentDate, 'DTP03'));
  if (c.lastSeenDate !== undefined) b.add('DTP', '304', 'D8', formatDate(c.lastSeenDate, 'DTP03'));
  // REF order follows the implementation guide: 9F referral, G1 prior authorization, F8 original claim.
  if (c.referralNumber !== undefined) b.add('REF', '9F', c.referralNumber);
  if (c.priorAuthorizationNumber !== undefined) b.add('REF', 'G1', c.priorAuthorizationNumber);
  if (c.originalClaimNumber !== undefined) b.add('REF', 'F8', c.originalClaimNumber);
  b.add('HI', ...c.diagnosisCodes.map((code, i) => [i === 0 ? 'ABK' : 'ABF', code.replace('.', '')]));
  if (c.referringProvider !== undefined) addPractitioner(b, 'DN', c.referringProvider);
  if (c.renderingProvider !== undefined) {
    addPractitioner(b, '82', c.renderingProvider);
    if (c.renderingProvider.taxonomy !== undefined) b.add('PRV', 'PE', 'PXC', c.renderingProvider.taxonomy);
  }
  c.lines.forEach((l, i) => addLine(b, l, i + 1));
}

/** Key deciding whether consecutive claims can share an HL loop. */
const providerKey = (c: Claim837): string => JSON.stringify(c.billingProvider);
const subscriberKey = (c: Claim837): string =>
  JSON.stringify([
    c.payerResponsibility,
    c.claimFilingIndicator,
    c.groupNumber,
    c.subscriber,
    c.payer,
    c.patient,
  ]);

/** Builds the 837P transaction body (between ST and SE). */
export function build837P(
  batch: Claim837Batch,
  controlNumber: string,
  d: Delimiters = DEFAULT_DELIMITERS,
): TransactionBody {
  if (batch.claims.length === 0) throw new X12BuildError('INVALID_INPUT', 'claims', 'at least one claim');
  batch.claims.forEach(validateClaim);
  const b = new SegmentBuilder(d);
  addBeginningOfTransaction(
    b,
    '0019',
    '00',
    { reference: batch.batchReference, createdDate: batch.createdDate, createdTime: batch.createdTime },
    'CH',
  );
  addOrgNm1(b, '41', batch.submitter.name, '46', batch.submitter.id);
  const per: (string | undefined)[] = ['IC', batch.submitter.contactName];
  if (batch.submitter.phone !== undefined) per.push('TE', batch.submitter.phone);
  if (batch.submitter.email !== undefined) per.push('EM', batch.submitter.email);
  if (per.length === 2)
    throw new X12BuildError('INVALID_INPUT', 'submitter', 'a phone or an email is required');
  b.add('PER', ...per);
  addOrgNm1(b, '40', batch.receiver.name, '46', batch.receiver.id);

  let hl = 0;
  let i = 0;
  const claims = batch.claims;
  // Each claim's loop keys, computed once (a single-claim batch needs none).
  const pKeys = claims.length > 1 ? claims.map(providerKey) : [''];
  const sKeys = claims.length > 1 ? claims.map(subscriberKey) : [''];
  while (i < claims.length) {
    const first = claims[i] as Claim837;
    const bp = first.billingProvider;
    const bpHl = ++hl;
    b.add('HL', String(bpHl), undefined, '20', '1');
    if (bp.taxonomy !== undefined) b.add('PRV', 'BI', 'PXC', bp.taxonomy);
    addPartyNm1(b, '85', bp, 'XX', bp.npi);
    addAddress(b, bp.address);
    b.add('REF', 'EI', bp.taxId);
    if (bp.payToAddress !== undefined) {
      // 2010AB pay-to address: NM1*87 (entity type 2, no name), N3/N4.
      b.add('NM1', '87', '2');
      addAddress(b, bp.payToAddress);
    }
    const pKey = pKeys[i];
    while (i < claims.length && pKeys[i] === pKey) {
      const c = claims[i] as Claim837;
      const subHl = ++hl;
      b.add('HL', String(subHl), String(bpHl), '22', c.patient === undefined ? '0' : '1');
      b.add(
        'SBR',
        c.payerResponsibility,
        c.patient === undefined ? '18' : undefined,
        c.groupNumber,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        c.claimFilingIndicator,
      );
      addPersonNm1(b, 'IL', c.subscriber, 'MI', c.subscriber.memberId);
      if (c.subscriber.address !== undefined) addAddress(b, c.subscriber.address);
      addDemographics(b, c.subscriber.dateOfBirth, c.subscriber.gender, 'subscriber.dateOfBirth');
      addOrgNm1(b, 'PR', c.payer.name, 'PI', c.payer.payerId);
      if (c.payer.address !== undefined) addAddress(b, c.payer.address);
      if (c.patient !== undefined) {
        b.add('HL', String(++hl), String(subHl), '23', '0');
        b.add('PAT', c.patient.relationshipCode);
        addPersonNm1(b, 'QC', c.patient);
        if (c.patient.address !== undefined) addAddress(b, c.patient.address);
        addDemographics(b, c.patient.dateOfBirth, c.patient.gender, 'patient.dateOfBirth');
      }
      const sKey = sKeys[i];
      while (i < claims.length && pKeys[i] === pKey && sKeys[i] === sKey) {
        addClaim(b, claims[i] as Claim837);
        i++;
      }
    }
  }
  return { transactionSetId: '837', implementationReference: IMPL_837P, controlNumber, segments: b.segments };
}

/** Generates a complete 837P interchange (one ISA/GS/ST) ready for the clearinghouse. */
export function generate837P(batch: Claim837Batch, envelope: SingleTransactionEnvelope): string {
  const d = envelope.delimiters ?? DEFAULT_DELIMITERS;
  const body = build837P(batch, envelope.transactionControlNumber, d);
  return buildInterchange(envelope, [{ functionalIdCode: 'HC', version: IMPL_837P, transactions: [body] }]);
}
