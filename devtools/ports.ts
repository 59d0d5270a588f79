// Port helpers shared by the dev launchers and the test harness.
import net from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly variable?: string,
  ) {
    super(
      `port ${port} (${what}) is already in use` +
        (variable ? `; stop whatever holds it or set ${variable} to another port` : ''),
    );
    this.name = 'PortInUseError';
  }
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, what: string, variable?: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port, what, variable);
}

/** A port the OS considers free right now (small race window; callers retry on bind failure). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll `probe` until it resolves true or the deadline passes. Used for real readiness checks, not sleeps. */
export async function waitFor(
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 200, what }: { timeoutMs: number; intervalMs?: number; what: string },
  abort?: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = abort?.();
    if (aborted) throw aborted;
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
