// Turns a request and the EMR's free slots into assessed candidates: timing in the clinic's zone, hard-
// constraint violations and a score, in one deterministic order (start, therapist, location, slot id) that
// the model uses to break ties — the same inputs always yield the same choice, whatever order the EMR
// returned them in.
import { specialtyNeed, type SpecialtyNeed } from './body-regions.js';
import { EVALUATION_DURATIONS, evaluationMinutes, type EvaluationDurationRow } from './duration.js';
import { slotTiming, violations, type HardConstraint, type SlotTiming } from './feasibility.js';
import { rankedLocations, scoreSlot, type ScoreBreakdown } from './scoring.js';
import type { CandidateSlot, EvaluationRequest } from './types.js';

export interface AssessedCandidate {
  /** LP variable name; position in the deterministic order. */
  key: string;
  slot: CandidateSlot;
  timing: SlotTiming;
  violations: HardConstraint[];
  score: ScoreBreakdown;
}

export interface Assessment {
  /** Booking length for this request (read on the earliest date, so the EMR query and the check agree). */
  minutes: number;
  need: SpecialtyNeed;
  candidates: AssessedCandidate[];
}

function compareSlots(a: { slot: CandidateSlot; timing: SlotTiming }, b: typeof a): number {
  if (a.timing.startMs !== b.timing.startMs) return a.timing.startMs - b.timing.startMs;
  for (const k of ['therapistId', 'locationId', 'slotId'] as const) {
    if (a.slot[k] !== b.slot[k]) return a.slot[k] < b.slot[k] ? -1 : 1;
  }
  return 0;
}

export function requiredMinutes(
  request: EvaluationRequest,
  durations: readonly EvaluationDurationRow[] = EVALUATION_DURATIONS,
): number {
  return evaluationMinutes(request.acuity, request.earliestDate, durations);
}

export function assessCandidates(
  request: EvaluationRequest,
  slots: readonly CandidateSlot[],
  durations: readonly EvaluationDurationRow[] = EVALUATION_DURATIONS,
): Assessment {
  const minutes = requiredMinutes(request, durations);
  const need = specialtyNeed(request);
  const ranked = rankedLocations(request.preferredLocations);
  const timed = slots
    .map((slot) => ({ slot, timing: slotTiming(slot, minutes, request.timeZone) }))
    .sort(compareSlots);
  // Paged EMR searches can return a slot twice; one variable per slot id.
  const seen = new Set<string>();
  const unique = timed.filter(({ slot }) => !seen.has(slot.slotId) && seen.add(slot.slotId));
  const candidates = unique.map(({ slot, timing }, i) => ({
    key: `s${i}`,
    slot,
    timing,
    violations: violations(slot, request, minutes, timing),
    score: scoreSlot(slot, timing.localStart.date, request, need, ranked),
  }));
  return { minutes, need, candidates };
}

export function isFeasible(c: AssessedCandidate): boolean {
  return c.violations.length === 0;
}
