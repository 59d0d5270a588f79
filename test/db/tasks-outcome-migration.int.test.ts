// Upgrading a database whose tasks.outcome held staff answers in clear (issue #12, SEC-ENC-1), on real
// PostgreSQL: migrated to 0010 (the old schema) and filled the way the old closeTask wrote outcomes, the
// column scan of test/security/column-scan.ts finds the marker in `public.tasks.outcome` — the scan that runs
// after the PHI canary journeys would have caught it. Migrating on without the data keyring refuses to drop
// the answers; with it, the data step between 0011 and 0012 encrypts every clear outcome, 0012 drops the clear
// column, the scan finds nothing, the repository reads the answers back, and key rotation covers them.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, withDatabase, type DbHandle } from '../../db/connection.js';
import { generateKeyring, withNewActiveKey } from '../../db/crypto/keyring.js';
import { rotateDataKeys } from '../../db/crypto/rotate.js';
import { migrationSets, runMigrations } from '../../db/migrate.js';
import { createTaskRepository } from '../../db/repositories/tasks.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { columnsHolding } from '../security/column-scan.js';
import { newCanary } from '../security/canary.js';

const CANARY = newCanary();
const ring = generateKeyring('m2026');
const admin = () => inject('postgresAdminUrl');
const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
let url: string;
let handle: DbHandle;

async function adminSql<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(admin(), { max: 1, onnotice: () => undefined });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const answered = randomUUID();
const emptyAnswer = randomUUID();
const cancelled = randomUUID();

/** A task opened, then closed the way closeTask wrote it before 0011: the outcome as clear jsonb. */
async function oldTask(id: string, status: 'completed' | 'cancelled', outcome: unknown): Promise<void> {
  await handle.sql`
    insert into tasks (id, practice_id, dedupe_key, kind, assignee_role, title, due_at, workflow_id, process_kind)
    values (${id}, ${DEMO_PRACTICE_ID}, ${`task:${id}`}, 'verify_coverage_by_phone', 'front_desk',
            'Verify coverage by phone', now() + interval '1 day', ${`onboarding:${randomUUID()}`}, 'onboarding')`;
  await handle.sql`
    update tasks set status = ${status}, completed_at = now(), completed_by = 'user:desk-1',
      outcome = ${outcome === null ? null : JSON.stringify(outcome)}::jsonb
    where id = ${id}`;
}

const tasksColumns = async () =>
  (
    await handle.sql`
      select column_name from information_schema.columns
      where table_schema = 'public' and table_name = 'tasks' order by 1`
  ).map((r) => r.column_name as string);

beforeAll(async () => {
  await adminSql((sql) => sql.unsafe(`create database ${name}`));
  url = withDatabase(admin(), name);
  await runMigrations(url, migrationSets, { upTo: '0010_practitioners' });
  handle = connectDb(url, { max: 2 });
  // The practice row only: the demo seed writes tables of later migrations (staff_members, 0013).
  await handle.sql`insert into practices (id, name, npi, timezone)
    values (${DEMO_PRACTICE_ID}, 'Riverside PT', '1234567893', 'America/Chicago')`;
  await oldTask(answered, 'completed', { note: `Spoke with Ana ${CANARY} herself`, coverageActive: true });
  await oldTask(emptyAnswer, 'completed', {});
  await oldTask(cancelled, 'cancelled', null);
});

afterAll(async () => {
  await handle?.close();
  await adminSql((sql) => sql.unsafe(`drop database if exists ${name} with (force)`));
});

describe('tasks.outcome moves out of clear text', () => {
  it('the column scan catches the clear outcome of the old schema, and only there', async () => {
    expect(await tasksColumns()).toContain('outcome');
    const { columns, holding } = await columnsHolding(handle.sql, CANARY);
    // It scans every kind of column that can hold text, in every schema of ours.
    const scanned = columns.map((c) => `${c.schema}.${c.table}.${c.column}:${c.dataType}`);
    expect(scanned).toEqual(
      expect.arrayContaining([
        'public.tasks.outcome:jsonb',
        'public.tasks.title:text',
        'public.patients.demographics_enc:bytea',
      ]),
    );
    expect(columns.some((c) => c.schema.startsWith('sandbox'))).toBe(false);
    expect(holding).toEqual(['public.tasks.outcome']);
  });

  it('migrating on without the data keyring refuses to drop the clear answers', async () => {
    await expect(runMigrations(url, migrationSets)).rejects.toThrow(/tasks\.outcome holds clear answers/);
    // 0011 applied (the columns to encrypt into), 0012 not: nothing was lost, nothing encrypted yet.
    expect(await tasksColumns()).toEqual(expect.arrayContaining(['outcome', 'outcome_enc', 'key_id']));
    expect((await columnsHolding(handle.sql, CANARY)).holding).toEqual(['public.tasks.outcome']);
  });

  it('with the data keyring: encrypted, clear column dropped, nothing left for the scan; reads and rotation work', async () => {
    await runMigrations(url, migrationSets, { dataKeyring: ring });
    const columns = await tasksColumns();
    expect(columns).not.toContain('outcome');
    expect(columns).toEqual(expect.arrayContaining(['outcome_enc', 'key_id']));
    expect((await columnsHolding(handle.sql, CANARY)).holding).toEqual([]);

    const repository = createTaskRepository(handle.db, ring);
    expect(await repository.outcome(answered)).toEqual({
      note: `Spoke with Ana ${CANARY} herself`,
      coverageActive: true,
    });
    expect(await repository.outcome(emptyAnswer)).toEqual({});
    expect(await repository.outcome(cancelled)).toBeNull();
    const keys = await handle.sql`select id::text, key_id from tasks order by id`;
    expect(Object.fromEntries(keys.map((r) => [r.id as string, r.key_id as string | null]))).toEqual({
      [answered]: 'm2026',
      [emptyAnswer]: 'm2026',
      [cancelled]: null,
    });

    // Migrating again is a no-op; the rows stay readable.
    await runMigrations(url, migrationSets);
    const next = withNewActiveKey(ring, 'm2027');
    const rotated = await rotateDataKeys(handle.db, next);
    expect(rotated.tasks).toEqual({ rotated: 2, skipped: 0, failedRowIds: [] });
    expect(await createTaskRepository(handle.db, next).outcome(answered)).toMatchObject({
      coverageActive: true,
    });
    // A keyring without the key is refused loudly, never read as "no outcome".
    await expect(createTaskRepository(handle.db, generateKeyring('m2027')).outcome(answered)).rejects.toThrow(
      /cannot decrypt tasks\.outcome_enc: authentication failed/,
    );
  });
});
