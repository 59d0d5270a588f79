// `ptflow audit verify`: recompute the audit log's hash chain and name the first row that does not hold.
// Exit code 0 when intact, 3 when broken (distinct from 1, "could not run").
// `ptflow audit retention`: create the coming months' partitions and drop those past the retention period
// (audit retention: at least six years); run it monthly (cron) as the database owner.
import type { Command } from 'commander';
import { ensureAuditPartitions } from '../../db/audit/partitions.js';
import { runAuditRetention } from '../../db/audit/retention.js';
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
      log(
        `audit chain intact: ${result.checked} rows verified` +
          (result.resumedAfterId !== undefined
            ? ` (from after row ${result.resumedAfterId}, where retention ended the older log)`
            : ''),
      );
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

/** Today's date in UTC (partitions are UTC months). */
function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function runAuditRetentionCommand(
  config: Config,
  log: (l: string) => void,
  opts: { monthsAhead: number; dryRun: boolean; today?: string },
): Promise<void> {
  const today = opts.today ?? utcToday();
  const database = await startDatabase(config, log);
  const handle = connectDb(database.url, { max: 1 });
  try {
    if (!opts.dryRun) {
      const { created, skipped } = await ensureAuditPartitions(handle.db, {
        today,
        monthsAhead: opts.monthsAhead,
      });
      log(`partitions created: ${created.length ? created.join(', ') : 'none needed'}`);
      for (const month of skipped) {
        log(`month ${month} already has rows in the default partition: left there (never dropped)`);
      }
    }
    const report = await runAuditRetention(handle.db, { today, dryRun: opts.dryRun });
    if (opts.dryRun) {
      log(`would drop: ${report.wouldDrop.length ? report.wouldDrop.join(', ') : 'nothing'}`);
    } else {
      for (const d of report.dropped)
        log(`dropped ${d.name} (${d.rows} rows, anchored at row ${d.lastId ?? '-'})`);
      if (report.dropped.length === 0) log('nothing is past the retention period');
    }
    log(`${report.kept} monthly partitions kept`);
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
  audit
    .command('retention')
    .description("create the coming months' partitions and drop months past the 72-month retention period")
    .option('--months-ahead <n>', 'months of partitions to keep ready', '12')
    .option('--dry-run', 'only list the partitions that would be dropped')
    .action(async (o: { monthsAhead: string; dryRun?: boolean }) => {
      const monthsAhead = Number(o.monthsAhead);
      if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120) {
        throw new Error('--months-ahead must be a whole number from 0 to 120');
      }
      await runAuditRetentionCommand(config(), log, { monthsAhead, dryRun: Boolean(o.dryRun) });
    });
}
