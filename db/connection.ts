// Connection factory. One postgres.js pool per process; drizzle on top of it.
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Database = PostgresJsDatabase<typeof schema>;

export interface DbHandle {
  sql: postgres.Sql;
  db: Database;
  close(): Promise<void>;
}

export function connectDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: 10,
    // While the server is gone the pool retries connecting after this many seconds (doubling, at most 2 s):
    // postgres.js's default grows to 10–20 s, so a database that is back would go on being refused that long.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
    // Notices (e.g. "relation already exists, skipping") are not errors; keep them out of the logs.
    onnotice: () => undefined,
  });
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
}

/** True when the database answers a query. Used by /readyz. */
export async function isDbReachable(sql: postgres.Sql): Promise<boolean> {
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  }
}

/** Return `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Create `database` on the server of `adminUrl` unless it exists (optionally from a template). */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error('database name must be a lowercase identifier');
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length > 0) return;
    await sql.unsafe(`create database ${database}${template ? ` template ${template}` : ''}`);
  } catch (err) {
    // Two processes racing to create the same database: the loser sees 42P04 (duplicate_database).
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
