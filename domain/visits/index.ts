// Missed visits and the waitlist, as pure rules: what counts as a late cancellation, when misses become a
// pattern that threatens an episode, and the fair, explained order in which a freed slot is offered to waiting
// patients. No I/O, no clock: instants and dates come in as arguments. Thresholds are rules data
// (domain/rules/data/missed-visits.ts).
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';
import { findEffective } from '../core/effective.js';
import {
  MISSED_VISIT_RULES,
  WAITLIST_RULES,
  type MissedVisitRule,
  type WaitlistRule,
} from '../rules/data/missed-visits.js';

export type { MissedVisitRule, WaitlistRule } from '../rules/data/missed-visits.js';

export type MissKind = 'no_show' | 'late_cancel';
export type CancelReason = 'patient' | 'clinic' | 'weather' | 'other';

/** The missed-visit rule in force on `date`; throws when the rules data has a gap (a data error, not input). */
export function missedVisitRuleOn(date: IsoDate): MissedVisitRule {
  const rule = findEffective(MISSED_VISIT_RULES, date);
  if (!rule) throw new Error(`no missed-visit rule in force on ${date}`);
  return rule;
}

/**
 * The missed-visit rule in force on `date`, or undefined before the first row: the EMR router then treats a
 * cancellation as not late rather than failing on an old appointment.
 */
export function findMissedVisitRule(date: IsoDate): MissedVisitRule | undefined {
  return findEffective(MISSED_VISIT_RULES, date);
}

/** The waitlist rule in force on `date`. */
export function waitlistRuleOn(date: IsoDate): WaitlistRule {
  const rule = findEffective(WAITLIST_RULES, date);
  if (!rule) throw new Error(`no waitlist rule in force on ${date}`);
  return rule;
}

/**
 * A cancellation is a missed visit when the patient cancelled (or the reason is unknown) no more than
 * `lateCancelHours` before the start. The clinic's or the weather's cancellations never count against a patient.
 */
export function isLateCancellation(
  c: { start: string; cancelledAt: string; reason: CancelReason },
  rule: Pick<MissedVisitRule, 'lateCancelHours'>,
): boolean {
  if (c.reason === 'clinic' || c.reason === 'weather') return false;
  const hoursBefore = (Date.parse(c.start) - Date.parse(c.cancelledAt)) / 3_600_000;
  return Number.isFinite(hoursBefore) && hoursBefore <= rule.lateCancelHours;
}

export interface MissAssessment {
  /** Misses recorded in the episode, this one included. */
  missesInEpisode: number;
  /** Misses within the pattern window ending at the latest one. */
  missesInWindow: number;
  /** The pattern threatens the episode (e.g. 2 misses in 14 days). */
  pattern: boolean;
  /** The front desk calls (a task) rather than an automated offer. */
  frontDeskCalls: boolean;
  /** In words the front desk understands; ids and counts only. */
  explanation: string;
}

/** Assesses the episode's misses (local dates of the missed appointments, any order). */
export function assessMisses(missDates: readonly IsoDate[], rule: MissedVisitRule): MissAssessment {
  const sorted = [...missDates].sort();
  const latest = sorted.at(-1);
  const windowStart = latest ? addDays(latest, -(rule.patternWindowDays - 1)) : undefined;
  const inWindow = windowStart ? sorted.filter((d) => d >= windowStart).length : 0;
  const pattern = inWindow >= rule.patternMisses;
  const frontDeskCalls = sorted.length >= rule.taskFromMissInEpisode || pattern;
  const parts = [`${sorted.length} missed visit${sorted.length === 1 ? '' : 's'} in this episode`];
  parts.push(`${inWindow} within ${rule.patternWindowDays} days`);
  if (pattern)
    parts.push(
      `at or over the limit of ${rule.patternMisses} in ${rule.patternWindowDays} days: the episode is at risk`,
    );
  parts.push(frontDeskCalls ? 'front desk to call the patient' : 'automated rebooking offer sent');
  return {
    missesInEpisode: sorted.length,
    missesInWindow: inWindow,
    pattern,
    frontDeskCalls,
    explanation: parts.join('; '),
  };
}

/** One waiting patient, as the ranking needs it (ids, dates and a score: no PHI). */
export interface WaitlistCandidate {
  entryId: string;
  patientId: string;
  locationId: string;
  /** Only this therapist (continuity of care); absent: any therapist. */
  therapistId?: string;
  /** 1 (routine) … 3 (urgent: post-surgical, acute). */
  acuity: 1 | 2 | 3;
  /** The last day the patient's authorization covers visits; absent: no authorization limit. */
  authorizationEndsOn?: IsoDate;
  /** Minutes the patient's visit needs. */
  minutes: number;
  /** When the patient joined the waitlist (ISO instant). */
  waitingSince: string;
}

export interface FreedSlot {
  locationId: string;
  therapistId: string;
  start: string;
  end: string;
  /** The slot's local date (the authorization's window is in dates). */
  date: IsoDate;
  /** The patient whose cancellation freed it: never offered their own slot back. */
  freedByPatientId?: string;
}

export interface RankedCandidate extends WaitlistCandidate {
  rank: number;
  explanation: string;
}

export interface WaitlistRanking {
  ranked: RankedCandidate[];
  /** Waiting patients left out, with the reason (entry id → reason). */
  ineligible: { entryId: string; reason: string }[];
}

/**
 * The fair order for a freed slot: first whose authorization ends soonest (a visit lost to an expiring
 * authorization is lost for good), then who has waited longest, then higher acuity; the entry id breaks exact
 * ties so the order is total and reproducible. Each candidate carries the reason for their place.
 */
export function rankWaitlist(candidates: readonly WaitlistCandidate[], slot: FreedSlot): WaitlistRanking {
  const slotMinutes = Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000);
  const ineligible: WaitlistRanking['ineligible'] = [];
  const eligible: WaitlistCandidate[] = [];
  for (const c of candidates) {
    if (c.patientId === slot.freedByPatientId)
      ineligible.push({ entryId: c.entryId, reason: 'freed this slot' });
    else if (c.locationId !== slot.locationId)
      ineligible.push({ entryId: c.entryId, reason: 'other location' });
    else if (c.therapistId && c.therapistId !== slot.therapistId)
      ineligible.push({ entryId: c.entryId, reason: 'waits for another therapist' });
    else if (c.minutes > slotMinutes)
      ineligible.push({ entryId: c.entryId, reason: `needs ${c.minutes} min, slot has ${slotMinutes}` });
    else if (c.authorizationEndsOn && c.authorizationEndsOn < slot.date)
      ineligible.push({ entryId: c.entryId, reason: 'authorization ends before the slot' });
    else eligible.push(c);
  }
  const authKey = (c: WaitlistCandidate) => c.authorizationEndsOn ?? '9999-12-31';
  eligible.sort(
    (a, b) =>
      authKey(a).localeCompare(authKey(b)) ||
      Date.parse(a.waitingSince) - Date.parse(b.waitingSince) ||
      b.acuity - a.acuity ||
      a.entryId.localeCompare(b.entryId),
  );
  const ranked = eligible.map((c, i) => ({ ...c, rank: i + 1, explanation: explainPlace(c, i + 1, slot) }));
  return { ranked, ineligible };
}

function explainPlace(c: WaitlistCandidate, rank: number, slot: FreedSlot): string {
  const auth = c.authorizationEndsOn
    ? `authorization ends ${c.authorizationEndsOn} (${daysBetween(slot.date, c.authorizationEndsOn)} days after the slot)`
    : 'no authorization end date';
  const waitingDays = Math.max(
    0,
    Math.floor((Date.parse(slot.start) - Date.parse(c.waitingSince)) / 86_400_000),
  );
  return `#${rank}: ${auth}; waiting ${waitingDays} day${waitingDays === 1 ? '' : 's'}; acuity ${c.acuity} of 3`;
}
