// A practice's equipment (table `equipment`): devices per location that visits book as a resource (issue 18).
// Not PHI. Every read and write is scoped to the practice.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { EquipmentKind, EquipmentUnit } from '../../domain/scheduling/equipment.js';
import type { Database } from '../connection.js';
import { equipment, locations } from '../schema.js';

export interface EquipmentView {
  id: string;
  locationId: string;
  kind: EquipmentKind;
  name: string;
  sessionMinutes: number | null;
  active: boolean;
}

export interface EquipmentWrite {
  locationId: string;
  kind: EquipmentKind;
  name: string;
  sessionMinutes?: number | null;
  active?: boolean;
}

const view = (r: typeof equipment.$inferSelect): EquipmentView => ({
  id: r.id,
  locationId: r.locationId,
  kind: r.kind as EquipmentKind,
  name: r.name,
  sessionMinutes: r.sessionMinutes,
  active: r.active,
});

export function createEquipmentRepository(db: Database) {
  return {
    async list(practiceId: string): Promise<EquipmentView[]> {
      const rows = await db
        .select()
        .from(equipment)
        .where(eq(equipment.practiceId, practiceId))
        .orderBy(asc(equipment.createdAt), asc(equipment.id));
      return rows.map(view);
    },

    async get(practiceId: string, id: string): Promise<EquipmentView | undefined> {
      const [row] = await db
        .select()
        .from(equipment)
        .where(and(eq(equipment.practiceId, practiceId), eq(equipment.id, id)));
      return row ? view(row) : undefined;
    },

    /** Adds a device; undefined when the location is not one of this practice's. */
    async create(
      practiceId: string,
      e: EquipmentWrite,
      id: string = randomUUID(),
    ): Promise<EquipmentView | undefined> {
      const [location] = await db
        .select({ id: locations.id })
        .from(locations)
        .where(and(eq(locations.practiceId, practiceId), eq(locations.id, e.locationId)));
      if (!location) return undefined;
      const [row] = await db
        .insert(equipment)
        .values({ id, practiceId, ...e })
        .returning();
      return view(row!);
    },

    /** The active devices of `kind` (at `locationIds` when given), in a stable order: what a booking may use. */
    async units(practiceId: string, kind: EquipmentKind, locationIds?: string[]): Promise<EquipmentUnit[]> {
      const rows = await db
        .select()
        .from(equipment)
        .where(
          and(
            eq(equipment.practiceId, practiceId),
            eq(equipment.kind, kind),
            eq(equipment.active, true),
            ...(locationIds ? [inArray(equipment.locationId, locationIds)] : []),
          ),
        )
        .orderBy(asc(equipment.createdAt), asc(equipment.id));
      return rows.map((r) => ({
        equipmentId: r.id,
        locationId: r.locationId,
        kind: r.kind as EquipmentKind,
        sessionMinutes: r.sessionMinutes,
      }));
    },
  };
}
