// The ptflow API as its own OS process, for the chaos test that SIGKILLs it (run with `node --import tsx`): the
// same composition as `ptflow api` (configuration from the environment, startApiService).
// Environment: every ptflow variable (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, PORT, PTFLOW_DATA_DIR, …) plus
// PTFLOW_TEST_DATABASE_URL, the test's database. Prints `ptflow-test-api ready` on stdout once it listens.
import { loadConfig } from '../../cli/config.js';
import { startApiService } from '../../cli/services.js';

// Never outlive the test process: if it dies without its teardown (a killed vitest), so does this API.
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
await startApiService(loadConfig(process.env), databaseUrl);
process.stdout.write('ptflow-test-api ready\n');
