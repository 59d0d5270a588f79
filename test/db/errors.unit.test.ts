// Which database errors mean "unavailable" (503 + Retry-After in the API, a retryable activity failure): the
// server gone (socket errors, postgres.js connection errors, SQLSTATE class 08, shutdowns) or out of a resource
// (53100 disk full and friends) — also when drizzle wraps the driver's error. Everything else is not.
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { databaseUnavailableReason, isDatabaseUnavailable } from '../../db/errors.js';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('databaseUnavailableReason', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['ECONNRESET', 'unreachable'],
    ['CONNECT_TIMEOUT', 'unreachable'],
    ['CONNECTION_CLOSED', 'unreachable'],
    ['CONNECTION_DESTROYED', 'unreachable'],
    ['08006', 'unreachable'],
    ['08001', 'unreachable'],
    ['57P01', 'unreachable'],
    ['57P03', 'unreachable'],
    ['53300', 'unreachable'],
    ['53100', 'storage_full'],
  ])('%s → %s', (code, reason) => {
    expect(databaseUnavailableReason(withCode(code))).toBe(reason);
    // drizzle wraps the driver error of a query: the cause decides.
    expect(databaseUnavailableReason(new DrizzleQueryError('select 1', [], withCode(code)))).toBe(reason);
  });

  it.each(['23505', '23503', '22P02', '42P01', '40001', 'EPERM', 'ERR_INVALID_ARG_TYPE'])(
    '%s is not an outage',
    (code) => {
      expect(isDatabaseUnavailable(withCode(code))).toBe(false);
    },
  );

  it('errors without a code, and non-errors, are not outages', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
