import { describe, it, expect } from 'vitest';
import {
  buildInterchange,
  parseInterchange,
  X12BuildError,
  X12ParseError,
  type TransactionBody,
} from '../../../../connectors/payer/x12/index.js';
import { envelope, fixture } from './samples.js';

function parseError(text: string): X12ParseError {
  try {
    parseInterchange(text);
  } catch (e) {
    expect(e).toBeInstanceOf(X12ParseError);
    return e as X12ParseError;
  }
  throw new Error('expected an X12ParseError');
}

const base = fixture('999-accepted.x12');

describe('envelope parsing', () => {
  it('reads ISA and GS headers', () => {
    const ix = parseInterchange(fixture('835-multi-claim.x12'));
    expect(ix.header).toEqual({
      authorizationQualifier: '00',
      securityQualifier: '00',
      senderQualifier: 'ZZ',
      senderId: 'ACMEHEALTH',
      receiverQualifier: 'ZZ',
      receiverId: 'PTF123456',
      date: '2025-07-15',
      time: '12:00',
      version: '00501',
      controlNumber: '000004567',
      acknowledgmentRequested: false,
      usage: 'T',
    });
    expect(ix.groups).toHaveLength(1);
    expect(ix.groups[0]?.header).toEqual({
      functionalIdCode: 'HP',
      applicationSenderCode: 'ACMEHEALTH',
      applicationReceiverCode: 'PTF123456',
      date: '2025-07-15',
      time: '12:00',
      controlNumber: '4567',
      version: '005010X221A1',
    });
    const tx = ix.groups[0]?.transactions[0];
    expect(tx?.transactionSetId).toBe('835');
    expect(tx?.controlNumber).toBe('35001');
    expect(tx?.implementationReference).toBe('005010X221A1');
    expect(tx?.startIndex).toBe(2);
    expect(tx?.segments[0]?.id).toBe('BPR');
  });

  it.each([
    ['SE01 segment count', base.replace('SE*6*0001~', 'SE*7*0001~'), 'SEGMENT_COUNT_MISMATCH', 'SE', 1],
    ['SE02 control number', base.replace('SE*6*0001~', 'SE*6*0002~'), 'CONTROL_NUMBER_MISMATCH', 'SE', 2],
    [
      'GE01 transaction count',
      base.replace('GE*1*7001~', 'GE*2*7001~'),
      'TRANSACTION_COUNT_MISMATCH',
      'GE',
      1,
    ],
    ['GE02 control number', base.replace('GE*1*7001~', 'GE*1*7002~'), 'CONTROL_NUMBER_MISMATCH', 'GE', 2],
    [
      'IEA01 group count',
      base.replace('IEA*1*000007001~', 'IEA*3*000007001~'),
      'GROUP_COUNT_MISMATCH',
      'IEA',
      1,
    ],
    [
      'IEA02 control number',
      base.replace('IEA*1*000007001~', 'IEA*1*000007002~'),
      'CONTROL_NUMBER_MISMATCH',
      'IEA',
      2,
    ],
  ])('rejects a wrong %s with a typed, positioned error', (_name, text, code, segmentId, element) => {
    expect(text).not.toBe(base);
    const err = parseError(text);
    expect(err.code).toBe(code);
    expect(err.segmentId).toBe(segmentId);
    expect(err.elementPosition).toBe(element);
    expect(err.segmentIndex).toBeGreaterThan(0);
  });

  it('rejects truncated files and unclosed envelopes', () => {
    expect(parseError(base.slice(0, base.indexOf('IEA'))).code).toBe('TRUNCATED');
    expect(parseError(base.slice(0, base.indexOf('GE*'))).code).toBe('TRUNCATED');
    expect(parseError(base.slice(0, base.indexOf('IEA*1*0000070'))).code).toBe('TRUNCATED');
    expect(parseError(base.replace('AK9*A*1*1*1~', 'AK9*A*1*1*1')).code).toBe('UNEXPECTED_SEGMENT');
    const missingSe = base.replace(/SE\*6\*0001~\n/, '');
    expect(parseError(missingSe).code).toBe('UNEXPECTED_SEGMENT');
    expect(parseError(base + 'ST*999*0002~').code).toBe('UNEXPECTED_SEGMENT');
  });

  it('rejects a segment outside any transaction set', () => {
    const err = parseError(base.replace('GS*', 'REF*XX*1~\nGS*'));
    expect(err.code).toBe('UNEXPECTED_SEGMENT');
    expect(err.segmentIndex).toBe(1);
    expect(err.segmentId).toBe('REF');
  });
});

describe('envelope generation', () => {
  const body = (controlNumber: string): TransactionBody => ({
    transactionSetId: '999',
    implementationReference: '005010X231A1',
    controlNumber,
    segments: [
      { id: 'AK1', elements: ['HC', '1'] },
      { id: 'AK9', elements: ['A', '0', '0', '0'] },
    ],
  });

  it('writes a fixed-width ISA, correct counts and caller-supplied control numbers', () => {
    const text = buildInterchange(
      envelope({ interchangeControlNumber: 42, groupControlNumber: 900, lineBreaks: false }),
      [
        { functionalIdCode: 'FA', version: '005010X231A1', transactions: [body('0001'), body('0002')] },
        { functionalIdCode: 'FA', version: '005010X231A1', transactions: [body('0003')] },
      ],
    );
    expect(text.indexOf('~')).toBe(105);
    expect(text).toContain('SE*4*0001~');
    expect(text).toContain('GE*2*900~');
    expect(text).toContain('GS*FA*PTF123456*CH0001*20250702*0930*901*X*005010X231A1~');
    expect(text).toContain('GE*1*901~');
    expect(text.endsWith('IEA*2*000000042~')).toBe(true);
    const ix = parseInterchange(text);
    expect(ix.header.controlNumber).toBe('000000042');
    expect(ix.groups.map((g) => g.transactions.map((t) => t.controlNumber))).toEqual([
      ['0001', '0002'],
      ['0003'],
    ]);
  });

  it('is deterministic: same inputs, same bytes (no clock, no randomness)', () => {
    const make = (): string =>
      buildInterchange(envelope(), [
        { functionalIdCode: 'FA', version: '005010X231A1', transactions: [body('0001')] },
      ]);
    expect(make()).toBe(make());
  });

  it("uses the caller's delimiters", () => {
    const d = { element: '|', repetition: '{', component: '>', segment: '!' };
    const text = buildInterchange(envelope({ delimiters: d, lineBreaks: false }), [
      { functionalIdCode: 'FA', version: '005010X231A1', transactions: [body('0001')] },
    ]);
    expect(text.slice(0, 4)).toBe('ISA|');
    expect(text[82]).toBe('{');
    expect(text[104]).toBe('>');
    expect(text[105]).toBe('!');
    expect(parseInterchange(text).delimiters).toEqual(d);
  });

  it('refuses invalid envelope inputs with typed build errors', () => {
    const go = (o: Parameters<typeof envelope>[0]): string =>
      buildInterchange(envelope(o), [
        { functionalIdCode: 'FA', version: '005010X231A1', transactions: [body('0001')] },
      ]);
    expect(() => go({ interchangeControlNumber: 0 })).toThrow(X12BuildError);
    expect(() => go({ interchangeControlNumber: 1_000_000_000 })).toThrow(X12BuildError);
    expect(() => go({ sender: { qualifier: 'ZZ', id: 'A-SENDER-ID-LONGER-THAN-15' } })).toThrow(
      X12BuildError,
    );
    expect(() => go({ sender: { qualifier: 'ZZ', id: 'BAD*ID' } })).toThrow(X12BuildError);
    expect(() => go({ date: '2025-13-01' })).toThrow(X12BuildError);
    expect(() =>
      buildInterchange(envelope(), [{ functionalIdCode: 'FA', version: 'X', transactions: [body('01')] }]),
    ).toThrow(X12BuildError);
  });
});
