import { describe, expect, it } from 'vitest';
import { barChart, renderCharts } from '../../bench/charts.js';
import { renderReport, type BenchResults } from '../../bench/report.js';

const s = (min: number, median: number, max: number) => ({ min, median, max });
const lat = (p50: number, p99: number) => ({ p50: s(p50, p50, p50), p99: s(p99, p99, p99), samples: 10 });

const environment = {
  date: '2026-11-27T00:00:00.000Z',
  command: 'npm run bench',
  host: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, platform: 'linux 6' },
  versions: { node: 'v20.20.2', 'Temporal CLI': 'v1.5.1' },
};

const billing = {
  environment: { node: 'v20.20.2', runs: 7 },
  visitsPerSecond: {
    min: 9000,
    median: 12000,
    max: 13000,
    visitsPerRun: 2000,
    runs: 15,
    warmupVisits: 10000,
  },
  visitsPerWallSecond: { min: 8000, median: 11000, max: 12500 },
  parse835: {
    documentBytes: 200 * 1024,
    claimsPerDocument: 600,
    ours: { min: 50, median: 60, max: 70 },
    nodeX12: { min: 20, median: 24, max: 30 },
    oursMBps: 11.7,
    nodeX12MBps: 4.7,
    speedup: 2.5,
  },
};

const full: BenchResults = {
  environment,
  billing,
  processes: {
    runs: 5,
    instances: 40,
    concurrency: 10,
    processes: [
      {
        kind: 'claim',
        label: 'Claim',
        shape: { activities: 5, timers: 1, steps: 0, children: 0, historyEvents: 40 },
        ours: { throughput: s(8, 9, 10), latencyMs: lat(900, 1500), firstActivityMs: lat(20, 60) },
        floor: { throughput: s(10, 10.5, 11), latencyMs: lat(800, 1200), firstActivityMs: lat(15, 40) },
        ratio: s(0.8, 0.86, 0.9),
      },
      {
        kind: 'onboarding',
        label: 'Patient onboarding',
        shape: { activities: 6, timers: 0, steps: 2, children: 0, historyEvents: 60 },
        ours: { throughput: s(3, 4, 5), latencyMs: lat(2000, 3000), firstActivityMs: lat(20, 60) },
        floor: { throughput: s(6, 7, 8), latencyMs: lat(1000, 1500), firstActivityMs: lat(15, 40) },
        ratio: s(0.5, 0.57, 0.6),
      },
    ],
  },
  firstActivity: { samples: 100, rows: [{ label: 'Floor (no-op activity first)', latencyMs: lat(12, 30) }] },
  api: {
    runs: 5,
    seconds: 10,
    connections: 16,
    routes: [
      {
        route: 'POST /v1/onboardings',
        ptflow: { requestsPerSecond: s(900, 950, 1000), p50: s(15, 16, 17), p99: s(40, 45, 50), failed: 0 },
        direct: { requestsPerSecond: s(1000, 1000, 1100), p50: s(14, 15, 16), p99: s(30, 35, 40), failed: 0 },
        bare: { requestsPerSecond: s(20000, 21000, 22000), p50: s(1, 1, 1), p99: s(3, 3, 4), failed: 0 },
        ratio: s(0.9, 0.95, 0.97),
      },
    ],
  },
  scale: {
    workflows: 10_000,
    startRequestsSeconds: 60,
    startSeconds: 120,
    startedPerSecond: 83.3,
    maxCachedWorkflows: 350,
    sdkDefaultCache: 2310,
    workerIdleRssMiB: 300,
    mibPerCachedWorkflow: 0.4,
    workerRssMiB: s(900, 1100, 1200),
    workerPeakRssMiB: 1250,
    sqliteMiBBefore: 2,
    sqliteMiBAfter: 350,
    updates: 300,
    updateP50: s(20, 25, 30),
    updateP99: s(100, 120, 300),
    updateLatencyMs: { p50: 25, p99: 130, samples: 300 },
  },
};

describe('BENCHMARKS.md writer', () => {
  it('prints every figure as min/median/max with the ratio against the baseline and the verdict on each aim', () => {
    const md = renderReport({ environment, billing });
    expect(md).toContain(
      '| Visits coded + scrubbed + 837P serialized (2,000 visits per run) | 9,000 | 12,000 | 13,000 | visits/s |',
    );
    expect(md).toContain('**ratio 2.5×** (aim ≥ 3×: **not met**; aim ≥ 40 MB/s: **not met**)');
    expect(md).toContain('| 835 parsing throughput | ≥ 40 MB/s | 11.7 MB/s | **not met** |');
    expect(md).toContain('aim ≥ 10,000/s on one core: met');
    expect(md).toContain(
      "Visits: 15 timed runs after 10,000 warm-up visits, per second of the process's CPU time",
    );
    expect(md).toContain('by the wall clock the median was 11,000/s');
    expect(md).toContain('2 × Test CPU, 24 GiB memory');
    expect(md).toContain('- Temporal CLI v1.5.1');
    expect(md).not.toContain('QUICK RUN');
    expect(md).not.toContain('## 1. Processes');
  });

  it('states each process against its floor with the ratio and its verdict', () => {
    const md = renderReport(full);
    expect(md).toContain(
      '| Claim | 5 · 1 · 0 · 0 | 8 / **9** / 10 | 10 / **10.5** / 11 | 0.8 / **0.86** / 0.9 | met |',
    );
    expect(md).toContain('| Patient onboarding: throughput ptflow ÷ floor | ≥ 0.8 | 0.57 | **not met** |');
    expect(md).toContain('| Floor (no-op activity first) | 12 / **12** / 12 | 30 / **30** / 30 |');
  });

  it('states the API rates of ptflow, the direct client and bare Fastify, and ptflow ÷ direct against 90 %', () => {
    const md = renderReport(full);
    expect(md).toContain(
      '| POST /v1/onboardings | ptflow | 900 / **950** / 1,000 | 15 / **16** / 17 | 40 / **45** / 50 | 0 |',
    );
    expect(md).toContain('| | direct client | 1,000 / **1,000** / 1,100 |');
    expect(md).toContain('ptflow ÷ direct client = **0.95** (runs: 0.9 / **0.95** / 0.97; aim ≥ 0.9: met)');
  });

  it('judges the scale aims on the medians: RSS over 1 GiB is not met, update p99 under 250 ms is', () => {
    const md = renderReport(full);
    expect(md).toContain(
      '| Worker RSS holding 10,000 authorizations | ≤ 1,024 MiB | 1,100 MiB | **not met** |',
    );
    expect(md).toContain('| recordVisit p99 while they are open | ≤ 250 ms | 120 ms | met |');
    expect(md).toContain('348 MiB for these workflows');
  });

  it('states the console worklist pages against the API listing and judges the slowest page p95 against 300 ms', () => {
    const page = (role: 'front_desk' | 'admin', name: string, baseline: boolean, p95: number) => ({
      role,
      page: name,
      baseline,
      p50: s(10, 12, 14),
      p95: s(p95 - 10, p95, p95 + 10),
      p99: s(p95, p95 + 20, p95 + 40),
      ratio: s(1.5, 2, 2.5),
    });
    const pages = (worklistP95: number) => ({
      tasks: 10_000,
      requests: 200,
      runs: 5,
      pages: [
        page('front_desk', 'GET /v1/tasks?limit=100 (baseline)', true, 400),
        page('front_desk', 'GET /console/worklist', false, worklistP95),
        page('admin', 'GET /console/worklist', false, 90),
      ],
    });
    const md = renderReport({ environment, console: pages(120) });
    expect(md).toContain('## 6. Staff console: worklist server time (issue 12)');
    expect(md).toContain(
      '| front_desk | GET /console/worklist | 10 / **12** / 14 | 110 / **120** / 130 | 120 / **140** / 160 | 1.5 / **2** / 2.5 |',
    );
    // The baseline's 400 ms is not what the aim is judged on: the slowest console page is.
    expect(md).toContain(
      '| Console worklist p95 server time, 10,000 open tasks (slowest page) | ≤ 300 ms | 120 ms | met |',
    );
    expect(md).toContain('aim ≤ 300 ms: met');
    const slow = renderReport({ environment, console: pages(310) });
    expect(slow).toContain('| ≤ 300 ms | 310 ms | **not met** |');
  });

  it('states the CLI start-up commands beside their baselines and judges --help and tasks against 0.3 s and 1 s', () => {
    const cmd = (label: string, median: number, against: string[] = []) => ({
      label,
      command: 'node …',
      baseline: against.length === 0,
      firstOutputMs: s(median - 10, median, median + 10),
      cpuMs: s(50, 60, 70),
      ratios: against.map((a) => ({ against: a, ratio: s(1.1, 1.2, 1.3) })),
    });
    const cli = (helpMs: number) => ({
      samples: 15,
      extraCaCerts: false,
      commands: [
        cmd('Node alone (baseline)', 100),
        cmd('`ptflow --help`', helpMs, ['Node alone (baseline)']),
        cmd('`ptflow tasks` (GET /v1/tasks)', 400, ['Node + fetch GET /v1/tasks (baseline)']),
      ],
      helpSeconds: helpMs / 1000,
      apiCommandSeconds: 0.4,
    });
    const md = renderReport({ environment, cli: cli(120) });
    expect(md).toContain('## 7. CLI start-up (issue 15)');
    expect(md).toContain('| Node alone (baseline) | 90 / **100** / 110 | 50 / **60** / 70 | — |');
    expect(md).toContain(
      '| `ptflow --help` | 110 / **120** / 130 | 50 / **60** / 70 | 1.1 / **1.2** / 1.3 ÷ Node alone |',
    );
    expect(md).toContain('| `ptflow --help`: spawn → first output | ≤ 0.3 s | 0.12 s | met |');
    expect(md).toContain('| `ptflow tasks` (calls the API): spawn → first output | ≤ 1 s | 0.4 s | met |');
    expect(md).not.toContain('NODE_EXTRA_CA_CERTS');
    expect(renderReport({ environment, cli: cli(350) })).toContain('| ≤ 0.3 s | 0.35 s | **not met** |');
  });

  it('labels a quick run at the top and links the charts', () => {
    const md = renderReport({ ...full, environment: { ...environment, quick: true } }, [
      { title: 'Throughput', path: 'bench/charts/processes-throughput.svg' },
    ]);
    expect(md.split('\n').slice(0, 4).join('\n')).toContain('QUICK RUN — indicative only');
    expect(md).toContain('![Throughput](bench/charts/processes-throughput.svg)');
  });
});

describe('SVG charts', () => {
  it('draws one bar per figure at its median with a min–max whisker, and escapes labels', () => {
    const svg = barChart('A & B', 'ms', [
      {
        label: '<route>',
        bars: [
          { name: 'ptflow', value: s(5, 10, 20) },
          { name: 'floor', value: s(1, 2, 3) },
        ],
      },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('&lt;route&gt;');
    expect(svg.match(/<rect x="260"/g)).toHaveLength(2);
    // The largest max spans the plot: the ptflow whisker ends at 260 + 420.
    expect(svg).toContain('x2="680.0"');
  });

  it('renders a chart per scenario that ran', () => {
    expect(renderCharts(full).map((c) => c.file)).toEqual([
      'processes-throughput.svg',
      'processes-latency.svg',
      'first-activity.svg',
      'api-throughput.svg',
      'api-latency.svg',
      'scale-update-latency.svg',
    ]);
    expect(renderCharts({ environment })).toEqual([]);
  });
});
