// Raw-body parsing for the webhook scope: signatures are computed over the exact bytes received, so
// nothing here parses JSON or form data. Called inside the webhook routes' encapsulated plugin, so every other
// route keeps Fastify's normal JSON parser. Any other content type is refused by Fastify with a 415.
import type { FastifyInstance } from 'fastify';

/** Webhook bodies are small (thin events); anything larger is a 413. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

export function useRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const keepBytes = (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) =>
    done(null, body);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    keepBytes,
  );
  // Twilio posts form-encoded parameters; its signature is computed over the decoded parameters of these bytes.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    keepBytes,
  );
}

/** The raw body of a webhook request (an empty buffer for a body-less POST). */
export function rawBodyOf(req: { body: unknown }): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
