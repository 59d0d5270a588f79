// Whole hours between two instants, for task due times derived from a deadline. Takes both instants as
// arguments (no clock here): a workflow passes the one reading it also gave its activities.
const HOUR_MS = 3_600_000;

export function wholeHoursBetween(fromIso: string, toIso: string, round: 'floor' | 'ceil'): number {
  return Math[round]((Date.parse(toIso) - Date.parse(fromIso)) / HOUR_MS);
}
