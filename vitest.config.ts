import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/web when stale: the browser tests (test/e2e) and the server's pages serve it.
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Proof generation is CPU-bound; two cores, two files at a time.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
