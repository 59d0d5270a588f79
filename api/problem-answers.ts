// Every error the app answers is problem+json (RFC 9457): our own HttpProblems, request validation failures
// (each field named, never the received value), Fastify's own rejections (bad JSON, wrong Content-Type, body too
// large, an undecodable URL), unknown routes, and unexpected faults (a generic 500 with an error id to quote).
import { randomUUID } from 'node:crypto';
import { isGrpcDeadlineError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { answerDatabaseUnavailable, type DatabaseOutageTracker } from './database-outage.js';
import {
  fieldErrors,
  HttpProblem,
  locationOf,
  PROBLEM_CONTENT_TYPE,
  problem,
  RequestValidationError,
  validationProblem,
  type FieldError,
  type Problem,
} from './problem.js';

/** Fastify's own request rejections, answered with what to fix (never with the received bytes). */
const frameworkProblems: Record<string, { status: number; detail: string; extra?: Record<string, unknown> }> =
  {
    FST_ERR_CTP_INVALID_JSON_BODY: {
      status: 400,
      detail: 'The request body is not valid JSON.',
      extra: {
        errors: [
          {
            in: 'body',
            pointer: '',
            code: 'invalid_json',
            detail: 'Not valid JSON (or it uses a forbidden __proto__ or constructor key).',
          },
        ] satisfies FieldError[],
      },
    },
    FST_ERR_CTP_EMPTY_JSON_BODY: {
      status: 400,
      detail: 'The request body is empty although Content-Type is application/json.',
      extra: {
        errors: [
          {
            in: 'body',
            pointer: '',
            code: 'empty_body',
            expected: 'object',
            detail: 'A JSON object is required.',
          },
        ] satisfies FieldError[],
      },
    },
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
      status: 400,
      detail: 'Content-Length does not match the body sent.',
      extra: {
        errors: [
          {
            in: 'header',
            pointer: '/content-length',
            code: 'invalid_content_length',
            detail: 'Must equal the body size.',
          },
        ] satisfies FieldError[],
      },
    },
    FST_ERR_CTP_INVALID_MEDIA_TYPE: {
      status: 415,
      detail: 'This route does not accept that Content-Type; send the body as application/json.',
      extra: { accept: ['application/json'] },
    },
    FST_ERR_CTP_BODY_TOO_LARGE: {
      status: 413,
      detail: 'The request body is larger than this route accepts.',
    },
  };

function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * Router-level rejections (malformed percent-encoding, an over-long path parameter) are otherwise answered by
 * Fastify itself as plain JSON that echoes the path; they are problem+json like every other error.
 */
export const answerFrameworkError: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  err,
  req,
  reply,
) => {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 400;
  // Only 400s name a field: the URL could not be decoded (a malformed escape, an over-long parameter).
  const errors: FieldError[] = [
    { in: 'path', pointer: '', code: 'malformed_path', detail: 'The URL path could not be decoded.' },
  ];
  void sendProblem(
    reply,
    status === 400
      ? problem(400, 'The URL path is not valid.', { instance: req.id, errors })
      : problem(status, undefined, { instance: req.id }),
  );
};

/**
 * The error handler and the not-found handler of the app: every answer problem+json. A database that is down or
 * full answers 503 with Retry-After (database-outage.ts), noted in `outages` for /readyz.
 */
export function registerProblemAnswers(app: FastifyInstance, outages?: DatabaseOutageTracker): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpProblem) return sendProblem(reply, { ...err.problem, instance: req.id });
    if (outages && answerDatabaseUnavailable(err, req, reply, outages)) return reply;
    // A Temporal call past its deadline (e.g. a status query to a process no worker polls): retry later.
    if (isGrpcDeadlineError(err as unknown)) {
      return sendProblem(
        reply.header('retry-after', '5'),
        problem(503, 'The process did not answer in time; try again.', {
          instance: req.id,
          reason: 'ProcessNotAnswering',
        }),
      );
    }
    if (err instanceof RequestValidationError) {
      const where = locationOf(err.validationContext);
      const errors = err.issues.flatMap((issue) => fieldErrors(where, issue));
      return sendProblem(reply, validationProblem(errors, { instance: req.id }));
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (err.validation) {
      // Any other schema validation failure (e.g. from a plugin's own JSON schema): pointers and keywords only.
      const where = locationOf(err.validationContext);
      const errors: FieldError[] = err.validation.map((v) => ({
        in: where,
        pointer: v.instancePath,
        code: v.keyword,
        detail: `Fails the schema's "${v.keyword}" rule.`,
      }));
      return sendProblem(reply, validationProblem(errors, { instance: req.id }));
    }
    const framework = frameworkProblems[err.code];
    if (framework) {
      return sendProblem(
        reply,
        problem(framework.status, framework.detail, { instance: req.id, ...framework.extra }),
      );
    }
    if (status >= 500) {
      const errorId = randomUUID();
      req.log.error({ errorId, errName: err.name, code: err.code }, 'unhandled error');
      return sendProblem(
        reply,
        problem(status, 'An internal error occurred.', { instance: req.id, errorId }),
      );
    }
    // Any other Fastify 4xx: keep the status, generic text.
    return sendProblem(reply, problem(status, undefined, { instance: req.id }));
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem(404, 'No such resource.', { instance: req.id })),
  );
}
