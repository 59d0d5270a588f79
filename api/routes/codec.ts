// Codec server for the Temporal Web UI and CLI: POST /codec/encode and
// /codec/decode over the same EncryptionCodec as the client and worker. Decoding hands PHI to a browser, so:
// authentication first (no principal → 401), CORS with credentials granted to the configured UI origin only
// (never `*`; the UI sends the staff session cookie, or its OIDC access token), every call audited BEFORE the
// answer is sent, and a failed audit write answers 503 with no payloads (fail closed).
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
  /** True when the request was authenticated by the staff session cookie (not a bearer token). */
  cookieAuthenticated?(request: FastifyRequest): boolean;
}

/**
 * Request headers the Temporal UI sends to a codec server: `X-Namespace` and `Content-Type` always, and with
 * "Pass the user access token" (`TEMPORAL_CODEC_PASS_ACCESS_TOKEN`) `Authorization: Bearer <access token>` plus
 * `Authorization-Extras: <id token>` when it holds one (ui 2.42 `codec-server.ts`). A preflight that left one
 * out would make the browser drop the decode call, so all four are allowed; Authorization-Extras is ignored.
 */
export const CODEC_ALLOW_HEADERS = ['X-Namespace', 'Content-Type', 'Authorization', 'Authorization-Extras'];

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

/**
 * The configured UI origin, checked once at start: an exact `scheme://host[:port]` (no path, no wildcard). A
 * credentialed CORS grant to `*` is what browsers forbid and what would hand PHI to any page.
 */
export function exactOrigin(origin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new Error(
      `codec allowedOrigin must be an origin such as http://127.0.0.1:8233, not ${JSON.stringify(origin)}`,
    );
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
    throw new Error(
      `codec allowedOrigin must be an exact origin (scheme://host[:port]), not ${JSON.stringify(origin)}`,
    );
  }
  return parsed.origin;
}

export function codecRoutes<P>(deps: CodecRouteDeps<P>): FastifyPluginAsyncZod {
  return async function codec(app) {
    const allowed = exactOrigin(deps.allowedOrigin);
    // Credentialed CORS for the one UI origin (the browser then sends the staff session cookie with
    // "Include cross-origin credentials"). Set in onSend so a 401 from the auth hook carries it too: the UI
    // then sees "401" instead of an opaque network error. Any other origin gets no CORS header at all.
    app.addHook('onSend', async (req, reply) => {
      reply.header('vary', 'Origin');
      if (req.headers.origin === allowed) {
        reply.header('access-control-allow-origin', allowed);
        reply.header('access-control-allow-credentials', 'true');
      }
    });

    for (const path of ['/codec/encode', '/codec/decode']) {
      // Preflights carry no credentials by design: public, and answered only for the UI origin.
      app.options(path, { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
        if (req.headers.origin !== allowed) return reply.code(403).send();
        reply.header('access-control-allow-methods', 'POST, OPTIONS');
        reply.header('access-control-allow-headers', CODEC_ALLOW_HEADERS.join(', '));
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
        // A session cookie is honoured from the UI's origin only (a browser always sends Origin on these
        // POSTs; a script without one is not a browser riding someone's session).
        const origin = req.headers.origin;
        if (deps.cookieAuthenticated?.(req) && origin !== undefined && origin !== allowed) {
          return reply
            .code(403)
            .type(PROBLEM_CONTENT_TYPE)
            .send(problem(403, 'A staff session is accepted only from the Temporal UI.'));
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

    // No CSRF token for cookie-authenticated calls: the Temporal UI cannot send one. What stands in for it: the
    // cookie is SameSite=Lax (no cross-site POST carries it), the body must be application/json (a cross-origin
    // JSON POST needs a preflight, which only the UI origin passes), the Origin check above, and decoding
    // changes nothing but the audit log.
    const config = { roles: deps.roles, csrfExempt: true };
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
