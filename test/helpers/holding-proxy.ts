// An HTTP pass-through in front of the sandbox payer that can swallow one answer: the next 837 batch is
// forwarded (the payer files the claim and produces its 999), and the 999 is then withheld, so the worker is
// left waiting exactly where a crash hurts most — after the side effect, before the activity completes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Resolves once a batch has reached the payer and its answer is being held back. */
  holdNextBatch(): Promise<void>;
  /** Drops the held connections (the client sees a reset, if it is still alive). */
  releaseHeld(): void;
  close(): Promise<void>;
}

const FORWARDED = ['authorization', 'content-type', 'accept'];

export async function startHoldingProxy(targetUrl: string): Promise<HoldingProxy> {
  let hold: (() => void) | undefined;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(
        FORWARDED.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])),
      );
      const upstream = await fetch(new URL(req.url ?? '/', targetUrl), {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
        redirect: 'manual',
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (hold && req.method === 'POST' && req.url?.startsWith('/x12/batch') && upstream.status === 200) {
        const release = hold;
        hold = undefined;
        held.push(res);
        release();
        return;
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
  const releaseHeld = () => {
    for (const res of held.splice(0)) res.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    holdNextBatch: () => new Promise<void>((resolve) => (hold = resolve)),
    releaseHeld,
    async close() {
      releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
