// Each test file gets its own database cloned from the migrated template: isolation without re-migrating.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connectDb, withDatabase, type DbHandle } from '../../db/connection.js';

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = inject('postgresAdminUrl');
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = withDatabase(admin, name);
  const handle = connectDb(url, { max: 5 });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      const s = postgres(admin, { max: 1, onnotice: () => undefined });
      try {
        await s.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await s.end({ timeout: 5 });
      }
    },
  };
}
