import { describe, expect, it } from 'vitest';
import { routeLineDenials, type LineDenialFacts, type RemitLine } from '../../../domain/denials/lines.js';

const facts = (over: Partial<LineDenialFacts> = {}): LineDenialFacts => ({
  date: '2026-03-02',
  expectedModifiersByCode: { '97110': ['GP'], '97140': ['GP', '59'], '97530': ['GP'] },
  necessityDocumented: true,
  therapyThresholdKx: false,
  acceptsReplacementClaims: true,
  attempts: 1,
  maxAttempts: 2,
  ...over,
});

const paid: RemitLine = {
  index: 1,
  code: '97110',
  submittedModifiers: ['GP'],
  chargeCents: 9_000,
  paidCents: 3_500,
  adjustments: [
    { group: 'CO', carc: '45', amountCents: 4_600 },
    { group: 'PR', carc: '2', amountCents: 900 },
  ],
  remarkCodes: [],
};
const co4: RemitLine = {
  index: 2,
  code: '97140',
  submittedModifiers: ['GP'],
  chargeCents: 7_000,
  paidCents: 0,
  adjustments: [{ group: 'CO', carc: '4', amountCents: 7_000 }],
  remarkCodes: ['N519'],
};
const co97: RemitLine = {
  index: 3,
  code: '97530',
  submittedModifiers: ['GP'],
  chargeCents: 7_500,
  paidCents: 0,
  adjustments: [{ group: 'CO', carc: '97', amountCents: 7_500 }],
  remarkCodes: [],
};

describe('line-level denial routing', () => {
  it('a partial payment: the paid line is posted, CO-4 is fixed on its own line, CO-97 bundling is written off', () => {
    const plan = routeLineDenials([paid, co4, co97], facts());
    expect(plan.paidLineIndexes).toEqual([1]);
    expect(plan.paidCents).toBe(3_500);
    expect(
      plan.denied.map((d) => [d.lineIndex, `${d.group}-${d.carc}`, d.disposition, d.deniedCents]),
    ).toEqual([
      [2, 'CO-4', 'replace', 7_000],
      [3, 'CO-97', 'write_off', 7_500],
    ]);
    // Only the denied line's own missing modifier, not the union over the claim.
    expect(plan.replacement).toEqual({ addModifiers: { '97140': ['59'] } });
  });

  it('modifiers are compared per line: a modifier on another line does not hide the one missing here', () => {
    const withX = { ...paid, submittedModifiers: ['GP', '59'] };
    const plan = routeLineDenials([withX, co4], facts());
    expect(plan.denied[0]?.fix).toEqual({ kind: 'add_modifiers', modifiers: ['59'] });
  });

  it('a payer that takes no replacement claims (Medicare Part B) gets the reopening path with the corrected data', () => {
    const plan = routeLineDenials([paid, co4], facts({ acceptsReplacementClaims: false }));
    expect(plan.denied[0]).toMatchObject({
      disposition: 'reopen',
      fix: { kind: 'add_modifiers', modifiers: ['59'] },
    });
    expect(plan.denied[0]?.reason).toContain('reopening request');
    expect(plan.replacement).toBeUndefined();
  });

  it('CO-15 uses the authorization on record; without one it goes to a person', () => {
    const co15: RemitLine = {
      ...co4,
      adjustments: [{ group: 'CO', carc: '15', amountCents: 7_000 }],
      remarkCodes: [],
    };
    expect(routeLineDenials([co15], facts({ authNumberOnFile: 'A-77' })).replacement).toEqual({
      addModifiers: {},
      priorAuthNumber: 'A-77',
    });
    expect(routeLineDenials([co15], facts()).denied[0]?.disposition).toBe('review');
  });

  it('CO-197 with an authorization on record is a missing REF*G1, not an appeal', () => {
    const co197: RemitLine = {
      ...co4,
      adjustments: [{ group: 'CO', carc: '197', amountCents: 7_000 }],
      remarkCodes: [],
    };
    expect(routeLineDenials([co197], facts({ authNumberOnFile: 'A-9' })).denied[0]).toMatchObject({
      disposition: 'replace',
      fix: { kind: 'set_prior_auth_number', number: 'A-9' },
    });
    expect(routeLineDenials([co197], facts()).denied[0]?.disposition).toBe('appeal');
  });

  it('CO-50: appeal when necessity is documented, a person when it is not', () => {
    const co50: RemitLine = {
      ...co4,
      adjustments: [{ group: 'CO', carc: '50', amountCents: 7_000 }],
      remarkCodes: ['N115'],
    };
    expect(routeLineDenials([co50], facts()).denied[0]?.disposition).toBe('appeal');
    const undocumented = routeLineDenials([co50], facts({ necessityDocumented: false })).denied[0];
    expect(undocumented?.disposition).toBe('review');
    expect(undocumented?.reason).toContain('document necessity');
  });

  it('CO-119 adds KX only over the threshold with necessity documented', () => {
    const co119: RemitLine = {
      ...co4,
      adjustments: [{ group: 'CO', carc: '119', amountCents: 7_000 }],
      remarkCodes: [],
    };
    expect(routeLineDenials([co119], facts({ therapyThresholdKx: true })).replacement).toEqual({
      addModifiers: { '97140': ['KX'] },
    });
    expect(
      routeLineDenials([co119], facts({ therapyThresholdKx: true, necessityDocumented: false })).denied[0]
        ?.disposition,
    ).toBe('review');
  });

  it('automatic corrections are bounded: after the last attempt a person takes over', () => {
    expect(routeLineDenials([co4], facts({ attempts: 2 })).denied[0]?.disposition).toBe('review');
  });

  it('cost share and contractual adjustments alone are not denials', () => {
    expect(routeLineDenials([paid], facts()).denied).toEqual([]);
  });
});
