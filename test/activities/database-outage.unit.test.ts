// Activities meeting a database that is down or full fail with one small retryable `DatabaseUnavailable`
// failure (never non-retryable, never the driver's message with the query and its parameters); other errors
// pass through untouched.
import { ApplicationFailure } from '@temporalio/common';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { DATABASE_UNAVAILABLE, withDatabaseOutages } from '../../activities/database-outage.js';

const failing = (err: unknown) => withDatabaseOutages({ step: async (_x: string) => Promise.reject(err) });

describe('withDatabaseOutages', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['57P01', 'unreachable'],
    ['53100', 'storage_full'],
  ])('%s → a retryable DatabaseUnavailable failure without the query', async (code, reason) => {
    const driver = Object.assign(new Error('could not extend file "base/1/2"'), { code });
    const err = new DrizzleQueryError('insert into patients values ($1)', ['Jane Doe'], driver);
    const thrown = await failing(err)
      .step('x')
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    const f = thrown as ApplicationFailure;
    expect(f.type).toBe(DATABASE_UNAVAILABLE);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toBe(`The database is unavailable (${reason}, ${code}); retried.`);
    expect(f.message).not.toMatch(/insert|Jane|extend/);
  });

  it('other errors, and results, pass through', async () => {
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(failing(unique).step('x')).rejects.toBe(unique);
    const ok = withDatabaseOutages({ step: async (x: string) => x.toUpperCase(), label: 'kept' });
    await expect(ok.step('a')).resolves.toBe('A');
    expect(ok.label).toBe('kept');
  });
});
