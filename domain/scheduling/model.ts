// The selection problem as a 0/1 program in the solver's JSON format: one binary variable per candidate,
// exactly one chosen, every hard constraint a zero-capacity row (a violating candidate carries coefficient 1
// on it, so the solver itself can never pick it), and the score as the objective. Building the model is pure;
// solving it happens in the activity behind the Solver port.
//
// Ties: the objective coefficient is points × n + (n − 1 − position), so a higher score always wins and equal
// scores fall to the earlier position in the deterministic order. Every coefficient is distinct, so the
// optimum is unique and no solver pivoting rule can change the answer.
import type { Assessment } from './assess.js';
import { HARD_CONSTRAINTS } from './feasibility.js';
import type { LpConstraint, LpModel, LpSolution } from './ports.js';

export const OBJECTIVE = 'score';
export const CHOOSE_ONE = 'choose_one';
/** Candidates already chosen (for the next alternative) or refused by the caller. */
export const EXCLUDED = 'excluded';

export function objectiveCoefficient(points: number, position: number, count: number): number {
  return points * count + (count - 1 - position);
}

export function buildSelectionModel(
  assessment: Assessment,
  exclude: ReadonlySet<string> = new Set(),
): LpModel {
  const n = assessment.candidates.length;
  const constraints: Record<string, LpConstraint> = { [CHOOSE_ONE]: { equal: 1 }, [EXCLUDED]: { max: 0 } };
  for (const name of HARD_CONSTRAINTS) constraints[name] = { max: 0 };
  const variables: Record<string, Record<string, number>> = {};
  assessment.candidates.forEach((c, position) => {
    const coefficients: Record<string, number> = {
      [OBJECTIVE]: objectiveCoefficient(c.score.total, position, n),
      [CHOOSE_ONE]: 1,
    };
    for (const v of c.violations) coefficients[v] = 1;
    if (exclude.has(c.key)) coefficients[EXCLUDED] = 1;
    variables[c.key] = coefficients;
  });
  return {
    direction: 'maximize',
    objective: OBJECTIVE,
    constraints,
    variables,
    binaries: assessment.candidates.map((c) => c.key),
  };
}

/**
 * The feasible candidates best first, at most `limit`: exactly what solving the selection model gives, then
 * re-solving it with each pick excluded (the optimum of a one-of-n program is its feasible variable with the
 * largest objective coefficient, and the coefficients are distinct, so the order is unique). Picking one slot is
 * an argmax, so this ranks directly in O(n log n) instead of solving 1 + alternatives programs over every
 * candidate of the horizon (issue 15: that was most of an onboarding's booking time). The 0/1 model stays for
 * problems that need a solver (booking a series of visits jointly) and as the test oracle of this ranking.
 */
export function rankCandidates(
  assessment: Assessment,
  limit: number,
  exclude: ReadonlySet<string> = new Set(),
): string[] {
  const n = assessment.candidates.length;
  const hard = new Set<string>(HARD_CONSTRAINTS);
  return assessment.candidates
    .flatMap((c, position) =>
      // As in the model: only hard-constraint rows forbid a candidate.
      c.violations.some((v) => hard.has(v)) || exclude.has(c.key)
        ? []
        : [{ key: c.key, value: objectiveCoefficient(c.score.total, position, n) }],
    )
    .sort((a, b) => b.value - a.value)
    .slice(0, Math.max(0, limit))
    .map((c) => c.key);
}

/** The chosen variable of an optimal solution; undefined when the model is infeasible. */
export function chosenKey(solution: LpSolution): string | undefined {
  if (solution.status !== 'optimal') return undefined;
  const picked = solution.variables.filter(([, value]) => value > 0.5);
  // choose_one = 1 over binaries: more than one pick means the solver broke its contract.
  if (picked.length !== 1) throw new Error(`solver returned ${picked.length} chosen slots, expected 1`);
  return picked[0]?.[0];
}
