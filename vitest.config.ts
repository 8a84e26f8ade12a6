import { defineConfig } from 'vitest/config';

// One runner for every test. Node tests run in forks (better-sqlite3 and TF.js are native/heavy
// and not thread-safe across worker_threads); renderer tests (jsdom + the Svelte compiler with
// browser exports) are their own project, configured in renderer/vitest.config.ts.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/renderer/**'] } },
      'renderer/vitest.config.ts',
    ],
  },
});
