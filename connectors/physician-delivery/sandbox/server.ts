// The sandbox fax / Direct gateway: an honest simulator of the HTTP API the gateway adapter speaks (the shape of
// a fax/HISP vendor's REST API), bound to 127.0.0.1, bearer token checked in constant time. State is kept in
// memory: a restart forgets the deliveries (unlike the sandbox payer, which keeps its state in Postgres).
//   POST /v1/deliveries                 send (Idempotency-Key semantics on `idempotencyKey`) → 201 | 200 duplicate
//   GET  /v1/deliveries/:id             where it stands (queued → delivered | failed; signed once returned)
//   GET  /v1/returns?after=<cursor>     signed copies not yet acknowledged, oldest first
//   POST /v1/returns/ack                { returnIds: [...] } → they leave the listing
// Test hooks (only with `testHooks: true`), so a test or a demo can play the physician's office:
//   POST /sandbox/deliveries/:id/sign   { signedDate, signerNpi? } → the signed copy comes back
//   POST /sandbox/faults                { failNext?: n, outageSeconds?: s } → 503s (+ Retry-After in an outage)
//   GET  /sandbox/deliveries            every delivery's metadata (no document, no address)
// Scenario triggers (recipient address): a fax number ending in 0486 is always busy (the delivery fails with
// `busy`), one ending in 0404 is refused at once (422 `invalid_number`); a Direct address whose local part is
// `bounce` fails with `bounced`. Errors never echo the request.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';

export interface SandboxGatewayOptions {
  token: string;
  port?: number;
  clock?: () => Date;
  testHooks?: boolean;
  /** Status reads of a queued delivery before it is delivered (or fails); default 1. */
  deliverAfterReads?: number;
  bodyLimit?: number;
}

interface DeliveryRecord {
  deliveryId: string;
  idempotencyKey: string;
  channel: 'fax' | 'direct';
  kind: string;
  purpose: string;
  reference: string;
  signatureRequested: boolean;
  status: 'queued' | 'sending' | 'delivered' | 'failed' | 'signed';
  acceptedAt: string;
  updatedAt: string;
  deliveredAt?: string;
  failureCode?: string;
  reads: number;
  pages: number;
  documentBytes: number;
  /** The scenario the recipient address triggers, decided at acceptance (the address itself is not kept). */
  outcome: 'deliver' | 'busy' | 'bounced';
  signedReturn?: ReturnRecord;
}

interface ReturnRecord {
  cursor: number;
  returnId: string;
  deliveryId: string;
  reference: string;
  kind: string;
  signedDate: string;
  signerNpi?: string;
  channel: 'fax' | 'direct';
  receivedAt: string;
  documentRef: string;
  acknowledged: boolean;
}

export interface SandboxGateway {
  url: string;
  port: number;
  /** The office signs and returns a delivered document (the same as POST /sandbox/deliveries/:id/sign). */
  sign(deliveryId: string, signedDate: string, signerNpi?: string): ReturnRecord | undefined;
  /** The next `n` API requests fail with 503. */
  failNext(n: number): void;
  /** Every request fails with 503 + Retry-After for `seconds`. */
  outage(seconds: number): void;
  deliveries(): readonly Omit<DeliveryRecord, 'outcome'>[];
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{7,14}$/;
const DIRECT = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$/;

const SendBody = z.strictObject({
  idempotencyKey: z.string().min(1).max(200),
  channel: z.enum(['fax', 'direct']),
  kind: z.enum(['poc_certification', 'progress_report', 'recertification', 'discharge_summary']),
  purpose: z.enum(['original', 'reminder']),
  reference: z.string().regex(/^[A-Za-z0-9-]{4,40}$/),
  signatureRequested: z.boolean(),
  to: z.string().min(3).max(254),
  displayName: z.string().min(1).max(120),
  npi: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  document: z.union([
    z.strictObject({
      pdfBase64: z.string().min(8).max(14_000_000),
      pageCount: z.number().int().min(1).optional(),
    }),
    z.strictObject({ documentRef: z.string().min(1).max(200) }),
  ]),
});

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function publicView(d: DeliveryRecord) {
  return {
    deliveryId: d.deliveryId,
    channel: d.channel,
    status: d.status,
    updatedAt: d.updatedAt,
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
    ...(d.failureCode ? { failureCode: d.failureCode } : {}),
    ...(d.signedReturn ? { signedReturn: returnView(d.signedReturn) } : {}),
  };
}

function returnView(r: ReturnRecord) {
  return {
    returnId: r.returnId,
    deliveryId: r.deliveryId,
    reference: r.reference,
    kind: r.kind,
    signedDate: r.signedDate,
    ...(r.signerNpi ? { signerNpi: r.signerNpi } : {}),
    channel: r.channel,
    receivedAt: r.receivedAt,
    documentRef: r.documentRef,
  };
}

/** Starts the sandbox gateway on 127.0.0.1 (port 0 = any free port). */
export async function startSandboxGateway(opts: SandboxGatewayOptions): Promise<SandboxGateway> {
  const clock = opts.clock ?? (() => new Date());
  const deliverAfterReads = opts.deliverAfterReads ?? 1;
  const byId = new Map<string, DeliveryRecord>();
  const byKey = new Map<string, DeliveryRecord>();
  const returns: ReturnRecord[] = [];
  let failures = 0;
  let outageUntil = 0;

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024 });

  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ') || !same(header.slice(7), opts.token))
      return reply.code(401).send({ error: 'unauthorized' });
    if (!req.url.startsWith('/v1/')) return;
    const now = clock().getTime();
    if (now < outageUntil)
      return reply
        .code(503)
        .header('retry-after', String(Math.max(1, Math.ceil((outageUntil - now) / 1000))))
        .send({ error: 'outage' });
    if (failures > 0) {
      failures--;
      return reply.code(503).send({ error: 'temporarily unavailable' });
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof BadRequest) return reply.code(err.status).send({ error: 'rejected', code: err.code });
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: 'bad request', code: 'malformed' });
    return reply.code(500).send({ error: 'internal error' });
  });

  const sign = (deliveryId: string, signedDate: string, signerNpi?: string): ReturnRecord | undefined => {
    const d = byId.get(deliveryId);
    if (!d || (d.status !== 'delivered' && d.status !== 'signed')) return undefined;
    if (d.signedReturn) return d.signedReturn;
    const at = clock().toISOString();
    const r: ReturnRecord = {
      cursor: returns.length + 1,
      returnId: `rt_${randomUUID()}`,
      deliveryId: d.deliveryId,
      reference: d.reference,
      kind: d.kind,
      signedDate,
      ...(signerNpi ? { signerNpi } : {}),
      channel: d.channel,
      receivedAt: at,
      documentRef: `sbx-doc-${randomUUID()}`,
      acknowledged: false,
    };
    returns.push(r);
    d.signedReturn = r;
    d.status = 'signed';
    d.updatedAt = at;
    return r;
  };

  app.post('/v1/deliveries', async (req, reply) => {
    const parsed = SendBody.safeParse(req.body);
    if (!parsed.success) throw new BadRequest(400, 'malformed');
    const body = parsed.data;
    const known = byKey.get(`${body.channel}:${body.idempotencyKey}`);
    if (known) {
      return reply.code(200).send({
        deliveryId: known.deliveryId,
        channel: known.channel,
        status: known.status,
        acceptedAt: known.acceptedAt,
        duplicate: true,
      });
    }
    let outcome: DeliveryRecord['outcome'] = 'deliver';
    if (body.channel === 'fax') {
      if (!E164.test(body.to)) throw new BadRequest(422, 'invalid_number');
      if (body.to.endsWith('0404')) throw new BadRequest(422, 'invalid_number');
      if (body.to.endsWith('0486')) outcome = 'busy';
    } else {
      if (!DIRECT.test(body.to)) throw new BadRequest(422, 'invalid_address');
      if (body.to.split('@')[0]?.toLowerCase() === 'bounce') outcome = 'bounced';
    }
    let pages = 1;
    let documentBytes = 0;
    if ('pdfBase64' in body.document) {
      const bytes = Buffer.from(body.document.pdfBase64, 'base64');
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new BadRequest(422, 'not_a_pdf');
      documentBytes = bytes.length;
      pages = body.document.pageCount ?? 1;
    }
    const at = clock().toISOString();
    const record: DeliveryRecord = {
      deliveryId: `dl_${randomUUID()}`,
      idempotencyKey: body.idempotencyKey,
      channel: body.channel,
      kind: body.kind,
      purpose: body.purpose,
      reference: body.reference,
      signatureRequested: body.signatureRequested,
      status: 'queued',
      acceptedAt: at,
      updatedAt: at,
      reads: 0,
      pages,
      documentBytes,
      outcome,
    };
    byId.set(record.deliveryId, record);
    byKey.set(`${body.channel}:${body.idempotencyKey}`, record);
    return reply.code(201).send({
      deliveryId: record.deliveryId,
      channel: record.channel,
      status: record.status,
      acceptedAt: record.acceptedAt,
      duplicate: false,
    });
  });

  app.get('/v1/deliveries/:id', async (req, reply) => {
    const d = byId.get((req.params as { id: string }).id);
    if (!d) throw new BadRequest(404, 'not_found');
    d.reads++;
    if (d.status === 'queued' && d.reads >= deliverAfterReads) {
      const at = clock().toISOString();
      d.updatedAt = at;
      if (d.outcome === 'deliver') {
        d.status = 'delivered';
        d.deliveredAt = at;
      } else {
        d.status = 'failed';
        d.failureCode = d.outcome;
      }
    }
    return reply.send(publicView(d));
  });

  app.get('/v1/returns', async (req, reply) => {
    const after = (req.query as { after?: string }).after ?? '0';
    if (!/^\d{1,12}$/.test(after)) throw new BadRequest(400, 'bad_cursor');
    const page = returns.filter((r) => !r.acknowledged && r.cursor > Number(after)).slice(0, 100);
    const last = page[page.length - 1];
    return reply.send({
      returns: page.map(returnView),
      nextCursor: last ? String(last.cursor) : after,
    });
  });

  app.post('/v1/returns/ack', async (req, reply) => {
    const ids = (req.body as { returnIds?: unknown } | undefined)?.returnIds;
    if (!Array.isArray(ids) || ids.length > 1000 || !ids.every((i) => typeof i === 'string'))
      throw new BadRequest(400, 'bad_return_ids');
    for (const r of returns) if (ids.includes(r.returnId)) r.acknowledged = true;
    return reply.send({ acknowledged: ids.length });
  });

  if (opts.testHooks === true) {
    app.post('/sandbox/deliveries/:id/sign', async (req, reply) => {
      const body = z
        .strictObject({
          signedDate: z.iso.date(),
          signerNpi: z
            .string()
            .regex(/^\d{10}$/)
            .optional(),
        })
        .safeParse(req.body);
      if (!body.success) throw new BadRequest(400, 'malformed');
      const r = sign((req.params as { id: string }).id, body.data.signedDate, body.data.signerNpi);
      if (!r) throw new BadRequest(409, 'not_delivered');
      return reply.send(returnView(r));
    });
    app.post('/sandbox/faults', async (req, reply) => {
      const body = z
        .strictObject({
          failNext: z.number().int().min(0).max(1000).optional(),
          outageSeconds: z.number().int().min(0).max(86_400).optional(),
        })
        .safeParse(req.body);
      if (!body.success) throw new BadRequest(400, 'malformed');
      if (body.data.failNext !== undefined) failures = body.data.failNext;
      if (body.data.outageSeconds !== undefined)
        outageUntil = clock().getTime() + body.data.outageSeconds * 1000;
      return reply.send({ failNext: failures, outageUntil: new Date(outageUntil).toISOString() });
    });
    app.get('/sandbox/deliveries', async (_req, reply) =>
      reply.send({ deliveries: [...byId.values()].map(({ outcome: _o, ...d }) => d) }),
    );
  }

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const port = Number(new URL(address).port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sign,
    failNext: (n) => {
      failures = n;
    },
    outage: (seconds) => {
      outageUntil = clock().getTime() + seconds * 1000;
    },
    deliveries: () => [...byId.values()].map(({ outcome: _o, ...d }) => d),
    close: () => app.close(),
  };
}
