// Equipment as a scheduling resource (issue 18 part 3): specialised devices (an AlterG anti-gravity treadmill,
// a Biodex isokinetic system, …) belong to one location, are used for a session of a known length at the start
// of the visit that needs them, and are out of service in maintenance windows. A visit that needs a device is
// offered only when therapist, place and a device of that kind are all free. Pure: the activity reads devices,
// reservations and maintenance rules from the database and hands them in.
import { findEffective, type Effective } from '../core/effective.js';
import { addDays, parseIsoDate, toDayNumber, type IsoDate } from '../core/dates.js';
import { wallTimeToInstant } from '../core/zoned.js';
import { parseClockTime } from './local-time.js';

/** Device kinds the scheduler knows a default session length for (practices may add others with a length). */
export const EQUIPMENT_KINDS = [
  'anti-gravity-treadmill',
  'isokinetic-dynamometer',
  'balance-system',
  'other',
] as const;
export type EquipmentKind = (typeof EQUIPMENT_KINDS)[number];

export interface EquipmentSessionRow extends Effective {
  kind: EquipmentKind;
  minutes: number;
  why: string;
}

const SESSION_SOURCE =
  'practice scheduling default from the device makers’ typical protocols (AlterG gait sessions 20–30 min, ' +
  'Biodex isokinetic test/rehab 30–45 min incl. set-up)';
const SESSION_VERIFY = 'VERIFY: session lengths are practice policy, confirm with the clinical director';

const sessionDefault = (kind: EquipmentKind, minutes: number, why: string): EquipmentSessionRow => ({
  kind,
  minutes,
  why,
  effectiveFrom: '2020-01-01',
  effectiveTo: null,
  source: SESSION_SOURCE,
  verify: SESSION_VERIFY,
});

/** How long a device is held for one visit, by kind, effective-dated (a device row may override it). */
export const EQUIPMENT_SESSION_LENGTHS: readonly EquipmentSessionRow[] = [
  sessionDefault('anti-gravity-treadmill', 30, 'gait training with unweighting, incl. fitting the shorts'),
  sessionDefault('isokinetic-dynamometer', 45, 'set-up and calibration per joint, then test or training'),
  sessionDefault('balance-system', 30, 'assessment or training block'),
  sessionDefault('other', 30, 'a generic device block'),
];

/** Minutes a device of `kind` is held from the visit's start on `date` (the device's own length wins). */
export function equipmentSessionMinutes(
  kind: EquipmentKind,
  date: IsoDate,
  deviceMinutes?: number | null,
  table: readonly EquipmentSessionRow[] = EQUIPMENT_SESSION_LENGTHS,
): number {
  if (deviceMinutes) return deviceMinutes;
  const row = findEffective(table, date, (r) => r.kind === kind);
  if (!row) throw new RangeError(`no session length for equipment kind ${kind} on ${date}`);
  return row.minutes;
}

/** One device of a location. */
export interface EquipmentUnit {
  equipmentId: string;
  locationId: string;
  kind: EquipmentKind;
  /** Held per visit; absent = the kind's default on the visit date. */
  sessionMinutes?: number | null;
}

/** A time a device is taken: by a visit, or by maintenance. */
export interface EquipmentBusy {
  equipmentId: string;
  startMs: number;
  endMs: number;
  purpose: 'visit' | 'maintenance';
}

/** A weekly maintenance window of a device, in its location's zone, effective-dated with its source. */
export interface MaintenanceRule {
  ruleId: string;
  equipmentId: string;
  weekday: number;
  start: string;
  end: string;
  effectiveFrom: IsoDate;
  effectiveTo: IsoDate | null;
  source: string;
}

export interface MaintenanceWindow {
  ruleId: string;
  equipmentId: string;
  date: IsoDate;
  start: string;
  end: string;
}

/** The maintenance windows of `rules` on the local dates from…to (inclusive), as instants in `timeZone`. */
export function maintenanceWindows(
  rules: readonly MaintenanceRule[],
  from: IsoDate,
  to: IsoDate,
  timeZone: string,
): (MaintenanceWindow & { startMs: number; endMs: number })[] {
  const out: (MaintenanceWindow & { startMs: number; endMs: number })[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const civil = parseIsoDate(date);
    if (!civil) continue;
    // 1970-01-01 (day 0) was a Thursday.
    const weekday = (((toDayNumber(date) + 4) % 7) + 7) % 7;
    for (const r of rules) {
      if (r.weekday !== weekday || date < r.effectiveFrom) continue;
      if (r.effectiveTo !== null && date > r.effectiveTo) continue;
      const s = parseClockTime(r.start);
      const e = parseClockTime(r.end);
      if (s === null || e === null || s >= e) continue;
      out.push({
        ruleId: r.ruleId,
        equipmentId: r.equipmentId,
        date,
        start: r.start,
        end: r.end,
        startMs: wallTimeToInstant(civil, s, timeZone).getTime(),
        endMs: wallTimeToInstant(civil, e, timeZone).getTime(),
      });
    }
  }
  return out;
}

/** The interval a visit starting at `startMs` holds a device for (its session, never longer than the visit). */
export function deviceHold(
  unit: EquipmentUnit,
  startMs: number,
  visitMinutes: number,
  date: IsoDate,
): { startMs: number; endMs: number } {
  const minutes = Math.min(visitMinutes, equipmentSessionMinutes(unit.kind, date, unit.sessionMinutes));
  return { startMs, endMs: startMs + minutes * 60_000 };
}

/**
 * A device of `kind` at `locationId` free for a visit of `visitMinutes` starting at `startMs`, or undefined.
 * Devices are tried in the given order, so the same inputs always give the same device.
 */
export function freeUnit(
  units: readonly EquipmentUnit[],
  busy: readonly EquipmentBusy[],
  need: { kind: EquipmentKind; locationId: string; startMs: number; visitMinutes: number; date: IsoDate },
): EquipmentUnit | undefined {
  return units.find((u) => {
    if (u.kind !== need.kind || u.locationId !== need.locationId) return false;
    const hold = deviceHold(u, need.startMs, need.visitMinutes, need.date);
    return !busy.some(
      (b) => b.equipmentId === u.equipmentId && b.startMs < hold.endMs && b.endMs > hold.startMs,
    );
  });
}
