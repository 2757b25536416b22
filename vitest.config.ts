import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'threads',
    // Builds dist/ when it is stale: CLI tests run bin/tapfix, and workers load compiled code.
    globalSetup: ['test/global-setup.ts'],
  },
});
