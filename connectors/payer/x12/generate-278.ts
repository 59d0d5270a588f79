// 278 services review request generator (005010X217).
//   2000A HL 20 UMO (NM1*X3) · 2000B HL 21 requester (NM1*1P) · 2000C HL 22 subscriber (NM1*IL, DMG)
//   2000E HL EV patient event (TRN, UM, HI, DTP*AAH, 2010EA NM1*DN referring / NM1*SJ servicing)
//   2000F HL SS service, one per requested code (UM, DTP*472, SV1, HSD)
// UM02 "I" asks for an initial authorization, "4" for an extension (the engine's automatic extension), which
// names the authorization it extends in 2000E REF*BB (Previous Review Authorization Number).

import { buildInterchange, type TransactionBody } from './envelope.js';
import { X12BuildError } from './errors.js';
import { beginRequest, addDemographics, addPartyNm1, addPersonNm1 } from './parties.js';
import { DEFAULT_DELIMITERS, type Delimiters } from './tokenizer.js';
import type { AuthRequest278, DateRange, SingleTransactionEnvelope } from './types.js';
import { formatDate, formatMoney, formatQuantity } from './values.js';

export const IMPL_278 = '005010X217';

const range = (r: DateRange, field: string): string =>
  `${formatDate(r.from, field)}-${formatDate(r.to, field)}`;

export function build278(
  q: AuthRequest278,
  controlNumber: string,
  d: Delimiters = DEFAULT_DELIMITERS,
): TransactionBody {
  if (q.services.length === 0) throw new X12BuildError('INVALID_INPUT', 'services', 'at least one service');
  if (q.certificationType === '4' && !q.previousAuthorizationNumber) {
    throw new X12BuildError(
      'INVALID_INPUT',
      'previousAuthorizationNumber',
      'an extension (UM02 4) names the authorization it extends (REF*BB)',
    );
  }
  if (q.diagnosisCodes.length < 1 || q.diagnosisCodes.length > 12) {
    throw new X12BuildError('INVALID_INPUT', 'diagnosisCodes', 'between 1 and 12 diagnosis codes');
  }
  const umo = { entityCode: 'X3', name: q.umo.name, payerId: q.umo.payerId };
  const b = beginRequest(d, '0007', q, umo, (r) => addPartyNm1(r, '1P', q.requester, 'XX', q.requester.npi));
  b.add('HL', '3', '2', '22', '1');
  addPersonNm1(b, 'IL', q.subscriber, 'MI', q.subscriber.memberId);
  addDemographics(b, q.subscriber.dateOfBirth, q.subscriber.gender, 'subscriber.dateOfBirth');
  b.add('HL', '4', '3', 'EV', '1');
  b.add('TRN', '1', q.traceNumber, q.traceOriginatorId);
  b.add('UM', q.requestCategory, q.certificationType, q.serviceTypeCode, [q.placeOfService, 'B']);
  // 2000E order per the guide: UM, (HCR, REF), DTP, HI.
  if (q.previousAuthorizationNumber !== undefined) b.add('REF', 'BB', q.previousAuthorizationNumber);
  b.add('DTP', 'AAH', 'RD8', range(q.eventDates, 'eventDates'));
  b.add('HI', ...q.diagnosisCodes.map((c, i) => [i === 0 ? 'ABK' : 'ABF', c.replace('.', '')]));
  if (q.referringProvider !== undefined)
    addPersonNm1(b, 'DN', q.referringProvider, 'XX', q.referringProvider.npi);
  if (q.servicingProvider !== undefined)
    addPartyNm1(b, 'SJ', q.servicingProvider, 'XX', q.servicingProvider.npi);
  q.services.forEach((s, i) => {
    const field = `services[${i}]`;
    if ((s.modifiers?.length ?? 0) > 4)
      throw new X12BuildError('TOO_MANY_MODIFIERS', `${field}.modifiers`, 'at most 4 modifiers');
    b.add('HL', String(5 + i), '4', 'SS', '0');
    b.add('UM', q.requestCategory, q.certificationType);
    if (s.serviceDates !== undefined)
      b.add('DTP', '472', 'RD8', range(s.serviceDates, `${field}.serviceDates`));
    b.add(
      'SV1',
      ['HC', s.procedureCode, ...(s.modifiers ?? [])],
      s.chargeCents === undefined ? undefined : formatMoney(s.chargeCents, `${field}.chargeCents`),
      s.unit,
      formatQuantity(s.quantity, `${field}.quantity`),
    );
    if (s.delivery !== undefined) {
      const { visits, periodQualifier, periodCount } = s.delivery;
      if ((periodQualifier === undefined) !== (periodCount === undefined))
        throw new X12BuildError('INVALID_INPUT', `${field}.delivery`, 'HSD05 and HSD06 go together');
      b.add(
        'HSD',
        'VS',
        String(visits),
        undefined,
        undefined,
        periodQualifier,
        periodCount === undefined ? undefined : String(periodCount),
      );
    }
  });
  return { transactionSetId: '278', implementationReference: IMPL_278, controlNumber, segments: b.segments };
}

export function generate278(q: AuthRequest278, envelope: SingleTransactionEnvelope): string {
  const body = build278(q, envelope.transactionControlNumber, envelope.delimiters ?? DEFAULT_DELIMITERS);
  return buildInterchange(envelope, [{ functionalIdCode: 'HI', version: IMPL_278, transactions: [body] }]);
}
