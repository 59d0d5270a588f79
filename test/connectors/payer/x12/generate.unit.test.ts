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

// The 278 has no independent validator to check it against (pyx12's released maps lack it), so its request is
// checked here against the implementation guide itself: ASC X12N 005010X217, Health Care Services Review —
// Request for Review and Response. Each expectation states the guide's rule it checks.
describe('278 request against the implementation guide (005010X217)', () => {
  const segments = fixture('278-generated.x12')
    .trim()
    .split('~\n')
    .map((line) => line.replace(/~$/, '').split('*'));
  const all = (id: string) => segments.filter((seg) => seg[0] === id);
  const one = (id: string) => {
    const found = all(id);
    expect(found).toHaveLength(1);
    return found[0] ?? [];
  };

  it('envelope: functional group HI, transaction set 278, version 005010X217 in GS08 and ST03; SE01 counts ST..SE', () => {
    expect(one('GS')[1]).toBe('HI');
    expect(one('GS')[8]).toBe('005010X217');
    expect(one('ST').slice(1)).toEqual(['278', '0001', '005010X217']);
    const st = segments.findIndex((seg) => seg[0] === 'ST');
    const se = segments.findIndex((seg) => seg[0] === 'SE');
    expect(Number(segments[se]?.[1])).toBe(se - st + 1);
  });

  it('BHT: hierarchical structure 0007 (source, receiver, subscriber, dependent, event, services), purpose 13 = request', () => {
    expect(one('BHT').slice(1, 3)).toEqual(['0007', '13']);
  });

  it("HL levels in the guide's order, each child of the level above: 20 UMO, 21 requester, 22 subscriber, EV event, SS service", () => {
    const hl = all('HL').map(([, id, parent, level, child]) => ({ id, parent, level, child }));
    expect(hl.map((h) => h.level)).toEqual(['20', '21', '22', 'EV', 'SS', 'SS']);
    const byLevel = (level: string) => hl.find((h) => h.level === level);
    expect(byLevel('20')?.parent).toBe('');
    expect(byLevel('21')?.parent).toBe(byLevel('20')?.id);
    expect(byLevel('22')?.parent).toBe(byLevel('21')?.id);
    // No dependent level: the patient is the subscriber, so the event hangs under the subscriber.
    expect(byLevel('EV')?.parent).toBe(byLevel('22')?.id);
    for (const service of hl.filter((h) => h.level === 'SS')) {
      expect(service.parent).toBe(byLevel('EV')?.id);
      expect(service.child).toBe('0');
    }
  });

  it('parties: 2010A the UMO (NM101 X3), 2010B the requester (1P, NPI qualifier XX), 2010C the subscriber (IL, member id MI)', () => {
    const nm1 = all('NM1').map((seg) => [seg[1], seg[8]]);
    expect(nm1.slice(0, 3)).toEqual([
      ['X3', 'PI'],
      ['1P', 'XX'],
      ['IL', 'MI'],
    ]);
  });

  it('event: TRN01 1 (current transaction trace), UM01 HS (health services review) with a certification type, HI principal diagnosis ABK first', () => {
    expect(one('TRN')[1]).toBe('1');
    const [eventUm] = all('UM');
    expect(eventUm?.[1]).toBe('HS');
    expect(['I', 'R', 'S', '1', '3', '4']).toContain(eventUm?.[2]);
    const hi = one('HI').slice(1);
    expect(hi[0]?.startsWith('ABK:')).toBe(true);
    for (const other of hi.slice(1)) expect(other.startsWith('ABF:')).toBe(true);
  });

  it('service: SV101 qualifier HC, SV103 unit basis UN or MJ only, HSD01 VS when visits are requested', () => {
    const sv1 = all('SV1');
    expect(sv1.length).toBeGreaterThan(0);
    for (const seg of sv1) {
      expect(seg[1]?.split(':')[0]).toBe('HC');
      expect(['UN', 'MJ']).toContain(seg[3]);
    }
    expect(all('HSD').map((seg) => seg[1])).toEqual(['VS']);
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
