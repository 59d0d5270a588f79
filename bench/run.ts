// `npm run bench`: starts its own Temporal dev server and PostgreSQL, measures every scenario of DESIGN §9, writes
// BENCHMARKS.md and its charts, and stops everything it started — on success, on failure and on Ctrl-C.
// BENCH_QUICK=1 runs small sizes (development on a busy machine); BENCH_ONLY=processes,api,… picks scenarios;
// BENCH_PROCESSES=onboarding,claim,… picks the processes of scenario 1.
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { runBillingBenchmark } from './billing.js';
import { renderCharts } from './charts.js';
import { runFirstActivityBenchmark } from './first-activity.js';
import { Cleanup, startInfra } from './infra.js';
import { benchOptions } from './options.js';
import { runProcessBenchmark } from './processes.js';
import { renderReport, type BenchResults } from './report.js';
import { runApiBenchmark } from './api.js';
import { runCliBenchmark } from './cli.js';
import { runConsoleBenchmark } from './console.js';
import { runNumbersBenchmark } from './numbers.js';
import { runScaleBenchmark } from './scale.js';
import { startBenchWorker } from './worker.js';
import { CLINIC_TZ } from './drivers.js';
import { localDate } from '../domain/core/zoned.js';
import { TEMPORAL_CLI_VERSION } from '../devtools/cli-provision.js';

const require = createRequire(import.meta.url);
const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
const log = (line: string) => process.stdout.write(`${line}\n`);

const REPORT = 'BENCHMARKS.md';
const CHART_DIR = 'bench/charts';
/** Hand-written causes behind the figures (profiles), carried into every regenerated report. */
const CAUSES = 'bench/causes.md';

async function main(cleanup: Cleanup): Promise<void> {
  const opts = benchOptions();
  const started = Date.now();
  const wants = (s: (typeof opts.scenarios)[number]) => opts.scenarios.includes(s);
  const cpus = os.cpus();
  const results: BenchResults = {
    environment: {
      date: new Date().toISOString(),
      command: opts.quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
      quick: opts.quick,
      host: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
        memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
        platform: `${os.platform()} ${os.release()}`,
      },
      versions: {
        node: process.version,
        '@temporalio/worker': version('@temporalio/worker'),
        fastify: version('fastify'),
        autocannon: version('autocannon'),
        'node-x12': version('node-x12'),
      },
      durationSeconds: 0,
    },
  };
  if (wants('billing')) {
    log('bench: claim pipeline (billing)…');
    results.billing = runBillingBenchmark({ runs: Math.max(3, opts.runs) });
  }
  if (wants('console')) {
    log(`bench: console worklist (${opts.consoleTasks} open tasks)…`);
    results.console = await runConsoleBenchmark(
      { tasks: opts.consoleTasks, requests: opts.consoleRequests, runs: opts.runs },
      log,
    );
  }
  if (wants('cli')) {
    log(`bench: CLI start-up (${opts.cliSamples} rounds)…`);
    results.cli = await runCliBenchmark({ samples: opts.cliSamples, fromSource: opts.cliFromSource }, log);
  }
  if (wants('numbers')) {
    log('bench: the practice numbers (a year of a 20-therapist practice)…');
    results.numbers = await runNumbersBenchmark({ runs: opts.runs }, log);
  }
  // The console, CLI and numbers scenarios need no Temporal (their own PostgreSQL; they only read the database).
  if (opts.scenarios.some((s) => !['billing', 'console', 'cli', 'numbers'].includes(s))) {
    const infra = await startInfra(cleanup, log);
    results.environment.versions['Temporal CLI'] = `${TEMPORAL_CLI_VERSION} (${infra.temporalCliVersion})`;
    const today = () => localDate(new Date(), CLINIC_TZ);
    const worker = await startBenchWorker(infra, cleanup, 'bench-processes', today);
    if (wants('processes')) {
      log('bench: processes end to end vs floor…');
      results.processes = await runProcessBenchmark(
        worker,
        {
          runs: opts.runs,
          instances: opts.processInstances,
          concurrency: opts.processConcurrency,
          kinds: opts.processKinds,
        },
        log,
      );
    }
    if (wants('first-activity')) {
      log('bench: start → first activity…');
      results.firstActivity = await runFirstActivityBenchmark(worker, {
        runs: opts.runs,
        samples: opts.firstActivitySamples,
      });
    }
    if (wants('api')) {
      log('bench: API (autocannon)…');
      results.api = await runApiBenchmark(infra, worker, cleanup, opts, log);
    }
    if (wants('scale')) {
      log(`bench: scale (${opts.scaleWorkflows} open authorizations)…`);
      results.scale = await runScaleBenchmark(infra, cleanup, opts, log);
    }
  }
  results.environment.durationSeconds = Math.round((Date.now() - started) / 1000);
  const charts = renderCharts(results);
  // Charts of an earlier run must not sit beside a report that no longer shows them.
  fs.mkdirSync(CHART_DIR, { recursive: true });
  for (const f of fs.readdirSync(CHART_DIR)) if (f.endsWith('.svg')) fs.rmSync(`${CHART_DIR}/${f}`);
  for (const c of charts) fs.writeFileSync(`${CHART_DIR}/${c.file}`, c.svg);
  fs.writeFileSync(
    REPORT,
    renderReport(
      results,
      charts.map((c) => ({ title: c.title, path: `${CHART_DIR}/${c.file}` })),
      fs.existsSync(CAUSES) ? fs.readFileSync(CAUSES, 'utf8') : '',
    ),
  );
  log(
    `bench: ${REPORT} and ${charts.length} chart(s) in ${CHART_DIR}/ written in ${results.environment.durationSeconds} s`,
  );
}

const cleanup = new Cleanup();
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  log(`\nbench: ${signal}: stopping everything it started…`);
  void cleanup.run(log).then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  await main(cleanup);
} catch (err) {
  process.exitCode = 1;
  // After Ctrl-C the servers vanish under the scenario: its error is a consequence, not news.
  if (!interrupted) log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  if (!interrupted) await cleanup.run(log);
}
if (!interrupted) process.exit();
