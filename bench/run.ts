// `npm run bench`: measures and writes BENCHMARKS.md (and prints where). Sections are added per issue; each
// returns figures and the report writer renders them.
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { runBillingBenchmark } from './billing.js';
import { renderReport } from './report.js';

const require = createRequire(import.meta.url);
const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;

const billing = runBillingBenchmark({ runs: Number(process.env.BENCH_RUNS ?? 7) });
const cpus = os.cpus();
const report = renderReport({
  environment: {
    date: new Date().toISOString(),
    command: 'npm run bench',
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
      'node-x12': version('node-x12'),
    },
  },
  billing,
});
fs.writeFileSync('BENCHMARKS.md', report);
process.stdout.write(
  `BENCHMARKS.md written (visits/s median ${billing.visitsPerSecond.median}, 835 ratio ${billing.parse835.speedup}×)\n`,
);
