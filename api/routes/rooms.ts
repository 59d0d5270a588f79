// Rooms over REST (issue 18 part 3): the practice's treatment rooms per location, each with a capacity
// (patients treated at once: a gym with 4 tables = 4, a private room = 1). Visits are booked only when a
// suitable room has a free unit (domain/scheduling/rooms.ts ROOM_NEEDS: evaluations need a private room);
// a location with no active room is not room-constrained. Tenancy is the caller's practice; rooms are not PHI.
// Bad input answers problem+json naming the field; every change is audited.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditChange } from '../audit.js';
import type { Database } from '../../db/connection.js';
import { createRoomRepository } from '../../db/repositories/rooms.js';
import { RoomInputSchema } from '../../domain/scheduling/rooms.js';
import { principalOf } from '../auth/plugin.js';
import { HttpProblem, problem } from '../problem.js';

export { RoomInputSchema };

export interface RoomRouteDeps {
  db: Database;
}

const TAG = 'practice';
const ADMIN = ['admin'] as const;

const RoomViewSchema = z.object({
  id: z.uuid(),
  locationId: z.uuid(),
  name: z.string(),
  capacity: z.number().int(),
  private: z.boolean(),
  active: z.boolean(),
});

const IdParams = z.strictObject({ id: z.uuid() });

export const roomRoutes = (deps: RoomRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    const rooms = createRoomRepository(deps.db);
    const audit = (req: FastifyRequest, action: 'C' | 'U' | 'D', id: string, fields: string[]) =>
      auditChange(
        deps.db,
        { principal: principalOf(req), requestId: req.id, ip: req.ip },
        { action, resourceType: 'room', resourceId: id, fields },
      );
    const noLocation = () =>
      new HttpProblem(
        problem(404, 'No such location.', {
          errors: [
            {
              in: 'body',
              pointer: '/locationId',
              code: 'not_found',
              detail: 'Not a location of this practice.',
            },
          ],
        }),
      );

    app.get(
      '/v1/practice/rooms',
      {
        config: { roles: ['admin', 'front_desk', 'therapist'] },
        schema: {
          operationId: 'listPracticeRooms',
          tags: [TAG],
          summary: "The practice's treatment rooms per location, with their capacity",
          response: { 200: z.object({ items: z.array(RoomViewSchema) }) },
        },
      },
      async (req) => ({ items: await rooms.list(principalOf(req).practiceId) }),
    );

    app.post(
      '/v1/practice/rooms',
      {
        config: { roles: ADMIN, idempotent: true },
        schema: {
          operationId: 'addPracticeRoom',
          tags: [TAG],
          summary: 'Add a room to a location (visits are booked only when a suitable room has a free place)',
          body: RoomInputSchema,
          response: { 201: RoomViewSchema },
        },
      },
      async (req, reply) => {
        const created = await rooms.create(principalOf(req).practiceId, req.body);
        // Another practice's location is answered like an unknown one (tenancy: never 403, never a hint).
        if (!created) throw noLocation();
        await audit(req, 'C', created.id, Object.keys(req.body));
        return reply.code(201).send(created);
      },
    );

    app.put(
      '/v1/practice/rooms/:id',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'updatePracticeRoom',
          tags: [TAG],
          summary: "Replace a room's name, location, capacity, privacy and whether it is in use",
          params: IdParams,
          body: RoomInputSchema,
          response: { 200: RoomViewSchema },
        },
      },
      async (req) => {
        const practiceId = principalOf(req).practiceId;
        const room = await rooms.get(practiceId, req.params.id);
        if (!room) throw new HttpProblem(problem(404, 'No such room.'));
        // A smaller room must not strand visits already holding the places it gives up.
        const stranded = await rooms.holdsAboveCapacity(practiceId, room.id, req.body.capacity, new Date());
        if (stranded > 0)
          throw new HttpProblem(
            problem(409, 'Upcoming visits hold places above the new capacity: move them first.', {
              errors: [
                {
                  in: 'body',
                  pointer: '/capacity',
                  code: 'in_use',
                  detail: `${stranded} upcoming visit(s) hold places above this capacity.`,
                },
              ],
            }),
          );
        const updated = await rooms.update(practiceId, room.id, req.body);
        if (!updated) throw noLocation();
        await audit(req, 'U', room.id, Object.keys(req.body));
        return updated;
      },
    );

    app.delete(
      '/v1/practice/rooms/:id',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'deletePracticeRoom',
          tags: [TAG],
          summary: 'Delete a room that never held a visit (a used room is deactivated instead)',
          params: IdParams,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const practiceId = principalOf(req).practiceId;
        const outcome = await rooms.deleteIfUnused(practiceId, req.params.id);
        if (outcome === 'not_found') throw new HttpProblem(problem(404, 'No such room.'));
        if (outcome === 'in_use')
          throw new HttpProblem(
            problem(409, 'The room has held visits: set active to false instead of deleting it.', {
              errors: [
                {
                  in: 'path',
                  pointer: '/id',
                  code: 'in_use',
                  detail: 'The room has reservations; deactivate it with PUT.',
                },
              ],
            }),
          );
        await audit(req, 'D', req.params.id, []);
        return reply.code(204).send(null);
      },
    );
  };
