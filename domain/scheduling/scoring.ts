// Soft preferences as integer points. The weights are data so the ordering they imply is reviewable in one
// place: a specialty match outweighs the best location plus the soonest day (a knee patient is better served
// by an orthopedic PT across town than by a vestibular PT next door), and sooner care beats a small
// location preference only within two weeks.
import { daysBetween, type IsoDate } from '../core/dates.js';
import type { SpecialtyNeed } from './body-regions.js';
import type { CandidateSlot, EvaluationRequest, PreferredLocation, Specialty } from './types.js';

export const SCORING_WEIGHTS = {
  /** The region's best-fit specialty (first in the list). */
  primarySpecialty: 60,
  /** Any other specialty on the region's list. */
  secondarySpecialty: 40,
  /** Post-surgical acuity and a therapist tagged post-surgical. */
  postSurgicalExperience: 10,
  /** By rank among the patient's preferred locations; beyond the list's length the last value applies. */
  locationByRank: [20, 12, 6, 3] as readonly number[],
  /** Points for the earliest day, minus one per day later (never below zero). */
  soonestDay: 14,
} as const;

export interface ScoreBreakdown {
  total: number;
  specialty: number;
  acuity: number;
  location: number;
  time: number;
  matchedSpecialty: Specialty | undefined;
  /** 0 = first choice; undefined = not among the preferred locations (or none given). */
  locationRank: number | undefined;
  /** Whole days after the request's earliest date. */
  dayOffset: number;
}

/** Preferred locations in rank order: by distance when every entry has one, otherwise as given. */
export function rankedLocations(locations: readonly PreferredLocation[]): PreferredLocation[] {
  const all = locations.every((l) => l.distanceKm !== undefined);
  // Array.prototype.sort is stable, so equal distances keep the patient's order.
  return all ? [...locations].sort((a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0)) : [...locations];
}

export function scoreSlot(
  slot: CandidateSlot,
  localDate: IsoDate,
  request: EvaluationRequest,
  need: SpecialtyNeed,
  ranked: readonly PreferredLocation[] = rankedLocations(request.preferredLocations),
): ScoreBreakdown {
  const weights = SCORING_WEIGHTS;
  const matchIndex = need.specialties.findIndex((wanted) => slot.specialties.includes(wanted));
  const matchedSpecialty = matchIndex === -1 ? undefined : need.specialties[matchIndex];
  const specialty =
    matchIndex === -1 ? 0 : matchIndex === 0 ? weights.primarySpecialty : weights.secondarySpecialty;

  const acuity =
    request.acuity === 'post-surgical' && slot.specialties.includes('post-surgical')
      ? weights.postSurgicalExperience
      : 0;

  const rankIndex = ranked.findIndex((l) => l.locationId === slot.locationId);
  const locationRank = rankIndex === -1 ? undefined : rankIndex;
  const byRank = weights.locationByRank;
  const location = locationRank === undefined ? 0 : (byRank[Math.min(locationRank, byRank.length - 1)] ?? 0);

  const dayOffset = daysBetween(request.earliestDate, localDate);
  const time = Math.max(0, weights.soonestDay - Math.max(0, dayOffset));

  return {
    total: specialty + acuity + location + time,
    specialty,
    acuity,
    location,
    time,
    matchedSpecialty,
    locationRank,
    dayOffset,
  };
}
