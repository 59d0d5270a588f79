import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  generate837P,
  parse837P,
  parseX12,
  X12ParseError,
  type Claim837,
  type Claim837Batch,
  type Delimiters,
  type ServiceLine837,
} from '../../../../connectors/payer/x12/index.js';
import { claimBatch, envelope, fixture } from './samples.js';

// ─── Arbitraries: valid claims as the engine would produce them ─────────────────────────────────────

const word = (max: number): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[A-Z][A-Z0-9]{0,${max - 1}}$`));
const name = fc
  .tuple(word(10), fc.option(word(8), { nil: undefined }))
  .map(([a, b]) => (b === undefined ? a : `${a} ${b}`));
const isoDate = fc
  .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const digits = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const address = fc.record(
  {
    line1: name,
    line2: opt(name),
    city: word(12),
    state: fc.constantFrom('IL', 'CA', 'NY'),
    postalCode: digits(5),
  },
  { requiredKeys: ['line1', 'city', 'state', 'postalCode'] },
);
const practitioner = fc.record(
  { lastName: word(10), firstName: opt(word(8)), npi: digits(10), taxonomy: opt(fc.constant('225100000X')) },
  { requiredKeys: ['lastName', 'npi'] },
);
const modifiers = fc.uniqueArray(fc.constantFrom('GP', 'KX', 'CQ', '59', 'XU', 'XS', 'GA'), { maxLength: 4 });

const line = (dxCount: number): fc.Arbitrary<ServiceLine837> =>
  fc.record(
    {
      procedureCode: fc.constantFrom('97110', '97112', '97140', '97530', '97161', '97164', 'G0283'),
      modifiers,
      chargeCents: fc.integer({ min: 1, max: 5_000_00 }),
      units: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(1.5)),
      placeOfService: opt(fc.constantFrom('11', '02', '10')),
      diagnosisPointers: fc.uniqueArray(fc.integer({ min: 1, max: dxCount }), {
        minLength: 1,
        maxLength: Math.min(4, dxCount),
      }),
      serviceDate: isoDate,
      lineControlNumber: opt(word(12)),
    },
    {
      requiredKeys: [
        'procedureCode',
        'modifiers',
        'chargeCents',
        'units',
        'diagnosisPointers',
        'serviceDate',
      ],
    },
  );

// Arbitraries are built once: rebuilding regex-based ones inside .chain() costs ~200 ms per sample.
const claimBase = fc
  .record(
    {
      billingProvider: fc.record(
        {
          name,
          firstName: opt(word(8)),
          npi: digits(10),
          taxId: digits(9),
          taxonomy: opt(fc.constant('225100000X')),
          address,
        },
        { requiredKeys: ['name', 'npi', 'taxId', 'address'] },
      ),
      payerResponsibility: fc.constantFrom('P' as const, 'S' as const, 'T' as const),
      claimFilingIndicator: fc.constantFrom('MB', 'CI', 'HM', 'MC', '16'),
      groupNumber: opt(word(10)),
      subscriber: fc.record(
        {
          lastName: word(12),
          firstName: opt(word(10)),
          middleName: opt(word(1)),
          suffix: opt(fc.constantFrom('JR', 'SR', 'III')),
          memberId: word(14),
          dateOfBirth: opt(isoDate),
          address: opt(address),
        },
        { requiredKeys: ['lastName', 'memberId'] },
      ),
      patient: opt(
        fc.record(
          {
            lastName: word(12),
            firstName: opt(word(10)),
            dateOfBirth: isoDate,
            gender: fc.constantFrom('M' as const, 'F' as const, 'U' as const),
            relationshipCode: fc.constantFrom('01', '19', '20', 'G8'),
            address: opt(address),
          },
          { requiredKeys: ['lastName', 'dateOfBirth', 'relationshipCode'] },
        ),
      ),
      payer: fc.record(
        { name, payerId: word(8), address: opt(address) },
        { requiredKeys: ['name', 'payerId'] },
      ),
      patientControlNumber: word(20),
      placeOfService: fc.constantFrom('11', '02', '12'),
      frequency: fc.oneof(
        fc.constant({ frequencyCode: '1' as const }),
        fc.record({
          frequencyCode: fc.constantFrom('7' as const, '8' as const),
          originalClaimNumber: word(15),
        }),
      ),
      providerSignatureOnFile: fc.boolean(),
      assignmentCode: fc.constantFrom('A' as const, 'B' as const, 'C' as const),
      benefitsAssigned: fc.boolean(),
      releaseOfInformation: fc.constantFrom('Y' as const, 'I' as const),
      initialTreatmentDate: opt(isoDate),
      lastSeenDate: opt(isoDate),
      priorAuthorizationNumber: opt(word(15)),
      referralNumber: opt(word(15)),
      referringProvider: opt(practitioner.map(({ taxonomy: _t, ...p }) => p)),
      renderingProvider: opt(practitioner),
    },
    {
      requiredKeys: [
        'billingProvider',
        'payerResponsibility',
        'claimFilingIndicator',
        'subscriber',
        'payer',
        'patientControlNumber',
        'placeOfService',
        'frequency',
        'providerSignatureOnFile',
        'assignmentCode',
        'benefitsAssigned',
        'releaseOfInformation',
      ],
    },
  )
  .map(({ frequency, subscriber, ...rest }) => {
    // The subscriber's DMG carries the gender only with a date of birth.
    const sub = subscriber.dateOfBirth === undefined ? subscriber : { ...subscriber, gender: 'F' as const };
    return { ...rest, ...frequency, subscriber: sub };
  });

const icd10 = fc.stringMatching(/^[A-TV-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/);
const linesFor = Array.from({ length: 13 }, (_, n) =>
  fc.array(line(Math.max(n, 1)), { minLength: 1, maxLength: 6 }),
);

const claim: fc.Arbitrary<Claim837> = fc
  .tuple(claimBase, fc.integer({ min: 1, max: 12 }))
  .chain(([base, dxCount]) =>
    fc
      .tuple(
        fc.array(icd10, { minLength: dxCount, maxLength: dxCount }),
        linesFor[dxCount] as fc.Arbitrary<ServiceLine837[]>,
      )
      .map(([diagnosisCodes, lines]): Claim837 => ({
        ...base,
        diagnosisCodes,
        lines,
        totalChargeCents: lines.reduce((s, l) => s + l.chargeCents, 0),
      })),
  );

const delimiters = fc.constantFrom<Delimiters>(
  { element: '*', repetition: '^', component: ':', segment: '~' },
  { element: '|', repetition: '{', component: '>', segment: '!' },
  { element: '+', repetition: '\\', component: '<', segment: "'" },
  { element: '*', repetition: undefined, component: ':', segment: '~' },
);

export const batchArb: fc.Arbitrary<Claim837Batch> = fc.record({
  batchReference: word(20),
  createdDate: isoDate,
  createdTime: fc.constantFrom('00:00', '09:30', '23:59'),
  submitter: fc.record({ name, id: word(12), contactName: name, phone: digits(10) }),
  receiver: fc.record({ name, id: word(12) }),
  claims: fc.array(claim, { minLength: 1, maxLength: 4 }),
});

describe('837P round trip (generate → parse)', () => {
  it('returns the same claims for random valid batches and any delimiters', () => {
    fc.assert(
      fc.property(batchArb, delimiters, fc.boolean(), (b, d, lineBreaks) => {
        const text = generate837P(b, envelope({ delimiters: d, lineBreaks }));
        const [back] = parse837P(text);
        expect(back).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the golden sample', () => {
    expect(parse837P(fixture('837p-generated.x12'))).toEqual([claimBatch]);
  });
});

// ─── PHI canary ────────────────────────────────────────────────────────────────────────────────────

const CANARY = 'ZZCANARY-1';
const canaryBatch: Claim837Batch = {
  ...claimBatch,
  claims: claimBatch.claims.map((c) => ({
    ...c,
    subscriber: { ...c.subscriber, lastName: CANARY, firstName: CANARY },
  })),
};
const canaryText = generate837P(canaryBatch, envelope());

function expectPhiFreeError(text: string): X12ParseError {
  let caught: unknown;
  try {
    parse837P(text);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(X12ParseError);
  const err = caught as X12ParseError;
  for (const rendered of [
    err.message,
    String(err),
    err.stack ?? '',
    JSON.stringify(err),
    JSON.stringify({ ...err }),
  ]) {
    expect(rendered).not.toContain('ZZCANARY');
  }
  return err;
}

describe('PHI canary: parse errors never carry element values', () => {
  it('the canary is really in the file', () => {
    expect(canaryText).toContain(`NM1*IL*1*${CANARY}*${CANARY}`);
    expect(parse837P(canaryText)[0]?.claims[0]?.subscriber.lastName).toBe(CANARY);
  });

  it('bad date of birth next to the canary name', () => {
    const err = expectPhiFreeError(canaryText.replace('DMG*D8*19800415*F', `DMG*D8*${CANARY}*F`));
    expect(err.code).toBe('INVALID_DATE');
    expect(err.segmentId).toBe('DMG');
  });

  it('canary in a coded element', () => {
    const err = expectPhiFreeError(canaryText.replace('11:B:7', `11:B:${CANARY}`));
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.segmentId).toBe('CLM');
  });

  it('canary where a segment tag should be', () => {
    const err = expectPhiFreeError(canaryText.replace(`NM1*IL*1*${CANARY}`, `${CANARY}*IL*1*X`));
    expect(err.code).toBe('INVALID_SEGMENT_ID');
    expect(err.segmentId).toBeUndefined();
  });

  it('canary in an amount and a count', () => {
    expect(
      expectPhiFreeError(canaryText.replace('CLM*PCN20250701A*360', `CLM*PCN20250701A*${CANARY}`)).code,
    ).toBe('INVALID_AMOUNT');
    expect(expectPhiFreeError(canaryText.replace('SE*55*0001', `SE*${CANARY}*0001`)).code).toBe(
      'INVALID_NUMBER',
    );
  });

  it('random corruption of a canary claim ends in an X12ParseError without PHI, never another exception', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: canaryText.length - 1 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('', '*', '~', ':', '^', 'X', '\n', 'ZZCANARY-1', '9'),
        (at, cut, insert) => {
          const mutated = canaryText.slice(0, at) + insert + canaryText.slice(at + cut);
          try {
            parseX12(mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(X12ParseError);
            expect((e as Error).message).not.toContain('ZZCANARY');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
