// A seeded fault-injecting HTTP proxy in front of the sandbox payer (FT-3 on the wire). Each request may:
//   - fail before it reaches the payer (503 + Retry-After 1, or a connection reset): nothing happened there;
//   - reach the payer and lose its answer (the connection is reset after the payer acted): the case that
//     makes every retried X12 call prove its idempotency;
//   - be delayed (latency), so activities are in flight when a worker is killed.
// When the payer itself is down the proxy resets the connection, which is what a client sees of a dead host.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../connectors/payer/sandbox/faults.js';

export interface FaultProxyOptions {
  targetUrl: string;
  /** Probability (0..1) of a fault per request; half before the payer, half after it (lost answer). */
  rate: number;
  seed: number;
  /** Latency added to every request (ms), drawn uniformly from [min, max]. */
  latencyMs?: [number, number];
  /**
   * Whatever the dice say, the first request of each route loses its answer and the second fails before the
   * payer: a small run still exercises both kinds of fault on claims (batch), inquiries (realtime) and the
   * mailbox.
   */
  forceFirstFaults?: boolean;
}

export interface FaultProxy {
  url: string;
  counts: { requests: number; before: number; lostAnswers: number; upstreamDown: number };
  close(): Promise<void>;
}

const FORWARDED = ['authorization', 'content-type', 'accept'];

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const random = seededRandom(o.seed);
  const counts = { requests: 0, before: 0, lostAnswers: 0, upstreamDown: 0 };
  const seenPerRoute = new Map<string, number>();
  const server = http.createServer((req, res) => {
    void (async () => {
      counts.requests++;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const route = (req.url ?? '/').split('?')[0]!;
      const nth = (seenPerRoute.get(route) ?? 0) + 1;
      seenPerRoute.set(route, nth);
      const forced = o.forceFirstFaults && route.startsWith('/x12/') ? nth : 0;
      // Draws: [0, rate/4) 503, [rate/4, rate/2) reset, [rate/2, rate) lost answer.
      const dice = random();
      const draw = forced === 1 ? (o.rate * 3) / 4 : forced === 2 ? 0 : dice;
      const [lo, hi] = o.latencyMs ?? [0, 0];
      const delay = lo + random() * (hi - lo);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (draw < o.rate / 4) {
        counts.before++;
        return void res.writeHead(503, { 'retry-after': '1' }).end('{"error":"injected"}');
      }
      if (draw < o.rate / 2) {
        counts.before++;
        return void res.destroy();
      }
      const headers = Object.fromEntries(
        FORWARDED.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])),
      );
      let upstream: Response;
      try {
        upstream = await fetch(new URL(req.url ?? '/', o.targetUrl), {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
          redirect: 'manual',
        });
      } catch {
        counts.upstreamDown++;
        return void res.destroy();
      }
      const body = Buffer.from(await upstream.arrayBuffer());
      if (draw < o.rate) {
        counts.lostAnswers++;
        return void res.destroy();
      }
      const out: Record<string, string> = {};
      for (const h of ['content-type', 'retry-after', 'www-authenticate']) {
        const v = upstream.headers.get(h);
        if (v !== null) out[h] = v;
      }
      res.writeHead(upstream.status, out).end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
