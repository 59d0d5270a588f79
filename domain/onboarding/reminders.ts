// Intake-form reminders (DESIGN §2.1 step 4): data, not code, so a practice can change the offsets.
// Offsets count from the first intake message, not from each other.

/** Defaults: a day after the link, then two days after it. */
export const DEFAULT_FORM_REMINDER_OFFSETS_HOURS = [24, 48] as const;

/** When each reminder is due, ascending, as epoch milliseconds. Duplicate offsets remind once. */
export function reminderTimes(firstSentAtMs: number, offsetsHours: readonly number[]): number[] {
  return [...new Set(offsetsHours)].sort((a, b) => a - b).map((h) => firstSentAtMs + h * 3_600_000);
}
