// Where the Java time-skipping test server (io.temporal:temporal-test-server) lives on this machine.
//
// `scripts/ensure-test-server.sh` provisions it (Maven, once, no downloads at test time) into
//   ${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/test-server/<version>/
//     lib/*.jar              the artifact and its runtime dependencies
//     app.jsa                AppCDS archive (faster JVM start)
//     temporal-test-server   executable wrapper: `temporal-test-server <port> [--enable-time-skipping]`
// Tests pass the wrapper to `TestWorkflowEnvironment.createTimeSkipping({ server: { executable:
// { type: 'existing-path', path } } })`.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Pinned temporal-test-server version. Single source of truth: `scripts/ensure-test-server.sh` reads this
 * line with sed, so keep it a one-line single-quoted string literal. Overridable at run time by the env
 * var `TEMPORAL_TEST_SERVER_VERSION` (honoured by both the script and the functions below).
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';

/** File name of the executable wrapper inside the cache dir. */
export const TEST_SERVER_WRAPPER_NAME = 'temporal-test-server';

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/test-server/<version>` (same rule as the script). */
export function testServerCacheDir(env: Env = process.env): string {
  const cacheRoot =
    nonEmpty(env.PTFLOW_CACHE_DIR) ?? join(nonEmpty(env.HOME) ?? homedir(), '.cache', 'ptflow');
  const version = nonEmpty(env.TEMPORAL_TEST_SERVER_VERSION) ?? TEMPORAL_TEST_SERVER_VERSION;
  return join(cacheRoot, 'test-server', version);
}

/**
 * The test server executable to use, or `undefined` when none is provisioned (run
 * `npm run test-server:ensure`). `TEMPORAL_TEST_SERVER` wins when set and executable; otherwise the
 * cache wrapper when it exists and is executable.
 */
export function resolveTestServerExecutable(env: Env = process.env): string | undefined {
  const explicit = nonEmpty(env.TEMPORAL_TEST_SERVER);
  if (explicit !== undefined && isExecutableFile(explicit)) return explicit;
  const wrapper = join(testServerCacheDir(env), TEST_SERVER_WRAPPER_NAME);
  return isExecutableFile(wrapper) ? wrapper : undefined;
}
