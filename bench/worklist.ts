// The console worklist scenario of `npm run bench` (bench/console.ts) on its own, printed as a table instead of
// written to BENCHMARKS.md: `node --import tsx bench/worklist.ts [tasks=10000] [requests=200] [runs=1]`.
// `BENCH_ONLY=console npm run bench` runs the same measurement and writes the report.
import { runConsoleBenchmark } from './console.js';

const result = await runConsoleBenchmark({
  tasks: Number(process.argv[2] ?? 10_000),
  requests: Number(process.argv[3] ?? 200),
  runs: Number(process.argv[4] ?? 1),
});
const trio = (s: { min: number; median: number; max: number }) => `${s.min} / ${s.median} / ${s.max}`;
console.log(
  `worklist bench: ${result.tasks} open tasks in the practice (${result.tasks / 4} per role), ${result.requests} requests each, ${result.runs} run(s); min / median / max over runs`,
);
console.log('| role | page | p50 ms | p95 ms | p99 ms | p95 ÷ baseline p95 |');
console.log('|---|---|---|---|---|---|');
for (const p of result.pages)
  console.log(
    `| ${p.role} | ${p.page} | ${trio(p.p50)} | ${trio(p.p95)} | ${trio(p.p99)} | ${trio(p.ratio)} |`,
  );
