// `ptflow keys rotate`: re-encrypt every encrypted column under the active data key (PTFLOW_ACTIVE_DATA_KEY_ID).
// Rotation procedure: add the new key to PTFLOW_DATA_KEYS, make it active, restart the services (new writes use
// it), run this command (safe to interrupt and re-run), and only then retire the old key from the ring.
import type { Command } from 'commander';
import { appendAudit } from '../../db/audit/append.js';
import { connectDb } from '../../db/connection.js';
import { rotateDataKeys } from '../../db/crypto/rotate.js';
import type { Config } from '../config.js';
import { startDatabase } from '../database.js';
import { dataKeys } from '../keyrings.js';

export async function runKeysRotate(
  config: Config,
  log: (l: string) => void,
  batchSize: number,
): Promise<boolean> {
  const { keyring } = dataKeys(config);
  const database = await startDatabase(config, log);
  const handle = connectDb(database.url, { max: 2 });
  try {
    const report = await rotateDataKeys(handle.db, keyring, {
      batchSize,
      onBatch: (table, n) =>
        log(`  ${table}: ${n.rotated} re-encrypted, ${n.skipped} changed meanwhile, ${n.failed} failed`),
    });
    let failed = 0;
    for (const [table, r] of Object.entries(report)) {
      log(`${table}: ${r.rotated} re-encrypted under ${keyring.activeKeyId}, ${r.skipped} skipped`);
      // Opaque row ids only, so an operator can investigate; never values.
      for (const id of r.failedRowIds) log(`${table}: row ${id} could not be decrypted with the keyring`);
      failed += r.failedRowIds.length;
    }
    await appendAudit(handle.db, {
      actorId: 'ptflow-cli',
      actorType: 'system',
      action: 'U',
      resourceType: 'data_key',
      resourceId: keyring.activeKeyId,
      outcome: failed === 0 ? 'success' : 'error',
    });
    return failed === 0;
  } finally {
    await handle.close();
    await database.stop();
  }
}

export function registerKeysCommands(program: Command, config: () => Config, log: (l: string) => void): void {
  const keys = program.command('keys').description('encryption keys');
  keys
    .command('rotate')
    .description('re-encrypt PHI columns under the active data key (batched, resumable)')
    .option('--batch-size <n>', 'rows per batch', '500')
    .action(async (opts: { batchSize: string }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new Error('--batch-size must be a positive integer');
      if (!(await runKeysRotate(config(), log, batchSize))) process.exitCode = 1;
    });
}
