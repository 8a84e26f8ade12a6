// Storing parsed tables in a real SQLite file and reading them back through db/datasets.ts:
// typed columns round-trip bit for bit, summaries carry stats and warnings, a refused table
// leaves no rows behind, and updates and deletes touch only what they name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../db/open.js';
import {
  datasetExists,
  deleteDataset,
  listColumns,
  listDatasetIds,
  loadColumn,
  readDataset,
  updateDataset,
} from '../../db/datasets.js';
import { parseCsvFile } from '../../worker/import/parse.js';
import { storeDataset } from '../../worker/import/store.js';
import { readDatasetSummary } from '../../core/datasets.js';
import { DatasetSummary } from '../../core/contract.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');
const fx = (name: string): string => join(FIX, name);

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-store-'));
  dbPath = join(dir, 'workbench.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('insertDataset / loadColumn / listColumns', () => {
  it('round-trips every column kind', async () => {
    const table = await parseCsvFile(fx('missing-tokens.csv'));
    const db = openDb(dbPath);
    try {
      const id = storeDataset(db, table, { name: 'tokens' });
      for (const c of table.columns) {
        const back = loadColumn(db, id, c.name);
        expect(back.kind).toBe(c.kind);
        expect(back.missing).toBe(c.missing);
        if (c.kind === 'categorical') {
          expect(back.codes).toBeInstanceOf(Int32Array);
          expect(Array.from(back.codes!)).toEqual(Array.from(c.codes!));
          expect(back.labels).toEqual(c.labels);
        } else {
          expect(back.values).toBeInstanceOf(Float64Array);
          expect(Array.from(back.values!)).toEqual(Array.from(c.values!)); // NaN equals NaN in toEqual
        }
      }
      const s = readDatasetSummary(db, id);
      expect(DatasetSummary.parse(s)).toEqual(s);
      expect(s).toMatchObject({
        id,
        name: 'tokens',
        sourceName: 'missing-tokens.csv',
        rowCount: 9,
        timeColumn: 'date',
        seriesColumn: null,
        sha256: table.sha256,
      });
      expect(s.columns.map((c) => [c.index, c.name, c.kind, c.missing])).toEqual([
        [0, 'date', 'datetime', 0],
        [1, 'x', 'numeric', 7],
        [2, 'label', 'categorical', 4],
      ]);
      expect(s.columns[0]!.stats.format).toBe('YYYY-MM-DD');
      const meta = JSON.parse((db.prepare('SELECT meta FROM datasets WHERE id = ?').get(id) as { meta: string }).meta);
      expect(meta).toEqual({ delimiter: ',', warnings: [], header: ['date', 'x', 'label'] });
      const dtypes = db
        .prepare('SELECT dtype FROM dataset_columns WHERE dataset_id = ? ORDER BY idx')
        .all(id)
        .map((r) => (r as { dtype: string }).dtype);
      expect(dtypes).toEqual(['f64', 'f64', 'i32']);
    } finally {
      db.close();
    }
  });

  it('names what is missing', async () => {
    const db = openDb(dbPath);
    try {
      const id = storeDataset(db, await parseCsvFile(fx('dates-iso.csv')), {});
      expect(() => loadColumn(db, id, 'nope')).toThrow(`dataset ${id} has no column "nope"`);
      expect(() => loadColumn(db, 999, 'date')).toThrow('dataset 999 does not exist');
      expect(() => readDatasetSummary(db, 999)).toThrow('dataset 999 does not exist');
    } finally {
      db.close();
    }
  });

  it('a table whose column is short of rows is refused and leaves no rows behind', async () => {
    const db = openDb(dbPath);
    try {
      const table = await parseCsvFile(fx('dates-iso.csv'));
      table.columns[1]!.values = table.columns[1]!.values!.subarray(0, 2);
      expect(() => storeDataset(db, table, {})).toThrow(/column "value" has 2 values, the table has 4 rows/);
      expect(db.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM dataset_columns').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('readDataset / listDatasetIds / updateDataset / deleteDataset', () => {
  it('reads records, updates only the fields given and deletes a dataset with its columns', async () => {
    const db = openDb(dbPath);
    try {
      const a = storeDataset(db, await parseCsvFile(fx('dates-iso.csv')), { name: 'a' });
      const b = storeDataset(db, await parseCsvFile(fx('long-format.csv')), { name: 'b' });
      expect(listDatasetIds(db)).toEqual([b, a]);
      expect(readDataset(db, a)).toMatchObject({
        id: a,
        name: 'a',
        source_name: 'dates-iso.csv',
        row_count: 4,
        notes: '',
      });
      expect(readDataset(db, 999)).toBeUndefined();
      expect(listColumns(db, a).map((c) => [c.idx, c.name, c.kind])).toEqual([
        [0, 'date', 'datetime'],
        [1, 'value', 'numeric'],
      ]);
      updateDataset(db, a, { notes: 'hello', timeColumn: null });
      expect(readDataset(db, a)).toMatchObject({ name: 'a', notes: 'hello', time_column: null });
      expect(deleteDataset(db, a)).toBe(true);
      expect(deleteDataset(db, a)).toBe(false);
      expect(datasetExists(db, a)).toBe(false);
      expect(listColumns(db, a)).toEqual([]);
      expect(listDatasetIds(db)).toEqual([b]);
    } finally {
      db.close();
    }
  });
});
