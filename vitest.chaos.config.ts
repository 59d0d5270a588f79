import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the fault-injection suite (test/chaos/*.chaos.test.ts), kept out of `npm test`'s
// projects. PostgreSQL and the template database come from the usual global setup; each chaos file starts its
// own Temporal dev server, because it stops and restarts it. CHAOS_PROFILE=reduced (default) | full.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    environment: 'node',
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 45 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
