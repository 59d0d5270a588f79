// `ptflow keys rotate`: re-encrypt every application-encrypted row under the active data key, in batches and
// resumably. Rows still under an older key are found by `key_id <> active`, walked by id (keyset pagination,
// so a row that cannot be decrypted is reported once, not retried forever), and each row is rewritten by one
// UPDATE that only applies if the row is exactly what was read (same key id, same ciphertext): a concurrent
// writer always wins, and stopping at any point leaves every row readable under one of the ring's keys.
import { sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { encryptedTables, type EncryptedTable } from './encrypted-tables.js';
import { decryptField, encryptField, FieldDecryptionError } from './field-encryption.js';
import type { Keyring } from './keyring.js';

export interface RotateOptions {
  batchSize?: number;
  /** Progress callback (table name and counts only). */
  onBatch?: (table: string, done: { rotated: number; skipped: number; failed: number }) => void;
}

export interface TableRotation {
  rotated: number;
  /** Changed by someone else between read and write (already current, or rewritten): left alone. */
  skipped: number;
  /** Opaque ids of rows that could not be decrypted with the ring (unknown key, tampered bytes). */
  failedRowIds: string[];
}

export type RotationReport = Record<string, TableRotation>;

type Row = Record<string, unknown> & { id: string; key_id: string; tenant: string };

/** Tables in `public` that have `key_id` and `*_enc` columns: all of them must be known to the registry. */
export async function discoverEncryptedTables(db: Database): Promise<Map<string, string[]>> {
  const rows = (await db.execute(sql`
    select c.table_name as "table", c.column_name as "column"
    from information_schema.columns c
    where c.table_schema = 'public' and c.column_name like '%\\_enc'
      and exists (select 1 from information_schema.columns k
                  where k.table_schema = 'public' and k.table_name = c.table_name and k.column_name = 'key_id')
    order by 1, 2`)) as unknown as { table: string; column: string }[];
  const found = new Map<string, string[]>();
  for (const r of rows) found.set(r.table, [...(found.get(r.table) ?? []), r.column]);
  return found;
}

function assertRegistryCovers(found: Map<string, string[]>): EncryptedTable[] {
  for (const [table, columns] of found) {
    const known = encryptedTables.find((t) => t.table === table);
    const missing = columns.filter((c) => !known?.columns.includes(c));
    if (missing.length > 0) {
      throw new Error(`${table}.${missing.join(',')} is encrypted but not in db/crypto/encrypted-tables.ts`);
    }
  }
  return encryptedTables.filter((t) => found.has(t.table));
}

async function rotateTable(
  db: Database,
  keyring: Keyring,
  t: EncryptedTable,
  batchSize: number,
  onBatch: RotateOptions['onBatch'],
): Promise<TableRotation> {
  const report: TableRotation = { rotated: 0, skipped: 0, failedRowIds: [] };
  const active = keyring.activeKeyId;
  const table = sql.identifier(t.table);
  const cols = sql.join(
    t.columns.map((c) => sql.identifier(c)),
    sql`, `,
  );
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    // Every encrypted table has a uuid primary key: the cursor walks the primary-key index.
    const rows = (await db.execute(sql`
      select id::text as id, key_id, ${sql.identifier(t.tenantColumn)}::text as tenant, ${cols}
      from ${table}
      where key_id is not null and key_id <> ${active} and id > ${after}::uuid
      order by id
      limit ${batchSize}`)) as unknown as Row[];
    if (rows.length === 0) return report;
    for (const row of rows) {
      after = row.id;
      const sets = [];
      const guards = [];
      try {
        for (const column of t.columns) {
          const old = row[column] as Buffer | null;
          guards.push(sql`${sql.identifier(column)} is not distinct from ${old}`);
          if (old === null) continue;
          const ctx = { tenant: row.tenant, table: t.table, column, rowId: row.id };
          const fresh = encryptField(decryptField(old, ctx, keyring), ctx, keyring);
          sets.push(sql`${sql.identifier(column)} = ${fresh.data}`);
        }
      } catch (err) {
        if (!(err instanceof FieldDecryptionError)) throw err;
        report.failedRowIds.push(row.id);
        continue;
      }
      // One statement = one transaction per row; the guards make it a compare-and-swap.
      const updated = (await db.execute(sql`
        update ${table} set ${sql.join([...sets, sql`key_id = ${active}`], sql`, `)}
        where id = ${row.id}::uuid and key_id = ${row.key_id} and ${sql.join(guards, sql` and `)}
        returning 1 as ok`)) as unknown as unknown[];
      if (updated.length === 1) report.rotated++;
      else report.skipped++;
    }
    onBatch?.(t.table, {
      rotated: report.rotated,
      skipped: report.skipped,
      failed: report.failedRowIds.length,
    });
  }
}

export async function rotateDataKeys(
  db: Database,
  keyring: Keyring,
  options: RotateOptions = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  const tables = assertRegistryCovers(await discoverEncryptedTables(db));
  const report: RotationReport = {};
  for (const t of tables) report[t.table] = await rotateTable(db, keyring, t, batchSize, options.onBatch);
  return report;
}
