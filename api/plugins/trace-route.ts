// With tracing on (cli/tracing.ts), the HTTP server span of a request is named by its route template
// (`GET /v1/claims/:id`), never by the raw URL: the HTTP instrumentation reads the route this hook records.
// This replaces @opentelemetry/instrumentation-fastify, which also opened a span per hook and plugin (about ten
// per request): measured, that cost more than half the API's throughput (README, "Observability").
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/** Record each request's route template on the active HTTP server span (registered only when tracing is on). */
export function registerTraceRoutes(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const meta = getRPCMetadata(context.active());
    const route = req.routeOptions.url;
    if (meta?.type === RPCType.HTTP && route !== undefined) meta.route = route;
    done();
  });
}
