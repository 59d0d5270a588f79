// A practice's locations (table `locations`): name, address, phone, its own NPI when it has one (837P 2310C),
// place of service and time zone. Scheduling books therapists' availability per location.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { locations, type AddressColumn } from '../schema.js';

export interface LocationView {
  id: string;
  name: string;
  timezone: string;
  address: AddressColumn | null;
  phone: string | null;
  npi: string | null;
  placeOfService: string;
  active: boolean;
}

export interface LocationWrite {
  name?: string;
  timezone?: string;
  address?: AddressColumn;
  phone?: string;
  npi?: string;
  placeOfService?: string;
  active?: boolean;
}

const view = (r: typeof locations.$inferSelect): LocationView => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  address: r.address,
  phone: r.phone,
  npi: r.npi,
  placeOfService: r.placeOfService,
  active: r.active,
});

export function createLocationRepository(db: Database) {
  return {
    async list(practiceId: string): Promise<LocationView[]> {
      const rows = await db
        .select()
        .from(locations)
        .where(eq(locations.practiceId, practiceId))
        .orderBy(asc(locations.createdAt), asc(locations.id));
      return rows.map(view);
    },

    async create(
      practiceId: string,
      l: LocationWrite & { name: string; timezone: string },
    ): Promise<LocationView> {
      const [row] = await db
        .insert(locations)
        .values({ id: randomUUID(), practiceId, ...l })
        .returning();
      return view(row!);
    },

    /** Changes a location of this practice; undefined when it has none with this id. */
    async update(practiceId: string, id: string, l: LocationWrite): Promise<LocationView | undefined> {
      if (Object.keys(l).length === 0) {
        const [row] = await db
          .select()
          .from(locations)
          .where(and(eq(locations.practiceId, practiceId), eq(locations.id, id)));
        return row ? view(row) : undefined;
      }
      const [row] = await db
        .update(locations)
        .set(l)
        .where(and(eq(locations.practiceId, practiceId), eq(locations.id, id)))
        .returning();
      return row ? view(row) : undefined;
    },
  };
}
