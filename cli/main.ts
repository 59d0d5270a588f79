#!/usr/bin/env node
// `ptflow`: the composition root. Parses configuration once, dispatches to a command, and turns expected
// failures (bad configuration, a port in use, no Temporal CLI) into one clear line instead of a stack trace.
import { Command } from 'commander';
import type * as ConfigModule from './config.js';
import type { Config } from './config.js';

// Start-up time is module loading (issue 15): this file imports only commander. A command's modules load when
// it runs; a command group's definitions (keys, audit, schedules, sandbox, the API client commands) load only
// when that group is the one on the command line — `ptflow --help` lists them from the names below.

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (text: string) => process.stdout.write(text);
const outLine = (line: string) => process.stdout.write(`${line}\n`);

let configModule: typeof ConfigModule | undefined;
async function loadConfigModule(): Promise<typeof ConfigModule> {
  configModule ??= await import('./config.js');
  return configModule;
}
/** Synchronous for the command modules; every path that reaches it has loaded config.js first. */
function config(): Config {
  if (configModule === undefined) throw new Error('configuration module not loaded');
  return configModule.loadConfig(process.env);
}

/** A command's module, loaded side by side with the configuration module (every command reads configuration). */
async function withConfig<Module>(module: Promise<Module>): Promise<Module> {
  const [loaded] = await Promise.all([module, loadConfigModule()]);
  return loaded;
}

/** The widest help commander prints; bin/ptflow.js serves the build's help text for a stream this wide or wider. */
const HELP_WIDTH = 80;
const helpWidth = (stream: NodeJS.WriteStream) =>
  stream.isTTY && stream.columns > 0 ? Math.min(stream.columns, HELP_WIDTH) : HELP_WIDTH;

/** The top-level command on the command line (`help <command>` counts as that command), if any. */
function selectedCommand(argv: string[]): string | undefined {
  const args = argv.slice(2);
  const i = args.findIndex((a) => !a.startsWith('-'));
  if (i < 0) return undefined;
  return args[i] === 'help' ? args[i + 1] : args[i];
}

/** Commands whose definitions live in their own modules: [name and arguments, description]. */
const API_CLIENT_COMMANDS: [string, string][] = [
  [
    'onboard <file>',
    'start onboarding a patient from a JSON file (the POST /v1/onboardings body) via the API',
  ],
  [
    'status <id>',
    'status of any process via the API: <uuid> or <kind>:<uuid> (onboarding, auth, claim, poc)',
  ],
  ['tasks', "the worklist via the API (your role's queue; admins may pick one with --role)"],
  ['task', 'act on a task via the API'],
];

async function main(argv: string[]): Promise<void> {
  const selected = selectedCommand(argv);
  const program = new Command('ptflow')
    .description('Durable workflows for the administrative side of physical-therapy practices')
    .showHelpAfterError()
    // Help is at most HELP_WIDTH columns wide (narrower on a narrower terminal), so the build can write the
    // help text once (dist/cli/help.txt) and bin/ptflow.js print it without loading anything.
    .configureOutput({
      getOutHelpWidth: () => helpWidth(process.stdout),
      getErrHelpWidth: () => helpWidth(process.stderr),
    });
  /** Registers a group for real when it is the selected command, else only its name for the help listing. */
  const group = async (name: string, description: string, register: () => Promise<void>) => {
    if (selected === name) await register();
    else program.command(name).description(description);
  };

  program
    .command('dev')
    .description('start Temporal, PostgreSQL, the worker and the API together (Ctrl-C stops everything)')
    .action(async () => {
      const { runDev } = await withConfig(import('./commands/dev.js'));
      await runDev(config(), log);
    });
  /** Runs one of the server commands of servers.ts (its module loads only then). */
  const runServer = (runner: 'runApi' | 'runMigrate' | 'runSeed') => async () => {
    const servers = await withConfig(import('./commands/servers.js'));
    await servers[runner](config(), log);
  };
  program
    .command('worker')
    .description('run a Temporal worker')
    .action(async () => {
      // Configuration is loaded inside: a refusal is recorded for the API's /readyz (servers.ts).
      const servers = await withConfig(import('./commands/servers.js'));
      await servers.runWorkerCommand(config, log);
    });
  program.command('api').description('run the REST API').action(runServer('runApi'));
  program.command('migrate').description('apply database migrations').action(runServer('runMigrate'));
  program.command('seed').description('seed the demo practice').action(runServer('runSeed'));

  program
    .command('db')
    .description('the database')
    .command('url')
    .description(
      "print the PostgreSQL URL ptflow uses: DATABASE_URL, or the embedded dev server's (local-only credentials)",
    )
    .action(async () => {
      const { databaseUrl, embeddedDatabaseRunning } = await withConfig(import('./database.js'));
      const settings = config();
      outLine(databaseUrl(settings));
      if (!settings.DATABASE_URL && !embeddedDatabaseRunning(settings)) {
        log('note: the embedded PostgreSQL is not running; `npm run dev` starts it');
      }
    });

  await group('keys', 'encryption keys', async () => {
    const { registerKeysCommands } = await withConfig(import('./commands/keys.js'));
    registerKeysCommands(program, config, log);
  });
  await group('audit', 'audit log', async () => {
    const { registerAuditCommands } = await withConfig(import('./commands/audit.js'));
    registerAuditCommands(program, config, log);
  });
  await group('staff', 'staff people: IdP mapping and session revocation', async () => {
    const { registerStaffCommands } = await withConfig(import('./commands/staff.js'));
    registerStaffCommands(program, config, log);
  });
  await group(
    'schedules',
    'the Temporal Schedules (reverify-eligibility, timely-filing-sweep, staff-digest, billing-reconciliation, equipment-maintenance)',
    async () => {
      const { registerScheduleCommands } = await withConfig(import('./commands/schedules.js'));
      registerScheduleCommands(program, config, outLine);
    },
  );

  await group(
    'practice',
    'practice setup: profile, locations, payers, fee schedules, therapists, referrers',
    async () => {
      const [{ registerPracticeCommands }, { loadApiClientConfig }] = await Promise.all([
        withConfig(import('./commands/practice.js')),
        import('./api-client-config.js'),
      ]);
      registerPracticeCommands(program, config, log, out, () => loadApiClientConfig(process.env));
    },
  );

  const apikey = program.command('apikey').description('practice-scoped API keys');
  apikey
    .command('create')
    .description('create an API key (printed once; only its hash is stored)')
    .requiredOption('--practice <id>', 'practice id (UUID)')
    .requiredOption('--role <role>', 'admin | front_desk | therapist | biller | integration')
    .option('--label <text>', 'what the key is for', 'api key')
    .action(async (opts: { practice: string; role: string; label: string }) => {
      const { runApiKeyCreate } = await withConfig(import('./commands/apikey.js'));
      await runApiKeyCreate(config(), log, opts);
    });
  apikey
    .command('revoke <prefix>')
    .description('revoke an API key by its prefix')
    .action(async (prefix: string) => {
      const { runApiKeyRevoke } = await withConfig(import('./commands/apikey.js'));
      await runApiKeyRevoke(config(), log, prefix);
    });

  // Clients of a running API (PTFLOW_API_URL, PTFLOW_API_KEY): onboard, status, tasks, task complete. They load
  // the HTTP client and the two variables they read (api-client-config.ts), not the server's configuration.
  if (API_CLIENT_COMMANDS.some(([term]) => term.split(' ')[0] === selected)) {
    const [{ registerApiClientCommands }, { loadApiClientConfig }] = await Promise.all([
      import('./commands/api-commands.js'),
      import('./api-client-config.js'),
    ]);
    registerApiClientCommands(program, () => loadApiClientConfig(process.env), out);
  } else
    for (const [term, description] of API_CLIENT_COMMANDS) program.command(term).description(description);

  await group('billing', 'billing-system connectivity: charge export (CSV, 837P) via the API', async () => {
    const [{ registerBillingCommands }, { loadApiClientConfig }] = await Promise.all([
      import('./commands/billing.js'),
      import('./api-client-config.js'),
    ]);
    registerBillingCommands(program, () => loadApiClientConfig(process.env), out);
  });

  await group('waitlist', 'the waitlist for freed slots via the API: add, list, remove', async () => {
    const [{ registerWaitlistCommands }, { loadApiClientConfig }] = await Promise.all([
      import('./commands/waitlist.js'),
      import('./api-client-config.js'),
    ]);
    registerWaitlistCommands(program, () => loadApiClientConfig(process.env), out);
  });
  for (const [name, description] of [
    ['series', "a plan of care's series of visits via the API: preview, book"],
    ['equipment', "the practice's bookable devices via the API: list"],
  ] as const)
    await group(name, description, async () => {
      const [{ registerSeriesCommands }, { loadApiClientConfig }] = await Promise.all([
        import('./commands/series.js'),
        import('./api-client-config.js'),
      ]);
      registerSeriesCommands(program, name, () => loadApiClientConfig(process.env), out);
    });

  const claim = program.command('claim').description('claims');
  claim
    .command('preview <visit.json>')
    .description('code and scrub a visit; print the coded lines, the findings and the 837P (nothing is sent)')
    .action(async (file: string) => (await import('./commands/payer.js')).claimPreview(file, out));
  if (selected === 'claim') {
    const [{ registerClaimCorrectCommand }, { loadApiClientConfig }] = await Promise.all([
      import('./commands/api-commands.js'),
      import('./api-client-config.js'),
    ]);
    registerClaimCorrectCommand(claim, () => loadApiClientConfig(process.env), out);
  } else
    claim
      .command('correct <id> <file>')
      .description('correct a held claim via the API from a JSON file (fields named by its fix_claim task)');
  program
    .command('x12')
    .description('X12 tools')
    .command('parse <file>')
    .description('print the typed JSON of an X12 file (271, 277, 277CA, 278, 835, 837P, 999, 270, 276)')
    .option(
      '--summary',
      '835: per claim paid / adjusted / patient responsibility, codes and meanings, balance',
    )
    .option('--full', 'with --summary: also patient names and account numbers (PHI)')
    .action(async (file: string, o: { summary?: boolean; full?: boolean }) =>
      (await import('./commands/payer.js')).x12Parse(file, out, o),
    );

  await group('sandbox', 'act as the simulated external systems (demos)', async () => {
    const [{ registerSandboxEmrCommands }, { openDatabase, devRunning }] = await Promise.all([
      import('../connectors/emr/sandbox/cli.js'),
      import('./database.js'),
      loadConfigModule(),
    ]);
    const sandbox = program.command('sandbox').description('act as the simulated external systems (demos)');
    sandbox
      .command('messages')
      .description('show the sandbox messaging outbox (what ptflow sent to patients), recipients masked')
      .option('--practice <id>', 'practice id', '00000000-0000-4000-8000-000000000001')
      .option('--limit <n>', 'how many, newest first', '20')
      .option('--channel <sms|email>', 'only one channel')
      .action(async (opts: { practice: string; limit: string; channel?: string }) => {
        const { runSandboxMessages } = await import('./commands/sandbox-messages.js');
        await runSandboxMessages(config(), log, opts);
      });
    registerSandboxEmrCommands(sandbox, {
      openDatabase: () => openDatabase(config(), log),
      env: process.env,
      out: outLine,
      devRunning: () => devRunning(config()),
    });
  });

  const temporal = program.command('temporal').description('Temporal tooling');
  temporal
    .command('ensure')
    .description('find the Temporal CLI, or build it once into the per-user cache')
    .action(async () => {
      const { ensureTemporalCli } = await withConfig(import('../devtools/cli-provision.js'));
      const cli = await ensureTemporalCli(process.env, config().cacheDir, log);
      process.stdout.write(`${cli.path}\n`);
    });

  await program.parseAsync(argv);
}

/** Expected failures are one line; they are matched by class name so that none of their modules loads here. */
const EXPECTED_ERRORS = new Set([
  'PortInUseError',
  'CliUsageError',
  'PayerCliError',
  'AlreadyRunningError',
  'TemporalCliUnavailableError',
  'TemporalConnectionError',
]);

main(process.argv).catch(async (err: unknown) => {
  // Both modules are small and import nothing: a failing API client command never loads the configuration schema.
  const [{ ConfigError, formatConfigError }, { ApiCliError }] = await Promise.all([
    import('./config-error.js'),
    import('./commands/api-client.js'),
  ]);
  if (err instanceof ConfigError) {
    log(formatConfigError(err));
    process.exit(2);
  }
  if (err instanceof ApiCliError) {
    log(`ptflow: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof Error && EXPECTED_ERRORS.has(err.constructor.name)) {
    log(`ptflow: ${err.message}`);
    process.exit(1);
  }
  // Unexpected: one line, no stack (it could carry data); PTFLOW_DEBUG=1 shows the full error.
  const failure = err as Error;
  log(`ptflow: ${failure.name}: ${failure.message}`);
  if (process.env.PTFLOW_DEBUG === '1') console.error(err);
  process.exit(1);
});
