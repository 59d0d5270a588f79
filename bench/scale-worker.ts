// The worker of the scale scenario, in its own process so its memory (RSS) is its own: ptflow's workflows and
// the authorization activities (payer approving at once), ptflow's data converter, the SDK's default options
// except the workflow cache size it is given. Prints a JSON "ready" line with its cache size (and the size the
// SDK would have chosen) once polling; stops on SIGTERM (the SDK's runtime drains the worker on that signal).
import v8 from 'node:v8';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities/index.js';
import { loadConfig } from '../cli/config.js';
import { payloadKeyring } from '../cli/keyrings.js';
import { connectDb } from '../db/connection.js';
import { localDate } from '../domain/core/zoned.js';
import { dataConverterFor } from '../temporal/codec/data-converter.js';
import { approvingAuthPayer, CLINIC_TZ } from './sandbox-ports.js';

const Input = z.object({
  address: z.string(),
  taskQueue: z.string(),
  bundlePath: z.string(),
  databaseUrl: z.string(),
  dataDir: z.string(),
  maxCachedWorkflows: z.number().int().min(2),
});
const input = Input.parse(JSON.parse(process.argv[2] ?? '{}'));

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
  },
});
const db = connectDb(input.databaseUrl, { max: 5 });
const connection = await NativeConnection.connect({ address: input.address });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue: input.taskQueue,
  activities: createActivities({
    db: db.db,
    payer: approvingAuthPayer(() => localDate(new Date(), CLINIC_TZ)),
  }),
  workflowBundle: { codePath: input.bundlePath },
  dataConverter: dataConverterFor(
    payloadKeyring(loadConfig({ PTFLOW_DATA_DIR: input.dataDir, LOG_LEVEL: 'silent' })),
  ),
  // Everything else is the SDK default, as `ptflow worker` runs.
  maxCachedWorkflows: input.maxCachedWorkflows,
});
const running = worker.run();
process.stdout.write(
  `${JSON.stringify({
    ready: true,
    maxCachedWorkflows: worker.options.maxCachedWorkflows,
    // The SDK's own default for reuseV8Context workers (worker-options.ts), from this process's heap limit.
    sdkDefaultCache: Math.max(
      Math.floor((Math.max(v8.getHeapStatistics().heap_size_limit / 2 ** 20 - 200, 0) * 600) / 1024),
      10,
    ),
  })}\n`,
);
await running;
await connection.close();
await db.close();
process.exit(0);
