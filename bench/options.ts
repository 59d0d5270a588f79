// What `npm run bench` measures and how hard, from the environment. BENCH_QUICK=1 shrinks every size so the
// whole command runs in a few minutes on a busy machine (development); its report says so in its title.
import { z } from 'zod';

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);
const SCENARIOS = [
  'billing',
  'processes',
  'first-activity',
  'api',
  'scale',
  'console',
  'cli',
  'numbers',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
const PROCESS_KINDS = ['onboarding', 'priorAuthorization', 'claim', 'planOfCare'] as const;
export type ProcessKindName = (typeof PROCESS_KINDS)[number];

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .default(false);

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  /** Repeated runs of each figure (min/median/max). */
  runs: number;
  /** Process instances per run and how many run at once. */
  processInstances: number;
  processConcurrency: number;
  /** Which processes scenario 1 drives (BENCH_PROCESSES=onboarding,claim); all four by default. */
  processKinds: ProcessKindName[];
  /** Sequential samples of start → first activity. */
  firstActivitySamples: number;
  /** Seconds of load per autocannon run, and connections. */
  apiSeconds: number;
  apiConnections: number;
  /** Open authorization workflows held by one worker, and recordVisit updates timed while they are open. */
  scaleWorkflows: number;
  scaleUpdates: number;
  /**
   * The scale worker's workflow cache; the default is `ptflow worker`'s (WORKER_MAX_CACHED_WORKFLOWS, 500).
   * A cached authorization costs about 0.3 MiB of RSS since the workflows stopped loading zod per workflow
   * (README "Worker memory"); the workflows beyond the cache are replayed from history when touched.
   */
  scaleCache: number;
  /** Open tasks in the practice for the console worklist, and sequential requests per page and run. */
  consoleTasks: number;
  consoleRequests: number;
  /** Rounds of the CLI start-up commands, and whether the tsx-from-source variant runs too (BENCH_CLI_TSX=0 skips it). */
  cliSamples: number;
  cliFromSource: boolean;
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const quick = flag.parse(cleaned.BENCH_QUICK);
  const o = z
    .object({
      BENCH_ONLY: z
        .string()
        .transform((s) => s.split(',').map((x) => x.trim()))
        .pipe(z.array(z.enum(SCENARIOS)))
        .optional(),
      BENCH_PROCESSES: z
        .string()
        .transform((s) => s.split(',').map((x) => x.trim()))
        .pipe(z.array(z.enum(PROCESS_KINDS)))
        .optional(),
      BENCH_RUNS: count(quick ? 2 : 5),
      BENCH_PROCESS_INSTANCES: count(quick ? 4 : 40),
      BENCH_PROCESS_CONCURRENCY: count(quick ? 2 : 10),
      BENCH_FIRST_ACTIVITY_SAMPLES: count(quick ? 10 : 100),
      BENCH_API_SECONDS: count(quick ? 2 : 10),
      BENCH_API_CONNECTIONS: count(quick ? 4 : 16),
      BENCH_SCALE_WORKFLOWS: count(quick ? 200 : 10_000),
      BENCH_SCALE_UPDATES: count(quick ? 20 : 300),
      BENCH_CONSOLE_TASKS: count(10_000),
      BENCH_CONSOLE_REQUESTS: count(quick ? 50 : 200),
      BENCH_CLI_SAMPLES: count(quick ? 5 : 15),
      BENCH_CLI_TSX: z
        .enum(['0', '1', 'true', 'false'])
        .transform((v) => v === '1' || v === 'true')
        .default(true),
      BENCH_SCALE_CACHE: z.coerce.number().int().min(2).max(1_000_000).default(500),
    })
    .parse(cleaned);
  return {
    quick,
    scenarios: o.BENCH_ONLY ?? [...SCENARIOS],
    runs: o.BENCH_RUNS,
    processInstances: o.BENCH_PROCESS_INSTANCES,
    processConcurrency: o.BENCH_PROCESS_CONCURRENCY,
    processKinds: o.BENCH_PROCESSES ?? [...PROCESS_KINDS],
    firstActivitySamples: o.BENCH_FIRST_ACTIVITY_SAMPLES,
    apiSeconds: o.BENCH_API_SECONDS,
    apiConnections: o.BENCH_API_CONNECTIONS,
    scaleWorkflows: o.BENCH_SCALE_WORKFLOWS,
    scaleUpdates: o.BENCH_SCALE_UPDATES,
    scaleCache: o.BENCH_SCALE_CACHE,
    consoleTasks: o.BENCH_CONSOLE_TASKS,
    consoleRequests: o.BENCH_CONSOLE_REQUESTS,
    cliSamples: o.BENCH_CLI_SAMPLES,
    cliFromSource: o.BENCH_CLI_TSX,
  };
}
