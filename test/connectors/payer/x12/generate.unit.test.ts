import { describe, it, expect } from 'vitest';
import {
  generate270,
  generate276,
  generate278,
  generate837P,
  parseInterchange,
  X12BuildError,
  type Claim837,
  type Claim837Batch,
} from '../../../../connectors/payer/x12/index.js';
import {
  authRequest,
  claimBatch,
  eligibilityInquiry,
  envelope,
  fixture,
  replacementClaim,
  statusInquiry,
} from './samples.js';

describe('generated transactions match the golden files', () => {
  it('837P: billing provider, subscriber, dependent patient, frequency 7 + REF*F8, REF*G1, 2310A/B, four modifiers', () => {
    expect(generate837P(claimBatch, envelope())).toBe(fixture('837p-generated.x12'));
  });

  it('270: service types 30 and PT in one repeating EQ01 (X279 EQ01 repeats), trace, plan date', () => {
    const text = generate270(
      eligibilityInquiry,
      envelope({ date: '2025-07-01', interchangeControlNumber: 1002, groupControlNumber: 1002 }),
    );
    expect(text).toBe(fixture('270-generated.x12'));
  });

  it('276: claim keys REF*EJ / REF*1K, charge, service dates', () => {
    const text = generate276(
      statusInquiry,
      envelope({
        date: '2025-08-01',
        time: '07:55',
        interchangeControlNumber: 1003,
        groupControlNumber: 1003,
      }),
    );
    expect(text).toBe(fixture('276-generated.x12'));
  });

  it('278: UM request, diagnoses, event dates, one service level per code with HSD visits', () => {
    const text = generate278(
      authRequest,
      envelope({
        date: '2025-06-30',
        time: '16:10',
        interchangeControlNumber: 1004,
        groupControlNumber: 1004,
        receiver: { qualifier: 'ZZ', id: 'ACMEHEALTH' },
      }),
    );
    expect(text).toBe(fixture('278-generated.x12'));
  });

  it('every golden file passes our own envelope validation', () => {
    for (const name of [
      '837p-generated.x12',
      '270-generated.x12',
      '276-generated.x12',
      '278-generated.x12',
    ]) {
      expect(() => parseInterchange(fixture(name))).not.toThrow();
    }
  });
});

describe('837P structure details', () => {
  const segmentsOf = (batch: Claim837Batch): string[] => generate837P(batch, envelope()).trim().split('~\n');

  it('an original claim has frequency 1 and no REF*F8; a void has frequency 8 with REF*F8', () => {
    const original: Claim837 = { ...replacementClaim, frequencyCode: '1' };
    delete original.originalClaimNumber;
    const segs = segmentsOf({ ...claimBatch, claims: [original] });
    expect(segs).toContain('CLM*PCN20250701A*360***11:B:1*Y*A*Y*Y');
    expect(segs.some((s) => s.startsWith('REF*F8'))).toBe(false);
    const voided = segmentsOf({ ...claimBatch, claims: [{ ...replacementClaim, frequencyCode: '8' }] });
    expect(voided).toContain('CLM*PCN20250701A*360***11:B:8*Y*A*Y*Y');
    expect(voided).toContain('REF*F8*2025182000123');
  });

  it('claims for the same billing provider and subscriber share the HL loops', () => {
    const second: Claim837 = {
      ...replacementClaim,
      patientControlNumber: 'PCN20250708X',
      frequencyCode: '1',
    };
    delete second.originalClaimNumber;
    const segs = segmentsOf({ ...claimBatch, claims: [replacementClaim, second] });
    expect(segs.filter((s) => s.startsWith('HL*'))).toEqual(['HL*1**20*1', 'HL*2*1*22*0']);
    expect(segs.filter((s) => s.startsWith('CLM*'))).toHaveLength(2);
  });

  it('SE01 counts every segment from ST to SE', () => {
    const segs = segmentsOf(claimBatch);
    const st = segs.findIndex((s) => s.startsWith('ST*'));
    const se = segs.findIndex((s) => s.startsWith('SE*'));
    expect(segs[se]).toBe(`SE*${se - st + 1}*0001`);
  });
});

describe('generation refuses invalid claims with typed errors naming the field, not the value', () => {
  const expectBuildError = (batch: Claim837Batch, code: string, field: string): void => {
    try {
      generate837P(batch, envelope());
    } catch (e) {
      expect(e).toBeInstanceOf(X12BuildError);
      expect((e as X12BuildError).code).toBe(code);
      expect((e as X12BuildError).field).toBe(field);
      expect((e as Error).message).not.toContain('DOE');
      return;
    }
    throw new Error('expected an X12BuildError');
  };
  const withClaim = (c: Partial<Claim837>): Claim837Batch => ({
    ...claimBatch,
    claims: [{ ...replacementClaim, ...c }],
  });
  const line0 = replacementClaim.lines[0] as Claim837['lines'][number];

  it('more than four modifiers', () => {
    expectBuildError(
      withClaim({
        lines: [{ ...line0, modifiers: ['GP', 'KX', 'CQ', '59', 'XU'] }, ...replacementClaim.lines.slice(1)],
      }),
      'TOO_MANY_MODIFIERS',
      'claims[0].lines[0].modifiers',
    );
  });

  it('replacement without the payer claim number', () => {
    expectBuildError(
      withClaim({ originalClaimNumber: undefined }),
      'INVALID_INPUT',
      'claims[0].originalClaimNumber',
    );
  });

  it('diagnosis pointer outside the list, charge total mismatch, no diagnoses', () => {
    expectBuildError(
      withClaim({ lines: [{ ...line0, diagnosisPointers: [3] }, ...replacementClaim.lines.slice(1)] }),
      'INVALID_INPUT',
      'claims[0].lines[0].diagnosisPointers',
    );
    expectBuildError(withClaim({ totalChargeCents: 1 }), 'INVALID_INPUT', 'claims[0].totalChargeCents');
    expectBuildError(withClaim({ diagnosisCodes: [] }), 'INVALID_INPUT', 'claims[0].diagnosisCodes');
  });

  it('a delimiter inside a value (it would shift every following element)', () => {
    expectBuildError(
      withClaim({ subscriber: { ...replacementClaim.subscriber, lastName: 'DOE*SMITH' } }),
      'DELIMITER_IN_VALUE',
      'NM103',
    );
  });
});

describe('diagnosis codes', () => {
  it('are written without the ICD-10 dot, principal ABK first', () => {
    const text = generate837P(
      { ...claimBatch, claims: [{ ...replacementClaim, diagnosisCodes: ['M54.50', 'S83.511A'] }] },
      envelope(),
    );
    expect(text).toContain('HI*ABK:M5450*ABF:S83511A~');
  });
});
