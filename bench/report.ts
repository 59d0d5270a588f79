// Renders BENCHMARKS.md from measured figures. Pure: everything it prints comes in as data, so the report is
// always what the last `npm run bench` measured — never numbers typed by hand. Sections appear for the
// scenarios that ran (BENCH_ONLY); a BENCH_QUICK run is labelled as such at the top.
import { AIMS } from './aims.js';
import type { ApiBenchmark, ApiFigures } from './api.js';
import type { BillingBenchmark } from './billing.js';
import type { CliBenchmark } from './cli.js';
import type { ConsoleBenchmark } from './console.js';
import type { NumbersBenchmark } from './numbers.js';
import type { FirstActivityBenchmark } from './first-activity.js';
import type { ProcessBenchmark } from './processes.js';
import type { ScaleBenchmark } from './scale.js';
import type { LatencySpread, Spread } from './stats.js';

export interface BenchEnvironment {
  date: string;
  host: { cpus: number; cpuModel: string; memoryGiB: number; platform: string };
  versions: Record<string, string>;
  command: string;
  /** Small sizes for development: figures are indicative only. */
  quick?: boolean;
  durationSeconds?: number;
}

export interface BenchResults {
  environment: BenchEnvironment;
  billing?: BillingBenchmark;
  processes?: ProcessBenchmark;
  firstActivity?: FirstActivityBenchmark;
  api?: ApiBenchmark;
  scale?: ScaleBenchmark;
  console?: ConsoleBenchmark;
  cli?: CliBenchmark;
  numbers?: NumbersBenchmark;
}

export interface ChartLink {
  title: string;
  path: string;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const fmt2 = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const row = (label: string, s: Spread, unit: string) =>
  `| ${label} | ${fmt(s.min)} | ${fmt(s.median)} | ${fmt(s.max)} | ${unit} |`;
const trio = (s: Spread, f = fmt) => `${f(s.min)} / **${f(s.median)}** / ${f(s.max)}`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

function machine(e: BenchEnvironment): string[] {
  return [
    '## Machine and versions',
    '',
    `- ${e.host.cpus} × ${e.host.cpuModel}, ${e.host.memoryGiB} GiB memory, ${e.host.platform}`,
    ...Object.entries(e.versions).map(([k, v]) => `- ${k} ${v}`),
    ...(e.durationSeconds !== undefined ? [`- the whole run took ${fmt(e.durationSeconds)} s`] : []),
    '',
    'Every figure is min / **median** / max over repeated runs in the same command; ratios are computed per run',
    'from figures measured side by side (same server, same worker, alternating order) and summarised the same way.',
    'Other work on the machine widens the spread: compare medians.',
    '',
  ];
}

function summary(r: BenchResults): string[] {
  const rows: string[] = [];
  for (const p of r.processes?.processes ?? [])
    rows.push(
      `| ${p.label}: throughput ptflow ÷ floor | ≥ ${AIMS.processRatio} | ${fmt2(p.ratio.median)} | ${verdict(p.ratio.median >= AIMS.processRatio)} |`,
    );
  for (const a of r.api?.routes ?? [])
    rows.push(
      `| ${a.route}: ptflow ÷ direct Temporal client | ≥ ${AIMS.apiRatio} | ${fmt2(a.ratio.median)} | ${verdict(a.ratio.median >= AIMS.apiRatio)} |`,
    );
  if (r.scale) {
    const s = r.scale;
    rows.push(
      `| Worker RSS holding ${fmt(s.workflows)} authorizations | ≤ ${fmt(AIMS.scaleRssMiB)} MiB | ${fmt(s.workerRssMiB.median)} MiB | ${verdict(s.workerRssMiB.median <= AIMS.scaleRssMiB)} |`,
      `| recordVisit p99 while they are open | ≤ ${AIMS.scaleUpdateP99Ms} ms | ${fmt(s.updateP99.median)} ms | ${verdict(s.updateP99.median <= AIMS.scaleUpdateP99Ms)} |`,
    );
  }
  if (r.console) {
    const worst = consoleWorst(r.console);
    rows.push(
      `| Console worklist p95 server time, ${fmt(r.console.tasks)} open tasks (slowest page) | ≤ ${AIMS.consoleWorklistP95Ms} ms | ${fmt(worst)} ms | ${verdict(worst <= AIMS.consoleWorklistP95Ms)} |`,
    );
  }
  if (r.numbers) {
    const worst = numbersWorst(r.numbers);
    rows.push(
      `| The practice's numbers for a year, ${r.numbers.therapists} therapists (slowest way) | ≤ ${fmt(AIMS.practiceNumbersMs)} ms | ${fmt(worst)} ms | ${verdict(worst <= AIMS.practiceNumbersMs)} |`,
    );
  }
  if (r.billing)
    rows.push(
      `| Claim pipeline, one core | ≥ ${fmt(AIMS.visitsPerSecond)} visits/s | ${fmt(r.billing.visitsPerSecond.median)} | ${verdict(r.billing.visitsPerSecond.median >= AIMS.visitsPerSecond)} |`,
      `| 835 parsing vs node-x12 | ≥ ${AIMS.parse835Speedup}× | ${fmt(r.billing.parse835.speedup)}× | ${verdict(r.billing.parse835.speedup >= AIMS.parse835Speedup)} |`,
      `| 835 parsing throughput | ≥ ${AIMS.parse835MBps} MB/s | ${fmt(r.billing.parse835.oursMBps)} MB/s | ${verdict(r.billing.parse835.oursMBps >= AIMS.parse835MBps)} |`,
    );
  if (r.cli)
    rows.push(
      `| \`ptflow --help\`: spawn → first output | ≤ ${AIMS.cliHelpSeconds} s | ${fmt2(r.cli.helpSeconds)} s | ${verdict(r.cli.helpSeconds <= AIMS.cliHelpSeconds)} |`,
      `| \`ptflow tasks\` (calls the API): spawn → first output | ≤ ${AIMS.cliApiCommandSeconds} s | ${fmt2(r.cli.apiCommandSeconds)} s | ${verdict(r.cli.apiCommandSeconds <= AIMS.cliApiCommandSeconds)} |`,
    );
  if (rows.length === 0) return [];
  return [
    '## Aims at a glance (medians)',
    '',
    '| Figure | Aim | Measured | |',
    '|---|---|---:|---|',
    ...rows,
    '',
  ];
}

const lat = (l: LatencySpread) => `${trio(l.p50)} · ${trio(l.p99)}`;

function processes(p: ProcessBenchmark): string[] {
  return [
    '## 1. Processes end to end vs the floor',
    '',
    `Each run starts ${p.instances} instances of a process, ${p.concurrency} at a time, and drives each to its end; ${p.runs} runs.`,
    'ptflow runs the real workflow and activities against zero-latency sandboxes (sandbox payer over HTTP with',
    'real X12, sandbox EMR and messaging in PostgreSQL; the prior-authorization payer port and the practitioner and',
    'statement ports answer in memory). The **floor** is a trivial workflow with the same shape, read from the history',
    'of a ptflow run: the same number of activities (no-ops), the same fired timers, and the same signals/updates',
    'delivered by a driver that waits at the same points. Both run on the same server and the same worker (same',
    'data converter: encrypted payloads), batches alternating. Ratio = floor wall time ÷ ptflow wall time',
    `(= ptflow throughput ÷ floor throughput), aim ≥ ${AIMS.processRatio}.`,
    '',
    '| Process | Shape (activities · timers · steps · children) | ptflow processes/s | floor processes/s | ratio | aim |',
    '|---|---|---:|---:|---:|---|',
    ...p.processes.map(
      (x) =>
        `| ${x.label} | ${x.shape.activities} · ${x.shape.timers} · ${x.shape.steps} · ${x.shape.children} | ${trio(x.ours.throughput)} | ${trio(x.floor.throughput)} | ${trio(x.ratio, fmt2)} | ${verdict(x.ratio.median >= AIMS.processRatio)} |`,
    ),
    '',
    'Latency of one process under that load, ms: p50 (min / **median** / max over runs) · p99 (same).',
    '',
    '| Process | ptflow start → end | floor start → end | ptflow start → first activity | floor start → first activity |',
    '|---|---|---|---|---|',
    ...p.processes.map(
      (x) =>
        `| ${x.label} | ${lat(x.ours.latencyMs)} | ${lat(x.floor.latencyMs)} | ${lat(x.ours.firstActivityMs)} | ${lat(x.floor.firstActivityMs)} |`,
    ),
    '',
  ];
}

function firstActivity(f: FirstActivityBenchmark): string[] {
  return [
    '## 2. Workflow start → first activity (idle worker)',
    '',
    `One workflow at a time (${f.samples} samples each): from the client's start request to the first activity`,
    'function being entered on the worker, same process and clock; the instance is terminated afterwards.',
    'The plan of care is not in it: its own first activity is the discharge summary (the certification is chased by',
    'its signature process, a child that sends only in the office hours), so a start has no first activity to time.',
    '',
    '| Workflow | p50 ms (min / **median** / max) | p99 ms (min / **median** / max) |',
    '|---|---|---|',
    ...f.rows.map((x) => `| ${x.label} | ${trio(x.latencyMs.p50)} | ${trio(x.latencyMs.p99)} |`),
    '',
  ];
}

const apiCells = (a: ApiFigures) =>
  `${trio(a.requestsPerSecond)} | ${trio(a.p50)} | ${trio(a.p99)} | ${a.failed}`;

function api(a: ApiBenchmark): string[] {
  return [
    '## 3. API overhead (autocannon)',
    '',
    `${a.connections} concurrent connections (callers), ${a.seconds} s per measurement, ${a.runs} runs, the three`,
    'variants one after the other in every run:',
    '',
    '- **ptflow**: the real app (`api/app.ts`): API-key auth, Idempotency-Key (a fresh key per POST), tenancy check',
    '  (`describe`), the start/query, the audit-log row, zod response schemas; autocannon in a child process.',
    '- **direct client**: the same Temporal client and data converter called in a closed loop by as many callers',
    '  (the same start with the same search attributes; the same status query) — no HTTP.',
    '- **bare Fastify**: a Fastify route answering a constant (the HTTP ceiling of this machine), autocannon.',
    '',
    'POST starts onboardings on a task queue no worker polls (the start path only); GET queries 20 onboardings',
    `running on the bench worker. Aim: ptflow ≥ ${AIMS.apiRatio * 100} % of the direct-client rate.`,
    '',
    '| Route | Variant | requests/s | p50 ms | p99 ms | failed |',
    '|---|---|---:|---:|---:|---:|',
    ...a.routes.flatMap((r) => [
      `| ${r.route} | ptflow | ${apiCells(r.ptflow)} |`,
      `| | direct client | ${apiCells(r.direct)} |`,
      `| | bare Fastify | ${apiCells(r.bare)} |`,
    ]),
    '',
    ...a.routes.map(
      (r) =>
        `- ${r.route}: ptflow ÷ direct client = **${fmt2(r.ratio.median)}** (runs: ${trio(r.ratio, fmt2)}; aim ≥ ${AIMS.apiRatio}: ${verdict(r.ratio.median >= AIMS.apiRatio)}).`,
    ),
    '',
  ];
}

function scale(s: ScaleBenchmark): string[] {
  return [
    '## 4. Scale: one worker holding open authorizations',
    '',
    `${fmt(s.workflows)} priorAuthorization workflows started on one worker (its own process, the SDK's default`,
    `options except a workflow cache of ${fmt(s.maxCachedWorkflows)} — \`BENCH_SCALE_CACHE\`; the SDK would choose ${fmt(s.sdkDefaultCache)} here),`,
    'each approved and waiting on its end-date timer. Then',
    `${fmt(s.updates)} \`recordVisit\` updates, one at a time, to random open authorizations, in rounds (min / median /`,
    'max over rounds). An authorization not in the cache is replayed from its history when its update arrives.',
    '',
    '| Figure | min | median | max | unit |',
    '|---|---:|---:|---:|---|',
    row('Worker RSS while holding them (per round)', s.workerRssMiB, 'MiB'),
    row('recordVisit update p50', s.updateP50, 'ms'),
    row('recordVisit update p99', s.updateP99, 'ms'),
    '',
    `- Starting them (measured once): the server accepted the ${fmt(s.workflows)} start requests in ${fmt(s.startRequestsSeconds)} s; all were approved and waiting after ${fmt(s.startSeconds)} s (${fmt(s.startedPerSecond)} workflows/s).`,
    `- Worker RSS when ready, before any workflow: ${fmt(s.workerIdleRssMiB)} MiB; peak (VmHWM): ${fmt(s.workerPeakRssMiB)} MiB; aim ≤ ${fmt(AIMS.scaleRssMiB)} MiB: ${verdict(s.workerRssMiB.median <= AIMS.scaleRssMiB)}.`,
    s.mibPerCachedWorkflow !== undefined
      ? `- One cached workflow costs about ${fmt2(s.mibPerCachedWorkflow)} MiB of worker RSS ((RSS − idle RSS) ÷ workflows, all in the cache).`
      : `- More workflows than the cache holds: evicted workflows' memory is not handed back to the OS, so RSS reflects more than ${fmt(s.maxCachedWorkflows)} cached workflows.`,
    `- Dev-server disk (SQLite + WAL): ${fmt(s.sqliteMiBBefore)} MiB before, ${fmt(s.sqliteMiBAfter)} MiB after (${fmt(s.sqliteMiBAfter - s.sqliteMiBBefore)} MiB for these workflows).`,
    `- recordVisit over all ${fmt(s.updateLatencyMs.samples)} updates: p50 ${fmt(s.updateLatencyMs.p50)} ms, p99 ${fmt(s.updateLatencyMs.p99)} ms; aim p99 ≤ ${AIMS.scaleUpdateP99Ms} ms: ${verdict(s.updateP99.median <= AIMS.scaleUpdateP99Ms)}.`,
    '',
  ];
}

/** The highest median p95 of the console pages (the baseline API listing excluded): what the aim is judged on. */
function consoleWorst(c: ConsoleBenchmark): number {
  return Math.max(0, ...c.pages.filter((p) => !p.baseline).map((p) => p.p95.median));
}

function consolePages(c: ConsoleBenchmark): string[] {
  const worst = consoleWorst(c);
  return [
    '## 6. Staff console: worklist server time (issue 12)',
    '',
    `${fmt(c.tasks)} open tasks in the demo practice (a quarter per role, due from 10 days overdue to 30 days ahead), its`,
    'own embedded PostgreSQL, the production app in-process and a demo person signed in through the dev sign-in page.',
    `Each run sends ${fmt(c.requests)} sequential requests per page through Fastify's inject (server time: routing,`,
    `session lookup, queries, rendering — no network); ${c.runs} runs, the pages alternating order. Baseline: the API's`,
    "own listing `GET /v1/tasks?limit=100` under the same session. Front desk sees its role's queue; admin sees all.",
    '',
    '| Role | Page | p50 ms | p95 ms | p99 ms | p95 ÷ baseline p95 |',
    '|---|---|---|---|---|---|',
    ...c.pages.map(
      (p) =>
        `| ${p.role} | ${p.page} | ${trio(p.p50)} | ${trio(p.p95)} | ${trio(p.p99)} | ${trio(p.ratio, fmt2)} |`,
    ),
    '',
    `- Slowest console page p95 (median over runs): ${fmt(worst)} ms; aim ≤ ${AIMS.consoleWorklistP95Ms} ms: ${verdict(worst <= AIMS.consoleWorklistP95Ms)}.`,
    '',
  ];
}

/** The highest median wall time of the report's computations (the floor excluded): what the aim is judged on. */
function numbersWorst(n: NumbersBenchmark): number {
  return Math.max(0, ...n.figures.filter((f) => !f.name.startsWith('floor')).map((f) => f.ms.median));
}

function numbersSection(n: NumbersBenchmark): string[] {
  const worst = numbersWorst(n);
  const pct = (v: number | null) => (v === null ? 'no data' : `${fmt(v * 100)} %`);
  return [
    "## 8. The practice's numbers (issue 18)",
    '',
    `A year (2025) of a ${n.therapists}-therapist practice with 2 locations, generated in SQL with a fixed seed in its own`,
    'embedded PostgreSQL (rows: ' +
      Object.entries(n.rows)
        .map(([t, c]) => `${t} ${fmt(c)}`)
        .join(', ') +
      ').',
    `Wall time of each computation for the whole year; ${n.runs} runs after a warm-up, alternating order. Baseline: one`,
    'plain aggregate scan of each table the report reads, over the same rows (`floor`). The API row goes through the',
    "production app (Fastify inject, an admin API key). Sample of the year's figures: first-pass acceptance " +
      `${pct(n.sample.firstPass)}, denial rate ${pct(n.sample.denialRate)}, days in A/R ${n.sample.daysInAR ?? 'no data'}, no-shows ${pct(n.sample.noShow)}.`,
    '',
    '| Computation | ms | ÷ floor |',
    '|---|---|---|',
    ...n.figures.map((f) => `| ${f.name} | ${trio(f.ms)} | ${trio(f.ratio, fmt2)} |`),
    '',
    `- Slowest computation (median over runs): ${fmt(worst)} ms; aim ≤ ${fmt(AIMS.practiceNumbersMs)} ms: ${verdict(worst <= AIMS.practiceNumbersMs)}.`,
    '',
  ];
}

function billing(b: BillingBenchmark): string[] {
  return [
    '## 5. Claim pipeline (issue: billing brain)',
    '',
    `Visits: ${b.visitsPerSecond.runs} timed runs after ${fmt(b.visitsPerSecond.warmupVisits)} warm-up visits, per second of ` +
      "the process's CPU time (one core: each run is synchronous on the main thread, and every thread's CPU time counts), " +
      `so other load on the machine does not enter it; by the wall clock the median was ${fmt(b.visitsPerWallSecond.median)}/s. ` +
      `835: ${b.environment.runs} runs of each parser, also per second of CPU time.`,
    '',
    '| Figure | min | median | max | unit |',
    '|---|---:|---:|---:|---|',
    row(
      `Visits coded + scrubbed + 837P serialized (${fmt(b.visitsPerSecond.visitsPerRun)} visits per run)`,
      b.visitsPerSecond,
      'visits/s',
    ),
    row(
      `835 parsed — ptflow codec (${fmt(b.parse835.documentBytes / 1024)} KiB, ${b.parse835.claimsPerDocument} claims)`,
      b.parse835.ours,
      'documents/s',
    ),
    row('835 parsed — baseline: node-x12 1.7.1 (strict), same document', b.parse835.nodeX12, 'documents/s'),
    '',
    `- 835 throughput: ptflow ${fmt(b.parse835.oursMBps)} MB/s vs node-x12 ${fmt(b.parse835.nodeX12MBps)} MB/s — ` +
      `**ratio ${fmt(b.parse835.speedup)}×** (aim ≥ ${AIMS.parse835Speedup}×: ${verdict(b.parse835.speedup >= AIMS.parse835Speedup)}; ` +
      `aim ≥ ${AIMS.parse835MBps} MB/s: ${verdict(b.parse835.oursMBps >= AIMS.parse835MBps)}).`,
    `- Visits: median ${fmt(b.visitsPerSecond.median)}/s (aim ≥ ${fmt(AIMS.visitsPerSecond)}/s on one core: ` +
      `${verdict(b.visitsPerSecond.median >= AIMS.visitsPerSecond)}).`,
    '- Why the visits figure once read 15,426 and then 8,444, and what the profile found: Causes → Claim pipeline.',
    '- The two parsers do different amounts of work: node-x12 builds a generic segment tree; ptflow builds the',
    '  typed remittance model (claims, CAS triplets, SVC, PLB, reconciliation inputs) the workflows consume.',
    '',
  ];
}

function cli(c: CliBenchmark): string[] {
  const ratios = (x: CliBenchmark['commands'][number]) =>
    x.ratios.length === 0
      ? '—'
      : x.ratios.map((r) => `${trio(r.ratio, fmt2)} ÷ ${r.against.replace(/ \(baseline\)$/, '')}`).join('; ');
  return [
    '## 7. CLI start-up (issue 15)',
    '',
    `Each command is started as a fresh process ${c.samples} times (rounds, every command once per round, order`,
    'alternating, after one warm-up round), from spawn to the first byte it writes. `ptflow` is `bin/ptflow.js`',
    'running the build in dist/ (the scenario runs `npm run build` first). Baselines side by side: Node alone, Node',
    'loading commander and printing a help, and Node sending the same `GET /v1/tasks` with fetch to the same API (the',
    'production app on a port of the bench process, its own embedded PostgreSQL, 20 open tasks). CPU = user + system',
    'time of the process: on a busy machine the wall clock also measures the wait for a core.',
    ...(c.extraCaCerts
      ? [
          '`NODE_EXTRA_CA_CERTS` was set: every Node start, baselines included, parses that certificate bundle first;',
          'the rows marked "NODE_EXTRA_CA_CERTS unset" run without it (the aims are judged on the others).',
        ]
      : []),
    '',
    '| Command | first output ms | CPU ms | ratio (per round) |',
    '|---|---|---|---|',
    ...c.commands.map(
      (x) => `| ${x.label} | ${trio(x.firstOutputMs)} | ${x.cpuMs ? trio(x.cpuMs) : '—'} | ${ratios(x)} |`,
    ),
    '',
    `- \`ptflow --help\`: median ${fmt2(c.helpSeconds)} s; aim ≤ ${AIMS.cliHelpSeconds} s: ${verdict(c.helpSeconds <= AIMS.cliHelpSeconds)}.`,
    `- \`ptflow tasks\`: median ${fmt2(c.apiCommandSeconds)} s; aim ≤ ${AIMS.cliApiCommandSeconds} s: ${verdict(c.apiCommandSeconds <= AIMS.cliApiCommandSeconds)}.`,
    "- `npx ptflow …` adds npm's own start-up on top (not measured here); `./bin/ptflow.js` or `npm link` avoid it.",
    '',
  ];
}

/** `notes`: hand-written Markdown appended as is (bench/causes.md: the measured causes behind the figures). */
export function renderReport(r: BenchResults, charts: ChartLink[] = [], notes = ''): string {
  const e = r.environment;
  return [
    '# ptflow benchmarks',
    '',
    ...(e.quick
      ? [
          '> **QUICK RUN — indicative only.** Produced with `BENCH_QUICK=1` (small sizes, few runs), typically on a',
          '> busy development machine. Run `npm run bench` on a quiet machine for the figures to quote.',
          '',
        ]
      : []),
    `Generated by \`${e.command}\` on ${e.date}. Do not edit by hand: run the command again.`,
    '',
    ...machine(e),
    ...summary(r),
    ...(charts.length > 0
      ? ['## Charts', '', ...charts.flatMap((c) => [`![${c.title}](${c.path})`, '']), '']
      : []),
    ...(r.processes ? processes(r.processes) : []),
    ...(r.firstActivity ? firstActivity(r.firstActivity) : []),
    ...(r.api ? api(r.api) : []),
    ...(r.scale ? scale(r.scale) : []),
    ...(r.billing ? billing(r.billing) : []),
    ...(r.console ? consolePages(r.console) : []),
    ...(r.cli ? cli(r.cli) : []),
    ...(r.numbers ? numbersSection(r.numbers) : []),
    ...(notes.trim() === '' ? [] : [notes.trim(), '']),
  ].join('\n');
}
