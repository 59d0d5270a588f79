// Codec server for the Temporal Web UI and CLI: POST /codec/encode and
// /codec/decode over the same EncryptionCodec as the client and worker. Decoding hands PHI to a browser, so:
// authentication first (no principal → 401), CORS granted to the configured UI origin only (never `*`), every
// call audited BEFORE the answer is sent, and a failed audit write answers 503 with no payloads (fail closed).
// Registration in buildApp is the API's job: `app.register(codecRoutes({ codec, authorize, audit, allowedOrigin }))`.
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { Role } from '../auth/principal.js';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem.js';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** proto3 JSON of temporal.api.common.v1.Payload: metadata values and data are base64. */
const payloadJson = z.object({
  metadata: z.record(z.string().max(256), base64).optional(),
  data: base64.optional(),
});
const body = z.object({ payloads: z.array(payloadJson).max(1000) });
type PayloadJson = z.infer<typeof payloadJson>;

export interface CodecAuditEvent<P> {
  principal: P;
  operation: 'encode' | 'decode';
  outcome: 'success' | 'error';
  payloadCount: number;
  namespace: string | undefined;
  requestId: string;
}

export interface CodecRouteDeps<P> {
  codec: PayloadCodec;
  /** The authenticated, authorised principal, or undefined (→ 401). Throw an HttpProblem for 403. */
  authorize(request: FastifyRequest): Promise<P | undefined>;
  /** Writes the audit row (e.g. appendAudit). A rejection makes the route answer 503 without payloads. */
  audit(event: CodecAuditEvent<P>): Promise<void>;
  /** The Temporal UI origin, e.g. http://localhost:8233. */
  allowedOrigin: string;
  /** Roles the API's auth layer admits to the codec routes (they hold the whole history's PHI). */
  roles: readonly Role[];
}

const ALLOW_HEADERS = 'X-Namespace, Content-Type, Authorization';

function toPayload(payload: PayloadJson) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(payload.data ?? '', 'base64')),
  };
}

function fromPayload(payload: {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}): PayloadJson {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export function codecRoutes<P>(deps: CodecRouteDeps<P>): FastifyPluginAsyncZod {
  return async function codec(app) {
    const cors = (req: FastifyRequest, reply: FastifyReply) => {
      if (req.headers.origin === deps.allowedOrigin) {
        reply.header('access-control-allow-origin', deps.allowedOrigin);
        reply.header('access-control-allow-credentials', 'true');
        reply.header('vary', 'Origin');
      }
    };
    app.addHook('onRequest', async (req, reply) => cors(req, reply));

    for (const path of ['/codec/encode', '/codec/decode']) {
      // Preflights carry no credentials by design: public, and answered only for the UI origin.
      app.options(path, { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
        if (req.headers.origin !== deps.allowedOrigin) return reply.code(403).send();
        reply.header('access-control-allow-methods', 'POST, GET, OPTIONS');
        reply.header('access-control-allow-headers', ALLOW_HEADERS);
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      });
    }

    const handle = (operation: 'encode' | 'decode') =>
      async function (req: FastifyRequest<{ Body: z.infer<typeof body> }>, reply: FastifyReply) {
        const principal = await deps.authorize(req);
        if (principal === undefined) {
          return reply.code(401).type(PROBLEM_CONTENT_TYPE).send(problem(401, 'Authentication is required.'));
        }
        const namespace =
          typeof req.headers['x-namespace'] === 'string' ? req.headers['x-namespace'] : undefined;
        const event = {
          principal,
          operation,
          payloadCount: req.body.payloads.length,
          namespace,
          requestId: req.id,
        };
        let payloads: PayloadJson[];
        try {
          const input = req.body.payloads.map(toPayload);
          const out =
            operation === 'decode' ? await deps.codec.decode(input) : await deps.codec.encode(input);
          payloads = out.map(fromPayload);
        } catch (err) {
          // A payload that fails to decrypt (unknown key, tampered): audited as an error, answered without data.
          await deps.audit({ ...event, outcome: 'error' }).catch(() => undefined);
          req.log.warn({ errName: (err as Error).name }, 'codec failed');
          return reply
            .code(400)
            .type(PROBLEM_CONTENT_TYPE)
            .send(
              problem(400, 'The payloads could not be processed.', {
                errors: [
                  {
                    in: 'body',
                    pointer: '/payloads',
                    code: 'undecodable',
                    detail: 'A payload is not encoded with a key this server holds, or it was altered.',
                  },
                ],
              }),
            );
        }
        try {
          await deps.audit({ ...event, outcome: 'success' });
        } catch (err) {
          // The database down or full: the central handler's 503 with Retry-After.
          if (isDatabaseUnavailable(err)) throw err;
          return reply
            .code(503)
            .type(PROBLEM_CONTENT_TYPE)
            .send(problem(503, 'Audit log unavailable; try again.'));
        }
        return reply.header('cache-control', 'no-store').send({ payloads });
      };

    const config = { roles: deps.roles };
    const schema = (operation: 'encode' | 'decode') => ({
      tags: ['codec'],
      operationId: operation === 'encode' ? 'encodePayloads' : 'decodePayloads',
      summary:
        operation === 'encode'
          ? 'Encrypt Temporal payloads (codec server for the Temporal Web UI and CLI; audited)'
          : 'Decrypt Temporal payloads for the Temporal Web UI and CLI (audited; fails closed without audit)',
      body,
      response: { 200: body },
    });
    app.post('/codec/encode', { config, schema: schema('encode') }, handle('encode'));
    app.post('/codec/decode', { config, schema: schema('decode') }, handle('decode'));
  };
}
