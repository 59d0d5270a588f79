// Evaluation scheduling activity: fetch free slots, rank the feasible ones by score (the argmax the selection
// model's 0/1 program computes, without solving it: rankCandidates) and return the best with ordered
// alternatives and plain-language reasons. Rules, data and the model live in domain/scheduling; this file only
// does what the domain may not: call the slot source. The yalps solver stays here behind the Solver port for
// problems that need one (and as the tests' oracle of the ranking).
import { ApplicationFailure } from '@temporalio/common';
import { solve } from 'yalps';
import {
  EvaluationRequestSchema,
  assessCandidates,
  explainNoSlot,
  rankCandidates,
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
} from '../../domain/scheduling/index.js';
import { addDays } from '../../domain/core/dates.js';

/** Bounded so a pathological candidate set fails fast instead of holding the activity slot. */
const YALPS_OPTIONS = { timeout: 2_000, maxIterations: 32_768 } as const;

// `satisfies` keeps the synchronous signature visible to callers that solve outside the activity (tests).
export const yalpsSolver = {
  solve(model: LpModel): LpSolution {
    const solution = solve(model, YALPS_OPTIONS);
    return { status: solution.status, result: solution.result, variables: solution.variables };
  },
} satisfies Solver;

export interface SchedulingActivityDeps {
  slots: SlotSource;
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
  const maxAlternatives = deps.maxAlternatives ?? 3;

  return {
    async chooseEvaluationSlot(input: EvaluationRequestInput): Promise<EvaluationSlotResult> {
      const parsed = EvaluationRequestSchema.safeParse(input);
      if (!parsed.success) {
        // A malformed request stays malformed on retry.
        throw ApplicationFailure.create({
          type: 'InvalidSchedulingRequest',
          message: parsed.error.issues
            .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
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
        ...(preferredOnly
          ? { locationIds: request.preferredLocations.map((location) => location.locationId) }
          : {}),
      };
      // Errors from the slot source propagate: transport failures are retryable, the connector decides.
      const slots = await deps.slots.findFreeSlots(query);
      const assessment = assessCandidates(request, slots, deps.durations);

      // The best slot, then each next best: every entry satisfies every hard constraint, in score order.
      const picked = rankCandidates(assessment, 1 + maxAlternatives);

      const byKey = new Map(assessment.candidates.map((candidate) => [candidate.key, candidate]));
      const options = picked.flatMap((key) => {
        const candidate = byKey.get(key);
        return candidate ? [toOption(candidate, assessment, request)] : [];
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
