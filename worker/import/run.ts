// The import job: parse the whole file first (bad input fails before the database is touched),
// then store it in one transaction. The worker process wraps this and forwards progress.
import { openDb } from '../../db/open.js';
import type { DatasetSummary } from '../../core/contract.js';
import { parseCsvFile } from './parse.js';
import { readDatasetSummary } from '../../core/datasets.js';
import { storeDataset } from './store.js';
import type { ImportProgressFn } from './types.js';

export interface ImportOptions {
  name?: string;
  onProgress?: ImportProgressFn;
}

export async function importCsv(dbPath: string, path: string, opts: ImportOptions = {}): Promise<DatasetSummary> {
  const table = await parseCsvFile(path, opts.onProgress);
  const db = openDb(dbPath);
  try {
    const id = storeDataset(db, table, opts.name !== undefined ? { name: opts.name } : {});
    return readDatasetSummary(db, id);
  } finally {
    db.close();
  }
}
