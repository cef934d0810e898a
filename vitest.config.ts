import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eval/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: several tests start real processes and servers; a slow machine must not flake.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel on two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
