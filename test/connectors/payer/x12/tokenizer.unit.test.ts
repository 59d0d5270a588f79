import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  readDelimiters,
  serializeSegments,
  tokenize,
  type Delimiters,
  type PositionedSegment,
  type Segment,
} from '../../../../connectors/payer/x12/tokenizer.js';
import { date, money, optQuantity, req, site } from '../../../../connectors/payer/x12/reader.js';
import { parseDate, parseMoney, parseQuantity } from '../../../../connectors/payer/x12/values.js';
import { X12ParseError } from '../../../../connectors/payer/x12/errors.js';
import { parse999 } from '../../../../connectors/payer/x12/index.js';
import { fixture } from './samples.js';

const isa = (d: Delimiters): string =>
  [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    'ZZ',
    'SENDER'.padEnd(15),
    'ZZ',
    'RECEIVER'.padEnd(15),
    '250702',
    '0930',
    d.repetition ?? 'U',
    '00501',
    '000000001',
    '0',
    'T',
    d.component,
  ].join(d.element) + d.segment;

function expectParseError(fn: () => unknown, code: string): X12ParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(X12ParseError);
    expect((e as X12ParseError).code).toBe(code);
    return e as X12ParseError;
  }
  throw new Error('expected an X12ParseError');
}

describe('delimiters from the fixed-width ISA', () => {
  it('reads element (4th), repetition (ISA11), component (ISA16) and terminator (106th)', () => {
    expect(readDelimiters(isa({ element: '*', repetition: '^', component: ':', segment: '~' }))).toEqual({
      element: '*',
      repetition: '^',
      component: ':',
      segment: '~',
    });
    expect(readDelimiters(isa({ element: '|', repetition: '{', component: '>', segment: '!' }))).toEqual({
      element: '|',
      repetition: '{',
      component: '>',
      segment: '!',
    });
  });

  it('treats a 4010-style ISA11 code letter as "no repetition separator"', () => {
    expect(
      readDelimiters(isa({ element: '*', repetition: undefined, component: ':', segment: '~' })).repetition,
    ).toBeUndefined();
  });

  it('parses the same document written with other delimiters', () => {
    const standard = parse999(fixture('999-accepted.x12'));
    const alt = parse999(fixture('999-accepted-alt-delimiters.x12'));
    expect(alt).toEqual(standard);
  });

  it('accepts a line break as the segment terminator (LF, or CR followed by LF)', () => {
    const expected = parse999(fixture('999-accepted.x12'));
    const lf = fixture('999-accepted.x12').replace(/~\n/g, '\n');
    expect(readDelimiters(lf).segment).toBe('\n');
    expect(parse999(lf)).toEqual(expected);
    // With CRLF the ISA's 106th character is the CR; the LF after it is tolerated like any line break.
    const crlf = fixture('999-accepted.x12').replace(/~\n/g, '\r\n');
    expect(readDelimiters(crlf).segment).toBe('\r');
    expect(parse999(crlf)).toEqual(expected);
  });

  it('tolerates a BOM, leading blank lines and a file without line breaks', () => {
    const oneLine = fixture('999-accepted.x12').replace(/\n/g, '');
    expect(parse999(`\uFEFF\r\n${oneLine}`)).toEqual(parse999(fixture('999-accepted.x12')));
  });

  it('rejects input that is not X12, short ISAs, non-fixed-width ISAs and clashing delimiters', () => {
    expectParseError(() => readDelimiters(''), 'EMPTY_INPUT');
    expectParseError(() => readDelimiters('GS*HC*A*B~'), 'NOT_X12');
    expectParseError(() => readDelimiters('ISA*00*'), 'TRUNCATED');
    const good = isa({ element: '*', repetition: '^', component: ':', segment: '~' });
    expectParseError(() => readDelimiters(good.replace('SENDER ', 'SENDER') + ' '), 'INVALID_ISA');
    expectParseError(
      () => readDelimiters(isa({ element: '*', repetition: '^', component: '*', segment: '~' })),
      'INVALID_DELIMITERS',
    );
    expectParseError(
      () => readDelimiters(isa({ element: '*', repetition: '^', component: ':', segment: ':' })),
      'INVALID_DELIMITERS',
    );
  });

  it('ends binary junk and a 10 MB garbage file in a typed error, quickly', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    expectParseError(() => tokenize(junk), 'NOT_X12');
    const big = 'x'.repeat(10 * 1024 * 1024);
    const t0 = performance.now();
    expectParseError(() => tokenize(big), 'NOT_X12');
    const garbageAfterIsa =
      isa({ element: '*', repetition: '^', component: ':', segment: '~' }) +
      '\u0000\u0001'.repeat(5 * 1024 * 1024);
    expectParseError(() => tokenize(garbageAfterIsa), 'TRUNCATED');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('reports a malformed segment tag by position only', () => {
    const text =
      isa({ element: '*', repetition: '^', component: ':', segment: '~' }) +
      'GS*HC~zz canary*1~IEA*1*000000001~';
    const err = expectParseError(() => tokenize(text), 'INVALID_SEGMENT_ID');
    expect(err.segmentIndex).toBe(2);
    expect(err.segmentId).toBeUndefined();
    expect(err.message).not.toContain('canary');
  });
});

describe('tokenizer round trip', () => {
  const delimiterSets: Delimiters[] = [
    { element: '*', repetition: '^', component: ':', segment: '~' },
    { element: '|', repetition: '{', component: '>', segment: '!' },
    { element: '+', repetition: '\\', component: '<', segment: "'" },
  ];
  const value = fc.stringMatching(/^[A-Z0-9 .-]{0,12}$/).map((s) => s.trim());
  const segment: fc.Arbitrary<Segment> = fc.record({
    id: fc.constantFrom('NM1', 'REF', 'DTP', 'CLM', 'SV1', 'HI', 'N3'),
    elements: fc.array(value, { minLength: 1, maxLength: 10 }).map((els) => {
      const out = [...els];
      while (out.length > 0 && out[out.length - 1] === '') out.pop();
      return out.length === 0 ? ['X'] : out;
    }),
  });

  it('serialize → tokenize returns the same segments for any delimiter set', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...delimiterSets),
        fc.array(segment, { maxLength: 30 }),
        fc.boolean(),
        (d, segs, lineBreaks) => {
          const text =
            isa(d) + serializeSegments([...segs, { id: 'IEA', elements: ['0', '000000001'] }], d, lineBreaks);
          const { segments } = tokenize(text);
          expect(segments.slice(1, -1).map(({ id, elements }) => ({ id, elements }))).toEqual(segs);
        },
      ),
    );
  });
});

describe('elements read in place agree with the general value parsers', () => {
  const d: Delimiters = { element: '*', repetition: '^', component: ':', segment: '~' };
  /** One AMT/DTM segment holding `value` at position 2, tokenized inside a minimal interchange. */
  const segmentWith = (value: string) =>
    tokenize(`${isa(d)}AMT*B6*${value}*X~IEA*0*000000001~`).segments[1] as PositionedSegment;
  const outcome = (fn: () => unknown): unknown => {
    try {
      return { value: fn() };
    } catch (e) {
      return { code: (e as X12ParseError).code, at: (e as X12ParseError).elementPosition };
    }
  };
  const decimalish = fc.stringMatching(/^[-+]?[0-9]{0,15}(\.[0-9]{0,5})?[0-9A-Z]?$/);
  const dateish = fc.oneof(
    fc.stringMatching(/^[0-9]{6,9}$/),
    // Calendar-shaped: real dates, 29 February of leap and common years, day 30/31 of short months.
    fc
      .tuple(
        fc.integer({ min: 1900, max: 2099 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      )
      .map(([y, m, d]) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`),
  );

  it('money and quantities: the same cents, or the same typed error at the same element', () => {
    fc.assert(
      fc.property(decimalish, (value) => {
        const seg = segmentWith(value);
        expect(outcome(() => money(seg, 2))).toEqual(outcome(() => parseMoney(req(seg, 2), site(seg, 2))));
        expect(outcome(() => optQuantity(seg, 2))).toEqual(
          outcome(() => (value === '' ? undefined : parseQuantity(value, site(seg, 2)))),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('dates: the same ISO date, or the same typed error at the same element', () => {
    fc.assert(
      fc.property(dateish, (value) => {
        const seg = segmentWith(value);
        expect(outcome(() => date(seg, 2))).toEqual(outcome(() => parseDate(req(seg, 2), site(seg, 2))));
      }),
      { numRuns: 2000 },
    );
  });

  it('element access by position matches the split elements, trailing empties included', () => {
    const seg = tokenize(`${isa(d)}NM1*IL*1*DOE**~IEA*0*000000001~`).segments[1] as PositionedSegment;
    expect(seg.elements).toEqual(['IL', '1', 'DOE', '', '']);
    expect(seg.elementCount).toBe(5);
    expect([1, 2, 3, 4, 5, 6].map((n) => seg.element(n))).toEqual(['IL', '1', 'DOE', '', '', '']);
    expect(seg.elementIs(1, 'IL')).toBe(true);
    expect(seg.elementIs(1, 'I')).toBe(false);
    expect(seg.elementIs(4, '')).toBe(true);
    expect(JSON.stringify(seg)).toBe('{"id":"NM1","elements":["IL","1","DOE","",""],"index":1}');
  });
});
