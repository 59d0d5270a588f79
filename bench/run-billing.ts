// `npx tsx bench/run-billing.ts`: runs the claim-pipeline benchmarks once and prints the figures as JSON.
import { runBillingBenchmark } from './billing.js';

process.stdout.write(`${JSON.stringify(runBillingBenchmark(), null, 2)}\n`);
