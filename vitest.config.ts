import { defineConfig } from 'vitest/config';

// One runner for every test. Node tests run in forks (better-sqlite3 and TF.js are native/heavy
// and not thread-safe across worker_threads); renderer component tests opt into jsdom per file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
