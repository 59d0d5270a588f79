// The waitlist over REST (issue 18 §2): the front desk puts a patient on the waitlist of a location (optionally
// for one therapist), with the acuity and visit length the slot must fit and the authorization's last day; a
// cancelled slot is then offered to waiting patients in the fair order domain/visits `rankWaitlist` explains
// (the waitlistFill process). Ids, dates and scores only: nothing here identifies a patient but our UUID.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { createWaitlistRepository, type WaitlistEntryRow } from '../../db/repositories/visits.js';
import { locations, patients } from '../../db/schema.js';
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

export const waitlistRoutes = (deps: { db: Database }): FastifyPluginAsyncZod =>
  async function routes(app) {
    const repo = createWaitlistRepository(deps.db);
    app.post(
      '/v1/waitlist',
      {
        config: { roles: ['admin', 'front_desk'] },
        schema: {
          operationId: 'addToWaitlist',
          tags: ['waitlist'],
          summary:
            'Put a patient on the waitlist of a location (offered freed slots in a fair, explained order)',
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
        const row = await repo.add({
          id: randomUUID(),
          practiceId,
          patientId: b.patientId,
          locationId: b.locationId,
          ...(b.therapistId ? { therapistId: b.therapistId } : {}),
          acuity: b.acuity as 1 | 2 | 3,
          minutes: b.minutes,
          ...(b.authorizationEndsOn ? { authorizationEndsOn: b.authorizationEndsOn } : {}),
          source: 'api',
        });
        return reply.code(201).send(view(row));
      },
    );

    app.get(
      '/v1/waitlist',
      {
        config: { roles: ['admin', 'front_desk'] },
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
