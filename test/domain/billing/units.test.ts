import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  allocateAmaUnits,
  allocateCmsUnits,
  amaUnitsForCode,
  cmsTotalUnits,
} from '../../../domain/billing/units.js';

// domain-rules §1.1 table, verbatim.
const TABLE: Array<[number, number, number]> = [
  [0, 7, 0],
  [8, 22, 1],
  [23, 37, 2],
  [38, 52, 3],
  [53, 67, 4],
  [68, 82, 5],
  [83, 97, 6],
  [98, 112, 7],
  [113, 127, 8],
];

describe('CMS total-time units (8-minute rule) [R1]', () => {
  it('matches the table at every minute 0–127', () => {
    for (const [lo, hi, units] of TABLE) {
      for (let t = lo; t <= hi; t++) expect(cmsTotalUnits(t), `T=${t}`).toBe(units);
    }
  });

  it('is non-decreasing in T and never exceeds what the minutes support', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (t) => {
        expect(cmsTotalUnits(t + 1)).toBeGreaterThanOrEqual(cmsTotalUnits(t));
        // A unit needs at least 8 minutes for the first and 15 per further unit.
        const u = cmsTotalUnits(t);
        if (u > 0) expect(t).toBeGreaterThanOrEqual(8 + 15 * (u - 1));
      }),
    );
  });

  it('rejects negative or fractional minutes', () => {
    expect(() => cmsTotalUnits(-1)).toThrow(RangeError);
    expect(() => cmsTotalUnits(7.5)).toThrow(RangeError);
  });
});

describe('allocation by largest remainder', () => {
  it('worked example 1: 97110 33 min + 97140 7 min → 97110 × 2, 97140 × 1', () => {
    const a = allocateCmsUnits([
      { code: '97110', minutes: 33 },
      { code: '97140', minutes: 7 },
    ]);
    expect(a.map((x) => [x.code, x.wholeUnits, x.leftover, x.units])).toEqual([
      ['97110', 2, 3, 2],
      ['97140', 0, 7, 1],
    ]);
  });

  it('worked example 2 (CMS): 7 + 7 min → 1 unit, tie broken the same way every time', () => {
    const run = () =>
      allocateCmsUnits([
        { code: '97140', minutes: 7 },
        { code: '97110', minutes: 7 },
      ]);
    const first = run();
    expect(first.reduce((s, x) => s + x.units, 0)).toBe(1);
    for (let i = 0; i < 5; i++) expect(run()).toEqual(first);
    // No priority configured: the code performed first (97140) wins; both record the tie-break.
    expect(first.find((x) => x.units === 1)?.code).toBe('97140');
    expect(first.every((x) => x.tieBreak === 'sequence')).toBe(true);
  });

  it('tie-break order: payer code priority, then sequence, then lowest code value', () => {
    const withPriority = allocateCmsUnits(
      [
        { code: '97140', minutes: 7, sequence: 0 },
        { code: '97110', minutes: 7, sequence: 1 },
      ],
      { codePriority: ['97110'] },
    );
    expect(withPriority.find((x) => x.units === 1)?.code).toBe('97110');
    expect(withPriority[0]!.tieBreak).toBe('code_priority');
    const sameSequence = allocateCmsUnits([
      { code: '97140', minutes: 7, sequence: 0 },
      { code: '97110', minutes: 7, sequence: 0 },
    ]);
    expect(sameSequence.find((x) => x.units === 1)?.code).toBe('97110');
    expect(sameSequence[0]!.tieBreak).toBe('code_value');
  });

  it('several codes each ≤ 7 minutes: the units go to the codes with the most minutes', () => {
    const a = allocateCmsUnits([
      { code: '97110', minutes: 5 },
      { code: '97112', minutes: 7 },
      { code: '97140', minutes: 6 },
      { code: '97530', minutes: 7 },
    ]);
    // T = 25 → 2 units, to the two 7-minute codes.
    expect(a.filter((x) => x.units === 1).map((x) => x.code)).toEqual(['97112', '97530']);
    expect(a.reduce((s, x) => s + x.units, 0)).toBe(2);
  });

  it('a leftover below 8 can win over a larger whole-unit code', () => {
    const a = allocateCmsUnits([
      { code: '97110', minutes: 24 },
      { code: '97530', minutes: 8 },
    ]);
    // T = 32 → 2 units; whole: 1 + 0; extra to the leftover 9 (97110) vs 8 (97530) → 97110.
    expect(a.map((x) => x.units)).toEqual([2, 0]);
  });

  it('merges the same code entered twice (PT part and PTA part)', () => {
    const a = allocateCmsUnits([
      { code: '97110', minutes: 10 },
      { code: '97110', minutes: 10 },
    ]);
    expect(a).toHaveLength(1);
    expect(a[0]!.units).toBe(1);
  });

  const splits = fc.array(
    fc.record({
      code: fc.constantFrom('97110', '97112', '97116', '97140', '97530', '97535'),
      minutes: fc.integer({ min: 0, max: 90 }),
    }),
    { maxLength: 6 },
  );

  it('property: Σ units = units(T); each code gets w or w + 1; 0 minutes → 0 units', () => {
    fc.assert(
      fc.property(splits, (items) => {
        const a = allocateCmsUnits(items);
        const t = a.reduce((s, x) => s + x.minutes, 0);
        expect(a.reduce((s, x) => s + x.units, 0)).toBe(cmsTotalUnits(t));
        for (const x of a) {
          expect([x.wholeUnits, x.wholeUnits + 1]).toContain(x.units);
          if (x.minutes === 0) expect(x.units).toBe(0);
        }
      }),
    );
  });

  it('property: under either method units never exceed what the minutes support', () => {
    fc.assert(
      fc.property(splits, (items) => {
        for (const a of [allocateCmsUnits(items), allocateAmaUnits(items)]) {
          const t = a.reduce((s, x) => s + x.minutes, 0);
          const u = a.reduce((s, x) => s + x.units, 0);
          expect(u).toBeLessThanOrEqual(t < 8 ? 0 : Math.floor((t + 7) / 15) + a.length);
          if (u > 0) expect(t).toBeGreaterThanOrEqual(8);
        }
        // AMA: each code stands alone, so each code's units are bounded by its own minutes.
        for (const x of allocateAmaUnits(items)) {
          expect(x.units).toBeLessThanOrEqual(Math.floor((x.minutes + 7) / 15));
        }
        // CMS pools: the total can never exceed units(T).
        const cms = allocateCmsUnits(items);
        expect(cms.reduce((s, x) => s + x.units, 0)).toBeLessThanOrEqual(
          cmsTotalUnits(cms.reduce((s, x) => s + x.minutes, 0)),
        );
      }),
    );
  });

  it('property: deterministic for any input order of distinct codes with a fixed sequence', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            code: fc.constantFrom('97110', '97112', '97116', '97140', '97530'),
            minutes: fc.integer({ min: 0, max: 40 }),
            sequence: fc.integer({ min: 0, max: 3 }),
          }),
          { selector: (x) => x.code },
        ),
        (items) => {
          const sort = (a: ReturnType<typeof allocateCmsUnits>) =>
            a.map((x) => [x.code, x.units]).sort((p, q) => String(p[0]).localeCompare(String(q[0])));
          expect(sort(allocateCmsUnits(items))).toEqual(sort(allocateCmsUnits([...items].reverse())));
        },
      ),
    );
  });
});

describe('AMA substantial portion [R4]', () => {
  it('worked example 2 (AMA): 7 + 7 min → 0 timed units', () => {
    expect(
      allocateAmaUnits([
        { code: '97110', minutes: 7 },
        { code: '97140', minutes: 7 },
      ]).map((x) => x.units),
    ).toEqual([0, 0]);
  });

  it('per code: 8 min → 1, 22 → 1, 23 → 2', () => {
    expect([7, 8, 22, 23, 37, 38].map(amaUnitsForCode)).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('can yield more units than CMS for the same visit (no pooling, each code rounds up)', () => {
    const items = [
      { code: '97110', minutes: 8 },
      { code: '97140', minutes: 8 },
      { code: '97530', minutes: 8 },
    ];
    expect(allocateAmaUnits(items).reduce((s, x) => s + x.units, 0)).toBe(3);
    expect(allocateCmsUnits(items).reduce((s, x) => s + x.units, 0)).toBe(2);
  });
});
