// The API's answer while its database is gone or full: 503 problem+json with Retry-After (never a 500 with an
// error id, never a half-done request: every write, the audit row included, ran in the failed request or not at
// all), and /readyz saying `database: unavailable`. Nothing is restarted: the postgres.js pool reconnects on the
// next query once the server is back, and the first request that succeeds ends the outage.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  databaseErrorCode,
  databaseUnavailableReason,
  type DatabaseUnavailableReason,
} from '../db/errors.js';
import { PROBLEM_CONTENT_TYPE, problem } from './problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What requests saw of the database lately (buildApp); /readyz reads it. */
    databaseOutages: DatabaseOutageTracker;
  }
}

/** Seconds a client should wait before retrying (a restart or freed disk space takes seconds, not minutes). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** How long a refused write (disk full) keeps /readyz unready without a newer one: `select 1` still answers. */
const STORAGE_FULL_MEMORY_MS = 30_000;

/**
 * What this API process saw of its database lately. A full disk does not stop reads (`select 1` answers), so
 * readiness also remembers the last write the server refused for lack of space, until one succeeds or it ages.
 */
export class DatabaseOutageTracker {
  private storageFullAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Record a request that failed because the database is unavailable. */
  note(reason: DatabaseUnavailableReason): void {
    if (reason === 'storage_full') this.storageFullAt = this.now();
  }

  /** A write succeeded (a request's audit row, a POST): whatever was full has room again. */
  writeSucceeded(): void {
    this.storageFullAt = 0;
  }

  /** Whether the server refused a write for lack of space within the last 30 s (and none succeeded since). */
  storageFull(): boolean {
    return this.storageFullAt !== 0 && this.now() - this.storageFullAt < STORAGE_FULL_MEMORY_MS;
  }
}

/**
 * Answers a request that failed because the database is unavailable (503, Retry-After, no internals) and
 * returns true; returns false for any other error. The log line names the reason and the SQLSTATE or socket
 * code only.
 */
export function answerDatabaseUnavailable(
  err: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
  tracker: DatabaseOutageTracker,
): boolean {
  const reason = databaseUnavailableReason(err);
  if (!reason) return false;
  tracker.note(reason);
  req.log.warn({ reason, code: databaseErrorCode(err) }, 'database unavailable');
  void reply
    .code(503)
    .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      problem(
        503,
        reason === 'storage_full'
          ? 'The database cannot store data right now; retry after the Retry-After delay.'
          : 'The database is not reachable right now; retry after the Retry-After delay.',
        { instance: req.id, reason },
      ),
    );
  return true;
}
