import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites too long for `npm test` (and so for CI's time budget): the 2,000-load Playwright soak (C13) takes tens
 * of minutes on two shared cores. `npm run test:faults` runs them with the other fault suites; `npm test` keeps
 * the short 40-load soak (test/integration/crawl/browser-soak.test.ts).
 */
const LONG_SUITES = ['test/faults/crawl-browser-soak.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.MR_LONG_SUITES === '1' ? [] : LONG_SUITES)],
    environment: 'node',
    testTimeout: 30_000,
    // Set-up creates a database and runs every migration (PGlite: WASM): seconds alone, a minute on a loaded CI.
    hookTimeout: 120_000,
    pool: 'forks',
    // Most suites wait on sockets, Postgres and Redis rather than CPU: three at a time on two cores.
    maxWorkers: 3,
    env: { TZ: 'UTC' },
  },
});
