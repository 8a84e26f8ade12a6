// datasets.*: queries answered from SQLite; an import runs as a worker job that stores the
// dataset itself and reports progress.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ServiceError, type DatasetSummary, type MethodName } from '../contract.js';
import { deleteDataset, listDatasetSummaries, readDatasetSummary, readRows, readSeries, updateDataset } from '../datasets.js';
import type { Handlers, ServiceContext } from './context.js';

type DatasetMethod = Extract<MethodName, `datasets.${string}`>;

export function datasetHandlers({ db, dbPath, jobs, emit }: ServiceContext): Handlers<DatasetMethod> {
  return {
    'datasets.list': () => listDatasetSummaries(db),
    'datasets.get': ({ id }) => readDatasetSummary(db, id),
    'datasets.import': async ({ path, name }) => {
      if (!existsSync(path)) throw new ServiceError('bad_input', `file not found: ${path}`, 'path');
      if (statSync(path).isDirectory()) throw new ServiceError('bad_input', `${path} is a folder, not a CSV file`, 'path');
      const summary = await jobs.complete<DatasetSummary>({ kind: 'import', dbPath, path, ...(name ? { name } : {}) }, (m) => {
        if (m.type === 'import-progress') emit('import:progress', { ...m.progress, file: basename(path) });
      });
      emit('datasets:changed', { id: summary.id });
      return summary;
    },
    'datasets.update': (a) => {
      updateDataset(db, a);
      emit('datasets:changed', { id: a.id });
      return readDatasetSummary(db, a.id);
    },
    'datasets.delete': ({ id }) => {
      const deleted = deleteDataset(db, id);
      if (deleted) emit('datasets:changed', { id });
      return { deleted };
    },
    'datasets.rows': ({ id, offset, limit }) => readRows(db, id, offset, limit),
    'datasets.series': ({ id, columns, series, buckets, range }) => readSeries(db, id, columns, series, { buckets, range }),
  };
}
