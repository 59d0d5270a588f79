// The benchmark's worker: ptflow's real activities wired to zero-latency sandboxes (the sandbox payer over HTTP
// for eligibility and claims, the sandbox EMR and messaging in PostgreSQL), ptflow's data converter (encrypted
// payloads), and the floor's no-op activity. Every activity call notes when the first activity of each
// workflow started, which is the "start → first activity" latency.
import { Context } from '@temporalio/activity';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { dataKeys, payloadKeyring } from '../cli/keyrings.js';
import { clearinghouseConnector } from '../cli/payer.js';
import { devOnboardingConnectors } from '../cli/dev-sandboxes.js';
import { SandboxEmr } from '../connectors/emr/sandbox/sandbox-emr.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { startSandboxPayer } from '../connectors/payer/sandbox/server.js';
import { connectDb, type DbHandle } from '../db/connection.js';
import { connectClient, type TemporalClientHandle } from '../temporal/client.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import type { BenchInfra, Cleanup } from './infra.js';
import { nowMs } from './stats.js';
import { approvingAuthPayer, zeroLatencyPhysician, zeroLatencyStatements } from './sandbox-ports.js';

let runtimeInstalled = false;
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    shutdownSignals: [],
    // Terminated first-activity samples make the core warn about completions it cannot deliver: expected here.
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
    },
  });
  runtimeInstalled = true;
}

export interface BenchWorker {
  taskQueue: string;
  client: TemporalClientHandle;
  db: DbHandle;
  /** Monotonic time the first activity of a workflow id started. */
  firstActivityAt: Map<string, number>;
  /** Milliseconds spent in each activity type (calls and total), for the per-process breakdown in the log. */
  activityMs: Map<string, { calls: number; totalMs: number }>;
  /** The sandbox EMR, where the onboarding driver checks patients in (the front desk's click). */
  emr: SandboxEmr;
}

function instrument<T extends object>(
  activities: T,
  firstActivityAt: Map<string, number>,
  activityMs: BenchWorker['activityMs'],
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const id = Context.current().info.workflowExecution?.workflowId ?? '';
      const began = nowMs();
      if (!firstActivityAt.has(id)) firstActivityAt.set(id, began);
      try {
        return await (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        const figure = activityMs.get(name) ?? { calls: 0, totalMs: 0 };
        figure.calls += 1;
        figure.totalMs += nowMs() - began;
        activityMs.set(name, figure);
      }
    };
  }
  return wrapped as T;
}

export async function startBenchWorker(
  infra: BenchInfra,
  cleanup: Cleanup,
  taskQueue: string,
  today: () => string,
): Promise<BenchWorker> {
  installQuietRuntime();
  const db = connectDb(infra.databaseUrl, { max: 10 });
  cleanup.add('worker database pool', () => db.close());
  const dataConverter = dataConverterFor(payloadKeyring(infra.config));
  const client = await connectClient({ address: infra.temporalAddress, namespace: 'default', dataConverter });
  cleanup.add('worker client', () => client.close());
  const credentials = { username: 'ptflow-bench', password: 'sandbox', submitterId: 'PTFLOWBENCH' };
  const payer = await startSandboxPayer({ sql: db.sql, credentials });
  cleanup.add('sandbox payer', () => payer.close());
  const sandboxes = await devOnboardingConnectors(infra.config, infra.databaseUrl, db.db);
  cleanup.add('sandbox EMR and messaging', () => sandboxes.stop());
  // Make sure the data keys exist before the API and the worker read them concurrently.
  dataKeys(infra.config);

  const firstActivityAt = new Map<string, number>();
  const activityMs: BenchWorker['activityMs'] = new Map();
  const activities = instrument(
    {
      ...createActivities({
        db: db.db,
        temporal: client.client,
        payer: approvingAuthPayer(today),
        payerConnector: clearinghouseConnector({ url: payer.url, ...credentials, usage: 'T' }, db.sql),
        statements: zeroLatencyStatements,
        physician: zeroLatencyPhysician,
        onboarding: sandboxes.deps,
      }),
      benchNoop: async () => undefined,
    },
    firstActivityAt,
    activityMs,
  );
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  cleanup.add('worker connection', () => connection.close());
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: { codePath: infra.bundlePath },
    dataConverter,
    shutdownGraceTime: '5 seconds',
  });
  const running = worker.run();
  cleanup.add('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  return {
    taskQueue,
    client,
    db,
    firstActivityAt,
    activityMs,
    emr: new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID }),
  };
}
