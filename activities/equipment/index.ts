// Equipment as a scheduling resource (issue 18): the equipment-maintenance schedule's activity (maintenance
// rules → reservations ahead of time) and the device side of a booking (find a free device of the kind a visit
// needs, hold it under an id derived from the appointment, release it when the EMR booking fails). The
// database's exclusion constraint decides every race: a hold that would overlap another is refused.
import { createMaintenanceRuleRepository } from '../../db/repositories/equipment-maintenance-rules.js';
import { createEquipmentRepository } from '../../db/repositories/equipment.js';
import { createReservationRepository, derivedId } from '../../db/repositories/equipment-reservations.js';
import type { Database } from '../../db/connection.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import {
  deviceHold,
  freeUnit,
  maintenanceWindows,
  type EquipmentKind,
  type EquipmentUnit,
} from '../../domain/scheduling/equipment.js';

export interface MaintenanceRunResult {
  rules: number;
  windows: number;
  reserved: number;
  /** Windows that overlap a visit booked before the window was known (staff must move the visit). */
  conflicts: number;
  /** Future windows of rules that changed or were removed, freed again. */
  released: number;
}

/** A device held for a visit. */
export interface DeviceHold {
  reservationId: string;
  equipmentId: string;
}

export function equipmentBooking(db: Database) {
  const devices = createEquipmentRepository(db);
  const reservations = createReservationRepository(db);
  return {
    devices,
    reservations,
    /**
     * Holds a device of `kind` at the slot's location for a visit starting at `start`: the first device free
     * for its session, tried in order until one is held (a concurrent booking may take one between read and
     * write). Undefined when none is free. The id derives from the appointment, slot and device, so a retried
     * activity finds its own hold ('already') instead of taking a second device.
     */
    async hold(input: {
      practiceId: string;
      kind: EquipmentKind;
      locationId: string;
      appointmentId: string;
      slotId: string;
      start: string;
      visitMinutes: number;
      date: string;
      units?: EquipmentUnit[];
    }): Promise<DeviceHold | undefined> {
      const startMs = Date.parse(input.start);
      const candidates = (
        input.units ?? (await devices.units(input.practiceId, input.kind, [input.locationId]))
      ).filter((u) => u.locationId === input.locationId);
      const end = new Date(startMs + input.visitMinutes * 60_000);
      const busy = await reservations.busy(
        input.practiceId,
        candidates.map((u) => u.equipmentId),
        new Date(startMs),
        end,
      );
      // Free ones first (in order), then the rest: the constraint decides if another booking got there first.
      const first = freeUnit(candidates, busy, { ...input, startMs });
      const ordered = first ? [first, ...candidates.filter((u) => u !== first)] : [];
      for (const unit of ordered) {
        const hold = deviceHold(unit, startMs, input.visitMinutes, input.date);
        const reservationId = derivedId('visit', input.appointmentId, input.slotId, unit.equipmentId);
        const outcome = await reservations.reserve({
          id: reservationId,
          practiceId: input.practiceId,
          equipmentId: unit.equipmentId,
          purpose: 'visit',
          appointmentId: input.appointmentId,
          startsAt: new Date(hold.startMs),
          endsAt: new Date(hold.endMs),
        });
        if (outcome !== 'conflict') return { reservationId, equipmentId: unit.equipmentId };
      }
      return undefined;
    },
  };
}

export function createEquipmentActivities(deps: { db: Database }) {
  const rules = createMaintenanceRuleRepository(deps.db);
  const reservations = createReservationRepository(deps.db);
  return {
    /**
     * The equipment-maintenance schedule's step: every device's maintenance windows from its location's today
     * through `days` ahead become reservations (ids from rule and date: running twice writes nothing twice),
     * and future windows of changed or removed rules are freed.
     */
    async reserveMaintenanceWindows(input: { now: string; days: number }): Promise<MaintenanceRunResult> {
      const now = new Date(input.now);
      const all = await rules.allZoned();
      const result: MaintenanceRunResult = {
        rules: all.length,
        windows: 0,
        reserved: 0,
        conflicts: 0,
        released: 0,
      };
      const keepByDevice = new Map<string, string[]>();
      for (const rule of all) {
        const today = localDate(now, rule.timeZone);
        const windows = maintenanceWindows([rule], today, addDays(today, input.days), rule.timeZone);
        const keep = keepByDevice.get(rule.equipmentId) ?? [];
        keepByDevice.set(rule.equipmentId, keep);
        for (const w of windows) {
          if (w.endMs <= now.getTime()) continue;
          result.windows++;
          const id = derivedId('maintenance', rule.ruleId, w.date);
          keep.push(id);
          const outcome = await reservations.reserve({
            id,
            practiceId: rule.practiceId,
            equipmentId: rule.equipmentId,
            purpose: 'maintenance',
            startsAt: new Date(w.startMs),
            endsAt: new Date(w.endMs),
          });
          if (outcome === 'reserved') result.reserved++;
          if (outcome === 'conflict') result.conflicts++;
        }
      }
      for (const [equipmentId, keep] of keepByDevice)
        result.released += await reservations.releaseStaleMaintenance(equipmentId, now, keep);
      return result;
    },
  };
}
