// The staff worklist: list open tasks for the caller's practice and role, and complete one — which signals the
// workflow waiting for it. Objects of another practice answer 404, never 403 (to the caller, another
// practice's ids do not exist).
import type { Client } from '@temporalio/client';
import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { tasks } from '../../db/schema.js';
import { staffRoles, taskCompletionSchema } from '../../domain/tasks.js';
import { principalOf } from '../auth/plugin.js';
import { cursorSchema, decodeCursor, encodeCursor, limitSchema } from '../pagination.js';
import { roleViews } from '../response-shaping/role-views.js';
import { completeTask } from '../task-service.js';

export interface TaskRouteDeps {
  db: Database;
  temporal: Client;
  cursorKey: Buffer;
}

const taskStatus = z.enum(['open', 'escalated', 'completed', 'cancelled']);
const taskView = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  assigneeRole: z.enum(staffRoles),
  status: taskStatus,
  dueAt: z.string(),
  processId: z.string(),
  processKind: z.string(),
  patientId: z.uuid().nullable(),
  createdAt: z.string(),
});

const staff = ['admin', 'front_desk', 'therapist', 'biller'] as const;
const taskPage = z.object({
  data: z.array(taskView),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});
// Every staff role works the same worklist fields (their own queue; admins any queue).
const taskPageViews = roleViews('TaskPage', taskPage, {
  admin: taskPage,
  front_desk: taskPage,
  therapist: taskPage,
  biller: taskPage,
});

/** What the worklist shows: never the outcome (PHI, read only through db/repositories/tasks.ts). */
const worklistColumns = {
  id: tasks.id,
  kind: tasks.kind,
  title: tasks.title,
  assigneeRole: tasks.assigneeRole,
  status: tasks.status,
  dueAt: tasks.dueAt,
  workflowId: tasks.workflowId,
  processKind: tasks.processKind,
  patientId: tasks.patientId,
  createdAt: tasks.createdAt,
};

export const taskRoutes = (deps: TaskRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.get(
      '/v1/tasks',
      {
        config: { roles: staff },
        schema: {
          tags: ['tasks'],
          operationId: 'listTasks',
          summary: 'List the worklist of your practice',
          querystring: z.strictObject({
            assigneeRole: z.enum(staffRoles).optional(),
            status: taskStatus.default('open'),
            limit: limitSchema,
            cursor: cursorSchema,
          }),
          response: { 200: taskPageViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const filters = req.query;
        // Staff see their own role's queue; admins may look at any role's.
        const role = principal.role === 'admin' ? filters.assigneeRole : principal.role;
        const after = filters.cursor
          ? decodeCursor(deps.cursorKey, principal.practiceId, filters.cursor)
          : undefined;
        const rows = await deps.db
          .select(worklistColumns)
          .from(tasks)
          .where(
            and(
              eq(tasks.practiceId, principal.practiceId),
              eq(tasks.status, filters.status),
              role ? eq(tasks.assigneeRole, role as (typeof staffRoles)[number]) : undefined,
              after
                ? or(
                    gt(tasks.createdAt, new Date(after.createdAt)),
                    and(eq(tasks.createdAt, new Date(after.createdAt)), gt(tasks.id, after.id)),
                  )
                : undefined,
            ),
          )
          .orderBy(asc(tasks.createdAt), asc(tasks.id))
          .limit(filters.limit + 1);
        const page = rows.slice(0, filters.limit);
        const last = page.at(-1);
        return {
          data: page.map((t) => ({
            id: t.id,
            kind: t.kind,
            title: t.title,
            assigneeRole: t.assigneeRole,
            status: t.status,
            dueAt: t.dueAt.toISOString(),
            processId: t.workflowId,
            processKind: t.processKind,
            patientId: t.patientId,
            createdAt: t.createdAt.toISOString(),
          })),
          has_more: rows.length > filters.limit,
          next_cursor:
            rows.length > filters.limit && last
              ? encodeCursor(deps.cursorKey, principal.practiceId, {
                  createdAt: last.createdAt.toISOString(),
                  id: last.id,
                })
              : null,
        };
      },
    );

    app.post(
      '/v1/tasks/:id/complete',
      {
        config: { roles: staff, idempotent: true },
        schema: {
          tags: ['tasks'],
          operationId: 'completeTask',
          summary: 'Complete a task; the waiting process continues',
          params: z.strictObject({ id: z.uuid() }),
          body: z.strictObject({ outcome: taskCompletionSchema.shape.outcome }),
          response: { 202: z.object({ id: z.uuid(), status: z.literal('completing') }) },
        },
      },
      async (req, reply) => {
        const done = await completeTask(deps, principalOf(req), req.params.id, req.body.outcome);
        return reply.code(202).send(done);
      },
    );
  };
