// Missed visits and the waitlist (issue 18 §1/§2): small repositories over `missed_visits` and
// `waitlist_entries`. Ids, dates and scores only; patients are named by our UUID.
import { and, eq, gte, inArray, isNull, lt, or, sql as dsql } from 'drizzle-orm';
import { statusesMovingTo } from '../../domain/visits/appointment-mirror.js';
import type { Database } from '../connection.js';
import { appointments, missedVisits, waitlistEntries } from '../schema.js';

export type MissedVisitRow = typeof missedVisits.$inferSelect;
export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;

export interface NewMissedVisit {
  id: string;
  practiceId: string;
  patientId: string;
  emrAppointmentId: string;
  kind: 'no_show' | 'late_cancel';
  episodeWorkflowId?: string;
  locationId: string;
  startsAt: Date;
  missedOn: string;
  workflowId: string;
}

export interface NewWaitlistEntry {
  id: string;
  practiceId: string;
  patientId: string;
  locationId: string;
  therapistId?: string;
  acuity: 1 | 2 | 3;
  minutes: number;
  authorizationEndsOn?: string;
  source: 'api' | 'cli' | 'emr';
}

/** Missed visits: recorded once per EMR appointment; the episode's misses for the pattern rule. */
export function createMissedVisitRepository(db: Database) {
  return {
    /**
     * Records a miss (idempotent on practice + EMR appointment) and marks our appointments mirror, when it has
     * the appointment and the transition table allows it, `no_show` / `late_cancelled`. Returns the row as stored.
     */
    async record(m: NewMissedVisit): Promise<MissedVisitRow> {
      await db
        .insert(missedVisits)
        .values({ ...m, episodeWorkflowId: m.episodeWorkflowId ?? null })
        .onConflictDoNothing();
      // Only forward (domain/visits/appointment-mirror.ts): a miss never undoes a check-in or a signed note.
      const status = m.kind === 'no_show' ? 'no_show' : 'late_cancelled';
      await db
        .update(appointments)
        .set({ status })
        .where(
          and(
            eq(appointments.practiceId, m.practiceId),
            eq(appointments.externalId, m.emrAppointmentId),
            inArray(appointments.status, statusesMovingTo(status)),
          ),
        );
      const [row] = await db
        .select()
        .from(missedVisits)
        .where(
          and(
            eq(missedVisits.practiceId, m.practiceId),
            eq(missedVisits.emrAppointmentId, m.emrAppointmentId),
          ),
        );
      if (!row) throw new Error('missed visit row vanished');
      return row;
    },

    /** Local dates of the patient's misses in the episode (or, without an episode, in the last `days` days). */
    async missDates(q: {
      practiceId: string;
      patientId: string;
      episodeWorkflowId?: string;
      sinceDate: string;
    }): Promise<string[]> {
      const rows = await db
        .select({ missedOn: missedVisits.missedOn })
        .from(missedVisits)
        .where(
          and(
            eq(missedVisits.practiceId, q.practiceId),
            eq(missedVisits.patientId, q.patientId),
            q.episodeWorkflowId
              ? eq(missedVisits.episodeWorkflowId, q.episodeWorkflowId)
              : gte(missedVisits.missedOn, q.sinceDate),
          ),
        );
      return rows.map((r) => r.missedOn);
    },

    async setOutcome(
      practiceId: string,
      emrAppointmentId: string,
      outcome: 'rebooked' | 'front_desk',
      rebookedEmrAppointmentId?: string,
    ): Promise<void> {
      await db
        .update(missedVisits)
        .set({ outcome, rebookedEmrAppointmentId: rebookedEmrAppointmentId ?? null, updatedAt: new Date() })
        .where(
          and(eq(missedVisits.practiceId, practiceId), eq(missedVisits.emrAppointmentId, emrAppointmentId)),
        );
    },
  };
}

/** The waitlist. */
export function createWaitlistRepository(db: Database) {
  return {
    /**
     * Adds an entry, once: a repeat with the same id answers the stored row (`created: false`), and so does an
     * add for a patient already waiting at the location for the same therapist (or any therapist):
     * `waitlist_one_waiting` admits one waiting entry per patient, location and therapist, so the existing
     * one is answered and nothing is added. The caller tells the two apart by the id.
     */
    async add(e: NewWaitlistEntry): Promise<{ row: WaitlistEntryRow; created: boolean }> {
      const [row] = await db
        .insert(waitlistEntries)
        .values({
          ...e,
          therapistId: e.therapistId ?? null,
          authorizationEndsOn: e.authorizationEndsOn ?? null,
        })
        .onConflictDoNothing()
        .returning();
      if (row) return { row, created: true };
      const [existing] = await db
        .select()
        .from(waitlistEntries)
        .where(
          or(
            eq(waitlistEntries.id, e.id),
            and(
              eq(waitlistEntries.practiceId, e.practiceId),
              eq(waitlistEntries.patientId, e.patientId),
              eq(waitlistEntries.locationId, e.locationId),
              e.therapistId
                ? eq(waitlistEntries.therapistId, e.therapistId)
                : isNull(waitlistEntries.therapistId),
              eq(waitlistEntries.status, 'waiting'),
            ),
          ),
        )
        // The same id first (a retry), then the waiting duplicate.
        .orderBy(dsql`${waitlistEntries.id} = ${e.id} desc`)
        .limit(1);
      if (!existing) throw new Error('waitlist entry vanished');
      return { row: existing, created: false };
    },

    async get(practiceId: string, id: string): Promise<WaitlistEntryRow | undefined> {
      const [row] = await db
        .select()
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.practiceId, practiceId), eq(waitlistEntries.id, id)));
      return row;
    },

    /** Waiting entries of a location, oldest first. */
    async waiting(practiceId: string, locationId?: string): Promise<WaitlistEntryRow[]> {
      return db
        .select()
        .from(waitlistEntries)
        .where(
          and(
            eq(waitlistEntries.practiceId, practiceId),
            eq(waitlistEntries.status, 'waiting'),
            ...(locationId ? [eq(waitlistEntries.locationId, locationId)] : []),
          ),
        )
        .orderBy(waitlistEntries.createdAt);
    },

    /** The entry got a slot (idempotent: a repeat with the same appointment changes nothing). */
    async markFilled(q: {
      practiceId: string;
      entryId: string;
      emrAppointmentId: string;
      slotStart: Date;
      workflowId: string;
      at: Date;
    }): Promise<void> {
      await db
        .update(waitlistEntries)
        .set({
          status: 'filled',
          filledEmrAppointmentId: q.emrAppointmentId,
          filledSlotStart: q.slotStart,
          filledAt: q.at,
          filledByWorkflowId: q.workflowId,
          updatedAt: q.at,
        })
        .where(
          and(
            eq(waitlistEntries.practiceId, q.practiceId),
            eq(waitlistEntries.id, q.entryId),
            inArray(waitlistEntries.status, ['waiting']),
          ),
        );
    },

    /**
     * Takes a waiting entry off the list (status `removed`). Returns the entry as it now stands, or undefined
     * for an id the practice does not have; a filled or already removed entry is returned unchanged
     * (`changed: false`), so the caller can tell "removed now" from "was already removed" and "got a slot".
     */
    async remove(
      practiceId: string,
      id: string,
      at: Date = new Date(),
    ): Promise<{ row: WaitlistEntryRow; changed: boolean } | undefined> {
      const [row] = await db
        .update(waitlistEntries)
        .set({ status: 'removed', updatedAt: at })
        .where(
          and(
            eq(waitlistEntries.practiceId, practiceId),
            eq(waitlistEntries.id, id),
            eq(waitlistEntries.status, 'waiting'),
          ),
        )
        .returning();
      if (row) return { row, changed: true };
      const [existing] = await db
        .select()
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.practiceId, practiceId), eq(waitlistEntries.id, id)));
      return existing ? { row: existing, changed: false } : undefined;
    },
  };
}

/**
 * Slots filled from the waitlist (for the practice's numbers): entries that got a slot whose fill happened in
 * [from, to), optionally at one location.
 */
export async function waitlistFills(
  db: Database,
  q: { practiceId: string; locationId?: string; from: Date; to: Date },
): Promise<number> {
  const [row] = await db
    .select({ n: dsql<number>`count(*)::int` })
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.practiceId, q.practiceId),
        eq(waitlistEntries.status, 'filled'),
        gte(waitlistEntries.filledAt, q.from),
        lt(waitlistEntries.filledAt, q.to),
        ...(q.locationId ? [eq(waitlistEntries.locationId, q.locationId)] : []),
      ),
    );
  return row?.n ?? 0;
}
