// 270 eligibility inquiry generator (005010X279A1).
//   2000A HL 20 information source (2100A NM1*PR) · 2000B HL 21 receiver (2100B NM1*1P)
//   2000C HL 22 subscriber (TRN, 2100C NM1*IL, DMG, DTP*291, 2110C EQ…) · [2000D HL 23 dependent]
// Service types default to 30 (health benefit plan coverage) and PT (physical therapy): most payers ignore
// a CPT in a 270 and answer PT benefits only for the PT service type (docs §10, VERIFY per payer).

import { buildInterchange, type TransactionBody } from './envelope.js';
import { beginRequest, addDemographics, addPartyNm1, addPersonNm1 } from './parties.js';
import { DEFAULT_DELIMITERS, type Delimiters } from './tokenizer.js';
import type { EligibilityInquiry270, SingleTransactionEnvelope } from './types.js';
import { formatDate } from './values.js';

export const IMPL_270 = '005010X279A1';
export const DEFAULT_SERVICE_TYPES = ['30', 'PT'];

export function build270(
  q: EligibilityInquiry270,
  controlNumber: string,
  d: Delimiters = DEFAULT_DELIMITERS,
): TransactionBody {
  const payer = { entityCode: 'PR', name: q.payer.name, payerId: q.payer.payerId };
  const b = beginRequest(d, '0022', q, payer, (r) => addPartyNm1(r, '1P', q.provider, 'XX', q.provider.npi));
  b.add('HL', '3', '2', '22', q.dependent === undefined ? '0' : '1');
  // The trace goes where the inquiry is about: the subscriber, or the dependent when there is one.
  const serviceTypes = q.serviceTypeCodes ?? DEFAULT_SERVICE_TYPES;
  const inquiry = (): void => {
    b.add('DTP', '291', 'D8', formatDate(q.serviceDate, 'DTP03'));
    // One 2110C loop whose EQ01 repeats (005010X279A1 EQ01 repeats up to 99): what independent readers expect,
    // rather than a loop per service type. A 4010-style envelope without a repetition separator gets one
    // loop per type instead.
    if (d.repetition !== undefined) b.add('EQ', { repeat: serviceTypes });
    else for (const st of serviceTypes) b.add('EQ', st);
  };
  if (q.dependent === undefined) b.add('TRN', '1', q.traceNumber, q.traceOriginatorId);
  addPersonNm1(b, 'IL', q.subscriber, 'MI', q.subscriber.memberId);
  addDemographics(b, q.subscriber.dateOfBirth, q.subscriber.gender, 'subscriber.dateOfBirth');
  if (q.dependent === undefined) {
    inquiry();
  } else {
    b.add('HL', '4', '3', '23', '0');
    b.add('TRN', '1', q.traceNumber, q.traceOriginatorId);
    addPersonNm1(b, '03', q.dependent);
    addDemographics(b, q.dependent.dateOfBirth, q.dependent.gender, 'dependent.dateOfBirth');
    inquiry();
  }
  return { transactionSetId: '270', implementationReference: IMPL_270, controlNumber, segments: b.segments };
}

export function generate270(q: EligibilityInquiry270, envelope: SingleTransactionEnvelope): string {
  const body = build270(q, envelope.transactionControlNumber, envelope.delimiters ?? DEFAULT_DELIMITERS);
  return buildInterchange(envelope, [{ functionalIdCode: 'HS', version: IMPL_270, transactions: [body] }]);
}
