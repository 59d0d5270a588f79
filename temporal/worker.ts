// Worker factory. The workflow code is bundled from workflows/index (TypeScript in development and tests,
// compiled JavaScript in the production image); activities come from createActivities(deps).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { connectionFailure, type TemporalConnectionOptions } from './connection-config.js';

export function workflowsPath(): string {
  for (const ext of ['ts', 'js']) {
    const candidate = fileURLToPath(new URL(`../workflows/index.${ext}`, import.meta.url));
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('workflows/index not found next to temporal/');
}

export interface CreateWorkerOptions {
  address: string;
  namespace: string;
  /** TLS / mutual TLS, API key and gRPC headers (temporal/connection-config.ts); absent → plaintext. */
  connection?: TemporalConnectionOptions;
  taskQueue: string;
  activities: Activities;
  /** Pre-built bundle (tests bundle once per run); otherwise the worker bundles workflows/index itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long in-flight activities may finish after shutdown starts (the SDK default is 0: cancel at once). */
  shutdownGraceSeconds?: number;
  /**
   * Workflows kept in memory between tasks (sticky cache). Each costs worker memory (ptflow's measured cost is
   * in README, WORKER_MAX_CACHED_WORKFLOWS); the others are replayed from history when next touched. Unset →
   * the SDK's default, which it derives from the heap limit and which is far above what ptflow's workflows fit.
   */
  maxCachedWorkflows?: number;
  /**
   * Payload codec + failure converter (temporal/codec). A pre-built workflowBundle must have been bundled with
   * the same failureConverterPath; when the worker bundles itself it uses the path from here.
   */
  dataConverter?: DataConverter;
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(
  o: CreateWorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const extra = o.connection ?? {};
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({
      address: o.address,
      ...(extra.tls !== undefined ? { tls: extra.tls } : {}),
      ...(extra.apiKey ? { apiKey: extra.apiKey } : {}),
      ...(extra.metadata ? { metadata: extra.metadata } : {}),
    });
  } catch (err) {
    throw await connectionFailure({ address: o.address, namespace: o.namespace, ...extra }, err);
  }
  try {
    const worker = await Worker.create({
      connection,
      namespace: o.namespace,
      taskQueue: o.taskQueue,
      activities: o.activities,
      ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
      shutdownGraceTime: `${o.shutdownGraceSeconds ?? 20} seconds`,
      ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
      ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
      ...o.overrides,
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
