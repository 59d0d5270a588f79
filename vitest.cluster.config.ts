import { defineConfig } from 'vitest/config';

// `npm run test:cluster` (issue #14 item 3): the end-to-end process scenarios and the cluster chaos run against
// a real multi-service Temporal cluster — the official server's frontend, history, matching and worker services
// as separate processes on PostgreSQL (test/cluster/cluster.ts) — instead of the single-process dev server.
// test/cluster/global-setup.ts starts it, then the usual global setup pointed at it (PTFLOW_TEST_TEMPORAL_ADDRESS).
// CLUSTER_PROFILE=reduced (default, `.ci/run`: the onboarding, claim and prior-authorization scenarios and the
// cluster chaos) | full (512 history shards, more processes and kills, and more scenario files).
const reduced = [
  'test/workflows/onboarding.int.test.ts',
  'test/workflows/claim.int.test.ts',
  'test/workflows/prior-auth-payer.int.test.ts',
  // Safe upgrades: workers upgraded mid-flight (v1 → v2 behind patched()) on the cluster.
  'test/workflows/upgrade.int.test.ts',
];
const full = [
  ...reduced,
  'test/workflows/prior-auth-composition.int.test.ts',
  'test/workflows/crash-claim-submission.int.test.ts',
  'test/workflows/schedules.int.test.ts',
  'test/api/onboardings.int.test.ts',
  'test/api/processes.int.test.ts',
];

export default defineConfig({
  test: {
    include: [
      'test/cluster/**/*.cluster.test.ts',
      ...(process.env.CLUSTER_PROFILE === 'full' ? full : reduced),
    ],
    environment: 'node',
    globalSetup: ['test/cluster/global-setup.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
    // The cluster chaos file kills shared services: nothing may run beside it.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
