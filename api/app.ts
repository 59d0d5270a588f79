// Fastify app factory. Everything external comes in through `deps`, so tests build the app around real or
// fake dependencies and `ptflow api` / `ptflow dev` build it around the real ones.
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { loggerOptions } from './logger.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problem } from './problem.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';

export interface AppDeps {
  logLevel?: string;
  /** Named readiness checks (e.g. temporal, database) answered by /readyz. */
  readiness: Record<string, ReadinessCheck>;
  /** Replace the logger (tests capture lines to check for PHI). */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.loggerInstance
      ? { loggerInstance: deps.loggerInstance }
      : { logger: loggerOptions(deps.logLevel ?? 'info') }),
    genReqId: (req) => {
      // Accept a caller's request id only if it is an opaque token; never reflect arbitrary input.
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpProblem) {
      return reply
        .code(err.problem.status)
        .type(PROBLEM_CONTENT_TYPE)
        .send({ ...err.problem, instance: req.id });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // Pointers and codes only: the offending values are never echoed back or logged.
      const errors = err.validation.map((v) => ({
        pointer: v.instancePath || '/',
        code: (v.params.issue as { code?: string }).code ?? 'invalid',
      }));
      return reply
        .code(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(400, 'The request does not match the schema.', { instance: req.id, errors }));
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      const errorId = randomUUID();
      req.log.error({ errorId, errName: err.name, code: err.code }, 'unhandled error');
      return reply
        .code(status)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(status, 'An internal error occurred.', { instance: req.id, errorId }));
    }
    // Fastify's own 4xx (malformed JSON, body too large, wrong content type): keep the status, generic text.
    return reply
      .code(status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(status, undefined, { instance: req.id }));
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(404, 'No such resource.', { instance: req.id })),
  );

  await app.register(healthRoutes(deps.readiness));
  return app;
}
