// `ptflow sandbox messages`: the sandbox messaging outbox of a practice, newest first, recipients masked.
import { listOutbox } from '../../db/repositories/outbox.js';
import { connectDb } from '../../db/connection.js';
import { isUuid } from '../../domain/ids.js';
import type { Config } from '../config.js';
import { openDatabase } from '../database.js';
import { CliUsageError } from './apikey.js';

export async function runSandboxMessages(
  config: Config,
  log: (l: string) => void,
  opts: { practice: string; limit: string; channel?: string },
): Promise<void> {
  if (!isUuid(opts.practice)) throw new CliUsageError('--practice must be a practice id (UUID)');
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliUsageError('--limit must be 1-100');
  if (opts.channel !== undefined && opts.channel !== 'sms' && opts.channel !== 'email') {
    throw new CliUsageError('--channel must be sms or email');
  }
  const db = await openDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    const rows = await listOutbox(handle.db, {
      practiceId: opts.practice,
      limit,
      ...(opts.channel ? { channel: opts.channel as 'sms' | 'email' } : {}),
    });
    if (rows.length === 0) log('The outbox is empty.');
    for (const r of rows) {
      process.stdout.write(
        `${r.createdAt}  ${r.channel.padEnd(5)} ${r.recipient.padEnd(24)} ${r.template} (${r.language}) ${r.status}\n`,
      );
      process.stdout.write(
        `    ${(r.subject ? `${r.subject}: ` : '') + r.body.replace(/\s+/g, ' ').slice(0, 160)}\n`,
      );
    }
  } finally {
    await handle.close();
    await db.stop();
  }
}
