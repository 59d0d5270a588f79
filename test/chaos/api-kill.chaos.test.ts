// The API SIGKILLed with an audit batch in flight (issue 15, part of `npm run test:chaos`): 16 clients post
// onboardings without pause while the API, a real OS process (api-entry.ts), is killed four times with a batch
// of its audit group commit open, and started again: twice inside the batch's insert (a statement trigger slows
// every audit insert by 0.3 s so the kill lands there), twice while the batch waits for the chain lock. Then:
//   - every request answered 2xx has its audit row (the batch is committed before any of its requests answers);
//   - the batches the kills interrupted left nothing behind: their reserved ids are missing, not half-written;
//   - the chain verifies;
//   - nothing is reordered: a request answered before another was sent has the smaller audit id.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey } from '../../api/auth/api-keys.js';
import { AUDIT_CHAIN_LOCK } from '../../db/audit/append.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const ENTRY = fileURLToPath(new URL('./api-entry.ts', import.meta.url));
const CLIENTS = 16;
const KILLS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDatabase;
let api: ChildProcess | undefined;
let port = 0;
let key = '';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-api-kill-'));

async function startApi(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: {
      ...process.env,
      PTFLOW_TEST_PARENT_PID: String(process.pid),
      PTFLOW_TEST_DATABASE_URL: db.url,
      PTFLOW_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      // No worker polls it: the start path alone, as in the API benchmark.
      TEMPORAL_TASK_QUEUE: `api-kill-${randomUUID()}`,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString('utf8');
      if (seen.includes('ptflow-test-api ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`API exited before ready (${code ?? signal})`)));
    setTimeout(() => reject(new Error('API not ready in 120 s')), 120_000).unref();
  });
  return child;
}

async function killApi(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  key = (await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'api kill' }))
    .key;
  port = await freePort();
  // Every audit insert takes 0.3 s more, inside its transaction: the window the kills aim at.
  await db.sql.unsafe(`create function chaos_slow_audit() returns trigger language plpgsql as $$
    begin perform pg_sleep(0.3); return null; end $$`);
  await db.sql.unsafe(`create trigger chaos_slow_audit after insert on audit_events
    for each statement execute function chaos_slow_audit()`);
  api = await startApi();
});
afterAll(async () => {
  if (api && api.exitCode === null && api.signalCode === null) await killApi(api);
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const body = () =>
  JSON.stringify({
    patientId: randomUUID(),
    clinicTimeZone: 'America/Chicago',
    patientTimeZone: 'America/Chicago',
    demographics: {
      given: ['Chaos'],
      family: 'Patient',
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '(312) 555-0177',
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    coverages: [
      { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-PR3-CHAOS', priority: 1 },
    ],
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
    intakeFormLink: 'https://forms.riverside.example/i/chaos',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/chaos',
  });

interface Answer {
  client: number;
  id: string;
  sentAt: number;
  answeredAt: number;
}

describe('API killed with an audit batch in flight', () => {
  it('no 2xx without its audit row, interrupted batches leave nothing, the chain verifies, nothing reordered', async () => {
    const answered: Answer[] = [];
    const statuses: Record<string, number> = {};
    let stop = false;
    const client = async (n: number) => {
      while (!stop) {
        const sentAt = performance.now();
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/onboardings`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'idempotency-key': randomUUID(),
            },
            body: body(),
          });
          const answeredAt = performance.now();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.ok)
            answered.push({ client: n, id: ((await res.json()) as { id: string }).id, sentAt, answeredAt });
          else await res.arrayBuffer();
        } catch {
          // The API is down (killed): try again shortly, as a client would.
          statuses.connection = (statuses.connection ?? 0) + 1;
          await sleep(100);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

    const kills: { mode: string; answeredBefore: number; writtenAfterKill?: number; cutOff?: number }[] = [];
    const auditRows = async () =>
      ((await db.sql`select count(*)::int as n from audit_events`)[0]?.n as number) ?? 0;
    const inFlight = async (where: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [found] = await db.sql.unsafe(
          `select count(*)::int as n from pg_stat_activity where pid <> pg_backend_pid() and ${where}`,
        );
        if ((found?.n as number) > 0) return;
        if (Date.now() > deadline) throw new Error(`nothing in flight within 60 s: ${where}`);
        await sleep(5);
      }
    };
    for (let k = 0; k < KILLS; k++) {
      await sleep(3_000);
      if (k % 2 === 0) {
        // (a) Inside a batch's insert: BEGIN, lock and tip read done, the insert and its COMMIT already sent.
        await inFlight(`state = 'active' and query like 'insert into audit_events%'`);
        await killApi(api!);
        kills.push({ mode: 'insert', answeredBefore: answered.length });
      } else {
        // (b) A batch waiting for the chain lock (here held by the test, as another API or a worker would):
        // its transaction is open and its COMMIT not sent; it must roll back whole when the API is gone.
        const holder = await db.sql.reserve();
        let atKill: number | undefined;
        try {
          await holder`select pg_advisory_lock(${AUDIT_CHAIN_LOCK})`;
          await inFlight(`wait_event_type = 'Lock' and query like '%pg_advisory_xact_lock%'`);
          await killApi(api!);
          atKill = await auditRows();
        } finally {
          await holder`select pg_advisory_unlock(${AUDIT_CHAIN_LOCK})`;
          holder.release();
        }
        // The dead API's backend gets the lock, finds its client gone and ends: its batch writes nothing.
        await sleep(2_000);
        const [cut] = await db.sql`select count(*)::int as n from idempotency_records r
          where r.state = 'in_progress'
            and not exists (select 1 from audit_events a where a.resource_id = r.id::text)`;
        kills.push({
          mode: 'lock',
          answeredBefore: answered.length,
          writtenAfterKill: (await auditRows()) - (atKill ?? Number.NaN),
          // Requests past their idempotency claim, cut off without an answer and without an audit row.
          cutOff: cut?.n as number,
        });
      }
      // A fresh port: the old one may meanwhile be a client socket's (ports are shared with outgoing ones).
      port = await freePort();
      api = await startApi();
    }
    await sleep(3_000);
    stop = true;
    await Promise.all(clients);
    process.stderr.write(`api kill: ${JSON.stringify({ statuses, answered: answered.length, kills })}\n`);

    const rows = (await db.sql`select id::int as id, resource_id, action, outcome from audit_events
      where resource_type = 'onboarding' order by id`) as unknown as {
      id: number;
      resource_id: string;
      action: string;
      outcome: string;
    }[];
    const rowOf = new Map(rows.filter((r) => r.action === 'C').map((r) => [r.resource_id, r]));
    // Every 2xx has its creation entry.
    const missing = answered.filter((a) => rowOf.get(a.id)?.outcome !== 'success');
    expect(missing).toEqual([]);
    expect(answered.length).toBeGreaterThan(KILLS * CLIENTS);
    // A batch killed before its COMMIT was sent (waiting for the chain lock) rolls back whole: nothing was
    // written after the kill, and requests that were in it were cut off with neither an answer nor a row.
    // (A batch killed after it sent its COMMIT may commit: none of its requests was answered, so that is an
    // access recorded whose answer was lost, never an answer without its record.)
    for (const k of kills.filter((x) => x.mode === 'lock')) {
      expect(k.writtenAfterKill).toBe(0);
      expect(k.cutOff).toBeGreaterThan(0);
    }
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
    // Nothing reordered: answered before another was sent → the smaller id.
    const byAnswer = [...answered].sort((a, b) => a.answeredAt - b.answeredAt);
    const bySent = [...answered].sort((a, b) => a.sentAt - b.sentAt);
    let maxIdAnswered = -1;
    let j = 0;
    const reordered: string[] = [];
    for (const b of bySent) {
      while (j < byAnswer.length && byAnswer[j]!.answeredAt < b.sentAt) {
        maxIdAnswered = Math.max(maxIdAnswered, rowOf.get(byAnswer[j]!.id)!.id);
        j++;
      }
      if (rowOf.get(b.id)!.id <= maxIdAnswered) reordered.push(b.id);
    }
    expect(reordered).toEqual([]);
  });
});
