import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eval/**/*.test.ts'],
    // eval/outside holds exported trees of other commits (trees/) while it is run: not this one's tests.
    exclude: ['**/node_modules/**', 'eval/outside/**'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: several tests start real processes and servers; a slow machine must not flake.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel on two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
