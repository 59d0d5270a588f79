// Per-call cost of choosing an evaluation slot (issue 15): the old way (the 0/1 selection program solved with
// yalps 1 + 3 times: the choice and three alternatives) against the direct ranking the activity uses now
// (rankCandidates), on the same assessment of a 60-day horizon (3 therapists × 8 hourly slots × 110 days of
// the grid ≈ 2,640 candidates). Both must return the same keys; the script fails otherwise.
// Run: `npx tsx bench/evaluation-ranking.ts` (prints medians of side-by-side rounds).
import { yalpsSolver } from '../activities/onboarding/scheduling.js';
import {
  assessCandidates,
  buildSelectionModel,
  chosenKey,
  EvaluationRequestSchema,
  rankCandidates,
  type CandidateSlot,
} from '../domain/scheduling/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const therapists = [
  { id: 'th-1', discipline: 'PT' as const, specialties: ['orthopedic', 'post-surgical'] },
  { id: 'th-2', discipline: 'PT' as const, specialties: ['spine', 'vestibular'] },
  { id: 'th-3', discipline: 'PTA' as const, specialties: ['orthopedic'] },
];
const slots: CandidateSlot[] = [];
const start = Date.parse('2026-01-05T14:00:00Z');
for (let day = 0; day < 110; day++)
  for (const t of therapists)
    for (let h = 0; h < 8; h++)
      slots.push({
        slotId: `${t.id}-${day}-${h}`,
        therapistId: t.id,
        discipline: t.discipline,
        specialties: t.specialties,
        locationId: day % 2 ? 'loc-a' : 'loc-b',
        start: new Date(start + day * 86_400_000 + h * 3_600_000).toISOString(),
        minutesAvailable: 60 + (h % 2) * 30,
      });
const request = EvaluationRequestSchema.parse({
  bodyRegion: 'knee',
  acuity: 'acute',
  preferredLocations: [{ locationId: 'loc-a' }],
  otherLocationsAcceptable: true,
  timeZone: 'America/Chicago',
  earliestDate: '2026-01-06',
  latestDate: '2026-03-06',
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const solverMs: number[] = [];
const rankMs: number[] = [];
const assessMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let t = performance.now();
  const assessment = assessCandidates(request, slots);
  assessMs.push(performance.now() - t);
  t = performance.now();
  const bySolver: string[] = [];
  while (bySolver.length < 4) {
    const key = chosenKey(yalpsSolver.solve(buildSelectionModel(assessment, new Set(bySolver))));
    if (key === undefined) break;
    bySolver.push(key);
  }
  solverMs.push(performance.now() - t);
  t = performance.now();
  const ranked = rankCandidates(assessment, 4);
  rankMs.push(performance.now() - t);
  if (JSON.stringify(ranked) !== JSON.stringify(bySolver))
    throw new Error(`different choices: ${JSON.stringify({ ranked, bySolver })}`);
}
console.log(
  JSON.stringify({
    candidates: slots.length,
    rounds: ROUNDS,
    assessMsMedian: +median(assessMs).toFixed(1),
    solver1plus3MsMedian: +median(solverMs).toFixed(1),
    rankMsMedian: +median(rankMs).toFixed(2),
    perCallBefore: +(median(assessMs) + median(solverMs)).toFixed(1),
    perCallAfter: +(median(assessMs) + median(rankMs)).toFixed(1),
  }),
);
