// The cluster lives in vitest's main process (test/cluster/global-setup.ts starts it); the test files run in
// forks. This is the channel between them: a loopback HTTP endpoint in the main process that kills and starts
// the cluster's services, and a client with the same ClusterHandle interface for the test files.
//
//   import { clusterFromSetup } from './control.js';
//   const cluster = clusterFromSetup();               // only under vitest.cluster.config.ts
//   await cluster.restartService('history');
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import {
  CLUSTER_SERVICES,
  type ClusterHandle,
  type ClusterService,
  type ServiceState,
  type TemporalCluster,
} from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/cluster/global-setup.ts: where clusterFromSetup() reaches the cluster. */
    clusterControlUrl: string;
    clusterNamespace: string;
    clusterDir: string;
  }
}

function isService(name: string): name is ClusterService {
  return (CLUSTER_SERVICES as readonly string[]).includes(name);
}

/** Serves `cluster` on 127.0.0.1 (a random port): GET /services, POST /services/:name/{kill,start,restart}. */
export async function serveClusterControl(
  cluster: TemporalCluster,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://control');
    void (async () => {
      if (req.method === 'GET' && url.pathname === '/services') return answer(200, await cluster.services());
      const m = /^\/services\/([a-z]+)\/(kill|start|restart)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m || !isService(m[1]!)) return answer(404, { error: 'not found' });
      const name = m[1];
      const signal = (url.searchParams.get('signal') ?? 'SIGKILL') as NodeJS.Signals;
      if (m[2] === 'kill') await cluster.killService(name, signal);
      else if (m[2] === 'start') await cluster.startService(name);
      else
        await cluster.restartService(name, { signal, downMs: Number(url.searchParams.get('downMs') ?? 0) });
      return answer(200, await cluster.services());
    })().catch((err: unknown) => answer(500, { error: (err as Error).message }));
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A ClusterHandle over the control endpoint at `url`. */
export function clusterControl(url: string, address: string, namespace: string, dir: string): ClusterHandle {
  const call = async (method: 'GET' | 'POST', p: string) => {
    const res = await fetch(`${url}${p}`, { method });
    const body = (await res.json()) as Record<ClusterService, ServiceState> | { error: string };
    if (!res.ok) throw new Error(`cluster control ${p}: ${(body as { error: string }).error}`);
    return body as Record<ClusterService, ServiceState>;
  };
  return {
    address,
    namespace,
    dir,
    services: () => call('GET', '/services'),
    killService: async (name, signal = 'SIGKILL') => {
      await call('POST', `/services/${name}/kill?signal=${signal}`);
    },
    startService: async (name) => {
      await call('POST', `/services/${name}/start`);
    },
    restartService: async (name, o = {}) => {
      await call('POST', `/services/${name}/restart?signal=${o.signal ?? 'SIGKILL'}&downMs=${o.downMs ?? 0}`);
    },
  };
}

/** The cluster test/cluster/global-setup.ts started for this run (vitest.cluster.config.ts only). */
export function clusterFromSetup(): ClusterHandle {
  const url = inject('clusterControlUrl');
  if (!url) throw new Error('no cluster in this run: use `npm run test:cluster` (vitest.cluster.config.ts)');
  return clusterControl(url, inject('temporalAddress'), inject('clusterNamespace'), inject('clusterDir'));
}
