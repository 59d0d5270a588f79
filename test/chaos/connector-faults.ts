// Seeded fault injection around an in-process connector (the sandbox EMR and sandbox messaging run inside the
// worker, so they cannot be taken down like an HTTP server). Every method call may, from a PRNG seeded per
// worker start (a run repeats exactly):
//   - fail before reaching the connector (a refused connection, a 503): nothing happened;
//   - reach the connector and then fail (a timeout after the other side acted: the answer was lost) — the case
//     that proves idempotency, because the retry repeats a call that already took effect;
// and while an outage flag file names a time in the future, every call fails before reaching it.
// Errors are the connector's own retryable transport errors, so the activities classify them as in production.
import fs from 'node:fs';
import { seededRandom } from '../../connectors/payer/sandbox/faults.js';

export interface ConnectorFaultOptions {
  /** Probability (0..1) that a call fails; half before the call, half after it (lost answer). */
  rate: number;
  seed: number;
  /** File holding an epoch-ms deadline: while now < deadline the connector is down. */
  outageFile?: string;
  /** Builds the connector's retryable error (never PHI: fixed text). */
  error: (what: 'down' | 'transient' | 'lost answer') => Error;
  /** Methods never faulted (pure reads the composition root calls outside activities). */
  exempt?: readonly string[];
  /**
   * The first call loses its answer and the second fails before the call, whatever the dice say (as the payer
   * proxy does): a short worker life still injects both kinds.
   */
  forceFirstFaults?: boolean;
  /** Called after each injected fault (the worker writes its counts at once: a SIGKILL may follow). */
  onFault?: (counts: FaultCounts) => void;
}

export interface FaultCounts {
  before: number;
  after: number;
  outage: number;
}

function outageActive(file: string | undefined): boolean {
  if (file === undefined) return false;
  try {
    return Date.now() < Number(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

export function withConnectorFaults<T extends object>(
  target: T,
  opts: ConnectorFaultOptions,
): { connector: T; counts: FaultCounts } {
  const random = seededRandom(opts.seed);
  const counts: FaultCounts = { before: 0, after: 0, outage: 0 };
  let calls = 0;
  const connector = new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || opts.exempt?.includes(prop))
        return value;
      return async (...args: unknown[]) => {
        if (outageActive(opts.outageFile)) {
          counts.outage++;
          opts.onFault?.(counts);
          throw opts.error('down');
        }
        const nth = ++calls;
        const dice = random();
        const draw = !opts.forceFirstFaults ? dice : nth === 1 ? (opts.rate * 3) / 4 : nth === 2 ? 0 : dice;
        if (draw < opts.rate / 2) {
          counts.before++;
          opts.onFault?.(counts);
          throw opts.error('transient');
        }
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (draw < opts.rate) {
          counts.after++;
          opts.onFault?.(counts);
          throw opts.error('lost answer');
        }
        return result;
      };
    },
  });
  return { connector, counts };
}

/** Marks a connector down until `untilMs` (read by every faulted call, in any process). */
export function setOutage(file: string, untilMs: number): void {
  fs.writeFileSync(file, String(untilMs));
}
