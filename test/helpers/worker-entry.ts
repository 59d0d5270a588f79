// A ptflow worker as its own OS process, for crash and chaos tests (run with `node --import tsx`): the same
// composition as `ptflow worker` — configuration from the environment, startWorkerService — plus, when asked,
// the sandbox EMR and messaging `ptflow dev` wires in, optionally behind seeded fault injection.
//
// Environment (besides every ptflow variable: TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, CLEARINGHOUSE_*, …):
//   PTFLOW_TEST_DATABASE_URL   the test's database (sandbox EMR and outbox live in it too)
//   PTFLOW_TEST_ONBOARDING=1   wire the sandbox EMR and messaging (onboarding and everything that needs them)
//   PTFLOW_CHAOS_FAULT_RATE    0..1: transient failures and lost answers around the EMR and messaging
//   PTFLOW_CHAOS_FORCE_FIRST=1 the first call of each loses its answer, the second fails before it (both kinds)
//   PTFLOW_CHAOS_SEED          PRNG seed of those faults
//   PTFLOW_CHAOS_EMR_OUTAGE    file with an epoch-ms deadline: the EMR is down until then
//   PTFLOW_CHAOS_COUNTS_FILE   where the injected-fault counts are written (at each fault) for the report
// Prints `ptflow-test-worker ready` on stdout once it polls. SIGTERM drains; SIGKILL is the point.
import fs from 'node:fs';
import type { OnboardingConnectorDeps } from '../../activities/onboarding/index.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors } from '../../cli/dev-sandboxes.js';
import { installTemporalRuntime, startWorkerService } from '../../cli/services.js';
import { EmrTransportError } from '../../connectors/emr/errors.js';
import { MessagingTransportError } from '../../connectors/messaging/errors.js';
import { connectDb } from '../../db/connection.js';
import { withConnectorFaults } from '../chaos/connector-faults.js';

// Never outlive the test process: if it dies without its teardown (a killed vitest), so does this worker.
const parent = Number(process.env.PTFLOW_TEST_PARENT_PID ?? process.ppid);
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.kill(process.pid, 'SIGKILL');
  }
}, 1_000).unref();

const databaseUrl = process.env.PTFLOW_TEST_DATABASE_URL;
if (!databaseUrl) throw new Error('PTFLOW_TEST_DATABASE_URL is required');
const config = loadConfig(process.env);
installTemporalRuntime(false, 'warn');

let onboarding: OnboardingConnectorDeps | undefined;
let stopSandboxes = async () => undefined as void;
if (process.env.PTFLOW_TEST_ONBOARDING === '1') {
  const handle = connectDb(databaseUrl, { max: 3 });
  const sandboxes = await devOnboardingConnectors(config, databaseUrl, handle.db);
  stopSandboxes = async () => {
    await sandboxes.stop();
    await handle.close();
  };
  const rate = Number(process.env.PTFLOW_CHAOS_FAULT_RATE ?? '0');
  const seed = Number(process.env.PTFLOW_CHAOS_SEED ?? '1');
  const outageFile = process.env.PTFLOW_CHAOS_EMR_OUTAGE;
  if (rate > 0 || outageFile) {
    const countsFile = process.env.PTFLOW_CHAOS_COUNTS_FILE;
    // Written at each injected fault (a SIGKILL may come the next moment), by write and rename: a reader never
    // sees a half-written file.
    const writeCounts = () => {
      if (!countsFile) return;
      fs.writeFileSync(`${countsFile}.tmp`, JSON.stringify({ emr: emr.counts, messaging: messaging.counts }));
      fs.renameSync(`${countsFile}.tmp`, countsFile);
    };
    const forceFirstFaults = rate > 0 && process.env.PTFLOW_CHAOS_FORCE_FIRST === '1';
    const emr = withConnectorFaults(sandboxes.deps.emr, {
      rate,
      seed,
      forceFirstFaults,
      onFault: writeCounts,
      ...(outageFile ? { outageFile } : {}),
      error: (what) => new EmrTransportError(`sandbox EMR fault: ${what}`),
    });
    const messaging = withConnectorFaults(sandboxes.deps.messaging, {
      rate,
      seed: seed + 1,
      forceFirstFaults,
      onFault: writeCounts,
      error: (what) => new MessagingTransportError(`injected ${what}`),
    });
    onboarding = { ...sandboxes.deps, emr: emr.connector, messaging: messaging.connector };
    writeCounts();
  } else {
    onboarding = sandboxes.deps;
  }
}

const worker = await startWorkerService(config, databaseUrl, onboarding ? { onboarding } : {});
process.stdout.write('ptflow-test-worker ready\n');
await worker.running;
await stopSandboxes();
