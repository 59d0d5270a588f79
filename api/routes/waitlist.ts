// The waitlist over REST (issue 18 §2): the front desk puts a patient on the waitlist of a location (optionally
// for one therapist), with the acuity and visit length the slot must fit and the authorization's last day; a
// cancelled slot is then offered to waiting patients in the fair order domain/visits `rankWaitlist` explains
// (the waitlistFill process). Ids, dates and scores only: nothing here identifies a patient but our UUID.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { createWaitlistRepository, type WaitlistEntryRow } from '../../db/repositories/visits.js';
import { locations, patients, therapists } from '../../db/schema.js';
import { auditChange } from '../audit.js';
import { principalOf } from '../auth/plugin.js';
import { HttpProblem, problem } from '../problem.js';

const entry = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  locationId: z.string(),
  therapistId: z.string().nullable(),
  acuity: z.number().int(),
  minutes: z.number().int(),
  authorizationEndsOn: z.string().nullable(),
  status: z.enum(['waiting', 'filled', 'removed']),
  waitingSince: z.string(),
  filledAt: z.string().nullable(),
});

const view = (r: WaitlistEntryRow): z.infer<typeof entry> => ({
  id: r.id,
  patientId: r.patientId,
  locationId: r.locationId,
  therapistId: r.therapistId,
  acuity: r.acuity,
  minutes: r.minutes,
  authorizationEndsOn: r.authorizationEndsOn,
  status: r.status,
  waitingSince: r.createdAt.toISOString(),
  filledAt: r.filledAt?.toISOString() ?? null,
});

/** A well-formed id of something the practice does not have: 422 naming the field, never whose it is. */
const unknownRef = (field: string, what: string) =>
  new HttpProblem(
    problem(422, `The ${what} is not one of this practice's.`, {
      errors: [
        { in: 'body', pointer: `/${field}`, code: 'unknown', detail: `No such ${what} in this practice.` },
      ],
    }),
  );

/** The front desk's roles: they keep the waitlist. */
const FRONT_DESK = ['admin', 'front_desk'] as const;

export const waitlistRoutes = (deps: { db: Database }): FastifyPluginAsyncZod =>
  async function routes(app) {
    const repo = createWaitlistRepository(deps.db);
    const audit = (req: FastifyRequest, action: 'C' | 'U', id: string, fields: string[]) =>
      auditChange(
        deps.db,
        { principal: principalOf(req), requestId: req.id, ip: req.ip },
        { action, resourceType: 'waitlist_entry', resourceId: id, fields },
      );
    app.post(
      '/v1/waitlist',
      {
        config: { roles: FRONT_DESK, idempotent: true },
        schema: {
          operationId: 'addToWaitlist',
          tags: ['waitlist'],
          summary:
            'Put a patient on the waitlist of a location (offered freed slots in a fair, explained order)',
          description:
            'A patient waits once per location and therapist (or any therapist): adding one who already ' +
            'waits there answers 409 (`reason: AlreadyWaiting`) with ' +
            '`existingEntryId` (change it by removing that entry and adding the new one).',
          body: z.strictObject({
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
          }),
          response: { 201: entry },
        },
      },
      async (req, reply) => {
        const { practiceId } = principalOf(req);
        const b = req.body;
        const [patient] = await deps.db
          .select({ id: patients.id })
          .from(patients)
          .where(and(eq(patients.id, b.patientId), eq(patients.practiceId, practiceId)));
        if (!patient) throw unknownRef('patientId', 'patient');
        const [location] = await deps.db
          .select({ id: locations.id })
          .from(locations)
          .where(and(eq(locations.id, b.locationId), eq(locations.practiceId, practiceId)));
        if (!location) throw unknownRef('locationId', 'location');
        if (b.therapistId) {
          const [therapist] = await deps.db
            .select({ id: therapists.id })
            .from(therapists)
            .where(and(eq(therapists.id, b.therapistId), eq(therapists.practiceId, practiceId)));
          if (!therapist) throw unknownRef('therapistId', 'therapist');
        }
        const { row, created } = await repo.add({
          id: req.idempotencyRecordId ?? randomUUID(),
          practiceId,
          patientId: b.patientId,
          locationId: b.locationId,
          ...(b.therapistId ? { therapistId: b.therapistId } : {}),
          acuity: b.acuity as 1 | 2 | 3,
          minutes: b.minutes,
          ...(b.authorizationEndsOn ? { authorizationEndsOn: b.authorizationEndsOn } : {}),
          source: 'api',
        });
        if (!created && row.id !== req.idempotencyRecordId) {
          throw new HttpProblem(
            problem(409, 'The patient is already waiting at this location for this therapist.', {
              reason: 'AlreadyWaiting',
              existingEntryId: row.id,
            }),
          );
        }
        if (created) await audit(req, 'C', row.id, Object.keys(b));
        return reply.code(201).send(view(row));
      },
    );

    app.delete(
      '/v1/waitlist/:id',
      {
        config: { roles: FRONT_DESK },
        schema: {
          operationId: 'removeFromWaitlist',
          tags: ['waitlist'],
          summary: 'Take a waiting patient off the waitlist',
          description:
            'Answers the entry with status `removed`, also when it was removed before (a repeat changes ' +
            'nothing). 409 (`reason: AlreadyFilled`) when the patient already got a freed slot: cancel that ' +
            "appointment in the EMR instead. 404 for an id that is not one of the practice's entries.",
          params: z.strictObject({ id: z.uuid() }),
          response: { 200: entry },
        },
      },
      async (req) => {
        const { practiceId } = principalOf(req);
        const removed = await repo.remove(practiceId, req.params.id);
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
        if (removed.changed) await audit(req, 'U', removed.row.id, ['status']);
        return view(removed.row);
      },
    );

    app.get(
      '/v1/waitlist',
      {
        config: { roles: FRONT_DESK },
        schema: {
          operationId: 'listWaitlist',
          tags: ['waitlist'],
          summary: 'Patients waiting for a slot, oldest first',
          querystring: z.strictObject({ locationId: z.uuid().optional() }),
          response: { 200: z.object({ items: z.array(entry) }) },
        },
      },
      async (req) => ({
        items: (await repo.waiting(principalOf(req).practiceId, req.query.locationId)).map(view),
      }),
    );
  };
