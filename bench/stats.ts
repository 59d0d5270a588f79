// Small statistics shared by the scenarios: min/median/max over repeated runs and percentiles of samples.
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return { min: 0, median: 0, max: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

/** Nearest-rank percentile (p in 0..100) of `values`; 0 for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

export function latency(values: number[]): Latency {
  return { p50: percentile(values, 50), p99: percentile(values, 99), samples: values.length };
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Milliseconds since an arbitrary origin, monotonic. */
export const nowMs = (): number => performance.now();

/** Run `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** p50 and p99 of each run's samples, as min/median/max over the runs. */
export interface LatencySpread {
  p50: Spread;
  p99: Spread;
  samples: number;
}

export function latencySpread(runs: number[][]): LatencySpread {
  const filled = runs.filter((r) => r.length > 0);
  return {
    p50: spread(filled.map((r) => round1(percentile(r, 50)))),
    p99: spread(filled.map((r) => round1(percentile(r, 99)))),
    samples: filled.reduce((n, r) => n + r.length, 0),
  };
}
