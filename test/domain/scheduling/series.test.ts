// Series booking (issue 18 part 3): the 0/1 program solved with the real yalps solver against a brute-force
// oracle on small generated cases (every subset of the candidates), the rules it must keep (authorization's
// remaining visits and end date, one visit a day and none on back-to-back days, the weekly frequency,
// continuity), the visit-length rules from history, equipment availability and maintenance windows, and the
// front-desk explanation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yalpsSolver } from '../../../activities/onboarding/scheduling.js';
import { addDays, daysBetween } from '../../../domain/core/dates.js';
import {
  buildSeriesModel,
  decodeSeries,
  explainSeries,
  freeUnit,
  maintenanceWindows,
  seriesCandidates,
  SeriesRequestSchema,
  seriesVisitLength,
  type SeriesCandidate,
  type SeriesRequest,
  type SeriesSlot,
} from '../../../domain/scheduling/index.js';

const ZONE = 'America/Chicago';
// Monday 2027-01-04, 08:00 in Chicago (CST, UTC−6).
const MONDAY_8AM = Date.parse('2027-01-04T14:00:00Z');
const at = (day: number, hour: number) =>
  new Date(MONDAY_8AM + day * 86_400_000 + hour * 3_600_000).toISOString();

const slot = (therapistId: string, day: number, hour: number, minutes = 60): SeriesSlot => ({
  slotId: `${therapistId}-${day}-${hour}`,
  therapistId,
  locationId: 'loc-1',
  start: at(day, hour),
  minutesAvailable: minutes,
});

/** Lexicographic value the model maximises, computed plainly: visits, then fewer therapists, then score. */
function valueOf(chosen: readonly SeriesCandidate[]) {
  return [
    chosen.length,
    0 - new Set(chosen.map((c) => c.slot.therapistId)).size || 0,
    chosen.reduce((s, c) => s + c.score, 0),
  ];
}
const better = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
};

/** Every rule a series must keep, checked on the chosen candidates. */
function keepsRules(request: SeriesRequest, chosen: readonly SeriesCandidate[]): boolean {
  const dates = chosen.map((c) => c.date).sort();
  for (let i = 1; i < dates.length; i++) {
    const gap = daysBetween(dates[i - 1]!, dates[i]!);
    if (gap === 0 || (request.visitsPerWeek <= 3 && gap === 1)) return false;
  }
  const perWeek = new Map<number, number>();
  for (const c of chosen) perWeek.set(c.week, (perWeek.get(c.week) ?? 0) + 1);
  if ([...perWeek.values()].some((n) => n > request.visitsPerWeek)) return false;
  const left = request.authorization?.visitsRemaining;
  if (left !== undefined && chosen.length > left) return false;
  const end = request.authorization?.endDate;
  if (end !== undefined && chosen.some((c) => c.date > end)) return false;
  return true;
}

function bruteForceBest(request: SeriesRequest, candidates: readonly SeriesCandidate[]): number[] {
  let best = [0, 0, 0];
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const chosen = candidates.filter((_, i) => mask & (1 << i));
    if (!keepsRules(request, chosen)) continue;
    const v = valueOf(chosen);
    if (better(v, best)) best = v;
  }
  return best;
}

const requestArb = fc.record({
  visitsPerWeek: fc.integer({ min: 1, max: 3 }),
  weeks: fc.integer({ min: 1, max: 2 }),
  remaining: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  endDay: fc.option(fc.integer({ min: 0, max: 13 }), { nil: undefined }),
  preferred: fc.constantFrom('A', 'B', undefined),
});
const slotsArb = fc.uniqueArray(
  fc.record({
    t: fc.constantFrom('A', 'B', 'C'),
    day: fc.integer({ min: 0, max: 13 }),
    hour: fc.integer({ min: 0, max: 2 }),
  }),
  { maxLength: 12, selector: (s) => `${s.t}-${s.day}-${s.hour}` },
);

describe('series model solved with yalps', () => {
  it('books what a brute-force search over every subset finds best, and keeps every rule', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(requestArb, slotsArb, (r, raw) => {
        const request = SeriesRequestSchema.parse({
          acuity: 'acute',
          visitsPerWeek: r.visitsPerWeek,
          weeks: r.weeks,
          startDate: '2027-01-04',
          timeZone: ZONE,
          ...(r.preferred ? { preferredTherapistId: r.preferred } : {}),
          authorization: {
            ...(r.remaining !== undefined ? { visitsRemaining: r.remaining } : {}),
            ...(r.endDay !== undefined ? { endDate: addDays('2027-01-04', r.endDay) } : {}),
          },
        });
        const candidates = seriesCandidates(
          request,
          raw.map((s) => slot(s.t, s.day, s.hour)),
          45,
        );
        const plan = decodeSeries(
          request,
          candidates,
          yalpsSolver.solve(buildSeriesModel(request, candidates)),
          45,
        );
        const chosen = candidates.filter((c) => plan.visits.some((v) => v.key === c.key));
        expect(keepsRules(request, chosen)).toBe(true);
        expect(valueOf(chosen)).toEqual(bruteForceBest(request, candidates));
        // Keeping one slot per therapist and day loses nothing: the best over every slot is the same.
        const unreduced = raw.flatMap((s) => seriesCandidates(request, [slot(s.t, s.day, s.hour)], 45));
        expect(valueOf(chosen)).toEqual(bruteForceBest(request, unreduced));
        if (chosen.length > 0) nonEmpty++;
      }),
      { numRuns: 120 },
    );
    expect(nonEmpty).toBeGreaterThan(40);
  });

  it('books 2×/week for 6 weeks with one therapist, capped by the authorization, and says so', () => {
    const slots: SeriesSlot[] = [];
    for (let day = 0; day < 45; day++)
      for (const t of ['A', 'B']) for (let h = 0; h < 4; h++) slots.push(slot(t, day, h));
    // B (the evaluating therapist) is away on the second week's Tuesday and Thursday.
    const free = slots.filter(
      (s) => !(s.therapistId === 'B' && (s.slotId.startsWith('B-8-') || s.slotId.startsWith('B-10-'))),
    );
    const request = SeriesRequestSchema.parse({
      acuity: 'post-surgical',
      visitsPerWeek: 2,
      weeks: 6,
      startDate: '2027-01-04',
      timeZone: ZONE,
      preferredTherapistId: 'B',
      availability: [
        { weekday: 2, start: '08:00', end: '12:00' },
        { weekday: 4, start: '08:00', end: '12:00' },
        { weekday: 5, start: '08:00', end: '12:00' },
      ],
      authorization: { visitsRemaining: 10, endDate: '2027-02-10' },
    });
    const length = seriesVisitLength('post-surgical', '2027-01-04', [72, 50, 75]);
    expect(length.minutes).toBe(75);
    const candidates = seriesCandidates(
      request,
      free.map((s) => ({ ...s, minutesAvailable: 75 })),
      length.minutes,
    );
    const plan = decodeSeries(
      request,
      candidates,
      yalpsSolver.solve(buildSeriesModel(request, candidates)),
      75,
    );
    expect(plan.visits).toHaveLength(10);
    expect(plan.therapists).toEqual(['B']);
    expect(plan.visits.every((v) => v.date <= '2027-02-10')).toBe(true);
    // Week 2: Tuesday and Thursday are gone for B, so Friday (and not Wednesday, the patient cannot come).
    expect(plan.visits.filter((v) => v.week === 1).map((v) => v.date)).toEqual(['2027-01-15']);
    expect(plan.weeks[1]).toMatchObject({ booked: 1, shortfall: 'spacing' });
    // The tenth visit goes to week 6 (before the authorization's end), then the visits are used up.
    expect(plan.weeks[5]).toMatchObject({ booked: 1, shortfall: 'authorization_visits' });
    const text = explainSeries(request, plan, length.why, {
      therapist: (id) => (id === 'B' ? 'Dana Reyes, PT' : 'Luis Ortega, PT'),
      location: () => 'Downtown',
    });
    expect(text[0]).toBe(
      'Booked 10 of 12 visits (2×/week for 6 weeks) from 2027-01-05 to 2027-02-09, on Tuesdays, Thursdays and Fridays, first visit at 8 am, at Downtown.',
    );
    expect(text).toContain('Dana Reyes, PT sees the patient at every visit.');
    expect(text).toContain(
      'Each visit is booked for 75 minutes instead of the standard 60: 2 of the last 3 visits took 10+ minutes longer.',
    );
    expect(text).toContain(
      'The authorization allows 10 more visits, until 2027-02-10: the rest of the plan needs an extension before it can be booked.',
    );
    expect(text).toContain(
      'Week 6 (2027-02-08 to 2027-02-14): 1 visit not booked — the authorization has no visits left for it.',
    );
  });
});

describe('visit length rules', () => {
  it('books the acuity standard unless two of the last three visits overran by 10+ minutes', () => {
    expect(seriesVisitLength('acute', '2027-01-04').minutes).toBe(45);
    expect(seriesVisitLength('post-surgical', '2027-01-04').minutes).toBe(60);
    expect(seriesVisitLength('acute', '2027-01-04', [55, 40, 50]).minutes).toBe(45);
    expect(seriesVisitLength('acute', '2027-01-04', [55, 40, 58]).minutes).toBe(60);
    // Only the last three count.
    expect(seriesVisitLength('acute', '2027-01-04', [40, 40, 40, 70, 70]).minutes).toBe(45);
  });
});

describe('equipment', () => {
  const units = [
    { equipmentId: 'alterg-1', locationId: 'loc-1', kind: 'anti-gravity-treadmill' as const },
    {
      equipmentId: 'alterg-2',
      locationId: 'loc-1',
      kind: 'anti-gravity-treadmill' as const,
      sessionMinutes: 20,
    },
  ];
  const nine = Date.parse('2027-01-05T15:00:00Z');
  const need = {
    kind: 'anti-gravity-treadmill' as const,
    locationId: 'loc-1',
    startMs: nine,
    visitMinutes: 60,
    date: '2027-01-05',
  };

  it('gives the first device free for its session, none when all are taken, none at another location', () => {
    expect(freeUnit(units, [], need)?.equipmentId).toBe('alterg-1');
    const busy1 = {
      equipmentId: 'alterg-1',
      startMs: nine + 20 * 60_000,
      endMs: nine + 50 * 60_000,
      purpose: 'visit' as const,
    };
    expect(freeUnit(units, [busy1], need)?.equipmentId).toBe('alterg-2');
    // alterg-2 is held 20 minutes only: a booking from 09:20 does not collide with it.
    const busy2 = { ...busy1, equipmentId: 'alterg-2' };
    expect(freeUnit(units, [busy1, busy2], need)?.equipmentId).toBe('alterg-2');
    const busy3 = { ...busy2, startMs: nine + 10 * 60_000 };
    expect(freeUnit(units, [busy1, busy3], need)).toBeUndefined();
    expect(freeUnit(units, [], { ...need, locationId: 'loc-2' })).toBeUndefined();
  });

  it('expands weekly maintenance rules into windows on local dates, within their effective dates, across DST', () => {
    const rule = {
      ruleId: 'r1',
      equipmentId: 'alterg-1',
      weekday: 1,
      start: '07:00',
      end: '09:00',
      effectiveFrom: '2027-03-01',
      effectiveTo: '2027-03-21',
      source: 'maker service contract',
    };
    const windows = maintenanceWindows([rule], '2027-02-22', '2027-03-31', ZONE);
    expect(windows.map((w) => w.date)).toEqual(['2027-03-01', '2027-03-08', '2027-03-15']);
    // 07:00 CST = 13:00Z before the change (2027-03-14), 07:00 CDT = 12:00Z after.
    expect(new Date(windows[0]!.startMs).toISOString()).toBe('2027-03-01T13:00:00.000Z');
    expect(new Date(windows[2]!.startMs).toISOString()).toBe('2027-03-15T12:00:00.000Z');
  });
});
