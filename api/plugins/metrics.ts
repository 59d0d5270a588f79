// Prometheus metrics (`GET /metrics`). Labels are route patterns, methods, status codes, process kinds and
// webhook outcomes — never raw URLs or ids, which could carry identifiers. The practice gauges are business
// figures (denial and collection rates), so with a token configured (METRICS_TOKEN, required in production by
// `ptflow api`) the endpoint answers only a scraper presenting it as a bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem, problem } from '../problem.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  processStarts: Counter<'kind'>;
  webhookOutcomes: Counter<'source' | 'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ptflow_api_' });
  return {
    registry,
    processStarts: new Counter({
      name: 'ptflow_process_starts_total',
      help: 'Processes started through the API or webhooks, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    webhookOutcomes: new Counter({
      name: 'ptflow_webhook_events_total',
      help: 'Inbound webhook deliveries by source kind and outcome',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
  };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Does the request carry `Authorization: Bearer <token>`? Compared in constant time (over SHA-256 digests). */
export function hasMetricsToken(req: Pick<FastifyRequest, 'headers'>, token: string): boolean {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * Serves `GET /metrics`. With `token`, a request without `Authorization: Bearer <token>` is answered 401
 * problem+json (no metric text); without one (development) the endpoint is open, as `ptflow api` allows only
 * outside production.
 */
export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics, token?: string): void {
  const duration = new Histogram({
    name: 'ptflow_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (req, reply) => {
    duration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    if (token !== undefined && !hasMetricsToken(req, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new HttpProblem(problem(401, 'A valid metrics bearer token is required.'));
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
