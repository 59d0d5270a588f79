// Launches `temporal server start-dev`: the same launcher serves `ptflow dev` (UI on, persisted SQLite) and
// the test harness (headless, throwaway file). Readiness is a real gRPC health check plus the namespace being
// described, never a sleep.
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { searchAttributeCliFlags, ptflowSearchAttributes } from '../workflows/shared/search-attributes.js';
import { spawnLogged, type ManagedChild } from './child-process.js';
import { assertPortFree, waitFor } from './ports.js';

/** The only address the dev server and its UI listen on. */
export const LOOPBACK = '127.0.0.1';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  logFile: string;
  namespace?: string;
  /** Codec endpoint the Web UI calls to decode payloads (ptflow's API `/codec`). */
  uiCodecEndpoint?: string;
  /** Tests trade durability for speed (synchronous=OFF); dev keeps SQLite's safer default. */
  fastSqlite?: boolean;
  readyTimeoutMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Names of the env vars that choose the ports, for a helpful "port in use" message. */
  portVariables?: { port?: string; uiPort?: string };
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ManagedChild;
  stop(): Promise<void>;
}

/**
 * Arguments of `temporal server start-dev`. Everything listens on 127.0.0.1 only: `--ip` binds the gRPC
 * frontend, its HTTP API and the metrics endpoint, `--ui-ip` the Web UI (stated although it defaults to `--ip`).
 * The dev server has no authentication and its UI allows Reset and Terminate, so nothing else on the network
 * may reach it.
 */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', LOOPBACK, '--port', String(options.port)];
  args.push('--namespace', options.namespace ?? 'default');
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-ip', LOOPBACK, '--ui-port', String(options.uiPort));
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
    if (options.fastSqlite) args.push('--sqlite-pragma', 'synchronous=OFF');
  }
  args.push(
    // The server would otherwise report its version to an internet service on start.
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...searchAttributeCliFlags(),
    '--log-format',
    'json',
    '--log-level',
    options.logLevel ?? 'warn',
  );
  return args;
}

/** True once the frontend answers health checks and the namespace exists. */
export async function isTemporalReady(address: string, namespace = 'default'): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const health = await connection.healthService.check({});
    if (health.status !== 1 /* SERVING */) return false;
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/** Adds any ptflow search attribute the server lacks (e.g. a SQLite file from an older version). */
export async function ensureSearchAttributes(address: string, namespace = 'default'): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}

/** Registers the missing ptflow search attributes through the operator service of `connection`. */
export async function registerSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace = 'default',
  opts: { assumeNone?: boolean } = {},
): Promise<void> {
  // The Java time-skipping server implements AddSearchAttributes but not ListSearchAttributes.
  const known = opts.assumeNone
    ? new Set<string>()
    : new Set(
        Object.keys(
          (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {},
        ),
      );
  const missing = ptflowSearchAttributes.filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  const { temporal } = (await import('@temporalio/proto')).default;
  const indexed = temporal.api.enums.v1.IndexedValueType;
  const indexedTypes: Record<SearchAttributeType, number> = {
    KEYWORD: indexed.INDEXED_VALUE_TYPE_KEYWORD,
    BOOL: indexed.INDEXED_VALUE_TYPE_BOOL,
    DATETIME: indexed.INDEXED_VALUE_TYPE_DATETIME,
    INT: indexed.INDEXED_VALUE_TYPE_INT,
    TEXT: indexed.INDEXED_VALUE_TYPE_TEXT,
    DOUBLE: indexed.INDEXED_VALUE_TYPE_DOUBLE,
    KEYWORD_LIST: indexed.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedTypes[k.type]])),
  });
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  await assertPortFree(options.port, 'Temporal frontend', options.portVariables?.port);
  if (options.uiPort !== undefined)
    await assertPortFree(options.uiPort, 'Temporal Web UI', options.portVariables?.uiPort);
  const proc = spawnLogged(options.cliPath, devServerArgs(options), {
    logFile: options.logFile,
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitFor(
      () => isTemporalReady(address, options.namespace),
      { timeoutMs: options.readyTimeoutMs ?? 60_000, what: `Temporal dev server on ${address}` },
      () =>
        proc.hasExited()
          ? new Error(`Temporal dev server exited during start-up; see ${options.logFile}`)
          : undefined,
    );
    await ensureSearchAttributes(address, options.namespace);
  } catch (err) {
    await proc.stop({ timeoutMs: 3_000 });
    throw err;
  }
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: proc,
    stop: () => proc.stop({ signal: 'SIGTERM', timeoutMs: 10_000 }),
  };
}
