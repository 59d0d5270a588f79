// The staff console's first-run setup wizard (server-rendered HTML, no script; see api/console/layout.ts):
//   GET  /console/setup            where setup stands ("N of M steps done"), each step and the way in
//   GET  /console/setup/review     exactly what the profile still lacks, by step (or that it is complete)
//   GET  /console/setup/:step      one step: what is saved, and its form (prefilled on single-form steps)
//   POST /console/setup/:step      saves that step alone through the practice service the REST routes call
//                                  (errors beside the field, values kept; post/redirect/get on success)
// Administrators only: other roles get the "not for your role" page (403), also on POST. CSRF: the auth plugin
// checks the form's token (urlencoded forms and the multipart CSV upload alike). URLs carry step names only.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffRoles } from '../auth/session.js';
import { emptyForm, readValues, runForm, type FormState } from '../console/forms.js';
import {
  consoleContext,
  sendConsoleNotFound,
  sendConsolePage,
  type ConsoleContext,
} from '../console/layout.js';
import { acceptMultipartForms, isUploadedFile, type UploadedFile } from '../console/multipart.js';
import { notForYourRoleBody, overviewBody, reviewBody, stepBody, stepPath } from '../console/setup-pages.js';
import {
  SETUP_STEPS,
  setupProgress,
  stepByKey,
  type SetupDeps,
  type SetupStep,
} from '../console/setup-steps.js';

/** Largest fee schedule upload accepted (bytes of the whole form). */
export const SETUP_UPLOAD_LIMIT = 2 * 1024 * 1024;

/** The wizard's routes. */
export function consoleSetupRoutes(deps: SetupDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    acceptMultipartForms(app, SETUP_UPLOAD_LIMIT);
    const options = { config: { roles: staffRoles, page: true }, schema: { hide: true } } as const;

    /** The console context, or the 403 page for anyone but an administrator. */
    const adminContext = async (
      req: FastifyRequest,
      reply: FastifyReply,
    ): Promise<ConsoleContext | undefined> => {
      const ctx = await consoleContext(app, deps.db, req);
      if (ctx.principal.role === 'admin') return ctx;
      await sendConsolePage(reply, 403, ctx, {
        title: 'Not for your role',
        section: 'setup',
        body: notForYourRoleBody,
      });
      return undefined;
    };

    const sendStep = async (
      reply: FastifyReply,
      ctx: ConsoleContext,
      step: SetupStep,
      status: number,
      state?: FormState,
      notice?: string,
    ) => {
      const [progress, view] = await Promise.all([
        setupProgress(deps, ctx.principal.practiceId),
        step.load(deps, ctx.principal.practiceId),
      ]);
      return sendConsolePage(reply, status, ctx, {
        title: 'Practice setup',
        section: 'setup',
        body: stepBody(ctx, step, progress, view, state ?? emptyForm(view.values ?? {}), notice),
      });
    };

    app.get('/console/setup', options, async (req, reply) => {
      const ctx = await adminContext(req, reply);
      if (!ctx) return reply;
      return sendConsolePage(reply, 200, ctx, {
        title: 'Practice setup',
        section: 'setup',
        body: overviewBody(await setupProgress(deps, ctx.principal.practiceId)),
      });
    });

    app.get('/console/setup/review', options, async (req, reply) => {
      const ctx = await adminContext(req, reply);
      if (!ctx) return reply;
      return sendConsolePage(reply, 200, ctx, {
        title: 'Practice setup: review',
        section: 'setup',
        body: reviewBody(await setupProgress(deps, ctx.principal.practiceId)),
      });
    });

    app.get<{ Params: { step: string }; Querystring: { saved?: string } }>(
      '/console/setup/:step',
      options,
      async (req, reply) => {
        const ctx = await adminContext(req, reply);
        if (!ctx) return reply;
        const step = stepByKey(req.params.step);
        if (!step) return sendConsoleNotFound(reply, ctx, 'setup');
        const saved = req.query.saved === undefined ? undefined : stepByKey(req.query.saved);
        return sendStep(reply, ctx, step, 200, undefined, saved?.saved);
      },
    );

    app.post<{ Params: { step: string } }>('/console/setup/:step', options, async (req, reply) => {
      const ctx = await adminContext(req, reply);
      if (!ctx) return reply;
      const step = stepByKey(req.params.step);
      if (!step) return sendConsoleNotFound(reply, ctx, 'setup');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const files: Record<string, UploadedFile> = {};
      for (const f of step.fields) {
        const v = body[f.key];
        if (f.type === 'file' && isUploadedFile(v)) files[f.key] = v;
      }
      return runForm({
        reply,
        fields: step.fields,
        values: readValues(body, step.fields),
        validate: step.validate,
        submit: (data) =>
          step.save(deps, { principal: ctx.principal, requestId: req.id, ip: req.ip }, data, files),
        render: (status, state) => sendStep(reply, ctx, step, status, state),
        done: () => {
          const next = SETUP_STEPS[SETUP_STEPS.indexOf(step) + 1];
          const target = step.after === 'stay' || !next ? step.key : next.key;
          return reply.redirect(`${stepPath(target)}?saved=${step.key}`, 303);
        },
      });
    });
  };
}
