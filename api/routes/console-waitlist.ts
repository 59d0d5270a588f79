// The staff console's waitlist page (issue 18 §2; server-rendered HTML, no script; see api/console/layout.ts):
//   GET  /console/waitlist?locationId        the patients waiting for a freed slot, per location, oldest first
//                                            (our patient ids only, like the worklist), and a form to add one
//   POST /console/waitlist                   the add form: validated by the REST body's schema (errors beside the
//                                            field, values kept), then `addToWaitlist` — the code path of
//                                            POST /v1/waitlist — and post/redirect/get
//   POST /console/waitlist/:id/remove        `removeFromWaitlist` — the code path of DELETE /v1/waitlist/:id
// Administrators and the front desk; other roles get the "not for your role" page (403), also on POST. Tenancy
// as in the API: another practice's entry is the 404 page. CSRF: the auth plugin checks the form's token.
import formbody from '@fastify/formbody';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { createWaitlistRepository } from '../../db/repositories/visits.js';
import { therapists } from '../../db/schema.js';
import { staffRoles } from '../auth/session.js';
import {
  bodyOf,
  emptyForm,
  formErrorsOfIssues,
  readValues,
  runForm,
  type FormState,
} from '../console/forms.js';
import {
  consoleContext,
  sendConsoleNotFound,
  sendConsolePage,
  type ConsoleContext,
} from '../console/layout.js';
import {
  WAITLIST_PATH,
  waitlistBody,
  waitlistFields,
  waitlistNotForYourRole,
} from '../console/waitlist-page.js';
import { practiceLocations } from '../practice-metrics.js';
import { HttpProblem } from '../problem.js';
import {
  addToWaitlist,
  removeFromWaitlist,
  WaitlistAddSchema,
  type WaitlistAdd,
} from '../waitlist-service.js';

const WAITLIST_ROLES: readonly string[] = ['admin', 'front_desk'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function consoleWaitlistRoutes(deps: { db: Database }) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    const options = { config: { roles: staffRoles, page: true }, schema: { hide: true } } as const;
    const repo = createWaitlistRepository(deps.db);

    /** The console context, or the 403 page for roles that do not keep the waitlist. */
    const frontDeskContext = async (
      req: FastifyRequest,
      reply: FastifyReply,
    ): Promise<ConsoleContext | undefined> => {
      const ctx = await consoleContext(app, deps.db, req);
      if (WAITLIST_ROLES.includes(ctx.principal.role)) return ctx;
      await sendConsolePage(reply, 403, ctx, {
        title: 'Not for your role',
        section: 'waitlist',
        body: waitlistNotForYourRole,
      });
      return undefined;
    };

    const practiceData = async (practiceId: string) => {
      const [locations, staff] = await Promise.all([
        practiceLocations(deps.db, practiceId),
        deps.db
          .select({ id: therapists.id, name: therapists.name })
          .from(therapists)
          .where(eq(therapists.practiceId, practiceId))
          .orderBy(therapists.name),
      ]);
      return { locations, therapists: staff };
    };

    const sendList = async (
      reply: FastifyReply,
      ctx: ConsoleContext,
      status: number,
      locationId: string,
      state: FormState = emptyForm(),
      extra: { notice?: string; message?: string } = {},
    ) => {
      const data = await practiceData(ctx.principal.practiceId);
      const known = data.locations.some((l) => l.id === locationId) ? locationId : '';
      const entries = await repo.waiting(ctx.principal.practiceId, known || undefined);
      return sendConsolePage(reply, status, ctx, {
        title: 'Waitlist',
        section: 'waitlist',
        body: waitlistBody(ctx, { entries, ...data, locationId: known }, state, extra.message),
        ...(extra.notice ? { notice: extra.notice } : {}),
      });
    };

    app.get<{ Querystring: { locationId?: string; added?: string; removed?: string } }>(
      WAITLIST_PATH,
      options,
      async (req, reply) => {
        const ctx = await frontDeskContext(req, reply);
        if (!ctx) return reply;
        const q = req.query;
        const notice =
          q.added !== undefined
            ? 'Added to the waitlist.'
            : q.removed !== undefined
              ? 'Removed from the waitlist.'
              : undefined;
        return sendList(
          reply,
          ctx,
          200,
          typeof q.locationId === 'string' ? q.locationId : '',
          undefined,
          notice ? { notice } : {},
        );
      },
    );

    app.post(WAITLIST_PATH, options, async (req, reply) => {
      const ctx = await frontDeskContext(req, reply);
      if (!ctx) return reply;
      const data = await practiceData(ctx.principal.practiceId);
      const fields = waitlistFields(data.locations, data.therapists);
      return runForm<WaitlistAdd>({
        reply,
        fields,
        values: readValues(req.body, fields),
        validate: (values) => {
          const body = bodyOf(values, fields);
          if (typeof body.acuity === 'string') body.acuity = Number(body.acuity);
          const parsed = WaitlistAddSchema.safeParse(body);
          if (parsed.success) return { data: parsed.data, errors: {} };
          const { errors, unplaced } = formErrorsOfIssues(parsed.error.issues, fields, values);
          return { errors, ...(unplaced.length > 0 ? { message: unplaced.join(' ') } : {}) };
        },
        submit: async (body) => {
          try {
            await addToWaitlist(deps.db, { principal: ctx.principal, requestId: req.id, ip: req.ip }, body);
          } catch (err) {
            // Already waiting: say so in words (the REST answer's `existingEntryId` is for programs).
            if (err instanceof HttpProblem && err.problem.reason === 'AlreadyWaiting') {
              throw new HttpProblem({
                ...err.problem,
                detail:
                  'This patient is already waiting at this location for this therapist (see the list above). ' +
                  'To change the wish, remove that entry first.',
              });
            }
            throw err;
          }
        },
        render: (status, state) => sendList(reply, ctx, status, '', state),
        done: () => reply.redirect(`${WAITLIST_PATH}?added=1`, 303),
      });
    });

    app.post<{ Params: { id: string } }>(`${WAITLIST_PATH}/:id/remove`, options, async (req, reply) => {
      const ctx = await frontDeskContext(req, reply);
      if (!ctx) return reply;
      if (!UUID.test(req.params.id)) return sendConsoleNotFound(reply, ctx, 'waitlist');
      try {
        await removeFromWaitlist(
          deps.db,
          { principal: ctx.principal, requestId: req.id, ip: req.ip },
          req.params.id,
        );
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
        if (err.problem.status === 404) return sendConsoleNotFound(reply, ctx, 'waitlist');
        return sendList(reply, ctx, err.problem.status, '', undefined, {
          message: err.problem.detail ?? err.problem.title,
        });
      }
      return reply.redirect(`${WAITLIST_PATH}?removed=1`, 303);
    });
  };
}
