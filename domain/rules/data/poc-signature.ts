// How the physician's signature on a plan of care is chased: the window, when the office is reminded, when the
// front desk takes over, when sends happen (office hours) and how often a failed fax is tried again. Rules as
// data: effective-dated rows with their source and review flag; the lookup takes the anchor date (the first
// treatment day for the initial certification, the first day of the recertified period for a recertification).
import type { Effective } from '../../core/effective.js';

export interface PocSignatureRule extends Effective {
  cycle: 'initial' | 'recertification';
  /** The signature is due on or before anchor + windowDays (anchor = day 0, poc.ts convention). */
  windowDays: number;
  /** Days after the anchor on which the physician's office gets a reminder through the delivery port. */
  officeReminderDays: readonly number[];
  /** Day after the anchor on which a still unsigned plan of care becomes a front-desk task. */
  escalationDay: number;
  /** Documents and reminders to an office go out inside these local hours, Monday to Friday (clinic zone). */
  officeHours: { start: string; end: string };
  /** A delivery the gateway reports failed (busy, no answer) is sent again, at most this many attempts… */
  deliveryAttempts: number;
  /** …waiting this long before attempt n+1 (index n-1; the last value repeats). */
  deliveryRetryMinutes: readonly number[];
  /** How often a queued/sending delivery is checked. */
  deliveryPollMinutes: number;
  /** How often a delivered document is checked for its signed copy (besides the gateway's intake signal). */
  returnPollHours: number;
}

const OFFICE_HOURS = { start: '09:00', end: '17:00' } as const;

/**
 * Medicare Part B outpatient therapy: certification of the initial plan of care within 30 days of the first
 * treatment (BPM ch. 15 §220.1.3) [R30, R31, R32]; recertification at least every 90 days [R33]. The reminder
 * cadence (day 7/14/21) and the escalation day are practice policy (DESIGN §2.4), not CMS text.
 */
export const POC_SIGNATURE_RULES: readonly PocSignatureRule[] = [
  {
    cycle: 'initial',
    effectiveFrom: '2017-01-01',
    effectiveTo: null,
    source: 'R30, R31, R32',
    windowDays: 30,
    officeReminderDays: [7, 14, 21],
    escalationDay: 25,
    officeHours: OFFICE_HOURS,
    deliveryAttempts: 3,
    deliveryRetryMinutes: [30, 120],
    deliveryPollMinutes: 15,
    returnPollHours: 6,
  },
  {
    cycle: 'recertification',
    effectiveFrom: '2017-01-01',
    effectiveTo: null,
    source: 'R32, R33',
    verify:
      'The 30-day span for a recertification signature mirrors the initial certification (practice policy); CMS ' +
      'requires the recertification before billing the new interval and accepts a delayed one with justification.',
    windowDays: 30,
    officeReminderDays: [7, 14, 21],
    escalationDay: 25,
    officeHours: OFFICE_HOURS,
    deliveryAttempts: 3,
    deliveryRetryMinutes: [30, 120],
    deliveryPollMinutes: 15,
    returnPollHours: 6,
  },
];
