// runs.bundle and runs.importBundle (issue 13, docs/bundles.md). The work (reading 100 runs with
// checkpoints and zipping them, or unzipping, checking and storing them in ONE transaction) runs
// in a worker job (worker/export/bundle.ts) like an import or export: in the host it held the
// event loop, Electron's main process, about 2 s per 100 runs (test/bench/bundles.ts). The host
// only sends the events for the runs and datasets an import added.
import type { BundleResult } from '../contract.js';
import type { ImportOutcome } from '../../db/bundles.js';
import { listDatasetIds } from '../../db/datasets.js';
import { getRun } from '../../db/runs.js';
import type { Handlers, ServiceContext } from './context.js';

export function bundleHandlers({
  db,
  dbPath,
  jobs,
  emit,
}: ServiceContext): Handlers<'runs.bundle' | 'runs.importBundle'> {
  return {
    'runs.bundle': ({ ids, outPath, data, force }) =>
      jobs.complete<BundleResult>({ kind: 'bundle', dbPath, ids, outPath, data, force: force ?? false }),
    'runs.importBundle': async ({ path, expectedBytes }) => {
      const outcome = await jobs.complete<ImportOutcome>({
        kind: 'import-bundle',
        dbPath,
        path,
        ...(expectedBytes !== undefined ? { expectedBytes } : {}),
      });
      // Every window refreshes its runs table on run:status.
      for (const r of [...outcome.added, ...outcome.updated]) {
        const run = getRun(db, r.id);
        if (run) emit('run:status', { runId: r.id, status: run.status });
      }
      if (outcome.datasetsAdded > 0)
        for (const id of listDatasetIds(db).slice(0, outcome.datasetsAdded)) emit('datasets:changed', { id });
      return { file: path, ...outcome };
    },
  };
}
