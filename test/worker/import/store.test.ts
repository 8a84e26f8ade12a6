// Storing parsed tables in a real SQLite file and reading them back: typed columns round-trip
// bit for bit, summaries carry stats and warnings, and a failed import changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseOpenError, openDb } from '../../../db/open.js';
import { parseCsvFile } from '../../../worker/import/parse.js';
import { loadColumn, readDatasetSummary, storeDataset } from '../../../worker/import/store.js';
import { importCsv } from '../../../worker/import/run.js';
import { CsvError } from '../../../worker/import/types.js';
import { DatasetSummary } from '../../../core/contract.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const fx = (name: string): string => join(FIX, name);

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-store-'));
  dbPath = join(dir, 'workbench.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('storeDataset / loadColumn / readDatasetSummary', () => {
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
      expect(s).toMatchObject({ id, name: 'tokens', sourceName: 'missing-tokens.csv', rowCount: 9, timeColumn: 'date', seriesColumn: null, sha256: table.sha256 });
      expect(s.columns.map((c) => [c.index, c.name, c.kind, c.missing])).toEqual([
        [0, 'date', 'datetime', 0],
        [1, 'x', 'numeric', 7],
        [2, 'label', 'categorical', 4],
      ]);
      expect(s.columns[0]!.stats.format).toBe('YYYY-MM-DD');
      const meta = JSON.parse((db.prepare('SELECT meta FROM datasets WHERE id = ?').get(id) as { meta: string }).meta);
      expect(meta).toEqual({ delimiter: ',', warnings: [] });
      const dtypes = db.prepare('SELECT dtype FROM dataset_columns WHERE dataset_id = ? ORDER BY idx').all(id).map((r) => (r as { dtype: string }).dtype);
      expect(dtypes).toEqual(['f64', 'f64', 'i32']);
    } finally {
      db.close();
    }
  });

  it('stores the series column and warnings; names default to the file name', async () => {
    const db = openDb(dbPath);
    try {
      const long = storeDataset(db, await parseCsvFile(fx('long-format.csv')), {});
      const dup = storeDataset(db, await parseCsvFile(fx('duplicates.csv')), {});
      expect(readDatasetSummary(db, long)).toMatchObject({ name: 'long-format', timeColumn: 'date', seriesColumn: 'symbol' });
      expect(readDatasetSummary(db, dup).warnings).toEqual([expect.stringMatching(/duplicate timestamp/)]);
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

describe('importCsv', () => {
  it('imports into a database file and reports progress', async () => {
    const progress: number[] = [];
    const s = await importCsv(dbPath, fx('semicolon.csv'), { name: 'prices', onProgress: (p) => progress.push(p.rows) });
    expect(s).toMatchObject({ name: 'prices', rowCount: 10, timeColumn: 'date' });
    expect(progress.at(-1)).toBe(10);
    const db = openDb(dbPath, { readonly: true });
    try {
      expect(Array.from(loadColumn(db, s.id, 'volume').values!)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
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
          columns: db.prepare('SELECT dataset_id, idx, name, kind, stats, missing, dtype, labels, hex(data) AS data FROM dataset_columns ORDER BY dataset_id, idx').all(),
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
