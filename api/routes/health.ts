// Liveness and readiness. /healthz says the process is alive; /readyz checks, for real, that Temporal and
// the database answer, and reports which one does not. Advisories are reported without deciding readiness:
// `worker` says whether any worker polls the task queue (the API keeps accepting work while workers are
// down or refuse to start — Temporal holds it — but /readyz says so, and where to look); `workerStart` names
// the variables a worker that refused to start named.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseOutageTracker } from '../database-outage.js';

export type ReadinessCheck = () => Promise<boolean>;

const checkResult = z.enum(['ok', 'unavailable']);

/** A check reported by /readyz that does not make the API unready; `hint` (no PHI, no values) says why it matters. */
export interface ReadinessAdvisory {
  check: ReadinessCheck;
  hint: string;
  /** When the check fails: a more specific hint (same rules: names, no values), else `hint`. */
  explain?: () => Promise<string | undefined>;
}

const warning = z.object({ check: z.string(), hint: z.string() });

async function run(check: ReadinessCheck): Promise<'ok' | 'unavailable'> {
  const ok = await Promise.race([
    check().catch(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref()),
  ]);
  return ok ? 'ok' : 'unavailable';
}

/** An advisory's specific hint, bounded like the checks (a stalled database must not hold /readyz). */
async function explain(a: ReadinessAdvisory): Promise<string | undefined> {
  if (!a.explain) return undefined;
  return Promise.race([
    a.explain().catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000).unref()),
  ]);
}

/**
 * `outages`: what requests saw of the database. A full disk still answers `select 1`, so a write the server
 * refused for lack of space in the last 30 s makes the `database` check unavailable too.
 */
export const healthRoutes = (
  checks: Record<string, ReadinessCheck>,
  advisories: Record<string, ReadinessAdvisory> = {},
  outages?: DatabaseOutageTracker,
): FastifyPluginAsyncZod =>
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
            200: z.object({
              status: z.literal('ready'),
              checks: z.record(z.string(), checkResult),
              warnings: z.array(warning).optional(),
            }),
            503: z.object({
              type: z.string(),
              title: z.string(),
              status: z.literal(503),
              detail: z.string(),
              checks: z.record(z.string(), checkResult),
              warnings: z.array(warning).optional(),
            }),
          },
        },
      },
      async (_req, reply) => {
        const [entries, advised] = await Promise.all([
          Promise.all(
            Object.entries(checks).map(async ([name, check]) => {
              const storageFull = name === 'database' && outages?.storageFull() === true;
              return [name, storageFull ? ('unavailable' as const) : await run(check)] as const;
            }),
          ),
          Promise.all(
            Object.entries(advisories).map(async ([name, a]) => {
              const result = await run(a.check);
              const explained = result !== 'ok' ? await explain(a) : undefined;
              return { name, hint: explained ?? a.hint, result };
            }),
          ),
        ]);
        const results: Record<string, 'ok' | 'unavailable'> = Object.fromEntries(entries);
        for (const a of advised) results[a.name] = a.result;
        const failed = advised.filter((a) => a.result !== 'ok');
        const warnings =
          failed.length > 0 ? { warnings: failed.map((a) => ({ check: a.name, hint: a.hint })) } : {};
        if (entries.every(([, r]) => r === 'ok')) {
          return { status: 'ready' as const, checks: results, ...warnings };
        }
        return reply
          .code(503)
          .header('retry-after', '5')
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503 as const,
            detail: 'A dependency is not reachable.',
            checks: results,
            ...warnings,
          });
      },
    );
  };
