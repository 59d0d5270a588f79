// `ptflow apikey create|revoke`: practice-scoped API keys. The key is printed once and only its hash is kept.
import { createApiKey, revokeApiKey } from '../../api/auth/api-keys.js';
import { roles, type Role } from '../../api/auth/principal.js';
import { connectDb } from '../../db/connection.js';
import { runMigrations } from '../../db/migrate.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { isUuid } from '../../domain/ids.js';
import type { Config } from '../config.js';
import { openDatabase } from '../database.js';

export class CliUsageError extends Error {}

export async function runApiKeyCreate(
  config: Config,
  log: (l: string) => void,
  opts: { practice: string; role: string; label: string },
): Promise<void> {
  if (!isUuid(opts.practice)) throw new CliUsageError('--practice must be a practice id (UUID)');
  if (!(roles as readonly string[]).includes(opts.role)) {
    throw new CliUsageError(`--role must be one of ${roles.join(', ')}`);
  }
  if (!/^[\w .-]{1,80}$/.test(opts.label))
    throw new CliUsageError('--label must be 1-80 letters, digits, spaces, . _ -');
  const db = await openDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    await runMigrations(db.url);
    const practice = await createPracticeRepository(handle.db).get(opts.practice);
    if (!practice) throw new CliUsageError('no such practice');
    const key = await createApiKey(handle.db, {
      practiceId: opts.practice,
      role: opts.role as Role,
      label: opts.label,
    });
    log(`API key ${key.prefix} created for role ${opts.role}. It is shown once; store it now:`);
    process.stdout.write(`${key.key}\n`);
  } finally {
    await handle.close();
    await db.stop();
  }
}

export async function runApiKeyRevoke(
  config: Config,
  log: (l: string) => void,
  prefix: string,
): Promise<void> {
  if (!/^[a-z0-9]{12}$/.test(prefix))
    throw new CliUsageError('give the 12-character key prefix (ptf_<prefix>_…)');
  const db = await openDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    const revoked = await revokeApiKey(handle.db, prefix);
    log(revoked ? `API key ${prefix} revoked.` : `No active API key ${prefix}.`);
    if (!revoked) process.exitCode = 1;
  } finally {
    await handle.close();
    await db.stop();
  }
}
