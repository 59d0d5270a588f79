// `ptflow audit verify`: recompute the audit log's hash chain and name the first row that does not hold.
// Exit code 0 when intact, 3 when broken (distinct from 1, "could not run").
import type { Command } from 'commander';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { connectDb } from '../../db/connection.js';
import type { Config } from '../config.js';
import { startDatabase } from '../database.js';

export async function runAuditVerify(config: Config, log: (l: string) => void): Promise<boolean> {
  const database = await startDatabase(config, log);
  const handle = connectDb(database.url, { max: 1 });
  try {
    const result = await verifyAuditChain(handle.db);
    if (result.ok) {
      log(`audit chain intact: ${result.checked} rows verified`);
      return true;
    }
    const why =
      result.reason === 'hash_mismatch'
        ? 'its content does not match its hash'
        : 'it does not link to the row before';
    log(
      `audit chain BROKEN at row ${result.firstBrokenId}: ${why} (${result.checked} rows before it verified)`,
    );
    return false;
  } finally {
    await handle.close();
    await database.stop();
  }
}

export function registerAuditCommands(
  program: Command,
  config: () => Config,
  log: (l: string) => void,
): void {
  const audit = program.command('audit').description('audit log');
  audit
    .command('verify')
    .description('recompute the hash chain and name the first broken row')
    .action(async () => {
      if (!(await runAuditVerify(config(), log))) process.exitCode = 3;
    });
}
