// Evaluation scheduling activity: fetch free slots, let a real LP/MIP solver pick the best feasible one, and
// return it with ordered alternatives and plain-language reasons. Rules, data and the model live in
// domain/scheduling; this file only does what the domain may not: call the slot source and run the solver.
import { ApplicationFailure } from '@temporalio/common';
import { solve } from 'yalps';
import {
  EvaluationRequestSchema,
  assessCandidates,
  buildSelectionModel,
  chosenKey,
  explainNoSlot,
  rejectionCounts,
  requiredMinutes,
  toOption,
  type EvaluationDurationRow,
  type EvaluationRequestInput,
  type EvaluationSlotResult,
  type LpModel,
  type LpSolution,
  type SlotQuery,
  type SlotSource,
  type Solver,
} from '../domain/scheduling/index.js';
import { addDays } from '../domain/core/dates.js';

/** Bounded so a pathological candidate set fails fast instead of holding the activity slot. */
const YALPS_OPTIONS = { timeout: 2_000, maxIterations: 32_768 } as const;

// `satisfies` keeps the synchronous signature visible to callers that solve outside the activity (tests).
export const yalpsSolver = {
  solve(model: LpModel): LpSolution {
    const s = solve(model, YALPS_OPTIONS);
    return { status: s.status, result: s.result, variables: s.variables };
  },
} satisfies Solver;

export interface SchedulingActivityDeps {
  slots: SlotSource;
  solver?: Solver;
  /** Practice override of the booking lengths; defaults to domain/scheduling/duration.ts. */
  durations?: readonly EvaluationDurationRow[];
  /** How many ordered fallbacks to return after the choice. */
  maxAlternatives?: number;
}

/**
 * The EMR is searched by instant; the request is in local dates. A day of margin on each side covers every
 * UTC offset (−12…+14 h) without zone arithmetic here; the domain then filters by local date exactly.
 */
export function slotQueryFor(request: { earliestDate: string; latestDate: string }, minutes: number) {
  return {
    from: `${addDays(request.earliestDate, -1)}T00:00:00Z`,
    to: `${addDays(request.latestDate, 2)}T00:00:00Z`,
    minMinutes: minutes,
  };
}

export function createSchedulingActivities(deps: SchedulingActivityDeps) {
  const solver = deps.solver ?? yalpsSolver;
  const maxAlternatives = deps.maxAlternatives ?? 3;

  return {
    async chooseEvaluationSlot(input: EvaluationRequestInput): Promise<EvaluationSlotResult> {
      const parsed = EvaluationRequestSchema.safeParse(input);
      if (!parsed.success) {
        // A malformed request stays malformed on retry.
        throw ApplicationFailure.create({
          type: 'InvalidSchedulingRequest',
          message: parsed.error.issues
            .map((i) => `${i.path.join('.') || 'request'}: ${i.message}`)
            .join('; '),
          nonRetryable: true,
        });
      }
      const request = parsed.data;
      const preferredOnly = request.preferredLocations.length > 0 && !request.otherLocationsAcceptable;
      const minutes = requiredMinutes(request, deps.durations);
      const query: SlotQuery = {
        ...slotQueryFor(request, minutes),
        discipline: 'PT',
        ...(preferredOnly ? { locationIds: request.preferredLocations.map((l) => l.locationId) } : {}),
      };
      // Errors from the slot source propagate: transport failures are retryable, the connector decides.
      const slots = await deps.slots.findFreeSlots(query);
      const assessment = assessCandidates(request, slots, deps.durations);

      // The best slot, then each next best with the previous picks excluded: every alternative is the
      // solver's optimum of a smaller problem, so the list is ordered and every entry is feasible. The hard
      // constraints live in the model, so the loop ends when the solver reports the rest infeasible.
      const picked: string[] = [];
      while (picked.length <= maxAlternatives) {
        const solution = await solver.solve(buildSelectionModel(assessment, new Set(picked)));
        if (solution.status !== 'optimal' && solution.status !== 'infeasible') {
          throw ApplicationFailure.create({
            type: 'SchedulingSolverFailed',
            message: `solver ended with status ${solution.status} on ${assessment.candidates.length} candidates`,
          });
        }
        const key = chosenKey(solution);
        if (key === undefined) break;
        picked.push(key);
      }

      const byKey = new Map(assessment.candidates.map((c) => [c.key, c]));
      const options = picked.flatMap((k) => {
        const c = byKey.get(k);
        return c ? [toOption(c, assessment, request)] : [];
      });
      const [choice, ...alternatives] = options;
      if (!choice) {
        return {
          outcome: 'NoSlotAvailable',
          retryable: false,
          candidatesConsidered: assessment.candidates.length,
          rejectedBy: rejectionCounts(assessment),
          durationMinutes: assessment.minutes,
          explanation: explainNoSlot(assessment),
        };
      }
      return { outcome: 'chosen', choice, explanation: choice.explanation, alternatives };
    },
  };
}
