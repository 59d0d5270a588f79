import { describe, expect, it } from 'vitest';
import {
  CHOOSE_ONE,
  EXCLUDED,
  HARD_CONSTRAINTS,
  OBJECTIVE,
  assessCandidates,
  buildSelectionModel,
  chosenKey,
  objectiveCoefficient,
} from '../../../domain/scheduling/index.js';
import { request, slot } from './fixtures.js';

describe('selection model (yalps JSON)', () => {
  const r = request();
  const slots = [
    slot({ slotId: 'b', start: '2025-03-05T15:00:00Z' }),
    slot({ slotId: 'a', start: '2025-03-04T15:00:00Z', discipline: 'PTA' }),
    slot({ slotId: 'c', start: '2025-03-04T15:00:00Z', therapistId: 'th-2' }),
  ];
  const assessment = assessCandidates(r, slots);
  const model = buildSelectionModel(assessment);

  it('one binary per candidate, exactly one chosen, every hard constraint a zero-capacity row', () => {
    expect(model.direction).toBe('maximize');
    expect(model.objective).toBe(OBJECTIVE);
    expect(model.constraints[CHOOSE_ONE]).toEqual({ equal: 1 });
    expect(model.constraints[EXCLUDED]).toEqual({ max: 0 });
    for (const h of HARD_CONSTRAINTS) expect(model.constraints[h]).toEqual({ max: 0 });
    expect(model.binaries).toEqual(Object.keys(model.variables));
    expect(model.binaries).toHaveLength(3);
  });

  it('orders candidates deterministically (start, therapist, location, slot id) whatever the input order', () => {
    expect(assessment.candidates.map((c) => c.slot.slotId)).toEqual(['c', 'a', 'b']); // th-2 < th-ortho at the same start;
    const reversed = assessCandidates(r, [...slots].reverse());
    expect(buildSelectionModel(reversed)).toEqual(model);
  });

  it('a violating candidate carries coefficient 1 on the constraint it breaks', () => {
    const pta = assessment.candidates.find((c) => c.slot.slotId === 'a');
    expect(pta?.violations).toEqual(['evaluator_discipline']);
    expect(model.variables[pta?.key ?? '']?.evaluator_discipline).toBe(1);
  });

  it('objective coefficients are distinct: higher score wins, equal scores fall to the earlier position', () => {
    const coefs = Object.values(model.variables).map((v) => v[OBJECTIVE]);
    expect(new Set(coefs).size).toBe(coefs.length);
    expect(objectiveCoefficient(10, 0, 5)).toBeGreaterThan(objectiveCoefficient(10, 1, 5));
    expect(objectiveCoefficient(11, 4, 5)).toBeGreaterThan(objectiveCoefficient(10, 0, 5));
  });

  it('excluded candidates carry coefficient 1 on the excluded row', () => {
    const m = buildSelectionModel(assessment, new Set(['s1']));
    expect(m.variables.s1?.[EXCLUDED]).toBe(1);
    expect(m.variables.s0?.[EXCLUDED]).toBeUndefined();
  });

  it('is plain JSON (loggable, replayable)', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('duplicate slot ids from paged searches become one variable', () => {
    const dup = assessCandidates(r, [slot({ slotId: 'x' }), slot({ slotId: 'x' })]);
    expect(dup.candidates).toHaveLength(1);
  });

  it('reads the solution: one pick, none when infeasible, error when the solver breaks choose-one', () => {
    expect(chosenKey({ status: 'optimal', result: 1, variables: [['s2', 1]] })).toBe('s2');
    expect(chosenKey({ status: 'infeasible', result: Number.NaN, variables: [] })).toBeUndefined();
    expect(() =>
      chosenKey({
        status: 'optimal',
        result: 1,
        variables: [
          ['s0', 1],
          ['s1', 1],
        ],
      }),
    ).toThrow(/2 chosen/);
  });
});
