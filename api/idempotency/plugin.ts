// Idempotency-Key handling for routes that opt in with
// `config: { idempotent: true }`. Runs as a preHandler — after authentication (the record is scoped to the
// principal within its practice, store.ts `recordOwner`) and after schema validation (an invalid body never claims a key) — and stores the answer in
// onSend, before the client sees it, so a retry after any response finds the record complete.
import fp from 'fastify-plugin';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { principalOf } from '../auth/plugin.js';
import { fieldProblem, HttpProblem, problem } from '../problem.js';
import { requestFingerprint } from './fingerprint.js';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from './key.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  IDEMPOTENCY_TTL_MS,
  legacyRecordOwner,
  recordOwner,
  letGoIdempotencyKey,
  releaseIdempotencyKey,
} from './store.js';

/** Where the problem `type` of a missing or malformed key points: the API docs served by this app. */
export const IDEMPOTENCY_PROBLEM_TYPE = '/docs#idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route requires an `Idempotency-Key` header and replays the stored answer on a retry. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /**
     * The idempotency record this request owns. Routes that start a process derive the workflow id from it
     * (a retry reaches the same process), so even a record lost between two attempts cannot start a second process.
     */
    idempotencyRecordId?: string;
  }
}

export interface IdempotencyDeps {
  db: Database;
  /** Data keyring: stored responses may carry PHI and are encrypted like any PHI column. */
  keyring: Keyring;
  now?: () => Date;
  ttlMs?: number;
}

export const idempotencyPlugin = fp<IdempotencyDeps>(
  async (app, deps) => {
    const now = deps.now ?? (() => new Date());
    const replayed = new WeakSet<object>();
    const settled = new WeakSet<object>();
    app.decorateRequest('idempotencyRecordId', undefined);

    app.addHook('preHandler', async (req, reply) => {
      if (!req.routeOptions.config.idempotent) return;
      const principal = principalOf(req);
      const parsed = parseIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
      if (!parsed.ok) {
        const missing = parsed.reason === 'missing';
        throw new HttpProblem({
          ...fieldProblem(
            missing
              ? 'This request requires an Idempotency-Key header.'
              : 'The Idempotency-Key header must be a string or token of at most 255 characters.',
            {
              in: 'header',
              pointer: `/${IDEMPOTENCY_KEY_HEADER}`,
              code: missing ? 'missing' : 'invalid_format',
              detail: missing
                ? 'Required: a unique key per operation, e.g. a UUID.'
                : 'Must be one sf-string or token of at most 255 characters.',
            },
          ),
          type: IDEMPOTENCY_PROBLEM_TYPE,
        });
      }
      const claim = await claimIdempotencyKey(
        deps.db,
        deps.keyring,
        {
          principalId: recordOwner(principal),
          method: req.method,
          route: req.routeOptions.url ?? req.url,
          key: parsed.key,
        },
        requestFingerprint({ params: req.params, body: req.body }),
        now(),
        deps.ttlMs ?? IDEMPOTENCY_TTL_MS,
        legacyRecordOwner(principal),
      );
      switch (claim.kind) {
        case 'claimed':
          req.idempotencyRecordId = claim.recordId;
          return;
        case 'mismatch':
          throw new HttpProblem(
            problem(422, 'This Idempotency-Key was already used with a different request.'),
          );
        case 'in_progress':
          reply.header('retry-after', 1);
          throw new HttpProblem(problem(409, 'A request with this Idempotency-Key is still in progress.'));
        case 'replay': {
          replayed.add(req);
          const r = claim.response;
          reply.code(r.statusCode).header(REPLAYED_HEADER, 'true');
          if (r.contentType) reply.type(r.contentType);
          return reply.send(r.body);
        }
      }
    });

    app.addHook('onSend', async (req, reply, payload) => {
      const recordId = req.idempotencyRecordId;
      if (recordId === undefined || replayed.has(req) || settled.has(req)) return payload;
      settled.add(req); // settle once, even if onSend ran again
      const status = reply.statusCode;
      const principalId = req.principal ? recordOwner(req.principal) : undefined;
      try {
        const body =
          typeof payload === 'string'
            ? payload
            : Buffer.isBuffer(payload)
              ? payload.toString('utf8')
              : undefined;
        // 4xx (validation, conflicts, not found…): nothing happened, so the client may fix and retry the key.
        // A body we cannot capture (a stream) cannot be replayed either: release rather than lie later.
        if (status === 503 && reply.getHeader('retry-after') !== undefined) {
          // "Try again later" (the database was unavailable) is not an outcome: the retry re-runs the request
          // under the same record (and process) id.
          await letGoIdempotencyKey(deps.db, recordId);
        } else if ((status >= 400 && status < 500) || body === undefined || principalId === undefined) {
          await releaseIdempotencyKey(deps.db, recordId);
        } else {
          // 2xx, and 5xx once execution began (Stripe semantics): the retry sees the same answer.
          const contentType = reply.getHeader('content-type');
          await completeIdempotencyKey(deps.db, deps.keyring, principalId, recordId, {
            statusCode: status,
            contentType: typeof contentType === 'string' ? contentType : undefined,
            body,
          });
        }
      } catch (err) {
        // The answer still goes out; the record stays in progress (409 on retry) until it expires.
        req.log.error({ errName: (err as Error).name, recordId }, 'idempotency record not settled');
      }
      return payload;
    });
  },
  { name: 'ptflow-idempotency', dependencies: ['ptflow-auth'] },
);
