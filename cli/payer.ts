// The payer connector a worker uses: the clearinghouse named by CLEARINGHOUSE_URL, or — under `ptflow dev` —
// the sandbox payer it starts on SANDBOX_PAYER_PORT. Both speak the same X12-over-HTTPS API.
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { ClearinghouseConnector } from '../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../connectors/payer/sandbox/plans.js';
import { startSandboxPayer } from '../connectors/payer/sandbox/server.js';
import type { PayerConnector } from '../connectors/payer/types.js';
import type { AuthorizationPayerPort } from '../activities/prior-authorization/index.js';
import { createPayerAuthorizationPort } from '../activities/prior-authorization/payer.js';
import type { Database } from '../db/connection.js';
import type { RepositoryKeys } from '../db/repositories/keys.js';
import type { Config } from './config.js';

export interface ClearinghouseSettings {
  url: string;
  username: string;
  password: string;
  submitterId: string;
  usage: 'P' | 'T';
}

export function clearinghouseConnector(settings: ClearinghouseSettings, sql: postgres.Sql): PayerConnector {
  return new ClearinghouseConnector({
    http: {
      baseUrl: settings.url,
      auth: { kind: 'basic', username: settings.username, password: settings.password },
      timeoutMs: 30_000,
      retry: { maxAttempts: 3, baseDelayMs: 500, budgetMs: 20_000 },
    },
    sender: { qualifier: 'ZZ', id: settings.submitterId },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    submitter: {
      name: 'PTFLOW BILLING',
      id: settings.submitterId,
      contactName: 'BILLING',
      phone: '5555550100',
    },
    receiverName: 'CLEARINGHOUSE',
    originatorId: '9123456789',
    usage: settings.usage,
    // The payer directory maps our payer profiles to clearinghouse payer ids. Only the sandbox payers are
    // listed today; a real clearinghouse's directory is configuration, never hard-coded.
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(sql)),
  });
}

/**
 * Prior authorizations over the same connector: each request and status query is a 278, with the member read
 * from our encrypted patient and coverage mirror (hence the data keys).
 */
export function authorizationPayerPort(
  connector: PayerConnector,
  db: Database,
  keys: RepositoryKeys,
): AuthorizationPayerPort {
  return createPayerAuthorizationPort({ db, keys, payer: connector });
}

export function clearinghouseFromConfig(config: Config): ClearinghouseSettings | undefined {
  if (!config.CLEARINGHOUSE_URL) return undefined;
  return {
    url: config.CLEARINGHOUSE_URL,
    username: config.CLEARINGHOUSE_USERNAME ?? '',
    password: config.CLEARINGHOUSE_PASSWORD ?? '',
    submitterId: config.CLEARINGHOUSE_SUBMITTER_ID,
    usage: config.NODE_ENV === 'production' ? 'P' : 'T',
  };
}

/** Starts the sandbox payer for `ptflow dev` (state in the same database, schema sandbox_payer). */
export async function startDevSandboxPayer(config: Config, databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 5, onnotice: () => undefined });
  const credentials = {
    username: 'ptflow-dev',
    password: 'sandbox',
    submitterId: config.CLEARINGHOUSE_SUBMITTER_ID,
  };
  const server = await startSandboxPayer({ sql, credentials, port: config.SANDBOX_PAYER_PORT });
  return {
    url: server.url,
    settings: { url: server.url, ...credentials, usage: 'T' as const },
    async stop() {
      await server.close();
      await sql.end({ timeout: 5 });
    },
  };
}
