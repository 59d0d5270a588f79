// Where an API request's time goes (issue 15): the app of the API scenario (bench/api.ts) under the same
// autocannon load, with every PostgreSQL statement counted (postgres.js `debug` hook) and, when run under
// `node --cpu-prof`, a CPU profile of the server side alone (no direct-client loop in this process).
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/api-profile.ts [connections] [seconds]
// Prints, per route and load, requests/s and statements (and transactions) per request by statement kind.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { buildApp } from '../api/app.js';
import { createApiKey } from '../api/auth/api-keys.js';
import { dataKeys, payloadKeyring } from '../cli/keyrings.js';
import * as schema from '../db/schema.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { localDate } from '../domain/core/zoned.js';
import { connectClient } from '../temporal/client.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import { onboardingBody } from './api.js';
import { CLINIC_TZ } from './drivers.js';
import { Cleanup, startInfra } from './infra.js';
import { startBenchWorker } from './worker.js';

const run = promisify(execFile);
const log = (line: string) => process.stdout.write(`${line}\n`);
const connections = Number(process.argv[2] ?? 16);
const seconds = Number(process.argv[3] ?? 5);

/** Statement kinds: the first words of the SQL, literals dropped. */
const kindOf = (q: string) => q.replace(/\s+/g, ' ').trim().replace(/\$\d+/g, '?').slice(0, 70).toLowerCase();

const counts = new Map<string, number>();

async function main(cleanup: Cleanup) {
  const infra = await startInfra(cleanup, log);
  const worker = await startBenchWorker(infra, cleanup, 'bench-api-profile', () =>
    localDate(new Date(), CLINIC_TZ),
  );
  const sql = postgres(infra.databaseUrl, {
    max: 10,
    onnotice: () => undefined,
    debug: (_conn, query) => counts.set(kindOf(query), (counts.get(kindOf(query)) ?? 0) + 1),
  });
  cleanup.add('counted pool', () => sql.end({ timeout: 5 }));
  const db = drizzle(sql, { schema });
  const temporal = await connectClient({
    address: infra.temporalAddress,
    namespace: 'default',
    dataConverter: dataConverterFor(payloadKeyring(infra.config)),
  });
  cleanup.add('client', () => temporal.close());
  const app = await buildApp({
    logLevel: 'silent',
    db,
    temporal: temporal.client,
    taskQueue: worker.taskQueue,
    cursorKey: randomBytes(32),
    rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
    idempotency: { keyring: dataKeys(infra.config).keyring },
    readiness: {},
  });
  cleanup.add('app', () => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const key = await createApiKey(worker.db.db, {
    practiceId: DEMO_PRACTICE_ID,
    role: 'front_desk',
    label: 'p',
  });
  const headers = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };
  const body = onboardingBody(randomUUID());
  // GET targets: onboardings started through the API on the bench worker (it answers their queries).
  const targets: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${url}/v1/onboardings`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
    targets.push(((await r.json()) as { id: string }).id);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const load = async (name: string, spec: object, conns: number) => {
    counts.clear();
    const script = fileURLToPath(new URL('./api-load.ts', import.meta.url));
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', script, JSON.stringify({ url, headers, connections: conns, seconds, ...spec })],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), maxBuffer: 1 << 20 },
    );
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { total: number; non2xx: number; p50: number };
    const per = [...counts].sort((a, b) => b[1] - a[1]);
    const all = per.reduce((n, [, c]) => n + c, 0);
    log(
      `\n${name}, ${conns} connections: ${Math.round(r.total / seconds)}/s, p50 ${r.p50} ms, non2xx ${r.non2xx}`,
    );
    log(`  statements per request: ${(all / r.total).toFixed(2)}`);
    for (const [k, c] of per) log(`  ${(c / r.total).toFixed(3)}  ${k}`);
  };
  const post = {
    method: 'POST',
    body: JSON.stringify(body),
    paths: ['/v1/onboardings'],
    idempotencyKeys: true,
  };
  const get = { method: 'GET', paths: targets.map((t) => `/v1/onboardings/${t}`), idempotencyKeys: false };
  await load('warm-up POST', post, 2);
  await load('warm-up GET', get, 2);
  for (const conns of [1, connections]) {
    await load('POST /v1/onboardings', post, conns);
    await load('GET /v1/onboardings/:id', get, conns);
  }
}

const cleanup = new Cleanup();
try {
  await main(cleanup);
} finally {
  await cleanup.run(log);
}
process.exit();
