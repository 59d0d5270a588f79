// Audit retention on real PostgreSQL (SEC-AUD-4): the log is partitioned by month; the retention job with a
// fake date refuses a 71-month-old partition, drops a 72-month-old one (and only oldest-first), and the hash
// chain still verifies across partitions and after the drop; partitions are closed to the application role.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { runAuditRetentionCommand, runAuditVerify } from '../../cli/commands/audit.js';
import { appendAudit } from '../../db/audit/append.js';
import { auditHash, GENESIS_HASH } from '../../db/audit/chain.js';
import type { AuditRow } from '../../db/audit/event.js';
import { ensureAuditPartitions, listAuditPartitions } from '../../db/audit/partitions.js';
import { AuditRetentionRefused, dropAuditPartition, runAuditRetention } from '../../db/audit/retention.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { monthStart } from '../../domain/records/retention.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const today = new Date().toISOString().slice(0, 10);

/**
 * Appends a row dated in the past, chained exactly as appendAudit chains (id from the sequence, prev = tip):
 * what the log looks like after years of operation.
 */
async function appendBackdated(recordedAt: string): Promise<number> {
  const [head] = await db.sql`
    select nextval(pg_get_serial_sequence('audit_events', 'id'))::bigint::text as id,
           (select hash from audit_events order by id desc limit 1) as prev`;
  const row: Omit<AuditRow, 'prevHash' | 'hash'> = {
    id: Number(head!.id),
    recordedAt: new Date(recordedAt),
    actorId: `user:${randomUUID()}`,
    actorType: 'user',
    actorRole: 'front_desk',
    sourceIp: null,
    action: 'R',
    resourceType: 'patient',
    resourceId: randomUUID(),
    patientRef: null,
    purposeOfUse: 'TREAT',
    outcome: 'success',
    requestId: null,
    workflowId: null,
    fieldsDisclosed: ['demographics.family'],
  };
  const prevHash = (head!.prev as string | null) ?? GENESIS_HASH;
  await db.sql`
    insert into audit_events (id, recorded_at, actor_id, actor_type, actor_role, action, resource_type,
      resource_id, purpose_of_use, outcome, fields_disclosed, prev_hash, hash)
    values (${row.id}, ${recordedAt}::timestamptz, ${row.actorId}, ${row.actorType}, ${row.actorRole}, ${row.action},
      ${row.resourceType}, ${row.resourceId}, ${row.purposeOfUse}, ${row.outcome}, ${row.fieldsDisclosed},
      ${prevHash}, ${auditHash(prevHash, row)})`;
  return row.id;
}

function asAppRole() {
  return postgres(db.url, {
    max: 1,
    onnotice: () => undefined,
    connection: { options: '-c role=ptflow_app' },
  });
}

async function refusal(p: Promise<unknown>): Promise<AuditRetentionRefused> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuditRetentionRefused);
  return err as AuditRetentionRefused;
}

describe('audit partitions and retention', () => {
  const ids: Record<string, number[]> = { jan: [], feb: [], now: [] };

  it('partitions the log by month, with the coming months ready and a default partition', async () => {
    const partitions = await listAuditPartitions(db.db);
    const months = partitions.map((p) => p.from);
    expect(months).toContain(monthStart(today));
    expect(months).toContain(monthStart(today, 24));
    expect(partitions.at(-1)).toMatchObject({ name: 'audit_events_default', from: null, to: null });
    expect(await ensureAuditPartitions(db.db, { today, monthsAhead: 26 })).toEqual({
      created: [1, 2].map(
        (i) =>
          `audit_events_${monthStart(today, 24 + i)
            .slice(0, 7)
            .replace('-', '_')}`,
      ),
      skipped: [],
    });
    // Idempotent.
    expect((await ensureAuditPartitions(db.db, { today, monthsAhead: 26 })).created).toEqual([]);
  });

  it('chains rows across months and verifies them', async () => {
    for (const name of ['2019-01-01', '2019-02-01']) {
      await db.sql`select audit_events_create_partition(${name}::date)`;
    }
    for (const d of ['2019-01-03T10:00:00Z', '2019-01-17T10:00:00Z', '2019-01-31T23:59:59Z']) {
      ids.jan!.push(await appendBackdated(d));
    }
    for (const d of ['2019-02-01T00:00:00Z', '2019-02-20T08:00:00Z']) ids.feb!.push(await appendBackdated(d));
    for (let i = 0; i < 3; i++) {
      ids.now!.push(
        (
          await appendAudit(db.db, {
            actorId: 'api_key:abc',
            actorType: 'api_key',
            action: 'R',
            resourceType: 'onboarding',
            outcome: 'success',
          })
        ).id,
      );
    }
    const [where] = await db.sql`
      select count(distinct tableoid)::int as partitions from audit_events`;
    expect(where!.partitions).toBe(3);
    expect(await verifyAuditChain(db.db, { batchSize: 2 })).toMatchObject({ ok: true, checked: 8 });
  });

  it('keeps partitions closed to the application role and TRUNCATE out even for the owner', async () => {
    const app = asAppRole();
    try {
      for (const statement of [
        app`select count(*) from audit_events_2019_01`,
        app`update audit_events_2019_01 set actor_id = 'x'`,
        app`delete from audit_events_2019_01`,
        app`drop table audit_events_2019_01`,
        app`insert into audit_retention_anchors (partition_name, range_from, range_to, row_count, last_id, last_hash)
            values ('x', now(), now(), 0, 1, 'x')`,
      ]) {
        const err = (await statement.then(
          () => undefined,
          (e: unknown) => e,
        )) as { code?: string };
        expect(err?.code).toBe('42501');
      }
      // Through the parent it reads and appends as before.
      expect((await app`select count(*)::int as n from audit_events`)[0]!.n).toBe(8);
    } finally {
      await app.end({ timeout: 5 });
    }
    await expect(db.sql`truncate audit_events_2019_01`).rejects.toThrow(/append-only/);
    await expect(db.sql`update audit_events_2019_01 set actor_id = 'x'`).rejects.toThrow(/append-only/);
  });

  it('refuses a 71-month-old partition, the default partition and any drop that is not the oldest', async () => {
    const young = await refusal(dropAuditPartition(db.db, 'audit_events_2019_01', '2025-01-31'));
    expect(young).toMatchObject({ reason: 'too_young' });
    expect(young.message).toMatch(/71 months old; the audit log is kept 72 months/);
    expect(await refusal(dropAuditPartition(db.db, 'audit_events_default', '2099-01-01'))).toMatchObject({
      reason: 'default_partition',
    });
    expect(await refusal(dropAuditPartition(db.db, 'audit_events_2019_02', '2099-01-01'))).toMatchObject({
      reason: 'not_a_prefix',
    });
    expect(await refusal(dropAuditPartition(db.db, 'patients', '2099-01-01'))).toMatchObject({
      reason: 'not_a_partition',
    });
    // The job on the same date drops nothing.
    expect(await runAuditRetention(db.db, { today: '2025-01-31' })).toMatchObject({ dropped: [] });
    expect((await db.sql`select count(*)::int as n from audit_events`)[0]!.n).toBe(8);
  });

  it('drops the 72-month-old month, anchors the chain there, and verify resumes after it', async () => {
    expect(await runAuditRetention(db.db, { today: '2025-02-01', dryRun: true })).toMatchObject({
      wouldDrop: ['audit_events_2019_01'],
      dropped: [],
    });
    const report = await runAuditRetention(db.db, { today: '2025-02-01' });
    expect(report.dropped).toEqual([{ name: 'audit_events_2019_01', rows: 3, lastId: ids.jan!.at(-1) }]);
    expect((await listAuditPartitions(db.db)).map((p) => p.name)).not.toContain('audit_events_2019_01');
    const [anchor] = await db.sql`select * from audit_retention_anchors`;
    expect(anchor).toMatchObject({ partition_name: 'audit_events_2019_01', row_count: '3' });

    expect(await verifyAuditChain(db.db)).toEqual({
      ok: true,
      checked: 5,
      lastId: ids.now!.at(-1),
      lastHash: expect.any(String) as unknown,
      resumedAfterId: ids.jan!.at(-1),
    });
    const lines: string[] = [];
    expect(await runAuditVerify(loadConfig({ DATABASE_URL: db.url }), (l) => lines.push(l))).toBe(true);
    expect(lines.join('\n')).toContain(`from after row ${ids.jan!.at(-1)}`);
  });

  it('still names a tampered row after retention', async () => {
    const victim = ids.feb![1]!;
    await db.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_events set resource_type = 'claim' where id = ${victim}`;
    });
    expect(await verifyAuditChain(db.db)).toMatchObject({
      ok: false,
      firstBrokenId: victim,
      reason: 'hash_mismatch',
    });
    const lines: string[] = [];
    expect(await runAuditVerify(loadConfig({ DATABASE_URL: db.url }), (l) => lines.push(l))).toBe(false);
    expect(lines.join('\n')).toContain(`row ${victim}`);
  });

  it('`ptflow audit retention` creates the coming partitions; a month already in the default one is left there', async () => {
    // A row for a month nobody created a partition for lands in the default partition…
    await db.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`insert into audit_events (id, recorded_at, actor_id, actor_type, action, resource_type, outcome,
                 prev_hash, hash)
               values (nextval('audit_events_id_seq'), '2018-06-10T00:00:00Z', 'x', 'system', 'E', 'test',
                 'success', 'x', 'x')`;
    });
    const lines: string[] = [];
    await runAuditRetentionCommand(loadConfig({ DATABASE_URL: db.url }), (l) => lines.push(l), {
      monthsAhead: 2,
      dryRun: false,
      today: '2018-06-10',
    });
    // …so that month cannot get its own partition: reported, nothing lost, nothing dropped.
    expect(lines.join('\n')).toContain('month 2018-06-01 already has rows in the default partition');
    expect(lines.join('\n')).toMatch(/partitions created: audit_events_2018_07, audit_events_2018_08/);
    expect(lines.join('\n')).toContain('nothing is past the retention period');
  });
});
