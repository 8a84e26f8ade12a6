// datasets.*: queries answered from SQLite; an import runs as a worker job that stores the
// dataset itself and reports progress. An import either reports success or leaves nothing: the
// job carries a token that the worker stores with the dataset, and when the job fails (even a
// worker killed after its commit, before its result arrived) the host deletes what it stored, so
// nothing unreported stays behind and a retry makes no duplicate.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ServiceError, type DatasetSummary, type MethodName } from '../contract.js';
import {
  deleteDataset,
  listDatasetSummaries,
  readDatasetSummary,
  readRows,
  readSeries,
  updateDataset,
} from '../datasets.js';
import { deleteImportedBy } from '../../db/datasets.js';
import type { Handlers, ServiceContext } from './context.js';

type DatasetMethod = Extract<MethodName, `datasets.${string}`>;

export function datasetHandlers({ db, dbPath, jobs, emit }: ServiceContext): Handlers<DatasetMethod> {
  return {
    'datasets.list': () => listDatasetSummaries(db),
    'datasets.get': ({ id }) => readDatasetSummary(db, id),
    'datasets.import': async ({ path, name, expectedBytes, columnTypes }) => {
      if (!existsSync(path)) throw new ServiceError('bad_input', `file not found: ${path}`, 'path');
      if (statSync(path).isDirectory())
        throw new ServiceError('bad_input', `${path} is a folder, not a CSV file`, 'path');
      const importToken = randomUUID();
      const job = {
        kind: 'import',
        dbPath,
        path,
        importToken,
        ...(name ? { name } : {}),
        ...(expectedBytes !== undefined ? { expectedBytes } : {}),
        ...(columnTypes && Object.keys(columnTypes).length > 0 ? { columnTypes } : {}),
      } as const;
      let summary: DatasetSummary;
      try {
        summary = await jobs.complete<DatasetSummary>(job, (m) => {
          if (m.type === 'import-progress') emit('import:progress', { ...m.progress, file: basename(path) });
        });
      } catch (e) {
        // The worker has exited, or is exiting without touching the database again; what it
        // stored was never reported, so it goes.
        deleteImportedBy(db, importToken);
        throw e;
      }
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
    'datasets.rows': ({ id, offset, limit, series }) => readRows(db, id, offset, limit, series),
    'datasets.series': ({ id, columns, series, buckets, range }) =>
      readSeries(db, id, columns, series, { buckets, range }),
  };
}
