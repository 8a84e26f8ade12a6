// Column type overrides (issue 14, Datasets): the user says a column is number / text / time or
// ignores it when the importer guessed wrong. Real CSV files, parsed by the real parser; a cell
// that is not of its column's type fails the import naming the column, the line and the value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColumnTypes, DatasetImportArgs } from '../../../core/contract.js';
import { parseCsvFile } from '../../../worker/import/parse.js';
import { CsvError, type ParsedColumn, type ParsedTable } from '../../../worker/import/types.js';

const dir = mkdtempSync(join(tmpdir(), 'rw-coltypes-'));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const col = (t: ParsedTable, name: string): ParsedColumn => t.columns.find((c) => c.name === name)!;
const labels = (c: ParsedColumn): (string | null)[] => Array.from(c.codes!, (k) => (k < 0 ? null : c.labels![k]!));

async function failure(path: string, types: ColumnTypes): Promise<CsvError> {
  try {
    await parseCsvFile(path, undefined, types);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error(`${path} parsed without error`);
}

// A numeric id (zero-padded), a year, a value with a stray text cell on line 4.
const ids = csv('ids.csv', 'store,year,sales\n007,2001,1.5\n012,2002,2.5\n007,2003,oops\n012,2004,4\n');

describe('column type overrides', () => {
  it('without overrides the importer guesses: store a number, year the time, sales text', async () => {
    const t = await parseCsvFile(ids);
    expect(col(t, 'store').kind).toBe('numeric');
    expect(col(t, 'year').kind).toBe('datetime');
    expect(col(t, 'sales').kind).toBe('categorical');
  });

  it('text keeps a numeric id as labels, zeros included; number keeps a year a number', async () => {
    const t = await parseCsvFile(ids, undefined, { store: 'text', year: 'number', sales: 'ignore' });
    expect(col(t, 'store').kind).toBe('categorical');
    expect(labels(col(t, 'store'))).toEqual(['007', '012', '007', '012']);
    expect(col(t, 'year').kind).toBe('numeric');
    expect(Array.from(col(t, 'year').values!)).toEqual([2001, 2002, 2003, 2004]);
    expect(t.columns.map((c) => c.name)).toEqual(['store', 'year']);
    expect(t.timeColumn).toBeNull();
  });

  it('number on a column with a text cell fails, naming the column, the line and the value', async () => {
    const e = await failure(ids, { sales: 'number' });
    expect(e.message).toContain('column "sales" is set to number');
    expect(e.message).toContain('line 4 has "oops"');
    expect(e.line).toBe(4);
    expect(e.field).toBe('line 4');
    expect(e.column).toBe('sales');
  });

  it('time makes integer years the time column whatever the name; other numbers fail', async () => {
    const p = csv('when.csv', 'when,v\n1700,1\n1701,2\n1702,3\n');
    expect((await parseCsvFile(p)).timeColumn).toBeNull();
    const t = await parseCsvFile(p, undefined, { when: 'time' });
    expect(t.timeColumn).toBe('when');
    expect(new Date(col(t, 'when').values![1]!).toISOString()).toBe('1701-01-01T00:00:00.000Z');
    const e = await failure(p, { v: 'time' });
    expect(e.message).toContain('column "v" is set to time, but line 2 has "1"');
  });

  it('time on dates with a stray cell fails on that cell instead of reading the column as text', async () => {
    const p = csv('dates.csv', 'd,v\n2024-01-01,1\n2024-01-02,2\nsoon,3\n');
    expect(col(await parseCsvFile(p), 'd').kind).toBe('categorical');
    const e = await failure(p, { d: 'time' });
    expect(e.message).toContain('line 4 has "soon"');
  });

  it('a time column set by the user wins over an earlier date column', async () => {
    const p = csv('two.csv', 'made,shipped,v\n2024-01-01,2024-02-01,1\n2024-01-02,2024-02-02,2\n');
    expect((await parseCsvFile(p)).timeColumn).toBe('made');
    expect((await parseCsvFile(p, undefined, { shipped: 'time' })).timeColumn).toBe('shipped');
  });

  it('an unknown column or every column ignored is refused, naming the columns', async () => {
    const e = await failure(ids, { shop: 'text' });
    expect(e.message).toContain('no column is named "shop"');
    expect(e.message).toContain('"store", "year", "sales"');
    expect(e.field).toBe('columnTypes.shop'); // the argument at fault, as the contract's validation names it
    expect((await failure(ids, { store: 'ignore', year: 'ignore', sales: 'ignore' })).message).toContain(
      'every column is set to ignore',
    );
  });

  it('the contract validates the types at the boundary', () => {
    expect(DatasetImportArgs.safeParse({ path: '/x.csv', columnTypes: { a: 'number' } }).success).toBe(true);
    expect(DatasetImportArgs.safeParse({ path: '/x.csv', columnTypes: { a: 'integer' } }).success).toBe(false);
    expect(DatasetImportArgs.safeParse({ path: '/x.csv', columnTypes: { '': 'text' } }).success).toBe(false);
  });
});
