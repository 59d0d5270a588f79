import { defineConfig } from 'vitest/config';

// `npm run soak`: the load-with-faults run (test/chaos/*.soak.test.ts) that writes SOAK.md. Sizes from
// SOAK_ONBOARDINGS / SOAK_CLAIMS (1,000 each by default), SOAK_CONCURRENCY, SOAK_FAULT_RATE, SOAK_EXTRA_PTS.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.soak.test.ts'],
    environment: 'node',
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 6 * 60 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
