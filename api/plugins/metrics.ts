// Prometheus metrics (`GET /metrics`). Labels are route patterns, methods, status codes, process kinds and
// webhook outcomes — never raw URLs or ids, which could carry identifiers.
import type { FastifyInstance } from 'fastify';
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

export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
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
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
