// What the scheduling activity returns. "No slot" is a result, not an exception: retrying the same request
// cannot help, so the workflow branches on it (widen the dates, raise a front-desk task) instead of letting
// Temporal retry. `alternatives` are ordered best first so that when booking fails because the slot was taken
// meanwhile, the caller books the next one without asking again.
import type { AssessedCandidate, Assessment } from './assess.js';
import { explainCandidate } from './explain.js';
import type { HardConstraint } from './feasibility.js';
import type { EvaluationRequest, Specialty } from './types.js';

export interface EvaluationSlotOption {
  slotId: string;
  therapistId: string;
  locationId: string;
  /** ISO instants (UTC). */
  start: string;
  end: string;
  durationMinutes: number;
  score: number;
  matchedSpecialty: Specialty | undefined;
  explanation: string;
}

export interface EvaluationSlotChosen {
  outcome: 'chosen';
  choice: EvaluationSlotOption;
  explanation: string;
  alternatives: EvaluationSlotOption[];
}

export interface NoSlotAvailable {
  outcome: 'NoSlotAvailable';
  /** Retrying the same request gives the same answer. */
  retryable: false;
  candidatesConsidered: number;
  rejectedBy: Partial<Record<HardConstraint, number>>;
  durationMinutes: number;
  explanation: string;
}

export type EvaluationSlotResult = EvaluationSlotChosen | NoSlotAvailable;

export function toOption(
  c: AssessedCandidate,
  a: Assessment,
  request: EvaluationRequest,
): EvaluationSlotOption {
  return {
    slotId: c.slot.slotId,
    therapistId: c.slot.therapistId,
    locationId: c.slot.locationId,
    start: new Date(c.timing.startMs).toISOString(),
    end: new Date(c.timing.endMs).toISOString(),
    durationMinutes: a.minutes,
    score: c.score.total,
    matchedSpecialty: c.score.matchedSpecialty,
    explanation: explainCandidate(c, a, request),
  };
}
