// The waitlist's one code path behind `POST /v1/waitlist`, `DELETE /v1/waitlist/:id` and the console's waitlist
// page (issue 18 §2): tenancy (a patient, location or therapist of another practice is an unknown one), one
// waiting entry per patient, location and therapist (409 naming it), removal that is repeatable and refused once
// the entry got a slot, and the audit of each change. Ids, dates and scores only.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/connection.js';
import { createWaitlistRepository, type WaitlistEntryRow } from '../db/repositories/visits.js';
import { locations, patients, therapists } from '../db/schema.js';
import { auditChange, type AuditActor } from './audit.js';
import { HttpProblem, problem } from './problem.js';

/** What the front desk says when it waitlists a patient (the REST body; the console's form validates it too). */
export const WaitlistAddSchema = z.strictObject({
  patientId: z.uuid(),
  locationId: z.uuid(),
  /** Only this therapist (continuity of care). */
  therapistId: z.uuid().optional(),
  /** 1 routine, 2 subacute, 3 urgent (post-surgical, acute). */
  acuity: z.number().int().min(1).max(3).default(1),
  /** The visit length a slot must have. */
  minutes: z.number().int().min(15).max(120).default(45),
  /** The authorization's last day of visits, when there is one. */
  authorizationEndsOn: z.iso.date().optional(),
});
export type WaitlistAdd = z.infer<typeof WaitlistAddSchema>;

/** A well-formed id of something the practice does not have: 422 naming the field, never whose it is. */
const unknownRef = (field: string, what: string) =>
  new HttpProblem(
    problem(422, `The ${what} is not one of this practice's.`, {
      errors: [
        { in: 'body', pointer: `/${field}`, code: 'unknown', detail: `No such ${what} in this practice.` },
      ],
    }),
  );

/**
 * Puts a patient on the waitlist of `actor`'s practice under `id` (the REST route passes its Idempotency-Key
 * record's id, so a retry finds the same entry: answered as it is). 422 naming the field for a patient,
 * location or therapist the practice does not have; 409 (`AlreadyWaiting`, `existingEntryId`) when the patient
 * already waits at the location for the same therapist (or any therapist). Audited (field names only).
 */
export async function addToWaitlist(
  db: Database,
  actor: AuditActor,
  body: WaitlistAdd,
  id: string = randomUUID(),
): Promise<WaitlistEntryRow> {
  const { practiceId } = actor.principal;
  const [patient] = await db
    .select({ id: patients.id })
    .from(patients)
    .where(and(eq(patients.id, body.patientId), eq(patients.practiceId, practiceId)));
  if (!patient) throw unknownRef('patientId', 'patient');
  const [location] = await db
    .select({ id: locations.id })
    .from(locations)
    .where(and(eq(locations.id, body.locationId), eq(locations.practiceId, practiceId)));
  if (!location) throw unknownRef('locationId', 'location');
  if (body.therapistId) {
    const [therapist] = await db
      .select({ id: therapists.id })
      .from(therapists)
      .where(and(eq(therapists.id, body.therapistId), eq(therapists.practiceId, practiceId)));
    if (!therapist) throw unknownRef('therapistId', 'therapist');
  }
  const { row, created } = await createWaitlistRepository(db).add({
    id,
    practiceId,
    patientId: body.patientId,
    locationId: body.locationId,
    ...(body.therapistId ? { therapistId: body.therapistId } : {}),
    acuity: body.acuity as 1 | 2 | 3,
    minutes: body.minutes,
    ...(body.authorizationEndsOn ? { authorizationEndsOn: body.authorizationEndsOn } : {}),
    source: 'api',
  });
  if (!created && row.id !== id) {
    throw new HttpProblem(
      problem(409, `The patient is already waiting at this location for this therapist (entry ${row.id}).`, {
        reason: 'AlreadyWaiting',
        existingEntryId: row.id,
      }),
    );
  }
  if (created) {
    await auditChange(db, actor, {
      action: 'C',
      resourceType: 'waitlist_entry',
      resourceId: row.id,
      fields: Object.keys(body),
    });
  }
  return row;
}

/**
 * Takes an entry of `actor`'s practice off the waitlist: the entry with status `removed`, also when it was
 * removed before (audited once, when it changed). 404 for an id the practice does not have; 409
 * (`AlreadyFilled`) when the patient already got a freed slot from it.
 */
export async function removeFromWaitlist(
  db: Database,
  actor: AuditActor,
  id: string,
): Promise<WaitlistEntryRow> {
  const removed = await createWaitlistRepository(db).remove(actor.principal.practiceId, id);
  // Another practice's entry is answered like an unknown one (tenancy: never 403, never a hint).
  if (!removed) throw new HttpProblem(problem(404, 'No such waitlist entry.'));
  if (removed.row.status === 'filled') {
    throw new HttpProblem(
      problem(
        409,
        'The patient already got a freed slot from this entry; cancel that appointment in the EMR instead.',
        { reason: 'AlreadyFilled' },
      ),
    );
  }
  if (removed.changed) {
    await auditChange(db, actor, {
      action: 'U',
      resourceType: 'waitlist_entry',
      resourceId: removed.row.id,
      fields: ['status'],
    });
  }
  return removed.row;
}
