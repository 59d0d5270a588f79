import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, freePort, isPortFree, PortInUseError } from '../../devtools/ports.js';

describe('port checks', () => {
  it('reports a port held by another listener as in use, naming the variable', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);
    const server = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      expect(await isPortFree(port)).toBe(false);
      const err = await assertPortFree(port, 'ptflow API', 'PORT').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as Error).message).toBe(
        `port ${port} (ptflow API) is already in use; stop whatever holds it or set PORT to another port`,
      );
    } finally {
      server.close();
    }
  });
});
