// Ports the scheduling activity depends on. They are declared here (types only) so the domain can describe
// what it needs without knowing the EMR connector or the solver library behind them.
import type { CandidateSlot, SlotDiscipline } from './types.js';

export interface SlotQuery {
  /** Inclusive start and exclusive end of the search window (ISO instants). */
  from: string;
  to: string;
  /** Only slots at least this long. */
  minMinutes: number;
  /** Evaluations need a PT: sources that can filter by discipline should. */
  discipline: SlotDiscipline;
  /** Restrict to these locations when the patient accepts no others; absent = any location. */
  locationIds?: string[];
}

/** Free-slot search (implemented over the EMR connector's free-slot search by the composition root). */
export interface SlotSource {
  findFreeSlots(query: SlotQuery): Promise<CandidateSlot[]>;
}

export interface LpConstraint {
  min?: number;
  max?: number;
  equal?: number;
}

/**
 * An LP/MIP model in the JSON shape yalps (and, with renamed keys, javascript-lp-solver) reads. Plain
 * records and arrays only, so the model can be logged, snapshotted in tests and replayed offline.
 */
export interface LpModel {
  direction: 'maximize' | 'minimize';
  objective: string;
  constraints: Record<string, LpConstraint>;
  variables: Record<string, Record<string, number>>;
  binaries: string[];
}

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'timedout' | 'cycled';

export interface LpSolution {
  status: LpStatus;
  result: number;
  /** Variables with a non-zero value. */
  variables: [string, number][];
}

export interface Solver {
  solve(model: LpModel): LpSolution | Promise<LpSolution>;
}
