// The import's side of storage: a dataset's name defaults to the file name, what the parser
// learned (series column, warnings) is kept, and a failed import changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseOpenError, openDb } from '../../../db/open.js';
import { parseCsvFile } from '../../../worker/import/parse.js';
import { storeDataset } from '../../../worker/import/store.js';
import { loadColumn } from '../../../db/datasets.js';
import { readDatasetSummary } from '../../../core/datasets.js';
import { importCsv } from '../../../worker/import/run.js';
import { CsvError } from '../../../worker/import/types.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const fx = (name: string): string => join(FIX, name);

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-store-'));
  dbPath = join(dir, 'workbench.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('storeDataset', () => {
  it('stores the series column and warnings; names default to the file name', async () => {
    const db = openDb(dbPath);
    try {
      const long = storeDataset(db, await parseCsvFile(fx('long-format.csv')), {});
      const dup = storeDataset(db, await parseCsvFile(fx('duplicates.csv')), {});
      expect(readDatasetSummary(db, long)).toMatchObject({
        name: 'long-format',
        timeColumn: 'date',
        seriesColumn: 'symbol',
      });
      expect(readDatasetSummary(db, dup).warnings).toEqual([expect.stringMatching(/duplicate timestamp/)]);
    } finally {
      db.close();
    }
  });
});

describe('importCsv', () => {
  it('imports into a database file and reports progress', async () => {
    const progress: number[] = [];
    const s = await importCsv(dbPath, fx('semicolon.csv'), {
      name: 'prices',
      onProgress: (p) => progress.push(p.rows),
    });
    expect(s).toMatchObject({ name: 'prices', rowCount: 10, timeColumn: 'date' });
    expect(progress.at(-1)).toBe(10);
    const db = openDb(dbPath, { readonly: true });
    try {
      expect(Array.from(loadColumn(db, s.id, 'volume').values!)).toEqual([
        100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses a database file that is not SQLite and leaves it untouched', async () => {
    writeFileSync(dbPath, 'not a database, just some notes\n'.repeat(10));
    const before = readFileSync(dbPath);
    await expect(importCsv(dbPath, fx('dates-iso.csv'), {})).rejects.toBeInstanceOf(DatabaseOpenError);
    expect(readFileSync(dbPath).equals(before)).toBe(true);
  });

  it('a failed import leaves stored datasets unchanged', async () => {
    const first = await importCsv(dbPath, fx('long-format.csv'), {});
    const snapshot = (): unknown => {
      const db = openDb(dbPath, { readonly: true });
      try {
        return {
          datasets: db.prepare('SELECT * FROM datasets ORDER BY id').all(),
          columns: db
            .prepare(
              'SELECT dataset_id, idx, name, kind, stats, missing, dtype, labels, hex(data) AS data FROM dataset_columns ORDER BY dataset_id, idx',
            )
            .all(),
        };
      } finally {
        db.close();
      }
    };
    const before = snapshot();
    for (const bad of ['empty.csv', 'header-only.csv', 'ragged.csv', 'unterminated.csv', 'all-missing-time.csv']) {
      await expect(importCsv(dbPath, fx(bad), {})).rejects.toBeInstanceOf(CsvError);
    }
    expect(snapshot()).toEqual(before);
    const db = openDb(dbPath, { readonly: true });
    try {
      expect(readDatasetSummary(db, first.id)).toEqual(first);
    } finally {
      db.close();
    }
  });
});
