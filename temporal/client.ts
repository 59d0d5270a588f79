// Temporal connection and client factory (the API, the CLI and the tests use the same one).
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  /** Payload codec + failure converter (temporal/codec); absent → the SDK default (plaintext payloads). */
  dataConverter?: DataConverter;
}

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function connectClient(o: TemporalClientOptions): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address: o.address });
  const client = new Client({
    connection,
    namespace: o.namespace,
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
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
