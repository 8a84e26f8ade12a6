// The common European spreadsheet export: `;` between fields, decimal commas (`10,7`) and
// DD.MM.YYYY dates. Its numbers were imported as categorical with no warning; they must be
// numbers, and the dataset must say what was detected.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { loadColumn } from '../../db/datasets.js';
import { importCsv } from '../../worker/import/run.js';
import { parseCsvFile } from '../../worker/import/parse.js';
import { tempDir } from '../helpers.js';

const FIX = join(import.meta.dirname, '../fixtures');
const t = tempDir('rnnwb-dec-');
afterAll(() => t.cleanup());

describe('decimal commas', () => {
  it('imports decimal-comma numbers as numbers and warns what it detected', async () => {
    const dbPath = join(t.dir, 'dec.db');
    const s = await importCsv(dbPath, join(FIX, 'decimal-comma.csv'));
    const kinds = Object.fromEntries(s.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({
      Datum: 'datetime',
      Temperatur: 'numeric',
      Niederschlag: 'numeric',
      Station: 'categorical',
    });
    expect(s.timeColumn).toBe('Datum');
    expect(s.warnings.some((w) => /decimal comma/i.test(w) && w.includes('10,7'))).toBe(true);
    const db = openDb(dbPath, { readonly: true });
    try {
      expect(Array.from(loadColumn(db, s.id, 'Temperatur').values!)).toEqual([10.7, 9.8, -2.5, 11, 12.1, 13.45]);
      expect(Array.from(loadColumn(db, s.id, 'Niederschlag').values!)).toEqual([0, 1.25, 12.4, 0.3, NaN, 2]);
    } finally {
      db.close();
    }
  });

  it('leaves `;` files with decimal points and comma-delimited files as they were (no warning)', async () => {
    const semi = await parseCsvFile(join(FIX, 'semicolon.csv'));
    expect(semi.columns.find((c) => c.name === 'price')!.kind).toBe('numeric');
    expect(semi.warnings.filter((w) => /decimal/i.test(w))).toEqual([]);
    const file = join(t.dir, 'text.csv');
    // Text cells with commas in a `;` file are not numbers.
    writeFileSync(file, 'id;note;v\n1;a,b;1.5\n2;c,d;2.5\n');
    const tx = await parseCsvFile(file);
    expect(tx.columns.map((c) => c.kind)).toEqual(['numeric', 'categorical', 'numeric']);
    expect(tx.warnings.filter((w) => /decimal/i.test(w))).toEqual([]);
  });
});
