// A column-level PHI scan (issue #12): every text-like, JSON, array and bytea column of every table in our
// schemas (information_schema, so a column added tomorrow is scanned too) searched in SQL for a marker, in any
// letter case (e-mail addresses are lower-cased) and, in bytea, as raw bytes — clear text stored as bytes is
// clear text. Ciphertext never matches. The simulators' schemas are the external systems' storage (the EMR is
// the system of record and holds PHI by design) and are left out by name.
import type postgres from 'postgres';

/** Schemas of the simulated external systems (their own migration sets), not ours. */
export const SIMULATOR_SCHEMAS = ['sandbox', 'sandbox_emr', 'sandbox_payer'] as const;

export interface ScannedColumn {
  schema: string;
  table: string;
  column: string;
  dataType: string;
}

const SCANNED_TYPES = ['text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY', 'xml'];

/** Every scannable column of every base table in our schemas. */
export async function appColumns(sql: postgres.Sql): Promise<ScannedColumn[]> {
  return (await sql`
    select c.table_schema as schema, c.table_name as table, c.column_name as column, c.data_type as "dataType"
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where t.table_type = 'BASE TABLE'
      and c.table_schema not in ('pg_catalog', 'information_schema', 'pg_toast')
      and c.table_schema not like 'pg\\_%'
      and c.table_schema <> all(${SIMULATOR_SCHEMAS as unknown as string[]})
      and c.data_type = any(${SCANNED_TYPES})
    order by 1, 2, 3`) as unknown as ScannedColumn[];
}

/** The columns (`schema.table.column`) that hold the marker in some row. */
export async function columnsHolding(
  sql: postgres.Sql,
  marker: string,
): Promise<{ columns: ScannedColumn[]; holding: string[] }> {
  const columns = await appColumns(sql);
  const holding: string[] = [];
  for (const c of columns) {
    const ident = `"${c.schema.replace(/"/g, '""')}"."${c.table.replace(/"/g, '""')}"`;
    const name = `"${c.column.replace(/"/g, '""')}"`;
    const match =
      c.dataType === 'bytea'
        ? `position(convert_to($1, 'UTF8') in ${name}) > 0 or position(convert_to(lower($1), 'UTF8') in ${name}) > 0`
        : `strpos(lower(${name}::text), lower($1)) > 0`;
    const [row] = await sql.unsafe(`select exists (select 1 from ${ident} where ${match}) as found`, [
      marker,
    ]);
    if ((row as unknown as { found: boolean }).found) holding.push(`${c.schema}.${c.table}.${c.column}`);
  }
  return { columns, holding };
}
