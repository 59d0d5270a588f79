#!/usr/bin/env node
// `ptflow`: the composition root. Parses configuration once, dispatches to a command, and turns expected
// failures (bad configuration, a port in use, no Temporal CLI) into one clear line instead of a stack trace.
import { Command } from 'commander';
import { ConfigError, formatConfigError, loadApiClientConfig, loadConfig, type Config } from './config.js';
import { ApiCliError } from './commands/api-client.js';
import { registerApiClientCommands, registerClaimCorrectCommand } from './commands/api-commands.js';
import { AlreadyRunningError, runDev } from './commands/dev.js';
import { runApi, runMigrate, runSeed, runWorker } from './commands/servers.js';
import { CliUsageError, runApiKeyCreate, runApiKeyRevoke } from './commands/apikey.js';
import { registerSandboxEmrCommands } from '../connectors/emr/sandbox/cli.js';
import { openDatabase } from './database.js';
import { runSandboxMessages } from './commands/sandbox-messages.js';
import { claimPreview, PayerCliError, x12Parse } from './commands/payer.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerScheduleCommands } from './commands/schedules.js';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../temporal/dev/cli-provision.js';
import { PortInUseError } from '../temporal/dev/ports.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function config(): Config {
  return loadConfig(process.env);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('ptflow')
    .description('Durable workflows for the administrative side of physical-therapy practices')
    .showHelpAfterError();

  program
    .command('dev')
    .description('start Temporal, PostgreSQL, the worker and the API together (Ctrl-C stops everything)')
    .action(() => runDev(config(), log));
  program
    .command('worker')
    .description('run a Temporal worker')
    .action(() => runWorker(config(), log));
  program
    .command('api')
    .description('run the REST API')
    .action(() => runApi(config(), log));
  program
    .command('migrate')
    .description('apply database migrations')
    .action(() => runMigrate(config(), log));
  program
    .command('seed')
    .description('seed the demo practice')
    .action(() => runSeed(config(), log));

  registerKeysCommands(program, config, log);
  registerAuditCommands(program, config, log);
  registerScheduleCommands(program, config, (line) => process.stdout.write(`${line}\n`));

  const apikey = program.command('apikey').description('practice-scoped API keys');
  apikey
    .command('create')
    .description('create an API key (printed once; only its hash is stored)')
    .requiredOption('--practice <id>', 'practice id (UUID)')
    .requiredOption('--role <role>', 'admin | front_desk | therapist | biller | integration')
    .option('--label <text>', 'what the key is for', 'api key')
    .action((opts: { practice: string; role: string; label: string }) =>
      runApiKeyCreate(config(), log, opts),
    );
  apikey
    .command('revoke <prefix>')
    .description('revoke an API key by its prefix')
    .action((prefix: string) => runApiKeyRevoke(config(), log, prefix));

  const out = (text: string) => process.stdout.write(text);
  // Clients of a running API (PTFLOW_API_URL, PTFLOW_API_KEY): onboard, status, tasks, task complete.
  registerApiClientCommands(program, () => loadApiClientConfig(process.env), out);
  const claim = program.command('claim').description('claims');
  claim
    .command('preview <visit.json>')
    .description('code and scrub a visit; print the coded lines, the findings and the 837P (nothing is sent)')
    .action((file: string) => claimPreview(file, out));
  registerClaimCorrectCommand(claim, () => loadApiClientConfig(process.env), out);
  program
    .command('x12')
    .description('X12 tools')
    .command('parse <file>')
    .description('print the typed JSON of an X12 file (271, 277, 277CA, 278, 835, 837P, 999, 270, 276)')
    .action((file: string) => x12Parse(file, out));

  const sandbox = program.command('sandbox').description('act as the simulated external systems (demos)');
  sandbox
    .command('messages')
    .description('show the sandbox messaging outbox (what ptflow sent to patients), recipients masked')
    .option('--practice <id>', 'practice id', '00000000-0000-4000-8000-000000000001')
    .option('--limit <n>', 'how many, newest first', '20')
    .option('--channel <sms|email>', 'only one channel')
    .action((opts: { practice: string; limit: string; channel?: string }) =>
      runSandboxMessages(config(), log, opts),
    );
  registerSandboxEmrCommands(sandbox, {
    openDatabase: () => openDatabase(config(), log),
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
  });

  const temporal = program.command('temporal').description('Temporal tooling');
  temporal
    .command('ensure')
    .description('find the Temporal CLI, or build it once into the per-user cache')
    .action(async () => {
      const c = config();
      const cli = await ensureTemporalCli(process.env, c.cacheDir, log);
      process.stdout.write(`${cli.path}\n`);
    });

  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    log(formatConfigError(err));
    process.exit(2);
  }
  if (err instanceof ApiCliError) {
    log(`ptflow: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (
    err instanceof PortInUseError ||
    err instanceof CliUsageError ||
    err instanceof PayerCliError ||
    err instanceof AlreadyRunningError ||
    err instanceof TemporalCliUnavailableError
  ) {
    log(`ptflow: ${err.message}`);
    process.exit(1);
  }
  // Unexpected: one line, no stack (it could carry data); PTFLOW_DEBUG=1 shows the full error.
  const e = err as Error;
  log(`ptflow: ${e.name}: ${e.message}`);
  if (process.env.PTFLOW_DEBUG === '1') console.error(err);
  process.exit(1);
});
