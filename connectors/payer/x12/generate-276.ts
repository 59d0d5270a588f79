// 276 claim status request generator (005010X212).
//   2000A HL 20 payer (NM1*PR) · 2000B HL 21 information receiver (NM1*41) · 2000C HL 19 provider (NM1*1P)
//   2000D HL 22 subscriber (DMG, NM1*IL; claim 2200D: TRN, REF*1K, REF*EJ, AMT*T3, DTP*472)
//   [2000E HL 23 dependent (DMG, NM1*QC; claim 2200E)]
// The claim lookup keys are our patient control number (REF*EJ) and, once known, the payer's claim
// number (REF*1K); TRN02 is our trace, echoed back in the 277.

import { buildInterchange, type TransactionBody } from './envelope.js';
import { beginRequest, addDemographics, addOrgNm1, addPartyNm1, addPersonNm1 } from './parties.js';
import { DEFAULT_DELIMITERS, type Delimiters } from './tokenizer.js';
import type { ClaimStatusInquiry276, SingleTransactionEnvelope } from './types.js';
import { formatDate, formatMoney } from './values.js';

export const IMPL_276 = '005010X212';

export function build276(
  q: ClaimStatusInquiry276,
  controlNumber: string,
  d: Delimiters = DEFAULT_DELIMITERS,
): TransactionBody {
  const payer = { entityCode: 'PR', name: q.payer.name, payerId: q.payer.payerId };
  const receiver = q.informationReceiver;
  const b = beginRequest(d, '0010', q, payer, (r) => addOrgNm1(r, '41', receiver.name, '46', receiver.etin));
  b.add('HL', '3', '2', '19', '1');
  addPartyNm1(b, '1P', q.provider, 'XX', q.provider.npi);
  b.add('HL', '4', '3', '22', q.dependent === undefined ? '0' : '1');
  if (q.dependent === undefined)
    addDemographics(b, q.subscriber.dateOfBirth, q.subscriber.gender, 'subscriber.dateOfBirth');
  addPersonNm1(b, 'IL', q.subscriber, 'MI', q.subscriber.memberId);
  if (q.dependent !== undefined) {
    b.add('HL', '5', '4', '23', '0');
    addDemographics(b, q.dependent.dateOfBirth, q.dependent.gender, 'dependent.dateOfBirth');
    addPersonNm1(b, 'QC', q.dependent);
  }
  b.add('TRN', '1', q.traceNumber);
  if (q.payerClaimControlNumber !== undefined) b.add('REF', '1K', q.payerClaimControlNumber);
  b.add('REF', 'EJ', q.patientControlNumber);
  if (q.totalChargeCents !== undefined) b.add('AMT', 'T3', formatMoney(q.totalChargeCents, 'AMT02'));
  const { from, to } = q.serviceDates;
  b.add('DTP', '472', 'RD8', `${formatDate(from, 'DTP03')}-${formatDate(to, 'DTP03')}`);
  return { transactionSetId: '276', implementationReference: IMPL_276, controlNumber, segments: b.segments };
}

export function generate276(q: ClaimStatusInquiry276, envelope: SingleTransactionEnvelope): string {
  const body = build276(q, envelope.transactionControlNumber, envelope.delimiters ?? DEFAULT_DELIMITERS);
  return buildInterchange(envelope, [{ functionalIdCode: 'HR', version: IMPL_276, transactions: [body] }]);
}
