import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: the fault and abuse suite; each scenario records its outcome for docs/reliability.md. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/clear-outcomes.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Scenarios kill workers and restart Redis: one file at a time keeps their clocks and ports apart.
    fileParallelism: false,
  },
});
