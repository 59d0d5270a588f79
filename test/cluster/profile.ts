// CLUSTER_PROFILE=reduced (default; `.ci/run`) | full (`npm run test:cluster` on demand): how big the cluster
// chaos run is and how many history shards the cluster has.
import { z } from 'zod';

export interface ClusterProfile {
  name: 'reduced' | 'full';
  /** persistence.numHistoryShards (compose deploys 512). */
  numHistoryShards: number;
  /** Onboardings (half of them with a prior authorization) and claims in flight during the faults. */
  onboardings: number;
  claims: number;
  /** History-service SIGKILL + restart rounds, and ptflow-worker SIGKILLs mid-activity. */
  historyKills: number;
  workerKills: number;
}

const PROFILES: Record<ClusterProfile['name'], ClusterProfile> = {
  reduced: {
    name: 'reduced',
    numHistoryShards: 16,
    onboardings: 2,
    claims: 2,
    historyKills: 1,
    workerKills: 2,
  },
  full: { name: 'full', numHistoryShards: 512, onboardings: 6, claims: 6, historyKills: 2, workerKills: 4 },
};

export function clusterProfile(env: NodeJS.ProcessEnv = process.env): ClusterProfile {
  const name = z.enum(['reduced', 'full']).default('reduced').parse(env.CLUSTER_PROFILE);
  return PROFILES[name];
}
