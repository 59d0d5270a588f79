// `ptflow staff list|add|revoke|disable`: the people who sign in to the console, and server-side revocation of
// their sessions (a stolen laptop, a person leaving: `disable` also refuses every later sign-in).
import type { Command } from 'commander';
import {
  addStaffMember,
  disableStaffMember,
  listStaffMembers,
  revokePersonSessions,
} from '../../api/auth/staff-admin.js';
import { staffRoles, type StaffRole } from '../../api/auth/session.js';
import { connectDb } from '../../db/connection.js';
import { isUuid } from '../../domain/ids.js';
import type { Config } from '../config.js';
import { openDatabase } from '../database.js';
import { CliUsageError } from './apikey.js';

async function withDb<T>(
  config: Config,
  log: (l: string) => void,
  fn: (db: ReturnType<typeof connectDb>['db']) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(config, log);
  const handle = connectDb(database.url, { max: 1 });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
    await database.stop();
  }
}

/** Registers `ptflow staff …`. */
export function registerStaffCommands(
  program: Command,
  config: () => Config,
  log: (l: string) => void,
): void {
  const staff = program.command('staff').description('staff people: sign-in mapping and session revocation');
  staff
    .command('list')
    .description('list staff members (id, role, practice, IdP subject, disabled)')
    .option('--practice <id>', 'only this practice (UUID)')
    .action(async (opts: { practice?: string }) => {
      if (opts.practice && !isUuid(opts.practice)) throw new CliUsageError('--practice must be a UUID');
      const rows = await withDb(config(), log, (db) => listStaffMembers(db, opts.practice));
      for (const r of rows) {
        process.stdout.write(
          `${r.id}  ${r.role.padEnd(10)}  ${r.practiceId}  ${r.oidcSubject ?? '-'}  ${r.disabledAt ? 'disabled' : 'active'}  ${r.displayName}\n`,
        );
      }
    });
  staff
    .command('add')
    .description('add a staff member (with --oidc-subject, IdP sign-ins of that subject become this person)')
    .requiredOption('--practice <id>', 'practice id (UUID)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', staffRoles.join(' | '))
    .option('--oidc-subject <sub>', "the person's `sub` at the identity provider")
    .action(async (opts: { practice: string; name: string; role: string; oidcSubject?: string }) => {
      const cfg = config();
      if (!isUuid(opts.practice)) throw new CliUsageError('--practice must be a practice id (UUID)');
      if (!(staffRoles as readonly string[]).includes(opts.role)) {
        throw new CliUsageError(`--role must be one of ${staffRoles.join(', ')}`);
      }
      if (!/^[\p{L}\p{M} .'-]{1,120}$/u.test(opts.name))
        throw new CliUsageError('--name must be 1-120 letters');
      if (opts.oidcSubject && !cfg.OIDC_ISSUER) {
        throw new CliUsageError('--oidc-subject needs OIDC_ISSUER (the subject is unique per issuer)');
      }
      const id = await withDb(cfg, log, (db) =>
        addStaffMember(db, {
          practiceId: opts.practice,
          displayName: opts.name,
          role: opts.role as StaffRole,
          ...(opts.oidcSubject ? { oidc: { issuer: cfg.OIDC_ISSUER!, subject: opts.oidcSubject } } : {}),
        }),
      );
      log(`staff member ${id} added.`);
    });
  staff
    .command('revoke <who>')
    .description('revoke every live session of a person: staff id (UUID) or principal id (user:<sub>)')
    .action(async (who: string) => {
      if (!isUuid(who) && !/^user:[A-Za-z0-9:._|-]{1,195}$/.test(who)) {
        throw new CliUsageError('give a staff id (UUID) or a principal id such as user:<sub>');
      }
      const n = await withDb(config(), log, (db) => revokePersonSessions(db, who));
      log(`${n} session${n === 1 ? '' : 's'} revoked.`);
    });
  staff
    .command('disable <staffId>')
    .description('disable a staff member: no more sign-ins, every session revoked now')
    .action(async (staffId: string) => {
      if (!isUuid(staffId)) throw new CliUsageError('give the staff id (UUID; see ptflow staff list)');
      const r = await withDb(config(), log, (db) => disableStaffMember(db, staffId));
      log(r.disabled ? `disabled; ${r.sessionsRevoked} session(s) revoked.` : 'no such active staff member.');
      if (!r.disabled) process.exitCode = 1;
    });
}
