import { defineConfig } from 'vitest/config';

/**
 * Reliability suite (`npm run test:reliability`): crash (SIGKILL) loops, partner faults, evidence mutation and load.
 * Kept out of the default `npm test` run because it is slow; .ci/run runs it after `npm test`.
 * Files run one at a time (2-core CI box; the crash loops and load tests would otherwise starve each other).
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
