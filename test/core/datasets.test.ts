import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDb } from '../../db/open.js';
import { readDatasetSummary, readRows, readSeries, updateDataset } from '../../core/datasets.js';
import { importCsv } from '../../worker/import/run.js';
import { tempDir, writeFile } from '../helpers.js';
import { seedDataset } from '../bundle-fixture.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('dataset queries', () => {
  it('warns when the same bytes are imported twice, naming the earlier dataset, and still imports', async () => {
    const dbPath = join(t.dir, 'twice.db');
    const csv = writeFile(t.dir, 'twice.csv', ['date,y', '2020-01-01,1', '2020-01-02,2', '2020-01-03,3'].join('\n'));
    const first = await importCsv(dbPath, csv);
    expect(first.warnings.filter((w) => w.includes('already imported'))).toEqual([]);
    const second = await importCsv(dbPath, csv, { name: 'again' });
    expect(second.id).not.toBe(first.id);
    expect(second.sha256).toBe(first.sha256);
    expect(second.warnings[0]).toBe(
      `the same file (sha256 ${first.sha256.slice(0, 12)}…) was already imported as dataset #${first.id} "twice" (twice.csv)`,
    );
    // Other bytes: no warning.
    const other = writeFile(t.dir, 'other.csv', ['date,y', '2020-01-01,1', '2020-01-02,5'].join('\n'));
    expect((await importCsv(dbPath, other)).warnings.some((w) => w.includes('already imported'))).toBe(false);
  });

  it("keeps the file's header and the user's types; a dataset stored before the header was kept lists its ignored columns last", async () => {
    const dbPath = join(t.dir, 'source.db');
    const csv = writeFile(t.dir, 'typed.csv', ['id,date,y', '007,2020-01-01,1', '012,2020-01-02,2'].join('\n'));
    const typed = await importCsv(dbPath, csv, { columnTypes: { id: 'ignore', y: 'number' } });
    expect(typed.columns.map((c) => c.name)).toEqual(['date', 'y']);
    expect(typed.source).toEqual({ header: ['id', 'date', 'y'], columnTypes: { id: 'ignore', y: 'number' } });
    expect((await importCsv(dbPath, csv)).source).toEqual({ header: ['id', 'date', 'y'], columnTypes: {} });
    // Meta as the first column-types build wrote it: the types, no header.
    const db = openDb(dbPath);
    try {
      const old = seedDataset(db, 10, 'old');
      db.prepare('UPDATE datasets SET meta = ? WHERE id = ?').run(
        JSON.stringify({ delimiter: ',', warnings: [], columnTypes: { code: 'ignore', value: 'number' } }),
        old,
      );
      expect(readDatasetSummary(db, old).source).toEqual({
        header: ['time', 'value', 'temp', 'code'],
        columnTypes: { code: 'ignore', value: 'number' },
      });
    } finally {
      db.close();
    }
  });

  it('returns chart series in time order, per series id in long format, with gaps as null', async () => {
    const dbPath = join(t.dir, 'd.db');
    const csv = writeFile(
      t.dir,
      'long.csv',
      [
        'symbol,date,price',
        'B,2020-01-03,30',
        'A,2020-01-02,2',
        'A,2020-01-01,1',
        'B,2020-01-01,10',
        'A,2020-01-03,',
        'B,2020-01-02,20',
      ].join('\n'),
    );
    const ds = await importCsv(dbPath, csv);
    expect(ds.seriesColumn).toBe('symbol');
    const db = openDb(dbPath);
    try {
      const a = readSeries(db, ds.id, ['price'], 'A');
      expect(a.time).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
      expect(a.series[0]!.values).toEqual([1, 2, null]);
      expect(readSeries(db, ds.id, ['price'], 'B').series[0]!.values).toEqual([10, 20, 30]);
      expect(() => readSeries(db, ds.id, ['nope'])).toThrow(/unknown column "nope"/);
      const rows = readRows(db, ds.id, 0, 2);
      expect(rows.columns).toEqual(['symbol', 'date', 'price']);
      expect(rows.rows[0]).toEqual(['B', '2020-01-03T00:00:00Z', 30]);
      expect(rows.total).toBe(6);
      // The preview following one series: its rows only, in time order, paged.
      const b = readRows(db, ds.id, 1, 5, 'B');
      expect(b.total).toBe(3);
      expect(b.rows).toEqual([
        ['B', '2020-01-02T00:00:00Z', 20],
        ['B', '2020-01-03T00:00:00Z', 30],
      ]);
      expect(readRows(db, ds.id, 0, 5, 'Z')).toMatchObject({ rows: [], total: 0 });
      expect(() => updateDataset(db, { id: ds.id, timeColumn: 'when' })).toThrow(/timeColumn: unknown column "when"/);
    } finally {
      db.close();
    }
  });

  it('decimates a long column on the host, keeping every peak, and answers a zoomed range finely', async () => {
    const dbPath = join(t.dir, 'long.db');
    const n = 20_000;
    const lines = ['t,v'];
    for (let i = 0; i < n; i++)
      lines.push(
        `${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString().slice(0, 19)},${i === 12_345 ? 999 : Math.sin(i / 50).toFixed(4)}`,
      );
    const ds = await importCsv(dbPath, writeFile(t.dir, 'long.csv', lines.join('\n')));
    const db = openDb(dbPath);
    try {
      const all = readSeries(db, ds.id, ['v']);
      const over = readSeries(db, ds.id, ['v'], undefined, { buckets: 100 });
      expect(over.total).toBe(n);
      expect(over.time!.length).toBeLessThanOrEqual(2 * 100 + 2);
      expect(Math.max(...(over.series[0]!.values as number[]))).toBe(999); // the spike survives
      expect(over.time![0]).toBe(all.time![0]);
      expect(over.time!.at(-1)).toBe(all.time!.at(-1));
      const range: [number, number] = [all.time![1000]!, all.time![1099]!];
      const zoom = readSeries(db, ds.id, ['v'], undefined, { buckets: 100, range });
      expect(zoom.time).toEqual(all.time!.slice(1000, 1100)); // 100 rows ≤ 2 × buckets: all of them
      expect(zoom.index![0]).toBe(1000);
      expect(() => readRows(db, ds.id, 0, 5, 'A')).toThrow(/has no series column to pick "A" from/);
    } finally {
      db.close();
    }
  });
});
