// Scenario 7 (issue 18: "computing them for a year of a 20-therapist practice takes ≤ 2 s"): the practice's numbers.
// Its own embedded PostgreSQL (migrated), one practice with 2 locations and 20 therapists (Mon–Fri 08:00–17:00)
// and a year (2025) of records generated in SQL with a fixed seed: 12 appointments of 45 min per therapist and
// weekday (≈ 62,600; 85 % attended, 6 % no-show, 7 % cancelled), a claim per attended visit with its 835
// remittance, worklist tasks (progress reports, authorization expiries and refusals, intake overdue, other
// kinds), a reminder message per appointment, eligibility checks and delivered progress reports. Measured, in
// alternating order per run after a warm-up: the whole report for the year through the data-access module and
// the domain (`practiceNumbers`), the same for one location, `GET /v1/practice/metrics` for the year through the
// production app (Fastify inject, an admin API key), and side by side a floor: one plain aggregate scan of each
// table the report reads, over the same rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { createApiKey } from '../api/auth/api-keys.js';
import { practiceNumbers } from '../api/practice-metrics.js';
import { connectDb } from '../db/connection.js';
import { runMigrations } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../devtools/embedded-postgres.js';
import { freePort } from '../devtools/ports.js';
import { nowMs, round1, spread, type Spread } from './stats.js';

export interface NumbersBenchmark {
  therapists: number;
  rows: Record<string, number>;
  runs: number;
  /** Wall time per computation, ms, min/median/max over runs. */
  figures: { name: string; ms: Spread; ratio: Spread }[];
  /** The report's headline figures, to show the data is a plausible practice. */
  sample: {
    firstPass: number | null;
    denialRate: number | null;
    daysInAR: number | null;
    noShow: number | null;
  };
}

const TZ = 'America/Chicago';
const YEAR = { from: '2025-01-01', to: '2025-12-31' };

export async function seed(sql: ReturnType<typeof connectDb>['sql'], practiceId: string): Promise<void> {
  const [l1, l2] = [randomUUID(), randomUUID()];
  await sql`select setseed(0.42)`;
  await sql`insert into practices (id, name, npi, timezone) values (${practiceId}, 'Bench PT', '1234567893', ${TZ})`;
  await sql`insert into locations (id, practice_id, name, timezone) values
    (${l1}, ${practiceId}, 'North', ${TZ}), (${l2}, ${practiceId}, 'South', ${TZ})`;
  await sql`insert into therapists (id, practice_id, name, npi, discipline, weekly_availability)
    select gen_random_uuid(), ${practiceId}, 'Therapist ' || i, lpad(i::text, 10, '0'), 'PT',
      (select jsonb_agg(jsonb_build_object('weekday', d, 'start', '08:00', 'end', '17:00',
         'locationId', case when i % 2 = 0 then ${l1} else ${l2} end)) from generate_series(1, 5) d)
    from generate_series(1, 20) i`;
  await sql`insert into patients (id, practice_id, demographics_enc, key_id, match_hash, preferred_channel, timezone)
    select gen_random_uuid(), ${practiceId}, '\\x00'::bytea, 'k', 'h' || i, 'sms', ${TZ}
    from generate_series(1, 3000) i`;
  await sql`create temp table bp as select row_number() over (order by id) as n, id from patients
    where practice_id = ${practiceId}`;
  await sql`create temp table bt as select row_number() over (order by npi) as n, id,
    (weekly_availability->0->>'locationId')::uuid as loc from therapists where practice_id = ${practiceId}`;
  await sql`insert into appointments (id, practice_id, patient_id, therapist_id, location_id, kind, starts_at, minutes,
      status, created_at)
    select gen_random_uuid(), ${practiceId}, p.id, x.tid, x.loc, 'treatment', x.starts_at, 45,
      case when x.r < 0.85 then 'completed' when x.r < 0.91 then 'no_show' when x.r < 0.98 then 'cancelled'
        else 'booked' end, x.starts_at - interval '7 days'
    from (
      select t.id as tid, t.loc, ((d + time '08:00' + s * interval '45 minutes') at time zone ${TZ}) as starts_at,
        1 + ((t.n * 7919 + s * 104729 + extract(doy from d)::int * 31) % 3000) as pn, random() as r
      from generate_series(${YEAR.from}::date, ${YEAR.to}::date, interval '1 day') d
      cross join bt t cross join generate_series(0, 11) s
      where extract(isodow from d) < 6
    ) x join bp p on p.n = x.pn`;
  await sql`insert into claims (id, practice_id, patient_id, visit_id, payer_id, service_date, patient_control_number,
      status, charge_cents, submissions, workflow_id)
    select a.id, ${practiceId}, a.patient_id, 'v-' || a.id, (array['medicare', 'aetna', 'bcbs', 'uhc'])[1 + floor(r2 * 4)::int],
      (a.starts_at at time zone ${TZ})::date, 'pcn-' || a.id,
      case when r < 0.80 then 'paid' when r < 0.88 then 'denied' when r < 0.93 then 'partially_paid'
        when r < 0.98 then 'submitted' else 'rejected' end,
      15000 + floor(r3 * 10000)::int, case when r2 < 0.1 then 2 else 1 end, 'claim:' || a.id
    from (select a.*, random() r, random() r2, random() r3 from appointments a
      where a.practice_id = ${practiceId} and a.status = 'completed') a`;
  await sql`insert into claim_remittances (id, claim_id, payment_trace, claim_status_code, paid_cents,
      patient_responsibility_cents, adjustments, posted_at)
    select gen_random_uuid(), c.id, 'trn-' || c.id, case when c.status = 'denied' then '4' else '1' end,
      case c.status when 'paid' then c.charge_cents * 6 / 10 when 'partially_paid' then c.charge_cents * 3 / 10 else 0 end,
      case c.status when 'paid' then c.charge_cents / 10 else 0 end,
      case c.status
        when 'paid' then jsonb_build_array(
          jsonb_build_object('group', 'CO', 'carc', '45', 'amountCents', c.charge_cents * 3 / 10),
          jsonb_build_object('group', 'PR', 'carc', '2', 'amountCents', c.charge_cents / 10))
        when 'denied' then jsonb_build_array(jsonb_build_object('group', 'CO',
          'carc', (array['50', '197', '16', '4'])[1 + floor(random() * 4)::int], 'amountCents', c.charge_cents))
        else jsonb_build_array(
          jsonb_build_object('group', 'CO', 'carc', '45', 'amountCents', c.charge_cents * 3 / 10),
          jsonb_build_object('group', 'CO', 'carc', '97', 'amountCents', c.charge_cents * 4 / 10)) end,
      c.service_date + (14 + floor(random() * 30))::int + time '12:00'
    from claims c where c.practice_id = ${practiceId} and c.status in ('paid', 'denied', 'partially_paid')`;
  // Worklist tasks: progress reports (every 10th attended visit), authorization expiries (every 100th) and
  // refusals (every 200th), intake overdue (every 5th patient), and 10,000 tasks of other kinds.
  await sql`insert into tasks (id, practice_id, dedupe_key, kind, assignee_role, status, title, due_at, workflow_id,
      process_kind, patient_id, details, completed_at, created_at)
    select gen_random_uuid(), ${practiceId}, 'b-' || a.id || '-' || k.kind, k.kind, 'front_desk',
      case when random() < 0.9 then 'completed' else 'open' end, 'Bench task', a.starts_at + interval '3 days',
      'task:' || a.id, 'bench', a.patient_id,
      case k.kind when 'auth_expired' then jsonb_build_object('visitsUsed', 8, 'visitsUnused', floor(random() * 3)::int)
        when 'authorization_visit_rejected' then jsonb_build_object('reason', 'visits_exhausted') else '{}'::jsonb end,
      a.starts_at + (floor(random() * 6) || ' days')::interval, a.starts_at
    from (select a.*, row_number() over (order by a.starts_at) as n from appointments a
      where a.practice_id = ${practiceId} and a.status = 'completed') a
    join (values ('progress_report_due', 10), ('auth_expired', 100), ('authorization_visit_rejected', 200),
      ('fix_claim', 5)) k(kind, every) on a.n % k.every = 0`;
  await sql`insert into tasks (id, practice_id, dedupe_key, kind, assignee_role, status, title, due_at, workflow_id,
      process_kind, patient_id, created_at, completed_at)
    select gen_random_uuid(), ${practiceId}, 'bi-' || f.patient_id, 'intake_forms_overdue', 'front_desk', 'completed',
      'Bench task', f.starts_at, 'task:bi-' || f.patient_id, 'bench', f.patient_id, f.starts_at - interval '1 day',
      f.starts_at + interval '1 hour'
    from (select distinct on (patient_id) patient_id, starts_at from appointments
      where practice_id = ${practiceId} and status in ('checked_in', 'completed') order by patient_id, starts_at) f
    join bp on bp.id = f.patient_id where bp.n % 5 = 0`;
  await sql`insert into messages (id, practice_id, patient_id, dedupe_key, direction, channel, template, status, created_at)
    select gen_random_uuid(), ${practiceId}, a.patient_id, 'bm-' || a.id, 'outbound', 'sms', 'appointment_reminder',
      'delivered', a.starts_at - interval '1 day'
    from appointments a where a.practice_id = ${practiceId}`;
  await sql`insert into messages (id, practice_id, patient_id, dedupe_key, direction, channel, template, status, created_at)
    select gen_random_uuid(), ${practiceId}, id, 'bi-' || id, 'outbound', 'sms', 'intake_link', 'sent',
      timestamptz '2024-12-20 12:00Z' from patients where practice_id = ${practiceId}`;
  await sql`insert into coverages (id, practice_id, patient_id, payer_id, member_id_enc, member_id_hash, key_id)
    select gen_random_uuid(), ${practiceId}, id, 'aetna', '\\x00'::bytea, 'm' || id, 'k'
    from patients where practice_id = ${practiceId}`;
  await sql`insert into eligibility_checks (id, coverage_id, checked_at, outcome, summary)
    select gen_random_uuid(), cv.id, a.starts_at - interval '2 days', 'active', '{}'::jsonb
    from (select a.*, row_number() over (order by a.starts_at) as n from appointments a
      where a.practice_id = ${practiceId}) a join coverages cv on cv.patient_id = a.patient_id where a.n % 3 = 0`;
  await sql`insert into progress_reports (id, practice_id, patient_id, kind, report_date, workflow_id, pdf_enc, key_id,
      page_count, status, delivered_at)
    select gen_random_uuid(), ${practiceId}, t.patient_id, 'progress_report', t.due_at::date, 'report:' || t.id,
      '\\x00'::bytea, 'k', 1, 'delivered', t.due_at
    from tasks t where t.practice_id = ${practiceId} and t.kind = 'progress_report_due'`;
  await sql`analyze`;
}

/** One aggregate scan of each table the report reads, over the same rows: the floor. */
async function floor(sql: ReturnType<typeof connectDb>['sql'], practiceId: string): Promise<void> {
  const start = '2025-01-01T06:00:00Z';
  const end = '2026-01-01T06:00:00Z';
  await sql`select count(*), sum(charge_cents) from claims
    where practice_id = ${practiceId} and service_date <= ${YEAR.to}::date`;
  await sql`select count(*), sum(r.paid_cents) from claim_remittances r join claims c on c.id = r.claim_id
    where c.practice_id = ${practiceId} and r.posted_at < ${end}::timestamptz`;
  await sql`select count(*), sum(minutes) from appointments
    where practice_id = ${practiceId} and starts_at >= ${start}::timestamptz and starts_at < ${end}::timestamptz`;
  await sql`select count(*) from tasks where practice_id = ${practiceId}
    and created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz`;
  await sql`select count(*) from messages where practice_id = ${practiceId}
    and created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz`;
  await sql`select count(*) from eligibility_checks e join coverages cv on cv.id = e.coverage_id
    where cv.practice_id = ${practiceId} and e.checked_at >= ${start}::timestamptz and e.checked_at < ${end}::timestamptz`;
}

export async function runNumbersBenchmark(
  opts: { runs: number },
  log: (line: string) => void = () => undefined,
): Promise<NumbersBenchmark> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-bench-numbers-'));
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
    const practiceId = randomUUID();
    log('bench: numbers: seeding a year of a 20-therapist practice…');
    await seed(handle.sql, practiceId);
    const rows: Record<string, number> = {};
    for (const table of [
      'appointments',
      'claims',
      'claim_remittances',
      'tasks',
      'messages',
      'eligibility_checks',
      'progress_reports',
    ]) {
      const [r] = await handle.sql.unsafe<{ n: string }[]>(`select count(*) as n from ${table}`);
      rows[table] = Number(r!.n);
    }
    log(`bench: numbers: ${JSON.stringify(rows)}`);
    const [location] = await handle.sql<
      { id: string }[]
    >`select id from locations where practice_id = ${practiceId}
      order by name limit 1`;
    app = await buildApp({
      logLevel: 'silent',
      db: handle.db,
      temporal: new Client({ connection }),
      cursorKey: randomBytes(32),
      rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
      readiness: {},
    });
    const { key } = await createApiKey(handle.db, { practiceId, role: 'admin', label: 'bench' });
    const deps = { db: handle.db, now: () => new Date('2026-06-30T12:00:00Z') };
    const api = app;
    const cases: { name: string; run: () => Promise<unknown> }[] = [
      { name: 'floor: one aggregate scan per table (baseline)', run: () => floor(handle.sql, practiceId) },
      {
        name: 'practiceNumbers, the year, all locations',
        run: () => practiceNumbers(deps, practiceId, YEAR),
      },
      {
        name: 'practiceNumbers, the year, one location',
        run: () => practiceNumbers(deps, practiceId, { ...YEAR, locationId: location!.id }),
      },
      {
        name: 'GET /v1/practice/metrics?from=2025-01-01&to=2025-12-31',
        run: async () => {
          const res = await api.inject({
            url: `/v1/practice/metrics?from=${YEAR.from}&to=${YEAR.to}`,
            headers: { authorization: `Bearer ${key}` },
          });
          if (res.statusCode !== 200) throw new Error(`metrics: ${res.statusCode} ${res.body}`);
        },
      },
    ];
    for (const c of cases) await c.run(); // warm-up
    const times: number[][] = cases.map(() => []);
    for (let run = 0; run < opts.runs; run++) {
      const order = cases.map((_, i) => i);
      if (run % 2 === 1) order.reverse();
      for (const i of order) {
        const t0 = nowMs();
        await cases[i]!.run();
        times[i]!.push(nowMs() - t0);
      }
    }
    const sample = await practiceNumbers(deps, practiceId, YEAR);
    return {
      therapists: 20,
      rows,
      runs: opts.runs,
      figures: cases.map((c, i) => ({
        name: c.name,
        ms: spread(times[i]!.map(round1)),
        ratio: spread(times[i]!.map((t, r) => Math.round((t / Math.max(times[0]![r]!, 0.001)) * 100) / 100)),
      })),
      sample: {
        firstPass: sample.firstPassAcceptance.value,
        denialRate: sample.denials.overall.value,
        daysInAR: sample.accountsReceivable.daysInAR,
        noShow: sample.attendance.noShow.value,
      },
    };
  } finally {
    await app?.close();
    await handle.close();
    await connection.close().catch(() => undefined);
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
