// Fault injection for the sandbox: latency, a transient failure rate drawn from a seeded PRNG (so a
// run repeats exactly), and outage windows answered with 503 + Retry-After.

export interface FaultOptions {
  latencyMs?: number;
  /** Probability (0..1) that a request fails with a transient 500. */
  failureRate?: number;
  seed?: number;
  /** Absolute outage windows (epoch ms); requests inside get 503 + Retry-After until the window ends. */
  outages?: { fromMs: number; toMs: number }[];
}

/** mulberry32: tiny, fast, good enough for repeatable test traffic (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'outage'; retryAfterSeconds: number; delayMs: number }
  | { kind: 'transient'; delayMs: number };

export class Faults {
  private random: () => number;
  private outages: { fromMs: number; toMs: number }[];

  constructor(private options: FaultOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.outages = [...(options.outages ?? [])];
  }

  /** Starts an outage now for `durationMs` (test hook and `ptflow` demos). */
  startOutage(nowMs: number, durationMs: number): void {
    this.outages.push({ fromMs: nowMs, toMs: nowMs + durationMs });
  }

  clear(): void {
    this.outages = [];
    this.options = { ...this.options, failureRate: 0, latencyMs: 0 };
  }

  decide(nowMs: number): FaultDecision {
    const delayMs = this.options.latencyMs ?? 0;
    const outage = this.outages.find((o) => nowMs >= o.fromMs && nowMs < o.toMs);
    if (outage !== undefined) {
      return {
        kind: 'outage',
        retryAfterSeconds: Math.max(1, Math.ceil((outage.toMs - nowMs) / 1000)),
        delayMs,
      };
    }
    const rate = this.options.failureRate ?? 0;
    if (rate > 0 && this.random() < rate) return { kind: 'transient', delayMs };
    return { kind: 'pass', delayMs };
  }
}
