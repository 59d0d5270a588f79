// Booking a plan of care's series of visits jointly (issue 18 part 3): e.g. 2×/week for 6 weeks, chosen
// together so that one therapist sees the patient throughout when possible, inside the patient's weekly
// windows, with a free device when the plan needs one, never more visits than the authorization has left nor
// after its end date, at least a day apart, and long enough where the patient's history shows visits run
// long. Choosing one slot is an argmax (model.ts ranks directly); choosing a series is a real 0/1 program:
// the visits of one week compete with each other (spacing), every visit competes for the authorization's
// remaining count, and continuity couples all of them through the therapist chosen. Pure: the activity solves
// the model behind the Solver port and books what it picked.
import { z } from 'zod';
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';
import { findEffective, type Effective } from '../core/effective.js';
import { isValidTimeZone } from '../core/zoned.js';
import { IsoDateSchema } from '../model/common.js';
import { EQUIPMENT_KINDS } from './equipment.js';
import { withinWindows } from './feasibility.js';
import { instantMs, localParts } from './local-time.js';
import type { LpConstraint, LpModel, LpSolution } from './ports.js';
import { AcuitySchema, AvailabilityWindowSchema, IsoInstantSchema, type Acuity } from './types.js';

// ---- rules as data: visit lengths and when history asks for longer ones ----

export interface SeriesVisitLengthRow extends Effective {
  acuity: Acuity;
  minutes: number;
  why: string;
}

const LENGTH_SOURCE =
  'practice scheduling default: a treatment visit books 3 timed units (CMS 8-minute rule, R6) plus set-up; ' +
  'post-surgical protocols add wound/ROM checks';
const LENGTH_VERIFY = 'VERIFY: visit lengths are practice policy, confirm with the clinical director';
const lengthRow = (acuity: Acuity, minutes: number, why: string): SeriesVisitLengthRow => ({
  acuity,
  minutes,
  why,
  effectiveFrom: '2020-01-01',
  effectiveTo: null,
  source: LENGTH_SOURCE,
  verify: LENGTH_VERIFY,
});

export const SERIES_VISIT_LENGTHS: readonly SeriesVisitLengthRow[] = [
  lengthRow('acute', 45, 'three timed units and set-up'),
  lengthRow('subacute', 45, 'three timed units and set-up'),
  lengthRow('chronic', 45, 'three timed units and set-up'),
  lengthRow('post-surgical', 60, 'protocol checks (wound, ROM, precautions) before the treatment units'),
];

export interface LongerVisitRule extends Effective {
  /** Look at this many most recent visits … */
  lookback: number;
  /** … and when at least this many ran this many minutes over the standard length … */
  atLeast: number;
  overrunMinutes: number;
  /** … book the longest of them, rounded up to this grid. */
  roundTo: number;
}

export const LONGER_VISIT_RULES: readonly LongerVisitRule[] = [
  {
    lookback: 3,
    atLeast: 2,
    overrunMinutes: 10,
    roundTo: 15,
    effectiveFrom: '2020-01-01',
    effectiveTo: null,
    source: 'practice scheduling policy: two of the last three visits overran by 10+ minutes',
    verify: LENGTH_VERIFY,
  },
];

export interface VisitLength {
  minutes: number;
  /** Why this length, for the front desk. */
  why: string;
}

/**
 * How long each visit of the series is booked for, on `date`: the acuity's standard, or longer when the
 * patient's recent visits (`historyMinutes`, newest first: minutes the visits really took) show it is needed.
 */
export function seriesVisitLength(
  acuity: Acuity,
  date: IsoDate,
  historyMinutes: readonly number[] = [],
  tables: {
    lengths?: readonly SeriesVisitLengthRow[];
    longer?: readonly LongerVisitRule[];
  } = {},
): VisitLength {
  const row = findEffective(tables.lengths ?? SERIES_VISIT_LENGTHS, date, (r) => r.acuity === acuity);
  if (!row) throw new RangeError(`no visit length for acuity ${acuity} on ${date}`);
  const standard: VisitLength = {
    minutes: row.minutes,
    why: `${row.minutes} minutes, the standard ${acuity.replace('-', ' ')} visit (${row.why})`,
  };
  const rule = findEffective(tables.longer ?? LONGER_VISIT_RULES, date);
  if (!rule) return standard;
  const recent = historyMinutes.slice(0, rule.lookback);
  const over = recent.filter((m) => m >= row.minutes + rule.overrunMinutes);
  if (over.length < rule.atLeast) return standard;
  const minutes = Math.ceil(Math.max(...over) / rule.roundTo) * rule.roundTo;
  return {
    minutes,
    why:
      `${minutes} minutes instead of the standard ${row.minutes}: ${over.length} of the last ` +
      `${recent.length} visits took ${rule.overrunMinutes}+ minutes longer`,
  };
}

// ---- the request and the candidates ----

export const SeriesRequestSchema = z
  .object({
    acuity: AcuitySchema,
    visitsPerWeek: z.number().int().min(1).max(5),
    weeks: z.number().int().min(1).max(26),
    /** First local date the series may start on. */
    startDate: IsoDateSchema,
    timeZone: z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' }),
    /** Empty = any time the clinic is open. */
    availability: z.array(AvailabilityWindowSchema).default([]),
    /** Usually the evaluating therapist: continuity of care. */
    preferredTherapistId: z.string().min(1).optional(),
    preferredLocationId: z.string().min(1).optional(),
    /** The plan needs a device of this kind at every visit. */
    equipmentKind: z.enum(EQUIPMENT_KINDS).optional(),
    /** What the authorization still allows; absent = no authorization limits the series. */
    authorization: z
      .object({
        visitsRemaining: z.number().int().min(0).optional(),
        endDate: IsoDateSchema.optional(),
      })
      .optional(),
    /** Lower bound on every start (workflow time); the domain never reads a clock. */
    notBefore: IsoInstantSchema.optional(),
  })
  .strict();
export type SeriesRequestInput = z.input<typeof SeriesRequestSchema>;
export type SeriesRequest = z.infer<typeof SeriesRequestSchema>;

/** A free slot of a therapist, with the device that is free for it when the plan needs one. */
export interface SeriesSlot {
  slotId: string;
  therapistId: string;
  locationId: string;
  start: string;
  minutesAvailable: number;
  equipmentId?: string;
  /** The room with a free unit for the visit (absent: the location has no rooms). */
  roomId?: string;
  /** Units of that room free for the visit: the room's capacity row for this time in the model. */
  roomUnitsFree?: number;
}

export interface SeriesCandidate {
  key: string;
  slot: SeriesSlot;
  date: IsoDate;
  /** 0-based week of the series. */
  week: number;
  score: number;
}

/** The last local date of the series and the authorization's end, whichever comes first. */
export function seriesLastDate(request: SeriesRequest): IsoDate {
  const end = addDays(request.startDate, request.weeks * 7 - 1);
  const authEnd = request.authorization?.endDate;
  return authEnd !== undefined && authEnd < end ? authEnd : end;
}

/** Visits the series may book in all: the plan's count, capped by what the authorization has left. */
export function seriesCap(request: SeriesRequest): number {
  const planned = request.visitsPerWeek * request.weeks;
  const left = request.authorization?.visitsRemaining;
  return left === undefined ? planned : Math.min(planned, left);
}

/**
 * One slot per therapist and day enters the model: the best by score, then the earliest. This loses nothing:
 * every row of the program reads only a candidate's date, week and therapist, so slots of one therapist on one
 * day are interchangeable there and the best-valued one dominates the others. (Three per day made a 2×/week,
 * 6-week series a 378-binary program that yalps could not prove optimal in 10 s; one per day is a third.)
 */
export const SLOTS_PER_THERAPIST_DAY = 1;

/**
 * The slots that may be part of the series (every hard rule holds), scored: continuity with the preferred
 * therapist, the preferred location, and earlier in the day as a tie-break. `needsDevice` drops slots without
 * a free device (the activity assigns one per slot before).
 */
export function seriesCandidates(
  request: SeriesRequest,
  slots: readonly SeriesSlot[],
  visitMinutes: number,
): SeriesCandidate[] {
  const last = seriesLastDate(request);
  const notBefore = request.notBefore !== undefined ? instantMs(request.notBefore) : -Infinity;
  const feasible: SeriesCandidate[] = [];
  for (const slot of slots) {
    if (slot.minutesAvailable < visitMinutes) continue;
    if (request.equipmentKind !== undefined && slot.equipmentId === undefined) continue;
    const startMs = instantMs(slot.start);
    if (!(startMs >= notBefore)) continue;
    const endMs = startMs + visitMinutes * 60_000;
    const localStart = localParts(startMs, request.timeZone);
    const date = localStart.date;
    if (date < request.startDate || date > last) continue;
    const timing = { startMs, endMs, localStart, localEnd: localParts(endMs, request.timeZone) };
    if (!withinWindows(request.availability, timing)) continue;
    const score =
      (slot.therapistId === request.preferredTherapistId ? 20 : 0) +
      (slot.locationId === request.preferredLocationId ? 10 : 0);
    feasible.push({
      key: `v${feasible.length}`,
      slot,
      date,
      week: Math.floor(daysBetween(request.startDate, date) / 7),
      score,
    });
  }
  // Deterministic order: by start, then therapist, then slot id; keep the best few per therapist and day.
  feasible.sort(
    (a, b) =>
      instantMs(a.slot.start) - instantMs(b.slot.start) ||
      a.slot.therapistId.localeCompare(b.slot.therapistId) ||
      a.slot.slotId.localeCompare(b.slot.slotId),
  );
  const perDay = new Map<string, number>();
  const kept: SeriesCandidate[] = [];
  for (const c of [...feasible].sort((a, b) => b.score - a.score)) {
    const k = `${c.slot.therapistId} ${c.date}`;
    const n = perDay.get(k) ?? 0;
    if (n >= SLOTS_PER_THERAPIST_DAY) continue;
    perDay.set(k, n + 1);
    kept.push(c);
  }
  const keep = new Set(kept);
  return feasible.filter((c) => keep.has(c)).map((c, i) => ({ ...c, key: `v${i}` }));
}

// ---- the 0/1 program ----

/** Objective weights, lexicographic: visits booked ≫ therapists used ≫ score ≫ earlier position. */
export const SERIES_WEIGHTS = { visit: 10_000_000, therapist: 1_000_000, score: 1_000 } as const;

const therapistVar = (therapistId: string) => `t:${therapistId}`;

/**
 * One binary per candidate (book it) and per therapist (sees the patient at all). Rows: at most
 * `visitsPerWeek` per week; one visit per local day and, up to 3×/week, never on consecutive days; at most
 * the cap (plan count, authorization's remaining visits) in all; a candidate only with its therapist chosen;
 * per room and start time, no more visits than the room has free units (its capacity less the units others hold).
 * The objective books as many visits as possible, then with as few therapists as possible, then the best
 * scored and earliest slots.
 */
export function buildSeriesModel(request: SeriesRequest, candidates: readonly SeriesCandidate[]): LpModel {
  const constraints: Record<string, LpConstraint> = { total: { max: seriesCap(request) } };
  const variables: Record<string, Record<string, number>> = {};
  const n = candidates.length;
  const spacing = request.visitsPerWeek <= 3;
  const therapists = new Set<string>();
  candidates.forEach((c, position) => {
    const t = therapistVar(c.slot.therapistId);
    therapists.add(t);
    const coefficients: Record<string, number> = {
      objective:
        SERIES_WEIGHTS.visit +
        c.score * SERIES_WEIGHTS.score +
        ((n - position) / (n + 1)) * SERIES_WEIGHTS.score,
      total: 1,
      [`week:${c.week}`]: 1,
      [`day:${c.date}`]: 1,
      [`link:${c.key}`]: 1,
    };
    // "Not on consecutive days": the pair (d-1, d) and the pair (d, d+1) each hold at most one visit.
    if (spacing) {
      coefficients[`pair:${c.date}`] = 1;
      coefficients[`pair:${addDays(c.date, -1)}`] = 1;
      constraints[`pair:${c.date}`] = { max: 1 };
      constraints[`pair:${addDays(c.date, -1)}`] = { max: 1 };
    }
    constraints[`week:${c.week}`] = { max: request.visitsPerWeek };
    constraints[`day:${c.date}`] = { max: 1 };
    constraints[`link:${c.key}`] = { max: 0 };
    if (c.slot.roomId !== undefined) {
      const row = `room:${c.slot.roomId}@${c.slot.start}`;
      coefficients[row] = 1;
      constraints[row] = { max: c.slot.roomUnitsFree ?? 1 };
    }
    variables[c.key] = coefficients;
  });
  for (const t of therapists) {
    const coefficients: Record<string, number> = { objective: -SERIES_WEIGHTS.therapist };
    for (const c of candidates)
      if (therapistVar(c.slot.therapistId) === t) coefficients[`link:${c.key}`] = -1;
    variables[t] = coefficients;
  }
  return {
    direction: 'maximize',
    objective: 'objective',
    constraints,
    variables,
    binaries: [...candidates.map((c) => c.key), ...therapists],
  };
}

// ---- the result ----

export type WeekShortfall =
  /** The authorization's remaining visits are used up by earlier weeks. */
  | 'authorization_visits'
  /** The week (or part of it) lies after the authorization's end date. */
  | 'authorization_end'
  /** No slot where therapist, place (and device) are free inside the patient's windows. */
  | 'no_free_slot'
  /** Free slots exist, but only on the same or back-to-back days as the week's other visits. */
  | 'spacing';

export interface SeriesWeek {
  week: number;
  from: IsoDate;
  to: IsoDate;
  wanted: number;
  booked: number;
  shortfall?: WeekShortfall;
}

export interface SeriesPlan {
  requested: number;
  cap: number;
  visitMinutes: number;
  visits: { key: string; slot: SeriesSlot; date: IsoDate; week: number }[];
  weeks: SeriesWeek[];
  /** False when the solver stopped at its limit: a valid plan, not proven the best. */
  proven: boolean;
  /** Therapists seeing the patient, most visits first. */
  therapists: string[];
}

/** The plan the solution picks (an infeasible or failed solve books nothing). */
export function decodeSeries(
  request: SeriesRequest,
  candidates: readonly SeriesCandidate[],
  solution: LpSolution,
  visitMinutes: number,
): SeriesPlan {
  // A solve stopped at its time limit still returns its best integer solution (every row holds): book that.
  const usable =
    solution.status === 'optimal' || (solution.status === 'timedout' && Number.isFinite(solution.result));
  const picked = new Set(usable ? solution.variables.filter(([, v]) => v > 0.5).map(([k]) => k) : []);
  const visits = candidates
    .filter((c) => picked.has(c.key))
    .map((c) => ({ key: c.key, slot: c.slot, date: c.date, week: c.week }));
  const cap = seriesCap(request);
  const authEnd = request.authorization?.endDate;
  const weeks: SeriesWeek[] = [];
  let bookedBefore = 0;
  for (let w = 0; w < request.weeks; w++) {
    const from = addDays(request.startDate, w * 7);
    const to = addDays(from, 6);
    const booked = visits.filter((v) => v.week === w).length;
    const week: SeriesWeek = { week: w, from, to, wanted: request.visitsPerWeek, booked };
    if (booked < request.visitsPerWeek) {
      const inWeek = candidates.filter((c) => c.week === w);
      week.shortfall =
        bookedBefore + booked >= cap && cap < request.visitsPerWeek * request.weeks
          ? 'authorization_visits'
          : authEnd !== undefined && authEnd < to
            ? 'authorization_end'
            : new Set(inWeek.map((c) => c.date)).size <= booked
              ? 'no_free_slot'
              : 'spacing';
    }
    bookedBefore += booked;
    weeks.push(week);
  }
  const count = new Map<string, number>();
  for (const v of visits) count.set(v.slot.therapistId, (count.get(v.slot.therapistId) ?? 0) + 1);
  const therapists = [...count.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
  return {
    requested: request.visitsPerWeek * request.weeks,
    cap,
    visitMinutes,
    visits,
    weeks,
    therapists,
    proven: solution.status === 'optimal',
  };
}

/** Names the front desk knows, by id (staff and places are not PHI). */
export interface SeriesNames {
  therapist(id: string): string;
  location(id: string): string;
  equipment?(id: string): string;
  room?(id: string): string;
}

/** How rooms shaped the plan (given when the practice has rooms). */
export interface SeriesRoomContext {
  /** Times a therapist was free that were left out because every suitable room was full then. */
  slotsWithoutRoom: number;
}

const WEEKDAYS = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

const clock = (minuteOfDay: number) => {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''} ${h < 12 ? 'am' : 'pm'}`;
};

/**
 * The plan in words the front desk reads to the patient and acts on: how many visits, with whom, where and
 * when, how long and why, what the authorization allows, and week by week what could not be booked and why.
 * Staff names, places and dates only: nothing about the patient.
 */
export function explainSeries(
  request: SeriesRequest,
  plan: SeriesPlan,
  lengthWhy: string,
  names: SeriesNames,
  rooms?: SeriesRoomContext,
): string[] {
  const lines: string[] = [];
  const freq = `${request.visitsPerWeek}×/week for ${request.weeks} week${request.weeks === 1 ? '' : 's'}`;
  if (plan.visits.length === 0) {
    lines.push(`No visit of the series (${freq}) could be booked.`);
  } else {
    const who = plan.therapists.map((t) => names.therapist(t));
    const where = [...new Set(plan.visits.map((v) => names.location(v.slot.locationId)))];
    const days = [
      ...new Set(plan.visits.map((v) => localParts(instantMs(v.slot.start), request.timeZone).weekday)),
    ]
      .sort()
      .map((d) => WEEKDAYS[d]);
    const first = plan.visits[0]!;
    const lastVisit = plan.visits[plan.visits.length - 1]!;
    const firstClock = clock(localParts(instantMs(first.slot.start), request.timeZone).minuteOfDay);
    const dayList =
      days.length > 1 ? `${days.slice(0, -1).join(', ')} and ${days[days.length - 1]}` : `${days[0]}`;
    lines.push(
      `Booked ${plan.visits.length} of ${plan.requested} visits (${freq}) from ${first.date} to ` +
        `${lastVisit.date}, on ${dayList}, first visit at ${firstClock}, at ${where.join(' and ')}.`,
    );
    lines.push(
      who.length === 1
        ? `${who[0]} sees the patient at every visit.`
        : `${who[0]} sees the patient at most visits; ${who.slice(1).join(', ')} cover${who.length === 2 ? 's' : ''} the ` +
            `weeks ${who[0]} had no free time the patient can make.`,
    );
    if (request.preferredTherapistId !== undefined && !plan.therapists.includes(request.preferredTherapistId))
      lines.push(`${names.therapist(request.preferredTherapistId)} had no free time the patient can make.`);
  }
  lines.push(`Each visit is booked for ${lengthWhy}.`);
  if (request.equipmentKind !== undefined) {
    const devices = [
      ...new Set(plan.visits.flatMap((v) => (v.slot.equipmentId ? [v.slot.equipmentId] : []))),
    ];
    const label = request.equipmentKind.replace(/-/g, ' ');
    lines.push(
      `Every visit has the ${label} reserved${
        devices.length > 0 && names.equipment
          ? ` (${devices.map((d) => names.equipment!(d)).join(', ')})`
          : ''
      }; times when it is booked or in maintenance were not offered.`,
    );
  }
  if (rooms && rooms.slotsWithoutRoom > 0) {
    const roomIds = [...new Set(plan.visits.flatMap((v) => (v.slot.roomId ? [v.slot.roomId] : [])))];
    const n = rooms.slotsWithoutRoom;
    lines.push(
      `${n} time${n === 1 ? '' : 's'} a therapist was free ${n === 1 ? 'was' : 'were'} not offered because every ` +
        `room there was full then` +
        (roomIds.length > 0 && names.room
          ? `; the visits have a place in ${roomIds.map((r) => names.room!(r)).join(', ')}.`
          : '.'),
    );
  }
  const auth = request.authorization;
  if (auth?.visitsRemaining !== undefined || auth?.endDate !== undefined) {
    const parts = [
      auth.visitsRemaining !== undefined
        ? `${auth.visitsRemaining} more visit${auth.visitsRemaining === 1 ? '' : 's'}`
        : undefined,
      auth.endDate !== undefined ? `until ${auth.endDate}` : undefined,
    ].filter(Boolean);
    lines.push(
      `The authorization allows ${parts.join(', ')}` +
        (plan.visits.length < plan.requested &&
        plan.weeks.some((w) => w.shortfall?.startsWith('authorization'))
          ? ': the rest of the plan needs an extension before it can be booked.'
          : '.'),
    );
  }
  if (!plan.proven)
    lines.push(
      plan.visits.length > 0
        ? 'The plan was found within the time limit; a better one may exist (ask again to re-plan).'
        : 'No plan was found within the time limit: try fewer weeks or more availability.',
    );
  for (const w of plan.weeks) {
    if (!w.shortfall) continue;
    const missing = w.wanted - w.booked;
    const what = `Week ${w.week + 1} (${w.from} to ${w.to}): ${missing} visit${missing === 1 ? '' : 's'} not booked`;
    lines.push(
      `${what} — ${
        {
          authorization_visits: 'the authorization has no visits left for it',
          authorization_end: 'the authorization ends before then',
          no_free_slot: rooms
            ? `no time when the therapist, a room${request.equipmentKind !== undefined ? ' and the equipment' : ''} are free within the patient’s availability`
            : request.equipmentKind !== undefined
              ? 'no time when the therapist and the equipment are free within the patient’s availability'
              : 'no free time with a therapist within the patient’s availability',
          spacing: 'the only free times were on the same or the next day as another visit',
        }[w.shortfall]
      }.`,
    );
  }
  return lines;
}
