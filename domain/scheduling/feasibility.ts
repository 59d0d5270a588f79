// Hard constraints: a slot that breaks any of these is never offered, whatever its score. Each violation has
// a stable name because the LP model encodes it as a zero-capacity constraint and the "no slot" result counts
// candidates per violation for the front desk.
import { instantMs, localParts, parseClockTime, type LocalParts } from './local-time.js';
import type { AvailabilityWindow, CandidateSlot, EvaluationRequest } from './types.js';

export const HARD_CONSTRAINTS = [
  /** Initial evaluations are furnished by a PT, never a PTA (PTAs may not evaluate). */
  'evaluator_discipline',
  /** The slot must hold the whole acuity-adjusted evaluation. */
  'duration',
  /** The local start date lies within earliestDate…latestDate. */
  'date_range',
  /** Not before the caller's lower bound (workflow time + lead time). */
  'not_before',
  /** Start and end fall inside one of the patient's weekly windows on the same local day. */
  'patient_window',
  /** Only the patient's preferred locations unless others are acceptable. */
  'location',
] as const;
export type HardConstraint = (typeof HARD_CONSTRAINTS)[number];

export interface SlotTiming {
  startMs: number;
  endMs: number;
  localStart: LocalParts;
  localEnd: LocalParts;
}

export function slotTiming(slot: CandidateSlot, minutes: number, timeZone: string): SlotTiming {
  const startMs = instantMs(slot.start);
  const endMs = startMs + minutes * 60_000;
  return { startMs, endMs, localStart: localParts(startMs, timeZone), localEnd: localParts(endMs, timeZone) };
}

/**
 * Inside a window means the local start and end are on the same local date and within [start, end] of a
 * window for that weekday. Comparing local wall-clock minutes (not offsets from UTC) is what keeps "Tuesday
 * 17:00" meaning 17:00 on both sides of a DST change.
 */
export function withinWindows(windows: readonly AvailabilityWindow[], timing: SlotTiming): boolean {
  if (windows.length === 0) return true;
  const { localStart, localEnd } = timing;
  if (localStart.date !== localEnd.date) return false;
  return windows.some((w) => {
    const from = parseClockTime(w.start);
    const to = parseClockTime(w.end);
    return (
      w.weekday === localStart.weekday &&
      from !== null &&
      to !== null &&
      from <= localStart.minuteOfDay &&
      localEnd.minuteOfDay <= to
    );
  });
}

export function violations(
  slot: CandidateSlot,
  request: EvaluationRequest,
  minutes: number,
  timing: SlotTiming = slotTiming(slot, minutes, request.timeZone),
): HardConstraint[] {
  const out: HardConstraint[] = [];
  if (slot.discipline !== 'PT') out.push('evaluator_discipline');
  if (slot.minutesAvailable < minutes) out.push('duration');
  const date = timing.localStart.date;
  if (date < request.earliestDate || date > request.latestDate) out.push('date_range');
  if (request.notBefore !== undefined && timing.startMs < instantMs(request.notBefore))
    out.push('not_before');
  if (!withinWindows(request.availability, timing)) out.push('patient_window');
  const preferred = request.preferredLocations.some((l) => l.locationId === slot.locationId);
  if (request.preferredLocations.length > 0 && !request.otherLocationsAcceptable && !preferred) {
    out.push('location');
  }
  return out;
}
