// Logger options shared by the API and the worker: PHI-bearing paths are redacted, and requests are logged by
// route pattern (never the raw URL, whose path or query could carry identifiers).
import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.body',
  'res.body',
  'body',
  '*.patient',
  '*.patient.*',
  '*.demographics',
  '*.memberId',
  '*.name',
  '*.dob',
  '*.dateOfBirth',
  '*.email',
  '*.phone',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        route: req.routeOptions?.url ?? 'unmatched',
        requestId: req.id,
      }),
    },
  };
}
