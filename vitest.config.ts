import { defineConfig } from 'vitest/config';

// Two projects so pure tests never pay for servers:
//  - unit: domain rules, codecs, anything without a server (`test/**/*.unit.test.ts` and test/domain).
//  - integration: tests that need the real Temporal dev server and Postgres started once per run by
//    test/setup/global-setup.ts (`test/**/*.int.test.ts`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/domain/**/*.test.ts', 'test/**/*.unit.test.ts'],
          environment: 'node',
          // Pure tests first; the server-backed project runs after them with its own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: the servers, the worker and webpack bundling all compete for CPU.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
