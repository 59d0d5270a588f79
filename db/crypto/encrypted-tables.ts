// Which tables hold application-encrypted columns, and what "tenant" means in their AAD. Writers build the
// FieldContext through fieldContext() and key rotation walks this list, so both agree on the AAD; a table
// with `*_enc` columns that is missing here makes rotation stop instead of silently skipping it.
import type { FieldContext } from './field-encryption.js';

export interface EncryptedTable {
  table: string;
  /** Column whose value is the AAD tenant (the practice wherever the row has one). */
  tenantColumn: string;
  /** The `*_enc` bytea columns, all under the row's single `key_id`. */
  columns: readonly string[];
}

export const encryptedTables: readonly EncryptedTable[] = [
  { table: 'patients', tenantColumn: 'practice_id', columns: ['demographics_enc'] },
  { table: 'coverages', tenantColumn: 'practice_id', columns: ['member_id_enc'] },
  { table: 'break_glass_grants', tenantColumn: 'practice_id', columns: ['reason_enc'] },
  { table: 'tasks', tenantColumn: 'practice_id', columns: ['outcome_enc'] },
  // The practice's tax id (EIN): the practice row is its own tenant.
  { table: 'practices', tenantColumn: 'id', columns: ['tax_id_enc'] },
  // No practice_id on these rows (yet): the owning coverage / principal is the tenant binding.
  { table: 'eligibility_checks', tenantColumn: 'coverage_id', columns: ['raw_271_enc'] },
  { table: 'idempotency_records', tenantColumn: 'principal_id', columns: ['response_enc'] },
];

export function encryptedTable(table: string): EncryptedTable {
  const t = encryptedTables.find((e) => e.table === table);
  if (!t) throw new Error(`no encryption rule for table ${table}`);
  return t;
}

/** The AAD context of one encrypted cell. */
export function fieldContext(
  table: string,
  column: string,
  row: { tenant: string; rowId: string },
): FieldContext {
  const t = encryptedTable(table);
  if (!t.columns.includes(column)) throw new Error(`${table}.${column} is not an encrypted column`);
  return { tenant: row.tenant, table, column, rowId: row.rowId };
}
