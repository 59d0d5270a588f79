// The sandbox payer's HTTP face: exactly the clearinghouse API the adapter speaks, bound to 127.0.0.1.
//   POST /x12/realtime   270/276/278 → 271/277/278      POST /x12/batch   837P → 999 (filed after the answer)
//   GET  /x12/responses?after=<cursor>                    (JSON mailbox of 277CA and 835 documents; waits
//                                                          for the filings under way first)
//   POST /x12/responses/ack  { cursors: [...] }            (downloaded files leave the listing)
//   POST /sandbox/authorizations/:cert/decision           (test hook, only when enabled)
// Credentials: Basic or bearer, checked in constant time. Faults (latency, seeded transient failures,
// outages with 503 + Retry-After) apply to every /x12 route. Errors never echo the request.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type postgres from 'postgres';
import { PostgresControlNumbers } from '../control-numbers.js';
import { Faults, type FaultOptions } from './faults.js';
import { SandboxBadRequest, SandboxBusy, SandboxPayer, type SandboxIdentity } from './payer.js';
import { SandboxPayerStore } from './store.js';
import { drizzle } from 'drizzle-orm/postgres-js';

export interface SandboxCredentials {
  username: string;
  password: string;
  /** Alternative bearer token. */
  token?: string;
  /** ISA06 of the submitter these credentials belong to: the mailbox they read. */
  submitterId: string;
}

export interface SandboxServerOptions {
  sql: postgres.Sql;
  credentials: SandboxCredentials;
  port?: number;
  identity?: SandboxIdentity;
  clock?: () => Date;
  faults?: FaultOptions;
  pendPolls?: number;
  testHooks?: boolean;
  /** Request body limit (bytes). */
  bodyLimit?: number;
  /** Mailbox page size. */
  pageSize?: number;
}

export interface SandboxServer {
  url: string;
  port: number;
  faults: Faults;
  payer: SandboxPayer;
  close(): Promise<void>;
}

export const DEFAULT_IDENTITY: SandboxIdentity = { senderId: 'SBXPAYER', name: 'PTFLOW SANDBOX PAYER' };
const X12_TYPE = 'application/edi-x12';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authorized(header: string | undefined, c: SandboxCredentials): boolean {
  if (header === undefined) return false;
  if (header.startsWith('Bearer ')) return c.token !== undefined && same(header.slice(7), c.token);
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return same(decoded, `${c.username}:${c.password}`);
}

export async function startSandboxPayer(opts: SandboxServerOptions): Promise<SandboxServer> {
  const store = new SandboxPayerStore(opts.sql);
  const faults = new Faults(opts.faults);
  const clock = opts.clock ?? (() => new Date());
  const payer = new SandboxPayer({
    store,
    controlNumbers: new PostgresControlNumbers(drizzle(opts.sql)),
    identity: opts.identity ?? DEFAULT_IDENTITY,
    clock,
    pendPolls: opts.pendPolls ?? 1,
  });
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024 });
  app.addContentTypeParser([X12_TYPE, 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/x12/') && !req.url.startsWith('/sandbox/')) return;
    if (!authorized(req.headers.authorization, opts.credentials)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="sandbox-payer"')
        .send({ error: 'unauthorized' });
    }
    if (!req.url.startsWith('/x12/')) return;
    const d = faults.decide(clock().getTime());
    if (d.delayMs > 0) await new Promise((r) => setTimeout(r, d.delayMs));
    if (d.kind === 'outage')
      return reply.code(503).header('retry-after', String(d.retryAfterSeconds)).send({ error: 'outage' });
    if (d.kind === 'transient') return reply.code(500).send({ error: 'transient failure' });
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof SandboxBadRequest)
      return reply.code(400).send({ error: 'bad request', code: err.message });
    if (err instanceof SandboxBusy)
      return reply.code(503).header('retry-after', '1').send({ error: 'interchange in progress' });
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: 'bad request' });
    return reply.code(500).send({ error: 'internal error' });
  });

  const x12Body = (body: unknown): string => {
    if (typeof body !== 'string' || body.length === 0) throw new SandboxBadRequest('EMPTY_BODY');
    return body;
  };
  app.post('/x12/realtime', async (req, reply) =>
    reply.type(X12_TYPE).send(await payer.realtime(x12Body(req.body))),
  );
  app.post('/x12/batch', async (req, reply) =>
    reply.type(X12_TYPE).send(await payer.batch(x12Body(req.body))),
  );
  app.get('/x12/responses', async (req, reply) => {
    const after = (req.query as { after?: string }).after ?? '0';
    if (!/^\d{1,18}$/.test(after)) throw new SandboxBadRequest('BAD_CURSOR');
    await payer.fileWaiting();
    const rows = await store.responsesAfter(
      opts.credentials.submitterId,
      Number(after),
      opts.pageSize ?? 100,
    );
    const last = rows[rows.length - 1];
    return reply.type('application/json').send({
      documents: rows.map((r) => ({ cursor: String(r.cursor), type: r.type, x12: r.x12 })),
      nextCursor: last === undefined ? after : String(last.cursor),
    });
  });
  app.post('/x12/responses/ack', async (req, reply) => {
    const cursors = (req.body as { cursors?: unknown } | undefined)?.cursors;
    if (
      !Array.isArray(cursors) ||
      cursors.length > 1000 ||
      !cursors.every((c) => typeof c === 'string' && /^\d{1,18}$/.test(c))
    )
      throw new SandboxBadRequest('BAD_CURSORS');
    await store.acknowledgeResponses(opts.credentials.submitterId, cursors.map(Number), clock());
    return reply.type('application/json').send({ acknowledged: cursors.length });
  });
  if (opts.testHooks === true) {
    app.post('/sandbox/authorizations/:cert/decision', async (req, reply) => {
      const { cert } = req.params as { cert: string };
      const decision = (req.body as { decision?: string } | undefined)?.decision;
      if (decision !== 'approve' && decision !== 'deny') throw new SandboxBadRequest('BAD_DECISION');
      const ok = await payer.decidePended(cert, decision);
      return reply.code(ok ? 200 : 404).send({ decided: ok });
    });
  }

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const port = Number(new URL(address).port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    payer,
    close: async () => {
      await app.close();
      await payer.settled();
    },
  };
}
