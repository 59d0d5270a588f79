// Our appointments mirror follows the EMR's schedule (issue 18 point 4): which status an EMR event moves a
// mirrored appointment to, and which moves are allowed. Webhooks arrive late, twice and out of order, so the
// mirror only ever moves forward: a 'booked' delivered after the note was signed must not undo 'completed'.
// Pure data and functions; db/repositories/appointment-mirror.ts applies them in one conditional UPDATE.

/** The mirror's statuses (db/schema.ts `appointments.status`). */
export const APPOINTMENT_STATUSES = [
  'booked',
  'checked_in',
  'completed',
  'cancelled',
  'no_show',
  'late_cancelled',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/**
 * The transition table: for each status, the statuses it may move to. Everything else (including staying put)
 * is not a transition and leaves the row as it is.
 * - booked → anything that happens to a booked appointment (arrival, a signed note without a check-in, a
 *   cancellation, a no-show).
 * - checked_in → completed only: a patient who arrived neither no-showed nor cancelled.
 * - cancelled → late_cancelled: the missed-visit rule's finding (late by the practice's notice period) refines a
 *   plain cancellation, never the other way round.
 * - completed, no_show, late_cancelled are final. A signed note on an appointment the EMR marked a no-show is a
 *   conflict for a person (the claim process still bills the note), not a silent rewrite of the attendance
 *   figures.
 */
export const APPOINTMENT_TRANSITIONS: Readonly<Record<AppointmentStatus, readonly AppointmentStatus[]>> = {
  booked: ['checked_in', 'completed', 'cancelled', 'late_cancelled', 'no_show'],
  checked_in: ['completed'],
  cancelled: ['late_cancelled'],
  completed: [],
  no_show: [],
  late_cancelled: [],
};

/** May a mirrored appointment in status `from` move to `to`? */
export function canMoveAppointment(from: AppointmentStatus, to: AppointmentStatus): boolean {
  return APPOINTMENT_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` can be reached in one step (the WHERE of the conditional update). */
export function statusesMovingTo(to: AppointmentStatus): AppointmentStatus[] {
  return APPOINTMENT_STATUSES.filter((from) => canMoveAppointment(from, to));
}

/** The status after an event: the event's status when the move is allowed, otherwise the current one. */
export function nextAppointmentStatus(
  current: AppointmentStatus,
  incoming: AppointmentStatus,
): AppointmentStatus {
  return canMoveAppointment(current, incoming) ? incoming : current;
}

/** The EMR event kinds that move the mirror, and the status each names. */
export type MirroredEmrEvent =
  | 'appointment.booked'
  | 'appointment.checked_in'
  | 'appointment.cancelled'
  | 'appointment.late_cancelled'
  | 'appointment.no_show'
  | 'note.signed';

/**
 * The status an EMR event names. A cancellation is `late_cancelled` when the missed-visit rule finds it late
 * (isLateCancellation), `cancelled` otherwise; a signed note for the appointment means the visit took place.
 */
export function statusOfEmrEvent(event: MirroredEmrEvent): AppointmentStatus {
  switch (event) {
    case 'appointment.booked':
      return 'booked';
    case 'appointment.checked_in':
      return 'checked_in';
    case 'appointment.cancelled':
      return 'cancelled';
    case 'appointment.late_cancelled':
      return 'late_cancelled';
    case 'appointment.no_show':
      return 'no_show';
    case 'note.signed':
      return 'completed';
  }
}

/** The EMR's appointment kinds mapped to the mirror's (the EMR writes "re-evaluation" with a hyphen). */
export function mirrorAppointmentKind(
  kind: 'evaluation' | 'treatment' | 're-evaluation' | 'discharge',
): 'evaluation' | 'treatment' | 'reevaluation' | 'discharge' {
  return kind === 're-evaluation' ? 'reevaluation' : kind;
}
