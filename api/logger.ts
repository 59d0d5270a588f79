// Logger options shared by the API and the worker: PHI-bearing paths are redacted, and requests are logged by
// route pattern (never the raw URL, whose path or query could carry identifiers).
import type { FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';

/**
 * Keys whose values are patient data wherever they appear in a log object. Names are redacted below the top
 * level only (`name` at the top is pino's logger name; `name` on a failure is reduced by temporal/logger.ts).
 */
const phiKeys = [
  'patient',
  'patients',
  'demographics',
  'subscriber',
  'memberId',
  'given',
  'family',
  'firstName',
  'lastName',
  'dob',
  'dateOfBirth',
  'birthDate',
  'email',
  'phone',
  'address',
  'mrn',
  'ssn',
];

/** Up to three levels deep: `memberId`, `x.memberId`, `x.y.memberId`, `x.y.z.memberId`. */
function everywhere(key: string): string[] {
  return [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`];
}

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.body',
  'res.body',
  'body',
  '*.body',
  'rawBody',
  '*.rawBody',
  '*.name',
  '*.*.name',
  ...phiKeys.flatMap(everywhere),
];

let destination: DestinationStream | undefined;

/**
 * Sends every ptflow logger created from now on (API, worker, Temporal runtime, connectors) to `stream`
 * instead of stdout; `undefined` restores stdout. Embedders and the PHI canary tests use it to read every
 * line the services write.
 */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
}

/** The destination set by setLogDestination, if any (undefined: stdout). */
export function logDestination(): DestinationStream | undefined {
  return destination;
}

/**
 * pino options (also accepted by Fastify's `logger`, which reads `stream` as the destination). Only method,
 * route pattern and request id describe a request: no URL, query string, headers, remote address or body.
 */
export function loggerOptions(level: string): LoggerOptions & { stream?: DestinationStream } {
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
    ...(destination ? { stream: destination } : {}),
  };
}
