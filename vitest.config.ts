import { defineConfig } from 'vitest/config';

// Three kinds of Node test, one runner. `npm test` runs every project (CI, README);
// `npm run test:unit` runs the pure ones for the edit loop (seconds).
// - unit: pure functions and in-process modules; no SQLite file, no child process, no training.
// - integration: a real SQLite file, forked workers, TF.js training and the fault suite.
// - e2e: real Chromium (and the real Electron binary where it exists).
// Renderer component tests (jsdom + the Svelte compiler with browser exports) are their own
// project, configured in renderer/vitest.config.ts; they count as unit tests but for the
// designer page, which drives a real service.
// Node tests run in forks: better-sqlite3 and TF.js are native/heavy and not thread-safe across
// worker_threads.
const integration = [
  'test/db/**/*.test.ts',
  'test/faults/**/*.test.ts',
  'test/worker/train/**/*.test.ts',
  'test/worker/kernels/**/*.test.ts',
  'test/worker/model/**/*.test.ts',
  'test/worker/export/**/*.test.ts',
  'test/core/cli.test.ts',
  'test/core/cli-bundles.test.ts',
  'test/core/cli-early-trainer.test.ts',
  'test/core/bundles.test.ts',
  'test/core/bundles-server.test.ts',
  'test/core/predictions-csv.test.ts',
  'test/core/bundles-resume.test.ts',
  'test/core/datasets.test.ts',
  'test/core/service.test.ts',
  'test/core/backtest.test.ts',
  'test/core/cli-backtest.test.ts',
  'test/core/external-changes.test.ts',
  'test/core/warm-launcher.test.ts',
  'test/core/study/cli-study.test.ts',
  'test/core/study/service-study.test.ts',
  'test/core/study/rerank-time.test.ts',
  'test/electron/app.test.ts',
  'test/electron/builder-config.test.ts',
  'test/electron/native.test.ts',
  'test/electron/preload.test.ts',
  'test/worker/import/samples.test.ts',
  'test/worker/import/store.test.ts',
  'test/worker/tf.test.ts',
  'test/build/**/*.test.ts',
  'test/worker/code-cache.test.ts',
  'test/worker/main.test.ts',
  'test/bench/**/*.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/e2e/**', ...integration],
        },
      },
      { extends: true, test: { name: 'integration', include: integration } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      'renderer/vitest.config.ts',
    ],
  },
});
