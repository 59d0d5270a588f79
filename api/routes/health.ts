// Liveness and readiness. /healthz says the process is alive; /readyz checks, for real, that Temporal and
// the database answer, and reports which one does not.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type ReadinessCheck = () => Promise<boolean>;

const checkResult = z.enum(['ok', 'unavailable']);

export const healthRoutes = (checks: Record<string, ReadinessCheck>): FastifyPluginAsyncZod =>
  async function health(app) {
    app.get(
      '/healthz',
      {
        config: { public: true },
        schema: {
          tags: ['health'],
          operationId: 'getLiveness',
          summary: 'Liveness: the process is up',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: {
          tags: ['health'],
          operationId: 'getReadiness',
          summary: 'Readiness: Temporal and the database answer (503 names the one that does not)',
          response: {
            200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), checkResult) }),
            503: z.object({
              type: z.string(),
              title: z.string(),
              status: z.literal(503),
              detail: z.string(),
              checks: z.record(z.string(), checkResult),
            }),
          },
        },
      },
      async (_req, reply) => {
        const entries = await Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            const ok = await Promise.race([
              check().catch(() => false),
              new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref()),
            ]);
            return [name, ok ? 'ok' : 'unavailable'] as const;
          }),
        );
        const results = Object.fromEntries(entries);
        if (entries.every(([, r]) => r === 'ok')) return { status: 'ready' as const, checks: results };
        return reply
          .code(503)
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503 as const,
            detail: 'A dependency is not reachable.',
            checks: results,
          });
      },
    );
  };
