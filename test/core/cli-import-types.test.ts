// `rnn-workbench import FILE --type COL=TYPE` (issue 14, column type overrides from the command
// line): the CLI in-process on a real CSV and a real SQLite file; the flag reaches the same
// `columnTypes` as the UI's re-import, and every mistake names the flag and the column.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTypeFlags } from '../../core/cli/commands-data.js';
import { openDb } from '../../db/open.js';
import { tempDir } from '../helpers.js';
import { runCli, type CliResult } from './cli-harness.js';

const t = tempDir();
afterAll(() => t.cleanup());

// A zero-padded id the importer reads as a number, a year it takes for the time column, and a
// value column with a stray text cell on line 4 (read as text).
const ids = join(t.dir, 'ids.csv');
writeFileSync(ids, 'store,year,sales\n007,2001,1.5\n012,2002,2.5\n007,2003,oops\n012,2004,4\n');

const cli = (db: string, ...args: string[]): Promise<CliResult> => runCli([...args, '--db', db]);

describe('import --type', () => {
  it('reads the columns as typed: text keeps the zeros, a year stays a number, ignore drops a column', async () => {
    const db = join(t.dir, 'typed.db');
    const r = await cli(
      db,
      'import',
      ids,
      '--type',
      'store=text',
      '--type',
      'year=number',
      '--type=sales=ignore',
      '--json',
    );
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const ds = JSON.parse(r.out) as { columns: { name: string; kind: string }[]; timeColumn: string | null };
    expect(ds.columns.map((c) => [c.name, c.kind])).toEqual([
      ['store', 'categorical'],
      ['year', 'numeric'],
    ]);
    expect(ds.timeColumn).toBeNull();
    // What SQLite holds: the labels with their zeros, and the types kept with the dataset.
    const sql = openDb(db);
    try {
      const meta = JSON.parse((sql.prepare('SELECT meta FROM datasets').get() as { meta: string }).meta);
      expect(meta.columnTypes).toEqual({ store: 'text', year: 'number', sales: 'ignore' });
      const stats = sql.prepare("SELECT stats FROM dataset_columns WHERE name = 'store'").get() as { stats: string };
      expect(
        JSON.parse(stats.stats)
          .top.map((x: { value: string }) => x.value)
          .sort(),
      ).toEqual(['007', '012']);
    } finally {
      sql.close();
    }
  });

  it('without --type the importer guesses as before (the flag changes nothing else)', async () => {
    const r = await cli(join(t.dir, 'guess.db'), 'import', ids, '--json');
    const ds = JSON.parse(r.out) as { columns: { name: string; kind: string }[] };
    expect(ds.columns.map((c) => c.kind)).toEqual(['numeric', 'datetime', 'categorical']);
  });

  it('a bad type or a malformed pair is a usage error naming the flag, before any database is made', async () => {
    const db = join(t.dir, 'never.db');
    const bad = await cli(db, 'import', ids, '--type', 'store=integer');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '--type "store=integer": "integer" is not a column type (use one of number, text, time, ignore)',
    );
    expect(bad.err).toContain('Usage: rnn-workbench import <file.csv>');
    const bare = await cli(db, 'import', ids, '--type', 'store');
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('--type "store": expected COLUMN=TYPE');
    const twice = await cli(db, 'import', ids, '--type', 'store=text', '--type', 'store=number');
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('--type: column "store" is given two types (text and number)');
    expect(existsSync(db)).toBe(false);
  });

  it('an unknown column names the flag, the column and the columns the file has; nothing is stored', async () => {
    const db = join(t.dir, 'unknown.db');
    const r = await cli(db, 'import', ids, '--type', 'shop=text');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error: --type shop=text: ids.csv: no column is named "shop" (the columns are "store", "year", "sales")',
    );
    const all = await cli(
      db,
      'import',
      ids,
      '--type',
      'store=ignore',
      '--type',
      'year=ignore',
      '--type',
      'sales=ignore',
    );
    expect(all.err).toBe('error: --type: ids.csv: every column is set to ignore: nothing to import');
    expect(JSON.parse((await cli(db, 'datasets', '--json')).out)).toEqual([]);
  });

  it('a cell that does not fit its type names the column, the line and the value', async () => {
    const r = await cli(join(t.dir, 'cell.db'), 'import', ids, '--type', 'sales=number');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error: ids.csv: column "sales" is set to number, but line 4 has "oops", which is not a number; fix the cell or choose another type [line 4]',
    );
  });

  it('help shows the flag and the types', async () => {
    const r = await cli(join(t.dir, 'help.db'), 'import', '--help');
    expect(r.out).toContain('--type COL=TYPE ...');
    expect(r.out).toContain('number, text, time, ignore');
    expect(parseTypeFlags(['a=b=TEXT'])).toEqual({ 'a=b': 'text' });
  });
});
