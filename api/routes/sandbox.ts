// The sandbox messaging outbox over REST (demos and tests): what ptflow "sent" to patients in this practice,
// recipients masked. Reading message bodies is a PHI read: audited, failing closed.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listOutbox } from '../../db/repositories/outbox.js';
import { principalOf } from '../auth/plugin.js';
import { audited, type ProcessRouteDeps } from '../processes.js';
import { roleViews } from '../response-shaping/role-views.js';

const entry = z.object({
  id: z.uuid(),
  channel: z.enum(['sms', 'email']),
  recipient: z.string(),
  template: z.string(),
  language: z.enum(['en', 'es']),
  subject: z.string().nullable(),
  body: z.string(),
  status: z.enum(['sent', 'delivered', 'failed']),
  createdAt: z.string(),
});

const outboxPage = z.object({ data: z.array(entry) });
const outboxPageViews = roleViews('SandboxOutbox', outboxPage, { admin: outboxPage, front_desk: outboxPage });

export const sandboxRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.get(
      '/v1/sandbox/outbox',
      {
        config: { roles: ['admin', 'front_desk'] },
        schema: {
          tags: ['sandbox'],
          operationId: 'listSandboxOutbox',
          summary: 'Messages the sandbox messaging provider recorded for your practice, newest first',
          querystring: z.strictObject({
            channel: z.enum(['sms', 'email']).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
            before: z.iso.datetime({ offset: true }).optional(),
          }),
          response: { 200: outboxPageViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const data = await listOutbox(deps.db, { practiceId: principal.practiceId, ...req.query });
        await audited(deps, req, {
          action: 'R',
          resourceType: 'sandbox_outbox',
          resourceId: principal.practiceId,
          workflowId: 'none',
        });
        return { data };
      },
    );
  };
