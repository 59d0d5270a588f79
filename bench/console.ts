// Scenario 6 (issue 12: "worklist page p95 ≤ 300 ms server time with 10,000 open tasks in the practice"): the staff
// console's worklist. Its own embedded PostgreSQL (migrated, demo practice seeded, `tasks` open tasks spread over
// the four roles, due dates from 10 days overdue to 30 days ahead), the production app in-process, a demo-staff
// session signed in through the dev sign-in page, and `requests` sequential requests per page and run through
// Fastify's inject (server time: routing, session lookup, queries, rendering — no network). Side by side, in every
// run, the baseline is the API's own worklist listing, `GET /v1/tasks?limit=100`, under the same session.
// Temporal is not contacted (the pages only read the database): the client is a lazy connection never used.
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
import { nowMs, percentile, round1, spread, type Spread } from './stats.js';

const ROLES = ['front_desk', 'therapist', 'biller', 'admin'] as const;
type Role = (typeof ROLES)[number];

export interface ConsolePageFigures {
  role: Role;
  /** `GET …` of the page; `baseline` marks the API listing the pages are compared with. */
  page: string;
  baseline: boolean;
  /** Server time per request, ms: each run's percentile, min/median/max over the runs. */
  p50: Spread;
  p95: Spread;
  p99: Spread;
  /** Per run: this page's p95 ÷ the baseline's p95 under the same session. */
  ratio: Spread;
}

export interface ConsoleBenchmark {
  tasks: number;
  requests: number;
  runs: number;
  pages: ConsolePageFigures[];
}

export interface ConsoleBenchOptions {
  tasks: number;
  requests: number;
  runs: number;
}

const PAGES: { page: string; url: string; baseline: boolean }[] = [
  { page: 'GET /v1/tasks?limit=100 (baseline)', url: '/v1/tasks?limit=100', baseline: true },
  { page: 'GET /console/worklist', url: '/console/worklist', baseline: false },
  {
    page: 'GET /console/worklist?status=all&dueBefore=…',
    url: '/console/worklist?status=all&dueBefore=2099-01-01',
    baseline: false,
  },
];

async function signIn(app: FastifyInstance, role: Role): Promise<string> {
  const page = await app.inject({ url: '/auth/sign-in', headers: { accept: 'text/html' } });
  const formCookie = String([page.headers['set-cookie']].flat()[0]).split(';')[0]!;
  const staff = DEMO_STAFF.find((s) => s.role === role)!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('sign-in page: no CSRF field');
  const res = await app.inject({
    method: 'POST',
    url: '/auth/dev/sign-in',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ _csrf: csrf, staffId: staff.id, returnTo: '/console' }).toString(),
  });
  if (res.statusCode !== 303) throw new Error(`sign-in as ${role}: ${res.statusCode}`);
  const cookie = [res.headers['set-cookie']]
    .flat()
    .map((c) => String(c).split(';')[0] ?? '')
    .find((c) => c.startsWith('ptflow_session='));
  if (!cookie) throw new Error(`sign-in as ${role}: no session cookie`);
  return cookie;
}

async function timed(app: FastifyInstance, cookie: string, url: string, requests: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = nowMs();
    const res = await app.inject({ url, headers: { cookie, accept: 'text/html' } });
    times.push(nowMs() - t0);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  }
  return times;
}

async function seedTasks(handle: ReturnType<typeof connectDb>, count: number): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < count; start += 1000) {
    await handle.db.insert(tasks).values(
      Array.from({ length: Math.min(1000, count - start) }, (_, k) => {
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
}

/** Measures the console worklist pages (front desk: one role's queue; admin: all roles) against `GET /v1/tasks`. */
export async function runConsoleBenchmark(
  opts: ConsoleBenchOptions,
  log: (line: string) => void = () => undefined,
): Promise<ConsoleBenchmark> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-bench-console-'));
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
    log(`bench: console: seeding ${opts.tasks} open tasks…`);
    await seedTasks(handle, opts.tasks);
    app = await buildApp({
      logLevel: 'silent',
      db: handle.db,
      temporal: new Client({ connection }),
      cursorKey: randomBytes(32),
      rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
      readiness: {},
      staffAuth: { cookieSecret: randomBytes(32), devSignIn: true },
    });
    const figures: ConsolePageFigures[] = [];
    for (const role of ['front_desk', 'admin'] as const) {
      const cookie = await signIn(app, role);
      for (const p of PAGES) await timed(app, cookie, p.url, Math.min(50, opts.requests)); // warm-up
      const perRun: number[][][] = PAGES.map(() => []);
      for (let run = 0; run < opts.runs; run++) {
        // Alternate the order between runs so no page always runs right after another one.
        const order = PAGES.map((_, i) => i);
        if (run % 2 === 1) order.reverse();
        for (const i of order) perRun[i]!.push(await timed(app, cookie, PAGES[i]!.url, opts.requests));
      }
      const p95s = perRun.map((runs) => runs.map((t) => percentile(t, 95)));
      const base = p95s[PAGES.findIndex((p) => p.baseline)]!;
      PAGES.forEach((p, i) =>
        figures.push({
          role,
          page: p.page,
          baseline: p.baseline,
          p50: spread(perRun[i]!.map((t) => round1(percentile(t, 50)))),
          p95: spread(p95s[i]!.map(round1)),
          p99: spread(perRun[i]!.map((t) => round1(percentile(t, 99)))),
          ratio: spread(p95s[i]!.map((v, r) => Math.round((v / Math.max(base[r]!, 0.001)) * 100) / 100)),
        }),
      );
    }
    return { tasks: opts.tasks, requests: opts.requests, runs: opts.runs, pages: figures };
  } finally {
    await app?.close();
    await handle.close();
    await connection.close().catch(() => undefined);
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
