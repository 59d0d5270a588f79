// `visitMissed`: what the missedVisitFollowUp process (issue 18 §1) tells the patient's plan of care and
// authorization about a no-show or late cancellation: the visit does not count (no treatment day, no authorized
// visit used) and is recorded as missed, once per EMR appointment. Ids, a kind and a date only.
import { defineSignal } from '@temporalio/workflow';

export interface VisitMissed {
  emrAppointmentId: string;
  kind: 'no_show' | 'late_cancel';
  /** The practice-local date of the missed appointment (YYYY-MM-DD). */
  date: string;
}

export const visitMissedSignal = defineSignal<[VisitMissed]>('visitMissed');

/** A signal from outside is data to check, not to trust: a malformed one is ignored. */
export function isVisitMissed(v: unknown): v is VisitMissed {
  const m = v as Partial<VisitMissed> | undefined;
  return (
    typeof m?.emrAppointmentId === 'string' &&
    m.emrAppointmentId.length > 0 &&
    m.emrAppointmentId.length <= 128 &&
    (m.kind === 'no_show' || m.kind === 'late_cancel') &&
    typeof m.date === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(m.date)
  );
}
