// How missed visits are followed up and how freed slots are offered to the waitlist. Rules as data:
// effective-dated rows with their source. These are practice policy, not payer or CMS text: the source names
// the policy document they come from (DESIGN §2 and issue 18), and a practice changes them by adding a row
// with a later effective date.
import type { Effective } from '../../core/effective.js';

export interface MissedVisitRule extends Effective {
  /** A cancellation this many hours or fewer before the start counts as a late cancellation (a missed visit). */
  lateCancelHours: number;
  /** The pattern that threatens an episode: this many misses (no-shows + late cancellations)… */
  patternMisses: number;
  /** …within this many days (the window ends at the latest miss). */
  patternWindowDays: number;
  /** From this many misses in the episode on, the front desk calls instead of an automated offer. */
  taskFromMissInEpisode: number;
  /** How long the patient has to answer the rebooking offer before the front desk takes over. */
  replyDeadlineHours: number;
  /** How many open slots the offer lists, and how far ahead they are searched. */
  offeredSlots: number;
  searchDays: number;
  /** Open slots start at least this long after the offer is sent. */
  minLeadHours: number;
}

export interface WaitlistRule extends Effective {
  /** Offers for one freed slot go to this many patients at once; the first to confirm gets it. */
  offersPerRound: number;
  /** An offer lapses after this many minutes unanswered; the next round goes out. */
  offerMinutes: number;
  /** At most this many rounds per freed slot. */
  maxRounds: number;
  /** No offers for a slot starting sooner than this (nobody can get there). */
  minLeadMinutes: number;
}

export const MISSED_VISIT_RULES: readonly MissedVisitRule[] = [
  {
    effectiveFrom: '2020-01-01',
    effectiveTo: null,
    source: 'practice policy: attendance (issue 18 §1; 24 h cancellation notice, 2 misses in 14 days)',
    lateCancelHours: 24,
    patternMisses: 2,
    patternWindowDays: 14,
    taskFromMissInEpisode: 2,
    replyDeadlineHours: 48,
    offeredSlots: 3,
    searchDays: 10,
    minLeadHours: 12,
  },
];

export const WAITLIST_RULES: readonly WaitlistRule[] = [
  {
    effectiveFrom: '2020-01-01',
    effectiveTo: null,
    source: 'practice policy: waitlist (issue 18 §2; offers in fair order, 2 h to confirm)',
    offersPerRound: 3,
    offerMinutes: 120,
    maxRounds: 3,
    minLeadMinutes: 60,
  },
];
