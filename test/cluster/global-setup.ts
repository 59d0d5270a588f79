// Global setup of `npm run test:cluster` (vitest.cluster.config.ts): starts the multi-service Temporal cluster
// (cluster.ts), then the usual global setup (test/setup/global-setup.ts: PostgreSQL for ptflow, the template
// database, the workflow bundle) pointed at it through PTFLOW_TEST_TEMPORAL_ADDRESS instead of a dev server.
// Test files reach the cluster's services through control.ts. Teardown stops everything, the cluster last.
import type { TestProject } from 'vitest/node';
import baseSetup from '../setup/global-setup.js';
import { startCluster } from './cluster.js';
import { serveClusterControl } from './control.js';
import { clusterProfile } from './profile.js';

export default async function setup(project: TestProject) {
  const profile = clusterProfile();
  const cluster = await startCluster({ numHistoryShards: profile.numHistoryShards });
  let control: Awaited<ReturnType<typeof serveClusterControl>> | undefined;
  let baseTeardown: (() => Promise<void>) | undefined;
  try {
    control = await serveClusterControl(cluster);
    process.env.PTFLOW_TEST_TEMPORAL_ADDRESS = cluster.address;
    baseTeardown = await baseSetup(project);
  } catch (err) {
    await control?.close();
    await cluster.stop();
    throw err;
  }
  project.provide('clusterControlUrl', control.url);
  project.provide('clusterNamespace', cluster.namespace);
  project.provide('clusterDir', cluster.dir);
  return async () => {
    await baseTeardown?.().catch((err: unknown) => process.stderr.write(`teardown: ${String(err)}\n`));
    await control?.close();
    await cluster.stop();
  };
}
