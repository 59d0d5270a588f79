// NM1 / N3 / N4 / DMG / PRV helpers shared by the generators and the parsers, so a name or an address is
// written and read the same way in every transaction.

import { SegmentBuilder } from './builder.js';
import { X12BuildError } from './errors.js';
import { el, opt, req, site, type SegmentReader } from './reader.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import type { Address, Gender, PersonName } from './types.js';
import { formatDate, formatTime, parseDate } from './values.js';

/**
 * BHT, the beginning of every hierarchical transaction: structure code, purpose (13 request, 00 original), our
 * reference, creation date and time, and for a claim the transaction type (CH chargeable).
 */
export function addBeginningOfTransaction(
  b: SegmentBuilder,
  structureCode: string,
  purposeCode: string,
  doc: { reference: string; createdDate: string; createdTime: string },
  transactionType?: string,
): void {
  b.add(
    'BHT',
    structureCode,
    purposeCode,
    doc.reference,
    formatDate(doc.createdDate, 'BHT04'),
    formatTime(doc.createdTime, 'BHT05'),
    transactionType,
  );
}

/**
 * A request's segments opened: BHT (purpose 13, request) and the first two levels, the payer as information
 * source (HL 20, NM1 with its PI payer id) and the information receiver (HL 21).
 */
export function beginRequest(
  delimiters: Delimiters,
  structureCode: string,
  doc: { reference: string; createdDate: string; createdTime: string },
  source: { entityCode: string; name: string; payerId: string },
  addReceiver: (b: SegmentBuilder) => void,
): SegmentBuilder {
  const b = new SegmentBuilder(delimiters);
  addBeginningOfTransaction(b, structureCode, '13', doc);
  b.add('HL', '1', undefined, '20', '1');
  addOrgNm1(b, source.entityCode, source.name, 'PI', source.payerId);
  b.add('HL', '2', '1', '21', '1');
  addReceiver(b);
  return b;
}

/** NM1 for a person (entity type 1). `idQualifier`/`id` go to NM108/NM109 when given. */
export function addPersonNm1(
  b: SegmentBuilder,
  entity: string,
  p: PersonName,
  idQualifier?: string,
  id?: string,
): void {
  b.add('NM1', entity, '1', p.lastName, p.firstName, p.middleName, undefined, p.suffix, idQualifier, id);
}

/** NM1 for an organization (entity type 2). */
export function addOrgNm1(
  b: SegmentBuilder,
  entity: string,
  name: string,
  idQualifier?: string,
  id?: string,
): void {
  b.add('NM1', entity, '2', name, undefined, undefined, undefined, undefined, idQualifier, id);
}

/** NM1 for something that may be either: a first name means a person. */
export function addPartyNm1(
  b: SegmentBuilder,
  entity: string,
  party: { name: string; firstName?: string },
  idQualifier?: string,
  id?: string,
): void {
  if (party.firstName !== undefined) {
    addPersonNm1(b, entity, { lastName: party.name, firstName: party.firstName }, idQualifier, id);
  } else {
    addOrgNm1(b, entity, party.name, idQualifier, id);
  }
}

export function addAddress(b: SegmentBuilder, a: Address): void {
  b.add('N3', a.line1, a.line2);
  b.add('N4', a.city, a.state, a.postalCode);
}

export function addDemographics(
  b: SegmentBuilder,
  dateOfBirth: string | undefined,
  gender: Gender | undefined,
  field: string,
): void {
  if (dateOfBirth === undefined) {
    if (gender !== undefined)
      throw new X12BuildError('INVALID_INPUT', field, 'gender requires a date of birth');
    return;
  }
  b.add('DMG', 'D8', formatDate(dateOfBirth, field), gender);
}

/** Reads a person name out of an NM1 (NM103 last, NM104 first, NM105 middle, NM107 suffix). */
export function readPersonName(seg: PositionedSegment): PersonName {
  const name: PersonName = { lastName: req(seg, 3) };
  const first = opt(seg, 4);
  const middle = opt(seg, 5);
  const suffix = opt(seg, 7);
  if (first !== undefined) name.firstName = first;
  if (middle !== undefined) name.middleName = middle;
  if (suffix !== undefined) name.suffix = suffix;
  return name;
}

/** Reads an NM1 as the `{ name, idQualifier?, id? }` of a payer, receiver or provider level (no first name). */
export function readLevelEntity(seg: PositionedSegment): { name: string; idQualifier?: string; id?: string } {
  const { name, idQualifier, id } = readEntity(seg);
  return {
    name,
    ...(idQualifier !== undefined ? { idQualifier } : {}),
    ...(id !== undefined ? { id } : {}),
  };
}

/** Reads an NM1 as `{ name, idQualifier?, id? }` (organization or person last name). */
export function readEntity(seg: PositionedSegment): {
  name: string;
  firstName?: string;
  idQualifier?: string;
  id?: string;
} {
  const out: { name: string; firstName?: string; idQualifier?: string; id?: string } = { name: el(seg, 3) };
  const first = opt(seg, 4);
  const q = opt(seg, 8);
  const id = opt(seg, 9);
  if (first !== undefined && el(seg, 2) === '1') out.firstName = first;
  if (q !== undefined) out.idQualifier = q;
  if (id !== undefined) out.id = id;
  return out;
}

/** Reads optional N3/N4 following an NM1. */
export function readAddress(r: SegmentReader): Address | undefined {
  const n3 = r.take('N3');
  const n4 = r.take('N4');
  if (n3 === undefined && n4 === undefined) return undefined;
  const a: Address = {
    line1: n3 === undefined ? '' : req(n3, 1),
    city: n4 === undefined ? '' : el(n4, 1),
    state: n4 === undefined ? '' : el(n4, 2),
    postalCode: n4 === undefined ? '' : el(n4, 3),
  };
  const line2 = n3 === undefined ? undefined : opt(n3, 2);
  if (line2 !== undefined) a.line2 = line2;
  return a;
}

/** Reads DMG*D8*CCYYMMDD*G. */
export function readDemographics(seg: PositionedSegment): { dateOfBirth?: string; gender?: Gender } {
  const out: { dateOfBirth?: string; gender?: Gender } = {};
  const dob = opt(seg, 2);
  if (dob !== undefined) out.dateOfBirth = parseDate(dob, site(seg, 2));
  const g = opt(seg, 3);
  if (g === 'M' || g === 'F' || g === 'U') out.gender = g;
  return out;
}
