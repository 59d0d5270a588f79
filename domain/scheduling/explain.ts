// Plain-language reasons for a choice, for staff in the worklist and the Temporal UI. Built from ranks,
// specialty tags and durations only: no names, no dates of birth, no diagnosis text (the region is named,
// not the code), so the string is safe in logs and search attributes.
import type { AssessedCandidate, Assessment } from './assess.js';
import { isFeasible } from './assess.js';
import type { HardConstraint } from './feasibility.js';
import type { EvaluationRequest } from './types.js';

const CONSTRAINT_TEXT: Record<HardConstraint, string> = {
  evaluator_discipline: 'PTA (evaluations need a PT)',
  duration: 'too short',
  date_range: 'outside the date range',
  not_before: 'too soon',
  patient_window: "outside patient's window",
  location: 'location not accepted',
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function specialtyPart(candidate: AssessedCandidate, assessment: Assessment): string {
  const region = assessment.need.region?.replace(/-/g, ' ');
  const matched = candidate.score.matchedSpecialty;
  if (matched !== undefined) {
    // "matched vestibular specialty (vestibular)" says nothing twice.
    return `matched ${matched} specialty${region && region !== matched ? ` (${region})` : ''}`;
  }
  if (assessment.need.specialties.length === 0) return 'no specialty preference for this region';
  return `no ${assessment.need.specialties.join('/')} specialist free, any PT may evaluate`;
}

function locationPart(candidate: AssessedCandidate, request: EvaluationRequest): string | undefined {
  if (request.preferredLocations.length === 0) return undefined;
  const rank = candidate.score.locationRank;
  if (rank === undefined) return 'location outside the preferred list (patient accepts others)';
  const byDistance = request.preferredLocations.every((l) => l.distanceKm !== undefined);
  if (rank === 0) return byDistance ? 'nearest location' : "patient's first-choice location";
  return byDistance ? `location ${rank + 1} by distance` : `patient's choice ${rank + 1} location`;
}

function timePart(candidate: AssessedCandidate, assessment: Assessment, request: EvaluationRequest): string {
  const first =
    request.availability.length > 0 ? "first slot within patient's window" : 'first available slot';
  const feasible = assessment.candidates.filter(isFeasible);
  const firstMs = Math.min(...feasible.map((other) => other.timing.startMs));
  if (candidate.timing.startMs <= firstMs) return first;
  const firstDay = feasible.find((other) => other.timing.startMs === firstMs)?.score.dayOffset ?? 0;
  const days = candidate.score.dayOffset - firstDay;
  return days > 0 ? `${plural(days, 'day')} after the ${first}` : `later the same day as the ${first}`;
}

export function explainCandidate(
  candidate: AssessedCandidate,
  assessment: Assessment,
  request: EvaluationRequest,
): string {
  const parts = [specialtyPart(candidate, assessment)];
  if (candidate.score.acuity > 0) parts.push('post-surgical experience');
  const location = locationPart(candidate, request);
  if (location !== undefined) parts.push(location);
  parts.push(timePart(candidate, assessment, request));
  parts.push(`${assessment.minutes}-minute ${request.acuity} evaluation`);
  return parts.join(', ');
}

/** Counts per violated constraint; a candidate breaking several counts under each. */
export function rejectionCounts(assessment: Assessment): Partial<Record<HardConstraint, number>> {
  const counts: Partial<Record<HardConstraint, number>> = {};
  for (const candidate of assessment.candidates)
    for (const violation of candidate.violations) counts[violation] = (counts[violation] ?? 0) + 1;
  return counts;
}

export function explainNoSlot(assessment: Assessment): string {
  const candidates = assessment.candidates.length;
  if (candidates === 0) return `no free slots of ${assessment.minutes} minutes or more in the date range`;
  const reasons = Object.entries(rejectionCounts(assessment))
    .sort(([, x], [, y]) => y - x)
    .map(([constraint, count]) => `${count} ${CONSTRAINT_TEXT[constraint as HardConstraint]}`);
  return `no feasible slot among ${plural(candidates, 'candidate')}: ${reasons.join(', ')}`;
}
