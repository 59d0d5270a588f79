// Intake-form reminders (by default a day and two days after the link): data, not code, so a practice can
// change the offsets.
// Offsets count from the first intake message, not from each other.

/** Defaults: a day after the link, then two days after it. */
export const DEFAULT_FORM_REMINDER_OFFSETS_HOURS = [24, 48] as const;

/** When each reminder is due, ascending, as epoch milliseconds. Duplicate offsets remind once. */
export function reminderTimes(firstSentAtMs: number, offsetsHours: readonly number[]): number[] {
  return [...new Set(offsetsHours)].sort((a, b) => a - b).map((h) => firstSentAtMs + h * 3_600_000);
}

/** The appointment reminder goes out this long before the evaluation (CONFIRM / CANCEL replies). */
export const DEFAULT_APPOINTMENT_REMINDER_HOURS_BEFORE = 24;

/** Forms still missing this long before the evaluation: the front desk follows up. */
export const DEFAULT_FORMS_ESCALATION_HOURS_BEFORE = 24;

/** When a "N hours before the appointment" step is due (epoch ms); in the past means now. */
export function hoursBefore(appointmentStart: string, hours: number): number {
  return Date.parse(appointmentStart) - hours * 3_600_000;
}
