// The aims the report checks every figure against, with where each comes from (issues #6, #8, 12, billing).
export const AIMS = {
  /** Process throughput ptflow ÷ floor (issue #8). */
  processRatio: 0.8,
  /** API start/status rate ptflow ÷ direct Temporal client (issue #6). */
  apiRatio: 0.9,
  /** Worker RSS holding the scale workflows (issue #8), MiB. */
  scaleRssMiB: 1024,
  /** recordVisit update p99 while they are open (issue #8), ms. */
  scaleUpdateP99Ms: 250,
  /** Claim pipeline visits per second on one core (billing issue). */
  visitsPerSecond: 10_000,
  /** 835 parse throughput vs node-x12 (billing issue). */
  parse835Speedup: 3,
  /** 835 parse throughput of ptflow's codec, MB/s (MiB of X12 text per second; billing issue). */
  parse835MBps: 40,
  /** Console worklist page p95 server time with 10,000 open tasks in the practice (issue 12), ms. */
  consoleWorklistP95Ms: 300,
  /** `ptflow --help`: spawn to first output, median, seconds (issue 15). */
  cliHelpSeconds: 0.3,
  /** `ptflow tasks` (a command that calls the API): spawn to first output, median, seconds (issue 15). */
  cliApiCommandSeconds: 1,
  /** The practice's numbers for a year of a 20-therapist practice, median wall time (issue 18), ms. */
  practiceNumbersMs: 2000,
} as const;
