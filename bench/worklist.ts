// The console worklist with 10,000 open tasks in one practice (issue 12: "worklist page p95 ≤ 300 ms server time
// with 10,000 open tasks"): its own embedded PostgreSQL (migrated, demo practice seeded, TASKS open tasks spread
// over the four roles, due dates from 10 days overdue to 30 days ahead), the production app in-process, a
// demo-staff session signed in through the dev sign-in page, and REQUESTS sequential requests per page through
// Fastify's inject (server time: routing, session lookup, queries, rendering — no network). Side by side, the
// baseline is the API's own worklist listing, `GET /v1/tasks?limit=100`, under the same session.
// Temporal is not contacted (the pages only read the database): the client is a lazy connection never used.
//   node --import tsx bench/worklist.ts [tasks=10000] [requests=200]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { connectDb } from '../db/connection.js';
import { runMigrations } from '../db/migrate.js';
import { tasks } from '../db/schema.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF, seedDemoPractice } from '../db/seed.js';
import { startEmbeddedPostgres } from '../devtools/embedded-postgres.js';
import { freePort } from '../devtools/ports.js';
import { nowMs, percentile, round1 } from './stats.js';

const TASKS = Number(process.argv[2] ?? 10_000);
const REQUESTS = Number(process.argv[3] ?? 200);
const ROLES = ['front_desk', 'therapist', 'biller', 'admin'] as const;

async function signIn(app: FastifyInstance, role: string): Promise<string> {
  const page = await app.inject({ url: '/auth/sign-in', headers: { accept: 'text/html' } });
  const formCookie = String([page.headers['set-cookie']].flat()[0]).split(';')[0]!;
  const staff = DEMO_STAFF.find((s) => s.role === role)!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await app.inject({
    method: 'POST',
    url: '/auth/dev/sign-in',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ _csrf: csrf, staffId: staff.id, returnTo: '/console' }).toString(),
  });
  if (res.statusCode !== 303) throw new Error(`sign-in as ${role}: ${res.statusCode}`);
  return [res.headers['set-cookie']]
    .flat()
    .map((c) => String(c).split(';')[0] ?? '')
    .find((c) => c.startsWith('ptflow_session='))!;
}

async function measure(app: FastifyInstance, cookie: string, url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) await app.inject({ url, headers: { cookie, accept: 'text/html' } }); // warm-up
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = nowMs();
    const res = await app.inject({ url, headers: { cookie, accept: 'text/html' } });
    times.push(nowMs() - t0);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  }
  return times;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-bench-worklist-'));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
    password: 'ptflow-bench',
  });
  const handle = connectDb(pg.url, { max: 10 });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  let app: FastifyInstance | undefined;
  try {
    await runMigrations(pg.url);
    await seedDemoPractice(handle.db);
    const now = Date.now();
    for (let start = 0; start < TASKS; start += 1000) {
      await handle.db.insert(tasks).values(
        Array.from({ length: Math.min(1000, TASKS - start) }, (_, k) => {
          const i = start + k;
          const id = randomUUID();
          return {
            id,
            practiceId: DEMO_PRACTICE_ID,
            dedupeKey: `bench-worklist:${id}`,
            kind: ['verify_eligibility_by_phone', 'fix_claim', 'progress_report_due', 'update_insurance'][
              i % 4
            ]!,
            assigneeRole: ROLES[i % ROLES.length]!,
            title: 'Bench task: verify coverage by phone',
            dueAt: new Date(now + ((i % 40) - 10) * 86_400_000 + i * 1000),
            workflowId: `task:${id}`,
            processKind: 'patientOnboarding',
            details: { coverageId: id },
          };
        }),
      );
    }
    await handle.sql`analyze tasks`;
    app = await buildApp({
      logLevel: 'silent',
      db: handle.db,
      temporal: new Client({ connection }),
      cursorKey: randomBytes(32),
      rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
      readiness: {},
      staffAuth: { cookieSecret: randomBytes(32), devSignIn: true },
    });
    const rows: string[] = [];
    for (const role of ['front_desk', 'admin'] as const) {
      const cookie = await signIn(app, role);
      const pages: [string, string][] = [
        ['GET /v1/tasks?limit=100 (baseline)', '/v1/tasks?limit=100'],
        ['GET /console/worklist', '/console/worklist'],
        ['GET /console/worklist?status=all&dueBefore=…', `/console/worklist?status=all&dueBefore=2099-01-01`],
      ];
      let base = 0;
      for (const [name, url] of pages) {
        const t = await measure(app, cookie, url);
        const p95 = percentile(t, 95);
        if (!base) base = p95;
        rows.push(
          `| ${role} | ${name} | ${round1(percentile(t, 50))} | ${round1(p95)} | ${round1(percentile(t, 99))} | ${round1(p95 / base)} |`,
        );
      }
    }
    console.log(
      `worklist bench: ${TASKS} open tasks in the practice (${TASKS / 4} per role), ${REQUESTS} requests each`,
    );
    console.log('| role | page | p50 ms | p95 ms | p99 ms | p95 ÷ baseline p95 |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    await app?.close();
    await handle.close();
    await connection.close().catch(() => undefined);
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
