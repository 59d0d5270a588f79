// The sandbox payer on 127.0.0.1 with a clearinghouse connector pointed at it, for tests that run processes
// against real X12 over HTTP.
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import {
  startSandboxPayer,
  type SandboxServer,
  type SandboxServerOptions,
} from '../../connectors/payer/sandbox/server.js';

const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWTEST' };

export async function sandboxPayer(
  sql: postgres.Sql,
  /** e.g. a large `pendPolls`, so pended authorizations wait for the test to decide them. */
  options: Pick<SandboxServerOptions, 'pendPolls'> = {},
): Promise<{ server: SandboxServer; connector: ClearinghouseConnector }> {
  const server = await startSandboxPayer({ sql, credentials, ...options });
  const connector = new ClearinghouseConnector({
    http: {
      baseUrl: server.url,
      auth: { kind: 'basic', username: credentials.username, password: credentials.password },
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 },
    },
    sender: { qualifier: 'ZZ', id: 'PTFLOWTEST' },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    submitter: {
      name: 'RIVERSIDE PT BILLING',
      id: 'PTFLOWTEST',
      contactName: 'BILLING',
      phone: '5555550100',
    },
    receiverName: 'PTFLOW SANDBOX PAYER',
    originatorId: '9123456789',
    usage: 'T',
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(sql)),
  });
  return { server, connector };
}
