// `ptflow schedules list|ensure|trigger <name>`: look at, create/update, or run now the Temporal Schedules of
// temporal/schedules.ts against the configured Temporal (TEMPORAL_ADDRESS, or a running `ptflow dev`). Workers
// ensure them at start too; `ensure` is for deployments that start workers with PTFLOW_SCHEDULES=off.
import type { Command } from 'commander';
import type { TemporalClientHandle } from '../../temporal/client.js';
import {
  ensureSchedules,
  listSchedules,
  scheduleDeclarations,
  triggerSchedule,
  UnknownScheduleError,
} from '../../temporal/schedules.js';
import type { Config } from '../config.js';
import { connectConfiguredClient, scheduleSettings } from '../services.js';
import { CliUsageError } from './apikey.js';

async function withClient<T>(
  config: Config,
  work: (temporal: TemporalClientHandle) => Promise<T>,
): Promise<T> {
  const temporal = await connectConfiguredClient(config);
  try {
    return await work(temporal);
  } finally {
    await temporal.close();
  }
}

const when = (d?: Date) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

export function registerScheduleCommands(
  program: Command,
  config: () => Config,
  out: (line: string) => void,
): void {
  const schedules = program
    .command('schedules')
    .description(`the Temporal Schedules (${scheduleDeclarations.map((d) => d.name).join(', ')})`);
  schedules
    .command('list')
    .description('each schedule: paused or not, next and last run, runs taken')
    .action(() =>
      withClient(config(), async ({ client }) => {
        for (const s of await listSchedules(client)) {
          out(
            s.exists
              ? `${s.name.padEnd(22)} ${s.paused ? 'paused ' : 'active '} next ${when(s.nextRun)}  last ${when(s.lastRun)}  runs ${s.runsTaken ?? 0}`
              : `${s.name.padEnd(22)} missing (a worker creates it at start, or run: ptflow schedules ensure)`,
          );
        }
      }),
    );
  schedules
    .command('ensure')
    .description('create missing schedules and update changed ones from the configuration')
    .action(() => {
      const c = config();
      return withClient(c, async ({ client }) => {
        const outcomes = await ensureSchedules(client, scheduleSettings(c));
        for (const [name, outcome] of Object.entries(outcomes)) out(`${name.padEnd(22)} ${outcome}`);
      });
    });
  schedules
    .command('trigger <name>')
    .description('run a schedule now (its overlap policy applies: skipped while a run is still going)')
    .action((name: string) =>
      withClient(config(), async ({ client }) => {
        try {
          const d = await triggerSchedule(client, name);
          out(
            `triggered ${d.name} (${d.workflowType}); runs appear in the Temporal UI as ${d.scheduleId}-<time>`,
          );
        } catch (err) {
          if (err instanceof UnknownScheduleError) throw new CliUsageError(err.message);
          throw err;
        }
      }),
    );
}
