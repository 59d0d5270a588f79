// Chasing the physician's signature on a plan of care, as pure decisions over the dated rule rows
// (domain/rules/data/poc-signature.ts): when the signature is due, on which days the physician's office is
// reminded and the front desk takes over, at which instant a document may go to an office (office hours,
// Monday–Friday, clinic zone), how long to wait before a failed fax is tried again, and whether a signature
// date can be accepted. Day convention of poc.ts: the anchor is day 0, "within N days" = on or before day N.
import { addDays, type IsoDate } from '../core/dates.js';
import { findEffective } from '../core/effective.js';
import { wallTimeToInstant, zonedParts } from '../core/zoned.js';
import { POC_SIGNATURE_RULES, type PocSignatureRule } from '../rules/data/poc-signature.js';

export type { PocSignatureRule } from '../rules/data/poc-signature.js';

export type SignatureCycle =
  | { kind: 'initial'; firstTreatmentDate: IsoDate }
  | { kind: 'recertification'; certifiedFrom: IsoDate; certifiedThrough: IsoDate };

/** Day 0 of the cycle: the first treatment day, or the first day of the recertified period. */
export function cycleAnchor(cycle: SignatureCycle): IsoDate {
  return cycle.kind === 'initial' ? cycle.firstTreatmentDate : cycle.certifiedFrom;
}

/**
 * The opaque reference printed on the cover sheet and carried back by the signed copy: the cycle's letter and
 * 20 hex digits of the episode id (no PHI; short enough for a fax cover and an e-mail notice).
 */
export function signatureReference(cycle: SignatureCycle, episodeId: string): string {
  return `${cycle.kind === 'initial' ? 'C' : 'R'}-${episodeId.replace(/-/g, '').slice(0, 20).toUpperCase()}`;
}

/** The rule row in force on the cycle's anchor date, or undefined when the data has none (a data gap). */
export function pocSignatureRuleFor(
  cycle: SignatureCycle,
  rules: readonly PocSignatureRule[] = POC_SIGNATURE_RULES,
): PocSignatureRule | undefined {
  return findEffective(rules, cycleAnchor(cycle), (r) => r.cycle === cycle.kind);
}

/** The last day the signature is on time. */
export function signatureDueBy(rule: PocSignatureRule, cycle: SignatureCycle): IsoDate {
  return addDays(cycleAnchor(cycle), rule.windowDays);
}

export type ChaseStep =
  | { kind: 'office_reminder'; day: number; date: IsoDate }
  | { kind: 'escalation'; day: number; date: IsoDate }
  /** The day after the due date: the certification is late (claims for later dates of service stay held). */
  | { kind: 'late'; day: number; date: IsoDate };

/** Every step of the chase in date order (reminders on or after the escalation day are dropped). */
export function chaseSchedule(rule: PocSignatureRule, cycle: SignatureCycle): ChaseStep[] {
  const anchor = cycleAnchor(cycle);
  const reminders: ChaseStep[] = [...new Set(rule.officeReminderDays)]
    .filter((d) => d > 0 && d < rule.escalationDay && d <= rule.windowDays)
    .sort((a, b) => a - b)
    .map((day) => ({ kind: 'office_reminder', day, date: addDays(anchor, day) }));
  return [
    ...reminders,
    { kind: 'escalation', day: rule.escalationDay, date: addDays(anchor, rule.escalationDay) },
    { kind: 'late', day: rule.windowDays + 1, date: addDays(anchor, rule.windowDays + 1) },
  ];
}

/** The steps still ahead on `today` (a process started late skips the stale reminders, keeps the rest). */
export function pendingChaseSteps(
  rule: PocSignatureRule,
  cycle: SignatureCycle,
  today: IsoDate,
): ChaseStep[] {
  const steps = chaseSchedule(rule, cycle);
  const reminders = steps.filter((s) => s.kind === 'office_reminder');
  // Of the reminders already due only the latest is still sent: no burst of stale ones.
  const dueReminders = reminders.filter((s) => s.date <= today);
  const latestDue = dueReminders[dueReminders.length - 1];
  return steps.filter(
    (s) => s.date > today || s === latestDue || (s.kind !== 'office_reminder' && s.date <= today),
  );
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
function minuteOfDay(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError('office hours must be "HH:MM"');
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The earliest instant at or after `at` inside the office hours (Monday–Friday, local time of `timeZone`):
 * faxes and reminders never ring an office at night or on a weekend.
 */
export function nextOfficeHoursInstant(
  at: Date,
  timeZone: string,
  hours: { start: string; end: string },
): Date {
  const start = minuteOfDay(hours.start);
  const end = minuteOfDay(hours.end);
  if (end <= start) throw new RangeError('office hours must end after they start');
  for (let offset = 0; offset < 8; offset++) {
    const probe = new Date(at.getTime() + offset * 86_400_000);
    const p = zonedParts(probe, timeZone);
    if (p.weekday === 0 || p.weekday === 6) continue;
    const opens = wallTimeToInstant(p, start, timeZone);
    const closes = wallTimeToInstant(p, end, timeZone);
    if (offset === 0) {
      if (at.getTime() >= opens.getTime() && at.getTime() < closes.getTime()) return at;
      if (at.getTime() < opens.getTime()) return opens;
      continue;
    }
    return opens;
  }
  throw new RangeError('no office hours within a week');
}

/** Minutes to wait before delivery attempt `attempt + 1` after attempt `attempt` (1-based) failed. */
export function deliveryRetryDelayMinutes(rule: PocSignatureRule, attempt: number): number {
  const delays = rule.deliveryRetryMinutes;
  return delays[Math.min(attempt, delays.length) - 1] ?? 60;
}

/** Why a signature date cannot be recorded for the cycle on `today`, or undefined. */
export function signatureDateProblem(
  cycle: SignatureCycle,
  signedDate: IsoDate,
  today: IsoDate,
): string | undefined {
  if (signedDate > today) return 'The signature date is in the future.';
  if (cycle.kind === 'initial' && signedDate < cycle.firstTreatmentDate)
    return 'The signature predates the first treatment day of this plan of care.';
  if (cycle.kind === 'recertification' && signedDate > cycle.certifiedThrough)
    return 'The recertification is signed after the period it certifies.';
  return undefined;
}
