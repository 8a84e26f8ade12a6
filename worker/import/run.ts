// The import job: parse the whole file first (bad input fails before the database is touched),
// then store it in one transaction. The worker process wraps this and forwards progress.
import { writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { openDb } from '../../db/open.js';
import type { ColumnTypes, DatasetSummary } from '../../core/contract.js';
import { parseCsvFile } from './parse.js';
import { readDatasetSummary } from '../../core/datasets.js';
import { storeDataset } from './store.js';
import { CsvError, type ImportProgressFn } from './types.js';

export interface ImportOptions {
  name?: string;
  onProgress?: ImportProgressFn;
  /** The size the file must have (an upload's byte count, known from its Content-Length). */
  expectedBytes?: number;
  /** Stored with the dataset so that the host can remove it if this job fails after the commit. */
  importToken?: string;
  /** The user's column type overrides: checked against the file's header, then while parsing. */
  columnTypes?: ColumnTypes;
}

/** A file of another size than promised is a truncated (or changed) upload: refuse it, naming it. */
async function checkSize(path: string, expected: number | undefined): Promise<void> {
  if (expected === undefined) return;
  const { size } = await stat(path);
  if (size !== expected) {
    throw new CsvError(
      `${basename(path)} has ${size} bytes, but ${expected} were uploaded: the file is incomplete (was the disk full?); upload it again`,
      path,
    );
  }
}

/**
 * Test hook for the fault suite: after the commit, write this process's pid to the file named by
 * RNN_WORKBENCH_TEST_PAUSE_AFTER_IMPORT_COMMIT and wait, so a test can kill -9 the worker at the
 * moment the dataset is stored but not yet reported.
 */
async function pauseAfterCommitForTests(): Promise<void> {
  const file = process.env.RNN_WORKBENCH_TEST_PAUSE_AFTER_IMPORT_COMMIT;
  if (!file) return;
  writeFileSync(file, String(process.pid));
  await new Promise(() => setInterval(() => undefined, 1000));
}

export async function importCsv(dbPath: string, path: string, opts: ImportOptions = {}): Promise<DatasetSummary> {
  await checkSize(path, opts.expectedBytes);
  const table = await parseCsvFile(path, opts.onProgress, opts.columnTypes);
  await checkSize(path, opts.expectedBytes); // the file must not have changed while it was read
  const db = openDb(dbPath);
  try {
    const id = storeDataset(db, table, {
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.importToken !== undefined ? { importToken: opts.importToken } : {}),
      ...(opts.columnTypes ? { columnTypes: opts.columnTypes } : {}),
    });
    await pauseAfterCommitForTests();
    return readDatasetSummary(db, id);
  } finally {
    db.close();
  }
}
