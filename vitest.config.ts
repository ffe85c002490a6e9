import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on sockets, Postgres and Redis rather than CPU: three at a time on two cores.
    maxWorkers: 3,
    env: { TZ: 'UTC' },
  },
});
