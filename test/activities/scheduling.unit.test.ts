// The scheduling activity with the real yalps solver on candidate sets shaped like the demo practice
// (db/seed.ts): an orthopedic/post-surgical/sports PT downtown, a spine/vestibular/orthopedic PT split between
// Northside and Downtown, and an orthopedic PTA downtown. March 2025 in America/Chicago crosses the DST change.
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSchedulingActivities, yalpsSolver } from '../../activities/onboarding/scheduling.js';
import {
  assessCandidates,
  buildSelectionModel,
  chosenKey,
  rankCandidates,
  EvaluationRequestSchema,
  type CandidateSlot,
  type EvaluationRequestInput,
  type EvaluationSlotChosen,
  type EvaluationSlotResult,
  type SlotQuery,
} from '../../domain/scheduling/index.js';

const ZONE = 'America/Chicago';
const DOWNTOWN = 'loc-downtown';
const NORTHSIDE = 'loc-northside';
const DANA = 'th-201'; // PT: orthopedic, post-surgical, sports
const LUIS = 'th-202'; // PT: spine, vestibular, orthopedic
const KIM = 'th-203'; // PTA: orthopedic

/** Local Chicago wall time → ISO instant, for March 2025 only (CST until 03-09, CDT after). */
function chicago(date: string, hhmm: string): string {
  const offset = date < '2025-03-09' ? '-06:00' : '-05:00';
  return new Date(`${date}T${hhmm}:00${offset}`).toISOString();
}

const MARCH = Array.from({ length: 19 }, (_, i) => `2025-03-${String(3 + i).padStart(2, '0')}`);
const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

/** Hourly 60-minute slots from each therapist's weekly availability in the seed. */
function demoSlots(): CandidateSlot[] {
  const out: CandidateSlot[] = [];
  const add = (
    therapistId: string,
    discipline: 'PT' | 'PTA',
    specialties: string[],
    locationId: string,
    date: string,
    from: number,
    to: number,
  ) => {
    for (let h = from; h < to; h++) {
      const hh = String(h).padStart(2, '0');
      out.push({
        slotId: `${therapistId}-${date}-${hh}`,
        therapistId,
        discipline,
        specialties,
        locationId,
        start: chicago(date, `${hh}:00`),
        minutesAvailable: 60,
      });
    }
  };
  for (const date of MARCH) {
    const d = weekday(date);
    if (d === 0 || d === 6) continue;
    add(DANA, 'PT', ['orthopedic', 'post-surgical', 'sports'], DOWNTOWN, date, 7, 16);
    add(
      LUIS,
      'PT',
      ['spine', 'vestibular', 'orthopedic'],
      d === 2 || d === 4 ? DOWNTOWN : NORTHSIDE,
      date,
      9,
      18,
    );
    add(KIM, 'PTA', ['orthopedic'], DOWNTOWN, date, 10, 19);
  }
  return out;
}

function activities(slots: CandidateSlot[]) {
  const queries: SlotQuery[] = [];
  const acts = createSchedulingActivities({
    slots: {
      async findFreeSlots(q) {
        queries.push(q);
        return slots;
      },
    },
  });
  return { ...acts, queries };
}

const base: EvaluationRequestInput = {
  acuity: 'acute',
  timeZone: ZONE,
  earliestDate: '2025-03-03',
  latestDate: '2025-03-21',
  preferredLocations: [
    { locationId: DOWNTOWN, distanceKm: 2 },
    { locationId: NORTHSIDE, distanceKm: 14 },
  ],
};

function chosen(r: EvaluationSlotResult): EvaluationSlotChosen {
  if (r.outcome !== 'chosen') throw new Error(`expected a choice, got ${r.explanation}`);
  return r;
}

describe('chooseEvaluationSlot with the real solver', () => {
  it('specialty match beats distance: dizziness goes to the vestibular PT at the far clinic', async () => {
    // Monday only: Luis works at Northside (14 km), Dana and Kim downtown (2 km).
    const r = chosen(
      await activities(demoSlots()).chooseEvaluationSlot({
        ...base,
        diagnosisCode: 'R42',
        latestDate: '2025-03-03',
      }),
    );
    expect(r.choice.therapistId).toBe(LUIS);
    expect(r.choice.locationId).toBe(NORTHSIDE);
    expect(r.choice.start).toBe(chicago('2025-03-03', '09:00'));
    expect(r.explanation).toBe(
      'matched vestibular specialty, location 2 by distance, later the same day as the first available slot, 45-minute acute evaluation',
    );
  });

  it('a knee sprain goes to the orthopedic PT at the nearest clinic, first slot of the day', async () => {
    const r = chosen(
      await activities(demoSlots()).chooseEvaluationSlot({ ...base, diagnosisCode: 'S83.511A' }),
    );
    expect(r.choice).toMatchObject({
      therapistId: DANA,
      locationId: DOWNTOWN,
      start: chicago('2025-03-03', '07:00'),
    });
    expect(r.choice.explanation).toContain(
      'matched orthopedic specialty (knee), nearest location, first available slot',
    );
  });

  it("respects the patient's window across DST and never books the PTA, even when only she fits later", async () => {
    const r = chosen(
      await activities(demoSlots()).chooseEvaluationSlot({
        ...base,
        diagnosisCode: 'M54.50',
        earliestDate: '2025-03-10',
        // Tuesday/Thursday after work: only Luis (downtown until 18:00) and Kim (PTA, until 19:00) are in.
        availability: [
          { weekday: 2, start: '17:00', end: '19:00' },
          { weekday: 4, start: '17:00', end: '19:00' },
        ],
      }),
    );
    expect(r.choice).toMatchObject({
      therapistId: LUIS,
      locationId: DOWNTOWN,
      start: chicago('2025-03-11', '17:00'),
    });
    expect(r.choice.start).toBe('2025-03-11T22:00:00.000Z'); // 17:00 CDT
    expect(r.explanation).toContain("first slot within patient's window");
    for (const alt of r.alternatives) {
      expect(alt.therapistId).not.toBe(KIM);
      expect(alt.start.slice(11, 16)).toBe('22:00');
    }
  });

  it('post-surgical acuity books 75 minutes: 60-minute slots cannot hold it → NoSlotAvailable', async () => {
    const r = await activities(demoSlots()).chooseEvaluationSlot({
      ...base,
      diagnosisCode: 'S83.511A',
      acuity: 'post-surgical',
    });
    expect(r).toMatchObject({ outcome: 'NoSlotAvailable', retryable: false, durationMinutes: 75 });
    const longer = demoSlots().map((s) => ({ ...s, minutesAvailable: 90 }));
    const ok = chosen(
      await activities(longer).chooseEvaluationSlot({
        ...base,
        diagnosisCode: 'S83.511A',
        acuity: 'post-surgical',
      }),
    );
    expect(ok.choice).toMatchObject({ therapistId: DANA, durationMinutes: 75 });
    expect(ok.choice.explanation).toContain('post-surgical experience');
  });

  it('no feasible slot → a typed, non-retryable NoSlotAvailable with counts per reason', async () => {
    const r = await activities(demoSlots()).chooseEvaluationSlot({
      ...base,
      bodyRegion: 'knee',
      availability: [{ weekday: 6, start: '09:00', end: '12:00' }],
    });
    expect(r.outcome).toBe('NoSlotAvailable');
    if (r.outcome !== 'NoSlotAvailable') return;
    expect(r.rejectedBy.patient_window).toBe(r.candidatesConsidered);
    expect(r.explanation).toMatch(/^no feasible slot among \d+ candidates: \d+ outside patient's window/);

    const onlyPta = demoSlots().filter((s) => s.therapistId === KIM);
    const p = await activities(onlyPta).chooseEvaluationSlot({ ...base, bodyRegion: 'knee' });
    expect(p).toMatchObject({
      outcome: 'NoSlotAvailable',
      rejectedBy: { evaluator_discipline: onlyPta.length },
    });
    expect(await activities([]).chooseEvaluationSlot({ ...base, bodyRegion: 'knee' })).toMatchObject({
      outcome: 'NoSlotAvailable',
      candidatesConsidered: 0,
    });
  });

  it('alternatives are distinct, feasible and ordered best first (fallbacks when the slot was taken)', async () => {
    const r = chosen(
      await activities(demoSlots()).chooseEvaluationSlot({ ...base, diagnosisCode: 'M54.50' }),
    );
    const all = [r.choice, ...r.alternatives];
    expect(r.alternatives).toHaveLength(3);
    expect(new Set(all.map((o) => o.slotId)).size).toBe(all.length);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.score).toBeGreaterThanOrEqual(all[i]!.score);
    expect(all.every((o) => o.therapistId !== KIM)).toBe(true);
  });

  it('ties are broken deterministically, whatever order the EMR returns slots in', async () => {
    const slots = demoSlots();
    const req = { ...base, bodyRegion: 'knee' as const, preferredLocations: [], acuity: 'chronic' as const };
    const first = chosen(await activities(slots).chooseEvaluationSlot(req));
    const reversed = chosen(await activities([...slots].reverse()).chooseEvaluationSlot(req));
    expect(reversed).toEqual(first);
    // Two identical slots but for the therapist id: the lower id wins.
    const twin = (therapistId: string): CandidateSlot => ({
      slotId: `twin-${therapistId}`,
      therapistId,
      discipline: 'PT',
      specialties: ['orthopedic'],
      locationId: DOWNTOWN,
      start: chicago('2025-03-04', '10:00'),
      minutesAvailable: 60,
    });
    for (const order of [
      [twin('b'), twin('a')],
      [twin('a'), twin('b')],
    ]) {
      const t = chosen(await activities(order).chooseEvaluationSlot(req));
      expect([t.choice.therapistId, t.alternatives[0]?.therapistId]).toEqual(['a', 'b']);
    }
  });

  it('asks the slot source for PT slots long enough, with a day of margin, and only accepted locations', async () => {
    const a = activities([]);
    await a.chooseEvaluationSlot({ ...base, bodyRegion: 'knee', acuity: 'chronic' });
    expect(a.queries[0]).toEqual({
      from: '2025-03-02T00:00:00Z',
      to: '2025-03-23T00:00:00Z',
      minMinutes: 60,
      discipline: 'PT',
      locationIds: [DOWNTOWN, NORTHSIDE],
    });
    await a.chooseEvaluationSlot({ ...base, bodyRegion: 'knee', otherLocationsAcceptable: true });
    expect(a.queries[1]?.locationIds).toBeUndefined();
  });

  it('an invalid request fails non-retryably', async () => {
    const err = await activities([])
      .chooseEvaluationSlot({ ...base, timeZone: 'Nowhere/Land', bodyRegion: 'knee' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidSchedulingRequest', nonRetryable: true });
  });

  it('the model itself enforces hard constraints: the solver skips a higher-scoring PTA slot', () => {
    const req = EvaluationRequestSchema.parse({ ...base, bodyRegion: 'knee' });
    const a = assessCandidates(req, [
      {
        slotId: 'pta',
        therapistId: KIM,
        discipline: 'PTA',
        specialties: ['orthopedic'],
        locationId: DOWNTOWN,
        start: chicago('2025-03-03', '10:00'),
        minutesAvailable: 60,
      },
      {
        slotId: 'pt',
        therapistId: LUIS,
        discipline: 'PT',
        specialties: [],
        locationId: NORTHSIDE,
        start: chicago('2025-03-14', '10:00'),
        minutesAvailable: 60,
      },
    ]);
    const pta = a.candidates.find((c) => c.slot.slotId === 'pta');
    const pt = a.candidates.find((c) => c.slot.slotId === 'pt');
    expect(pta!.score.total).toBeGreaterThan(pt!.score.total);
    expect(chosenKey(yalpsSolver.solve(buildSelectionModel(a)))).toBe(pt!.key);
  });
});

// ---- property: whatever the candidates, the choice satisfies every hard constraint (independent oracle) ----

const MINUTES = { acute: 45, subacute: 45, chronic: 60, 'post-surgical': 75 } as const;
const local = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
});
function wall(ms: number) {
  const p = Object.fromEntries(local.formatToParts(ms).map((x) => [x.type, x.value]));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    dow: days.indexOf(p.weekday ?? ''),
    min: Number(p.hour) * 60 + Number(p.minute),
  };
}
const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

function oracleOk(s: CandidateSlot, r: ReturnType<typeof EvaluationRequestSchema.parse>): boolean {
  const minutes = MINUTES[r.acuity];
  const startMs = Date.parse(s.start);
  const a = wall(startMs);
  const b = wall(startMs + minutes * 60_000);
  const windowOk =
    r.availability.length === 0 ||
    (a.date === b.date &&
      r.availability.some((w) => w.weekday === a.dow && hm(w.start) <= a.min && b.min <= hm(w.end)));
  const locationOk =
    r.preferredLocations.length === 0 ||
    r.otherLocationsAcceptable ||
    r.preferredLocations.some((l) => l.locationId === s.locationId);
  return (
    s.discipline === 'PT' &&
    s.minutesAvailable >= minutes &&
    a.date >= r.earliestDate &&
    a.date <= r.latestDate &&
    (r.notBefore === undefined || startMs >= Date.parse(r.notBefore)) &&
    windowOk &&
    locationOk
  );
}

const LOCATIONS = [DOWNTOWN, NORTHSIDE, 'loc-east'];
const slotArb = fc.record({
  slotId: fc.uuid(),
  therapistId: fc.constantFrom('th-1', 'th-2', 'th-3', 'th-4'),
  discipline: fc.constantFrom('PT' as const, 'PT' as const, 'PTA' as const),
  specialties: fc.subarray(['orthopedic', 'spine', 'sports', 'vestibular', 'neuro', 'post-surgical', 'hand']),
  locationId: fc.constantFrom(...LOCATIONS),
  // Clinic-hours quarter hours (07:00–18:45 local) on 2025-03-02 … 2025-03-25, crossing the 03-09 DST change.
  start: fc
    .tuple(fc.integer({ min: 2, max: 25 }), fc.integer({ min: 28, max: 75 }))
    .map(([day, q]) =>
      chicago(
        `2025-03-${String(day).padStart(2, '0')}`,
        `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`,
      ),
    ),
  minutesAvailable: fc.constantFrom(30, 45, 60, 75, 90, 90),
});
const requestArb = fc.record({
  diagnosisCode: fc.constantFrom('M54.50', 'S83.511A', 'R42', 'M75.101', 'G56.00', 'Z00.00'),
  acuity: fc.constantFrom(
    'post-surgical' as const,
    'acute' as const,
    'subacute' as const,
    'chronic' as const,
  ),
  timeZone: fc.constant(ZONE),
  earliestDate: fc.integer({ min: 2, max: 12 }).map((d) => `2025-03-${String(d).padStart(2, '0')}`),
  latestDate: fc.integer({ min: 12, max: 25 }).map((d) => `2025-03-${String(d).padStart(2, '0')}`),
  availability: fc.array(
    fc
      .record({
        weekday: fc.integer({ min: 0, max: 6 }),
        from: fc.integer({ min: 7, max: 14 }),
        len: fc.integer({ min: 2, max: 9 }),
      })
      .map((w) => ({
        weekday: w.weekday,
        start: `${String(w.from).padStart(2, '0')}:00`,
        end: `${String(Math.min(24, w.from + w.len)).padStart(2, '0')}:00`,
      })),
    { maxLength: 3 },
  ),
  preferredLocations: fc.subarray(LOCATIONS).map((ls) => ls.map((locationId) => ({ locationId }))),
  otherLocationsAcceptable: fc.boolean(),
  notBefore: fc.option(
    fc
      .integer({ min: 0, max: 10 * 24 })
      .map((h) => new Date(Date.UTC(2025, 2, 2) + h * 3_600_000).toISOString()),
    { nil: undefined },
  ),
});

describe('property: hard constraints always hold', () => {
  it('the choice and every alternative pass an independent check; no choice only when nothing passes; choice is optimal', async () => {
    let chosenRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        requestArb,
        fc.array(slotArb, { minLength: 1, maxLength: 60, size: 'medium' }),
        async (input, slots) => {
          const req = EvaluationRequestSchema.parse(input);
          const result = await activities(slots).chooseEvaluationSlot(input);
          const byId = new Map(slots.map((s) => [s.slotId, s]));
          const anyOk = slots.some((s) => oracleOk(s, req));
          if (result.outcome === 'chosen') chosenRuns += 1;
          if (result.outcome === 'NoSlotAvailable') {
            expect(anyOk).toBe(false);
            return;
          }
          for (const o of [result.choice, ...result.alternatives]) {
            const s = byId.get(o.slotId);
            expect(s && oracleOk(s, req)).toBe(true);
          }
          const best = Math.max(
            ...assessCandidates(req, slots)
              .candidates.filter((c) => oracleOk(c.slot, req))
              .map((c) => c.score.total),
          );
          expect(result.choice.score).toBe(best);
        },
      ),
      { numRuns: 200 },
    );
    // Guard against a vacuous property: the generators must often produce feasible candidates.
    expect(chosenRuns).toBeGreaterThan(40);
  });
});

// ---- property: ranking directly is the solver's answer (issue 15: the activity no longer solves a program) ----

describe('property: rankCandidates equals the 0/1 program solved with yalps', () => {
  it('best first and each next best with the previous picks excluded, as the MIP picks them', () => {
    fc.assert(
      fc.property(
        requestArb,
        fc.array(slotArb, { minLength: 0, maxLength: 60, size: 'medium' }),
        (input, slots) => {
          const assessment = assessCandidates(EvaluationRequestSchema.parse(input), slots);
          const bySolver: string[] = [];
          while (bySolver.length < 4) {
            const key = chosenKey(yalpsSolver.solve(buildSelectionModel(assessment, new Set(bySolver))));
            if (key === undefined) break;
            bySolver.push(key);
          }
          expect(rankCandidates(assessment, 4)).toEqual(bySolver);
        },
      ),
      { numRuns: 150 },
    );
  });
});
