// Temporal connection and client factory (the API, the CLI and the tests use the same one).
import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { connectionFailure, type TemporalConnectionOptions } from './connection-config.js';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  /** Payload codec + failure converter (temporal/codec); absent → the SDK default (plaintext payloads). */
  dataConverter?: DataConverter;
  /** TLS / mutual TLS, API key and gRPC headers (temporal/connection-config.ts); absent → plaintext. */
  connection?: TemporalConnectionOptions;
  /** Client interceptors (tracing: cli/tracing.ts puts the trace context into workflow headers). */
  interceptors?: ClientInterceptors;
}

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/** Connect (TLS and credentials from `options.connection`); a failure is a TemporalConnectionError saying why. */
export async function connectClient(options: TemporalClientOptions): Promise<TemporalClientHandle> {
  const extra = options.connection ?? {};
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: options.address,
      ...(extra.tls !== undefined ? { tls: extra.tls } : {}),
      ...(extra.apiKey ? { apiKey: extra.apiKey } : {}),
      ...(extra.metadata ? { metadata: extra.metadata } : {}),
    });
  } catch (err) {
    throw await connectionFailure({ address: options.address, namespace: options.namespace, ...extra }, err);
  }
  const client = new Client({
    connection,
    namespace: options.namespace,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
  });
  return { client, connection, close: () => connection.close() };
}

/** True when the frontend answers a health check. Used by /readyz. */
export async function isTemporalReachable(connection: Connection): Promise<boolean> {
  try {
    const res = await connection.healthService.check({});
    return res.status === 1;
  } catch {
    return false;
  }
}

/**
 * True when some worker polled `taskQueue` for workflow tasks recently (the server keeps pollers seen in the
 * last few minutes). Used by /readyz as an advisory: a worker that refused to start (missing connector
 * configuration) or crashed shows up here as no pollers.
 */
export async function hasWorkflowPollers(client: Client, taskQueue: string): Promise<boolean> {
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: 1 /* TASK_QUEUE_KIND_NORMAL */ },
      taskQueueType: 1 /* TASK_QUEUE_TYPE_WORKFLOW */,
    });
    return (res.pollers?.length ?? 0) > 0;
  } catch {
    return false;
  }
}
