// Telling "the database is not there or cannot take writes right now" apart from every other database error.
// Such a failure is transient by nature: the API answers 503 with Retry-After (never a 500), and an activity
// that meets it fails retryably (a plain error: Temporal retries it) so the process resumes once the server is
// back. The postgres.js pool reconnects by itself on the next query; nothing needs a restart.

/** Why the database cannot serve the request: not reachable, or reachable but out of a resource (disk full). */
export type DatabaseUnavailableReason = 'unreachable' | 'storage_full';

/** Socket-level failures (Node) and postgres.js's own connection errors. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
]);

/**
 * SQLSTATEs (PostgreSQL Appendix A) that say the server cannot serve now, not that the request is wrong:
 * class 08 (connection exception), 53100 disk_full / 53200 out_of_memory / 53300 too_many_connections,
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or recovering).
 */
function reasonOfSqlState(code: string): DatabaseUnavailableReason | undefined {
  if (code === '53100') return 'storage_full';
  if (code.startsWith('08') || ['53200', '53300', '57P01', '57P02', '57P03'].includes(code))
    return 'unreachable';
  return undefined;
}

/**
 * Whether `err` (or an error in its `cause` chain: drizzle wraps driver errors in a DrizzleQueryError) means the
 * database is unavailable, and why. `undefined` for every other error (a constraint violation, a bug, …).
 */
export function databaseUnavailableReason(err: unknown): DatabaseUnavailableReason | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_ERROR_CODES.has(code)) return 'unreachable';
      // postgres.js's PostgresError carries the SQLSTATE in `code` (five characters).
      if (/^[0-9A-Z]{5}$/.test(code)) {
        const reason = reasonOfSqlState(code);
        if (reason) return reason;
      }
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when `err` means the database is unreachable or refusing writes for lack of a resource. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseUnavailableReason(err) !== undefined;
}

/**
 * The SQLSTATE or connection error code in `err`'s cause chain (for logs and failure messages: a code, never the
 * query, its parameters or the server's message).
 */
export function databaseErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
