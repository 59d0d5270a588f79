// Load generator child of the API scenario: runs autocannon in its own process (so the load does not share the
// event loop of the server it measures) and prints one JSON line of figures. Input comes as JSON in argv[2].
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { z } from 'zod';

const Input = z.object({
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
  /** GET: paths cycled through; POST: one path. */
  paths: z.array(z.string()).min(1),
  idempotencyKeys: z.boolean(),
  connections: z.number().int().min(1),
  seconds: z.number().int().min(1),
});
const input = Input.parse(JSON.parse(process.argv[2] ?? '{}'));

let i = 0;
const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.seconds,
  requests: [
    {
      method: input.method,
      headers: input.headers,
      ...(input.body ? { body: input.body } : {}),
      setupRequest: (req) => {
        const path = input.paths[i++ % input.paths.length]!;
        return {
          ...req,
          path,
          ...(input.idempotencyKeys ? { headers: { ...req.headers, 'idempotency-key': randomUUID() } } : {}),
        };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.total / input.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  })}\n`,
);
