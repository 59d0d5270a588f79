// Weekly maintenance windows of a device (table `equipment_maintenance_rules`), effective-dated with a source
// (the service contract, the maker's schedule …). The equipment-maintenance schedule turns them into
// reservations ahead of time. Not PHI; scoped to the practice.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { MaintenanceRule } from '../../domain/scheduling/equipment.js';
import type { Database } from '../connection.js';
import { equipment, equipmentMaintenanceRules, locations } from '../schema.js';

export type MaintenanceRuleWrite = Omit<MaintenanceRule, 'ruleId' | 'equipmentId'>;

/** A rule with the practice and the zone of the device's location (what the schedule needs to expand it). */
export interface ZonedMaintenanceRule extends MaintenanceRule {
  practiceId: string;
  timeZone: string;
}

const view = (r: typeof equipmentMaintenanceRules.$inferSelect): MaintenanceRule => ({
  ruleId: r.id,
  equipmentId: r.equipmentId,
  weekday: r.weekday,
  start: r.startTime,
  end: r.endTime,
  effectiveFrom: r.effectiveFrom,
  effectiveTo: r.effectiveTo,
  source: r.source,
});

export function createMaintenanceRuleRepository(db: Database) {
  return {
    async list(practiceId: string, equipmentId: string): Promise<MaintenanceRule[]> {
      const rows = await db
        .select()
        .from(equipmentMaintenanceRules)
        .where(
          and(
            eq(equipmentMaintenanceRules.practiceId, practiceId),
            eq(equipmentMaintenanceRules.equipmentId, equipmentId),
          ),
        )
        .orderBy(asc(equipmentMaintenanceRules.weekday), asc(equipmentMaintenanceRules.startTime));
      return rows.map(view);
    },

    /** Replaces the device's rules with `rules` in one transaction (the caller checked the device is ours). */
    async replace(
      practiceId: string,
      equipmentId: string,
      rules: MaintenanceRuleWrite[],
    ): Promise<MaintenanceRule[]> {
      return db.transaction(async (tx) => {
        await tx
          .delete(equipmentMaintenanceRules)
          .where(
            and(
              eq(equipmentMaintenanceRules.practiceId, practiceId),
              eq(equipmentMaintenanceRules.equipmentId, equipmentId),
            ),
          );
        if (rules.length === 0) return [];
        const rows = await tx
          .insert(equipmentMaintenanceRules)
          .values(
            rules.map((r) => ({
              id: randomUUID(),
              practiceId,
              equipmentId,
              weekday: r.weekday,
              startTime: r.start,
              endTime: r.end,
              effectiveFrom: r.effectiveFrom,
              effectiveTo: r.effectiveTo,
              source: r.source,
            })),
          )
          .returning();
        return rows.map(view);
      });
    },

    /** Every rule of every active device, with its location's zone (the schedule runs for all practices). */
    async allZoned(): Promise<ZonedMaintenanceRule[]> {
      const rows = await db
        .select({ rule: equipmentMaintenanceRules, timeZone: locations.timezone })
        .from(equipmentMaintenanceRules)
        .innerJoin(equipment, eq(equipment.id, equipmentMaintenanceRules.equipmentId))
        .innerJoin(locations, eq(locations.id, equipment.locationId))
        .where(eq(equipment.active, true));
      return rows.map((r) => ({ ...view(r.rule), practiceId: r.rule.practiceId, timeZone: r.timeZone }));
    },
  };
}
