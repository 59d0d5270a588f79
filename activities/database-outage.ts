// An activity that meets a database that is down or full fails with one small, typed, retryable failure
// (`DatabaseUnavailable`): Temporal retries it with the activity's policy and the step resumes once the server is
// back (the postgres.js pool reconnects by itself). The driver's own error is not passed on: drizzle's carries the
// failed query and its parameters, which belong neither in a workflow history nor in a log (and can exceed the
// server's failure size limit, leaving nothing to read).
import { ApplicationFailure } from '@temporalio/common';
import { databaseErrorCode, databaseUnavailableReason } from '../db/errors.js';

/** The failure type of an activity attempt that met an unavailable database (never in nonRetryableErrorTypes). */
export const DATABASE_UNAVAILABLE = 'DatabaseUnavailable';

/** Every activity of `acts`, with a database outage turned into a retryable `DatabaseUnavailable` failure. */
export function withDatabaseOutages<T extends object>(acts: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    if (typeof fn !== 'function') {
      out[name] = fn;
      continue;
    }
    out[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        const reason = databaseUnavailableReason(err);
        if (!reason) throw err;
        const code = databaseErrorCode(err);
        throw ApplicationFailure.create({
          type: DATABASE_UNAVAILABLE,
          message: `The database is unavailable (${reason}${code ? `, ${code}` : ''}); retried.`,
          nonRetryable: false,
        });
      }
    };
  }
  return out as T;
}
