// The scheduling helper's SlotSource over the EMR's free-slot search. The EMR knows therapists' specialties
// but not reliably their discipline, so slots are joined with our therapists table (same ids, see
// db/seed.ts): an evaluation is never offered with a PTA, and a therapist we do not know is never offered.
import { and, eq, inArray } from 'drizzle-orm';
import type { Emr } from '../../connectors/emr/types.js';
import type { Database } from '../../db/connection.js';
import { therapists } from '../../db/schema.js';
import type { CandidateSlot, SlotQuery, SlotSource } from '../../domain/scheduling/index.js';

export function emrSlotSource(emr: Emr, db: Database, practiceId: string): SlotSource {
  return {
    async findFreeSlots(query: SlotQuery): Promise<CandidateSlot[]> {
      const free = await emr.searchFreeSlots({
        from: query.from,
        to: query.to,
        minMinutes: query.minMinutes,
        limit: 2_000,
      });
      const ids = [...new Set(free.map((slot) => slot.therapistId))];
      if (ids.length === 0) return [];
      const known = await db
        .select({ id: therapists.id, discipline: therapists.discipline })
        .from(therapists)
        .where(
          and(
            eq(therapists.practiceId, practiceId),
            inArray(therapists.id, ids),
            eq(therapists.active, true),
          ),
        );
      const disciplineOf = new Map(known.map((therapist) => [therapist.id, therapist.discipline]));
      return free.flatMap((slot) => {
        const discipline = disciplineOf.get(slot.therapistId);
        if (!discipline || discipline !== query.discipline || !slot.locationId) return [];
        if (query.locationIds && !query.locationIds.includes(slot.locationId)) return [];
        const minutes = Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000);
        return [
          {
            slotId: slot.slotId,
            therapistId: slot.therapistId,
            discipline,
            specialties: slot.specialties,
            locationId: slot.locationId,
            start: slot.start,
            minutesAvailable: minutes,
          },
        ];
      });
    },
  };
}
