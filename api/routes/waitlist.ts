// The waitlist over REST (issue 18 §2): the front desk puts a patient on the waitlist of a location (optionally
// for one therapist), with the acuity and visit length the slot must fit and the authorization's last day; a
// cancelled slot is then offered to waiting patients in the fair order domain/visits `rankWaitlist` explains
// (the waitlistFill process). Ids, dates and scores only: nothing here identifies a patient but our UUID.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { createWaitlistRepository, type WaitlistEntryRow } from '../../db/repositories/visits.js';
import type { AuditActor } from '../audit.js';
import { principalOf } from '../auth/plugin.js';
import { addToWaitlist, removeFromWaitlist, WaitlistAddSchema } from '../waitlist-service.js';

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

/** The front desk's roles: they keep the waitlist. */
const FRONT_DESK = ['admin', 'front_desk'] as const;

export const waitlistRoutes = (deps: { db: Database }): FastifyPluginAsyncZod =>
  async function routes(app) {
    const repo = createWaitlistRepository(deps.db);
    const actor = (req: FastifyRequest): AuditActor => ({
      principal: principalOf(req),
      requestId: req.id,
      ip: req.ip,
    });

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
          body: WaitlistAddSchema,
          response: { 201: entry },
        },
      },
      async (req, reply) => {
        // The entry's id is the Idempotency-Key record's: a retry that lost its answer finds the same entry.
        const row = await addToWaitlist(deps.db, actor(req), req.body, req.idempotencyRecordId);
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
      async (req) => view(await removeFromWaitlist(deps.db, actor(req), req.params.id)),
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
