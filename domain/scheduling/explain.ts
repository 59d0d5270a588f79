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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function specialtyPart(c: AssessedCandidate, a: Assessment): string {
  const region = a.need.region?.replace(/-/g, ' ');
  if (c.score.matchedSpecialty !== undefined) {
    const s = c.score.matchedSpecialty;
    // "matched vestibular specialty (vestibular)" says nothing twice.
    return `matched ${s} specialty${region && region !== s ? ` (${region})` : ''}`;
  }
  if (a.need.specialties.length === 0) return 'no specialty preference for this region';
  return `no ${a.need.specialties.join('/')} specialist free, any PT may evaluate`;
}

function locationPart(c: AssessedCandidate, request: EvaluationRequest): string | undefined {
  if (request.preferredLocations.length === 0) return undefined;
  const rank = c.score.locationRank;
  if (rank === undefined) return 'location outside the preferred list (patient accepts others)';
  const byDistance = request.preferredLocations.every((l) => l.distanceKm !== undefined);
  if (rank === 0) return byDistance ? 'nearest location' : "patient's first-choice location";
  return byDistance ? `location ${rank + 1} by distance` : `patient's choice ${rank + 1} location`;
}

function timePart(c: AssessedCandidate, a: Assessment, request: EvaluationRequest): string {
  const first =
    request.availability.length > 0 ? "first slot within patient's window" : 'first available slot';
  const feasible = a.candidates.filter(isFeasible);
  const firstMs = Math.min(...feasible.map((x) => x.timing.startMs));
  if (c.timing.startMs <= firstMs) return first;
  const firstDay = feasible.find((x) => x.timing.startMs === firstMs)?.score.dayOffset ?? 0;
  const days = c.score.dayOffset - firstDay;
  return days > 0 ? `${plural(days, 'day')} after the ${first}` : `later the same day as the ${first}`;
}

export function explainCandidate(c: AssessedCandidate, a: Assessment, request: EvaluationRequest): string {
  const parts = [specialtyPart(c, a)];
  if (c.score.acuity > 0) parts.push('post-surgical experience');
  const location = locationPart(c, request);
  if (location !== undefined) parts.push(location);
  parts.push(timePart(c, a, request));
  parts.push(`${a.minutes}-minute ${request.acuity} evaluation`);
  return parts.join(', ');
}

/** Counts per violated constraint; a candidate breaking several counts under each. */
export function rejectionCounts(a: Assessment): Partial<Record<HardConstraint, number>> {
  const counts: Partial<Record<HardConstraint, number>> = {};
  for (const c of a.candidates) for (const v of c.violations) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

export function explainNoSlot(a: Assessment): string {
  const n = a.candidates.length;
  if (n === 0) return `no free slots of ${a.minutes} minutes or more in the date range`;
  const reasons = Object.entries(rejectionCounts(a))
    .sort(([, x], [, y]) => y - x)
    .map(([k, count]) => `${count} ${CONSTRAINT_TEXT[k as HardConstraint]}`);
  return `no feasible slot among ${plural(n, 'candidate')}: ${reasons.join(', ')}`;
}
