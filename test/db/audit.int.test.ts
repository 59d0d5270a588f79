// Audit log on real PostgreSQL (SEC-AUD-1/2): events chain by hash under concurrency, the verifier names the
// first tampered row, the application role may only insert and read, and the trigger stops even the owner.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { runAuditVerify } from '../../cli/commands/audit.js';
import { AUDIT_BATCH_MAX, AuditGroupCommit, appendAudit } from '../../db/audit/append.js';
import { GENESIS_HASH } from '../../db/audit/chain.js';
import type { AuditEventInput } from '../../db/audit/event.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import * as schema from '../../db/schema.js';
import { auditEvents } from '../../db/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CANARY = 'ZZCANARY-3';
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const event = (over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actorId: `user:${randomUUID()}`,
  actorType: 'user',
  actorRole: 'front_desk',
  sourceIp: '10.0.0.7',
  action: 'R',
  resourceType: 'patient',
  resourceId: randomUUID(),
  patientRef: randomUUID(),
  purposeOfUse: 'TREAT',
  outcome: 'success',
  requestId: randomUUID(),
  fieldsDisclosed: ['demographics.lastName', 'demographics.dateOfBirth'],
  ...over,
});

/** A connection acting as the application role (a superuser may SET ROLE to any role). */
function asAppRole() {
  return postgres(db.url, {
    max: 1,
    onnotice: () => undefined,
    connection: { options: '-c role=ptflow_app' },
  });
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the statement to fail');
}

describe('audit chain', () => {
  it('links every row to the one before and verifies, also with concurrent writers', async () => {
    const first = await appendAudit(db.db, event());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendAudit(db.db, event({ action: i % 2 ? 'U' : 'R' }))),
    );
    const rows = await db.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    expect(rows).toHaveLength(21);
    expect(rows[0]).toMatchObject({ id: first.id, prevHash: GENESIS_HASH, hash: first.hash });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(await verifyAuditChain(db.db, { batchSize: 7 })).toMatchObject({ ok: true, checked: 21 });
  });

  it('refuses values that are not opaque ids or field names, without echoing them', async () => {
    for (const bad of [
      event({ fieldsDisclosed: [`Doe ${CANARY}`] }),
      event({ resourceId: `Jane Doe ${CANARY}` }),
      event({ actorId: `nurse ${CANARY}` }),
    ]) {
      const err = await errorOf(appendAudit(db.db, bad));
      expect(err.message).toMatch(/invalid audit event/);
      expect(err.message).not.toContain(CANARY);
    }
  });

  it('lets the application role insert and read but not update, delete or truncate', async () => {
    const app = asAppRole();
    try {
      const [{ role }] = (await app`select current_user as role`) as unknown as [{ role: string }];
      expect(role).toBe('ptflow_app');
      // appendAudit works as the role (sequence, advisory lock, insert).
      await appendAudit(drizzle(app, { schema }), event());
      expect((await app`select count(*)::int as n from audit_events`)[0]!.n).toBeGreaterThan(0);

      for (const statement of [
        app`update audit_events set actor_id = 'x'`,
        app`delete from audit_events`,
        app`truncate audit_events`,
      ]) {
        const err = await errorOf(statement);
        expect(err.code).toBe('42501');
        expect(err.message).toMatch(/permission denied/);
      }
    } finally {
      await app.end({ timeout: 5 });
    }
  });

  it('the trigger rejects update and delete even for the owner', async () => {
    const err = await errorOf(db.sql`update audit_events set actor_id = 'x'`);
    expect(err.message).toMatch(/append-only/);
    expect((await errorOf(db.sql`delete from audit_events`)).message).toMatch(/append-only/);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
  });

  it('group commit: concurrent appends share transactions, keep arrival order, resolve only once durable', async () => {
    const before = await db.db.select().from(auditEvents);
    // A pool of its own that counts the transactions the writer opens.
    let transactions = 0;
    const countingSql = postgres(db.url, {
      max: 2,
      onnotice: () => undefined,
      debug: (_c, query) => {
        if (/^\s*begin\b/i.test(query)) transactions++;
      },
    });
    const counting = drizzle(countingSql, { schema });
    const writer = new AuditGroupCommit(counting);
    const requestIds = Array.from({ length: 60 }, () => randomUUID());
    const durableWhenResolved: boolean[] = [];
    const written = await Promise.all(
      requestIds.map((requestId) =>
        writer.append(event({ requestId })).then(async (r) => {
          // Another connection sees the row the moment the call resolves: it was committed.
          const seen = await db.sql`select request_id from audit_events where id = ${r.id}`;
          durableWhenResolved.push(seen[0]?.request_id === requestId);
          return r;
        }),
      ),
    );
    expect(durableWhenResolved).toEqual(requestIds.map(() => true));
    // Arrival order is chain order: ids increase in the order the calls were made.
    for (let i = 1; i < written.length; i++) expect(written[i]!.id).toBeGreaterThan(written[i - 1]!.id);
    // The first call starts a transaction alone; the others queue behind it and share the next ones.
    expect(transactions).toBeLessThanOrEqual(3);
    const rows = await db.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    expect(rows).toHaveLength(before.length + 60);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(await verifyAuditChain(db.db, { batchSize: 9 })).toMatchObject({ ok: true, checked: rows.length });
    await countingSql.end();
  });

  it('group commit: a batch is two writes to the server (BEGIN, lock and tip read; then insert and COMMIT)', async () => {
    const handle = postgres(db.url, { max: 2, onnotice: () => undefined });
    const writer = new AuditGroupCommit(drizzle(handle, { schema }));
    await writer.append(event()); // connected and warm
    const write = net.Socket.prototype.write;
    let writes = 0;
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      writes++;
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof write;
    let written: { id: number }[];
    try {
      // Two batches: the first call is written at once, alone; the five after it queue and share the next one.
      written = await Promise.all(Array.from({ length: 6 }, () => writer.append(event())));
    } finally {
      net.Socket.prototype.write = write;
    }
    expect(new Set(written.map((w) => w.id)).size).toBe(6);
    expect(writes).toBe(4);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
    await handle.end();
  });

  it('group commit: an insert the server refuses rolls the whole batch back, and the next batch is written', async () => {
    const before = (await db.db.select().from(auditEvents)).length;
    const poison = randomUUID();
    // A trigger standing in for any failure of the insert itself (constraint, disk full, cancelled statement).
    await db.sql.unsafe(`create function refuse_poison() returns trigger language plpgsql as $$
      begin if new.request_id = '${poison}' then raise exception 'refused'; end if; return new; end $$`);
    await db.sql.unsafe(`create trigger refuse_poison before insert on audit_events
      for each row execute function refuse_poison()`);
    try {
      const writer = new AuditGroupCommit(
        drizzle(postgres(db.url, { max: 1, onnotice: () => undefined }), { schema }),
      );
      // The first call is written alone; the three after it share one batch with the refused row in it.
      const batch = await Promise.allSettled([
        writer.append(event()),
        writer.append(event()),
        writer.append(event({ requestId: poison })),
        writer.append(event()),
      ]);
      expect(batch.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
      expect((await db.db.select().from(auditEvents)).length).toBe(before + 1);
      // The one connection came back out of its transaction: the next batch commits on it.
      const next = await Promise.all([writer.append(event()), writer.append(event())]);
      expect(next[1]!.id).toBeGreaterThan(next[0]!.id);
      expect((await db.db.select().from(auditEvents)).length).toBe(before + 3);
      expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
    } finally {
      await db.sql.unsafe('drop trigger refuse_poison on audit_events');
      await db.sql.unsafe('drop function refuse_poison()');
    }
  });

  it('group commit of batches (worker PHI reads): each caller’s events contiguous, in order, never split', async () => {
    const before = (await db.db.select().from(auditEvents)).length;
    let transactions = 0;
    const counting = new Proxy(db.db, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return (...args: Parameters<typeof target.transaction>) => {
            transactions++;
            return target.transaction(...args);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const writer = new AuditGroupCommit(counting);
    // 30 activities ending at once with 1–5 reads each, and one larger than a whole batch.
    const batches = Array.from({ length: 30 }, (_, i) =>
      Array.from({ length: (i % 5) + 1 }, () => event({ workflowId: `wf-${i}`, actorType: 'service' })),
    );
    batches.push(Array.from({ length: AUDIT_BATCH_MAX + 10 }, () => event({ workflowId: 'wf-big' })));
    const written = await Promise.all(batches.map((b) => writer.appendAll(b)));
    expect(written.map((w) => w.length)).toEqual(batches.map((b) => b.length));
    const ids = written.flat().map((w) => w.id);
    // Arrival order, and each caller's rows next to each other: the ids run on without gaps or interleaving.
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
    for (const [i, w] of written.entries()) {
      const rows =
        await db.sql`select workflow_id from audit_events where id between ${w[0]!.id} and ${w.at(-1)!.id}`;
      expect(new Set(rows.map((r) => r.workflow_id))).toEqual(new Set([i < 30 ? `wf-${i}` : 'wf-big']));
    }
    expect(transactions).toBeLessThanOrEqual(4);
    expect((await db.db.select().from(auditEvents)).length).toBe(before + ids.length);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
    // A batch with one invalid event is refused whole, without its value; a batch queued with it is written.
    const mixed = await Promise.allSettled([
      writer.appendAll([event(), event({ resourceId: `name ${CANARY}` })]),
      writer.appendAll([event(), event()]),
    ]);
    expect(mixed.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(String((mixed[0] as PromiseRejectedResult).reason)).not.toContain(CANARY);
    expect((await db.db.select().from(auditEvents)).length).toBe(before + ids.length + 2);
  });

  it('group commit fails closed: a failed transaction rejects every call in it and writes nothing', async () => {
    const before = (await db.db.select().from(auditEvents)).length;
    const dead = postgres(db.url, { max: 1, onnotice: () => undefined });
    await dead.end();
    const writer = new AuditGroupCommit(drizzle(dead, { schema }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => writer.append(event())));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // An invalid event is refused on its own; valid ones queued with it are written.
    const live = new AuditGroupCommit(db.db);
    const mixed = await Promise.allSettled([
      live.append(event()),
      live.append(event({ resourceId: `name ${CANARY}` })),
      live.append(event()),
    ]);
    expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((mixed[1] as PromiseRejectedResult).reason)).not.toContain(CANARY);
    expect((await db.db.select().from(auditEvents)).length).toBe(before + 2);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
  });

  it('names the first tampered row; `ptflow audit verify` fails and names it too', async () => {
    const rows = await db.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    const victim = rows[5]!;
    // As superuser, with triggers off for this transaction only: what an attacker with DB access could do.
    await db.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_events set fields_disclosed = '{}' where id = ${victim.id}`;
    });
    expect(await verifyAuditChain(db.db, { batchSize: 4 })).toMatchObject({
      ok: false,
      firstBrokenId: victim.id,
      reason: 'hash_mismatch',
    });

    const lines: string[] = [];
    const intact = await runAuditVerify(loadConfig({ DATABASE_URL: db.url }), (l) => lines.push(l));
    expect(intact).toBe(false);
    expect(lines.join('\n')).toContain(`row ${victim.id}`);
  });

  it('a deleted row breaks the link of the row after it', async () => {
    const rows = await db.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    const [before, gone, after] = [rows[1]!, rows[2]!, rows[3]!];
    expect(before.id).toBeLessThan(gone.id);
    await db.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from audit_events where id = ${gone.id}`;
    });
    expect(await verifyAuditChain(db.db)).toMatchObject({
      ok: false,
      firstBrokenId: after.id,
      reason: 'chain_break',
    });
  });
});
