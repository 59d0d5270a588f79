import { describe, it, expect } from 'vitest';
import { parse999 } from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

const accepted = [
  {
    controlNumber: '0001',
    functionalGroup: { functionalIdCode: 'HC', controlNumber: '1001', version: '005010X222A1' },
    transactionSets: [
      {
        transactionSetId: '837',
        controlNumber: '0001',
        statusCode: 'A',
        accepted: true,
        errorCodes: [],
        segmentErrors: [],
        implementationReference: '005010X222A1',
      },
    ],
    groupStatusCode: 'A',
    groupAccepted: true,
    includedCount: 1,
    receivedCount: 1,
    acceptedCount: 1,
    groupErrorCodes: [],
  },
];

// Two 837s acknowledged: 0001 accepted, 0002 rejected with an NM1 element error (IK4 position 9) and
// an HI component error (IK401 = 1:2); group partially accepted.
const rejected = [
  {
    controlNumber: '0001',
    functionalGroup: { functionalIdCode: 'HC', controlNumber: '1002', version: '005010X222A1' },
    transactionSets: [
      {
        transactionSetId: '837',
        controlNumber: '0001',
        statusCode: 'A',
        accepted: true,
        errorCodes: [],
        segmentErrors: [],
        implementationReference: '005010X222A1',
      },
      {
        transactionSetId: '837',
        controlNumber: '0002',
        statusCode: 'R',
        accepted: false,
        errorCodes: ['5'],
        segmentErrors: [
          {
            segmentId: 'NM1',
            position: 16,
            errorCode: '8',
            elementErrors: [
              { position: 9, errorCode: '7', dataElementReference: '67', badValueCopy: 'ABC98765' },
            ],
            loopId: '2010BA',
          },
          {
            segmentId: 'HI',
            position: 25,
            errorCode: '8',
            elementErrors: [
              {
                position: 1,
                errorCode: '7',
                componentPosition: 2,
                dataElementReference: '1271',
                badValueCopy: 'M54.50',
              },
            ],
            loopId: '2300',
          },
        ],
        implementationReference: '005010X222A1',
      },
    ],
    groupStatusCode: 'P',
    groupAccepted: false,
    includedCount: 2,
    receivedCount: 2,
    acceptedCount: 1,
    groupErrorCodes: [],
  },
];

describe('999 implementation acknowledgment', () => {
  it('parses an accepted acknowledgment, every field', () => {
    expect(parse999(fixture('999-accepted.x12'))).toEqual(accepted);
  });

  it('parses a partially rejected acknowledgment, every field', () => {
    expect(parse999(fixture('999-rejected.x12'))).toEqual(rejected);
    const [doc] = parse999(fixture('999-rejected.x12'));
    expect(doc?.groupAccepted).toBe(false);
    expect(doc?.transactionSets.map((t) => [t.controlNumber, t.accepted])).toEqual([
      ['0001', true],
      ['0002', false],
    ]);
  });

  it('refuses IK4 without IK3', () => {
    const text = fixture('999-accepted.x12')
      .replace('IK5*A~', 'IK4*1*1*1~')
      .replace('SE*6*0001', 'SE*6*0001');
    expect(() => parse999(text)).toThrow(/UNEXPECTED_SEGMENT|MISSING_SEGMENT/);
  });
});
