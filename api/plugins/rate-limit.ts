// Rate limits: per principal on authenticated routes (checked after authentication), per IP
// otherwise; 429s are problem+json (the central error handler renders them) and carry Retry-After. The
// in-process store suits one API instance; several instances need a shared store.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitSettings {
  /** Requests per minute per principal (or per IP for unauthenticated routes). */
  perMinute: number;
  /** Failed authentications per minute per IP before answering 429 (brute-force defence). */
  authFailuresPerMinute: number;
}

export async function registerRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: settings.perMinute,
    timeWindow: 60_000,
    enableDraftSpec: true,
    keyGenerator: (req) => req.principal?.id ?? `ip:${req.ip}`,
    errorResponseBuilder: () => Object.assign(new Error('rate limited'), { statusCode: 429 }),
  });
}
