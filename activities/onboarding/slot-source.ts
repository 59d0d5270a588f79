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
    async findFreeSlots(q: SlotQuery): Promise<CandidateSlot[]> {
      const free = await emr.searchFreeSlots({
        from: q.from,
        to: q.to,
        minMinutes: q.minMinutes,
        limit: 2_000,
      });
      const ids = [...new Set(free.map((s) => s.therapistId))];
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
      const discipline = new Map(known.map((t) => [t.id, t.discipline]));
      return free.flatMap((s) => {
        const d = discipline.get(s.therapistId);
        if (!d || d !== q.discipline || !s.locationId) return [];
        if (q.locationIds && !q.locationIds.includes(s.locationId)) return [];
        const minutes = Math.round((Date.parse(s.end) - Date.parse(s.start)) / 60_000);
        return [
          {
            slotId: s.slotId,
            therapistId: s.therapistId,
            discipline: d,
            specialties: s.specialties,
            locationId: s.locationId,
            start: s.start,
            minutesAvailable: minutes,
          },
        ];
      });
    },
  };
}
