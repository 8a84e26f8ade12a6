// runs.predict on tiny real runs trained through the service: the next N steps after the data's
// end with time stamps continuing a monthly column, recursive forecasts past the horizon, series
// ids of long-format data, every window of a new CSV (and bad CSVs refused naming line and
// column), agreement with the exported TF.js model to 1e-6, and the CLI's `predict --json`.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { PredictResult, RunRow } from '../../../core/contract.js';
import { main } from '../../../core/cli.js';
import { createService, type Service } from '../../../core/service.js';
import { loadExport, predictRaw } from '../../../worker/export/load.js';
import { noise, ok, tempDir, tinySpec, writeFile } from '../../helpers.js';

const t = tempDir('rnnwb-predict-');
const dbPath = join(t.dir, 'workbench.db');
let svc: Service;
const ds = { monthly: 0, stores: 0 };

const month = (i: number) => new Date(Date.UTC(2000, i, 1)).toISOString().slice(0, 10);

function monthlyLines(n: number, from = 0): string[] {
  const rnd = noise(3);
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return `${month(i)},${(50 + 0.2 * i + 10 * Math.sin((2 * Math.PI * i) / 12) + rnd()).toFixed(3)}`;
  });
}

function storesCsv(): string {
  const rnd = noise(11);
  const lines = ['store,date,sales,temp'];
  ['north', 'south'].forEach((s, k) => {
    for (let i = 0; i < 200; i++) {
      const date = new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push(
        `${s},${date},${(100 * (k + 1) + 20 * Math.sin((2 * Math.PI * i) / 7) + 5 * rnd()).toFixed(3)},${(15 + rnd()).toFixed(2)}`,
      );
    }
  });
  return writeFile(t.dir, 'stores.csv', lines.join('\n'));
}

async function train(datasetId: number, spec: Record<string, unknown>): Promise<RunRow> {
  const run = await ok(svc.call('runs.create', { datasetId, spec: tinySpec(spec) }));
  await svc.waitForRun(run.id);
  const done = await ok(svc.call('runs.get', { id: run.id }));
  expect(done.status).toBe('completed');
  return done;
}

let monthlyRun: RunRow;
let storesRun: RunRow;

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 5 });
  ds.monthly = (
    await ok(
      svc.call('datasets.import', {
        path: writeFile(t.dir, 'monthly.csv', ['month,value', ...monthlyLines(120)].join('\n')),
        name: 'monthly',
      }),
    )
  ).id;
  ds.stores = (await ok(svc.call('datasets.import', { path: storesCsv(), name: 'stores' }))).id;
  monthlyRun = await train(ds.monthly, {
    window: { lookback: 12, horizon: 3, stride: 1 },
    train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 },
  });
  storesRun = await train(ds.stores, {
    target: 'sales',
    features: ['sales', 'temp'],
    window: { lookback: 14, horizon: 2, stride: 1 },
    train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 },
  });
}, 240_000);

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('runs.predict', () => {
  it('forecasts the next steps after the end, the monthly time column continued', async () => {
    const r = await ok(svc.call('runs.predict', { id: monthlyRun.id, steps: 3 }));
    expect(r.outputs).toEqual(['value']);
    expect(r.frequency).toMatch(/monthly/);
    expect(r.rows.map((x) => x.time)).toEqual(['2010-01-01T00:00:00Z', '2010-02-01T00:00:00Z', '2010-03-01T00:00:00Z']);
    expect(r.rows.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(
      r.rows.every((x) => x.series === '' && x.origin === '2009-12-01T00:00:00Z' && Number.isFinite(x.value)),
    ).toBe(true);
  });

  it('forecasts recursively past the horizon; the first horizon steps are the direct ones', async () => {
    const direct = await ok(svc.call('runs.predict', { id: monthlyRun.id }));
    const r = await ok(svc.call('runs.predict', { id: monthlyRun.id, steps: 8 }));
    expect(r.rows).toHaveLength(8);
    expect(r.rows.at(-1)!.time).toBe('2010-08-01T00:00:00Z');
    expect(r.rows.slice(0, 3).map((x) => x.value)).toEqual(direct.rows.map((x) => x.value));
    expect(r.rows.every((x) => Number.isFinite(x.value))).toBe(true);
  });

  it('gives per-series forecasts of long-format data and refuses N > horizon naming the non-target feature', async () => {
    const r = await ok(svc.call('runs.predict', { id: storesRun.id, steps: 2 }));
    expect(r.rows.map((x) => `${x.series} ${x.time} ${x.step}`)).toEqual([
      'north 2022-07-20T00:00:00Z 1',
      'north 2022-07-21T00:00:00Z 2',
      'south 2022-07-20T00:00:00Z 1',
      'south 2022-07-21T00:00:00Z 2',
    ]);
    const bad = await svc.call('runs.predict', { id: storesRun.id, steps: 5 });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error).toMatchObject({
        code: 'bad_input',
        field: 'steps',
        message: expect.stringContaining('"temp"'),
      });
  });

  it('stores each test window’s series for long-format data (their times repeat), none for one series', async () => {
    const p = (await ok(svc.call('runs.predictions', { id: storesRun.id })))!;
    expect(p.series).toHaveLength(p.time.length);
    expect(new Set(p.series)).toEqual(new Set(['north', 'south']));
    // Each (series, time) once, while times alone repeat: what tune's paired test matches windows by.
    const keys = p.time.map((t, i) => `${p.series![i]} ${t}`);
    expect(new Set(keys).size).toBe(p.time.length);
    expect(new Set(p.time).size).toBeLessThan(p.time.length);
    const csv = await ok(svc.call('runs.csv', { ids: [storesRun.id], what: 'predictions' }));
    const rows = csv.csv.trim().split('\n').slice(1);
    expect(new Set(rows.map((r) => r.split(',')[4]))).toEqual(new Set(['north', 'south']));
    expect((await ok(svc.call('runs.predictions', { id: monthlyRun.id })))!.series).toBeUndefined();
  });

  it('agrees with the exported TF.js model to 1e-6 on the same last window', async () => {
    const dir = join(t.dir, 'export-monthly');
    await ok(svc.call('runs.export', { id: monthlyRun.id, outDir: dir }));
    const e = await loadExport(dir);
    const values = readFileSync(join(t.dir, 'monthly.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    const window = values.slice(-13).map((v) => [v]);
    const exported = predictRaw(e, [window])[0]!;
    const r = await ok(svc.call('runs.predict', { id: monthlyRun.id }));
    r.rows.forEach((x, i) => expect(Math.abs(x.value - exported[i]!)).toBeLessThan(1e-6));
    // Every window of a CSV: the one ending at the file's last row is the same forecast.
    const csv = writeFile(t.dir, 'tail.csv', ['month,value', ...monthlyLines(120).slice(-20)].join('\n'));
    const w = await ok(svc.call('runs.predict', { id: monthlyRun.id, csvPath: csv }));
    const last = w.rows.filter((x) => x.origin === '2009-12-01T00:00:00Z');
    last.forEach((x, i) => expect(Math.abs(x.value - exported[i]!)).toBeLessThan(1e-6));
  });

  it('forecasts every window of a new CSV, times inside the file then continued', async () => {
    const csv = writeFile(t.dir, 'new.csv', ['month,value', ...monthlyLines(20, 120)].join('\n'));
    const r = await ok(svc.call('runs.predict', { id: monthlyRun.id, csvPath: csv }));
    expect(r.rows).toHaveLength((20 - 12 + 1) * 3);
    expect(r.rows[0]).toMatchObject({ origin: '2010-12-01T00:00:00Z', time: '2011-01-01T00:00:00Z', step: 1 });
    expect(r.rows.at(-1)).toMatchObject({ origin: '2011-08-01T00:00:00Z', time: '2011-11-01T00:00:00Z', step: 3 });
  });

  it('refuses a CSV with a missing or extra column, a non-numeric cell or a gap, naming line and column', async () => {
    const lines = ['month,value', ...monthlyLines(20, 120)];
    const cases: [string, string, RegExp, string][] = [
      ['missing.csv', lines.map((l) => l.split(',')[0]).join('\n'), /missing column "value"/, 'line 1'],
      ['extra.csv', lines.map((l, i) => `${l},${i ? 1 : 'extra'}`).join('\n'), /extra column "extra"/, 'line 1'],
      [
        'text.csv',
        lines.map((l, i) => (i === 5 ? `${l.split(',')[0]},abc` : l)).join('\n'),
        /line 6, column "value": non-numeric cell "abc"/,
        'line 6',
      ],
      [
        'gap.csv',
        lines.map((l, i) => (i === 7 ? `${l.split(',')[0]},` : l)).join('\n'),
        /line 8, column "value": missing value/,
        'line 8',
      ],
    ];
    for (const [name, text, message, field] of cases) {
      const r = await svc.call('runs.predict', { id: monthlyRun.id, csvPath: writeFile(t.dir, name, text) });
      expect(r.ok, name).toBe(false);
      if (!r.ok) {
        expect(r.error.message, name).toMatch(message);
        expect(r.error.message, name).toContain(name);
        expect(r.error).toMatchObject({ code: 'bad_input', field });
      }
    }
  });

  it('names the real source line of a bad cell after a quoted multi-line cell and a blank line', async () => {
    const rows = readFileSync(storesCsv(), 'utf8').split('\n');
    // Data row 2's store is a quoted cell over two lines; a blank line follows data row 4.
    rows[3] = rows[3]!.replace(/^north,/, '"north\nannex",');
    rows.splice(6, 0, '');
    const bad = (field: string, cell: string) => {
      const lines = rows.map((l, i) => {
        if (i !== 10) return l;
        const c = l.split(',');
        c[field === 'sales' ? 2 : 3] = cell;
        return c.join(',');
      });
      const text = lines.join('\n');
      // The line the bad row starts on in the file (1-based): quoted newline and blank line counted.
      const line = text.slice(0, text.indexOf(lines[10]!)).split('\n').length;
      return { text, line };
    };
    const text = bad('sales', 'abc');
    expect(text.line).toBe(12); // a row-count guess says 10
    const gap = bad('temp', '');
    for (const [name, b, msg] of [
      ['multiline-text.csv', text, /non-numeric cell "abc"/],
      ['multiline-gap.csv', gap, /missing value/],
    ] as const) {
      const r = await svc.call('runs.predict', { id: storesRun.id, csvPath: writeFile(t.dir, name, b.text) });
      expect(r.ok, name).toBe(false);
      if (!r.ok) {
        expect(r.error.message, name).toMatch(msg);
        expect(r.error.message, name).toContain(`line ${b.line}, column "${name.includes('gap') ? 'temp' : 'sales'}"`);
        expect(r.error, name).toMatchObject({ code: 'bad_input', field: `line ${b.line}` });
      }
    }
  });

  it('CLI: predict --json prints the forecasts end to end; --out writes the CSV', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await main(['predict', String(monthlyRun.id), '--steps', '4', '--json', '--db', dbPath])).toBe(0);
      const file = join(t.dir, 'forecast.csv');
      expect(await main(['predict', String(monthlyRun.id), '--out', file, '--db', dbPath])).toBe(0);
      const csv = readFileSync(file, 'utf8').trim().split('\n');
      expect(csv[0]).toBe('series,origin,time,step,target,value');
      expect(csv).toHaveLength(4);
    } finally {
      log.mockRestore();
    }
    const r = JSON.parse(out[0]!) as PredictResult;
    expect(r.rows.map((x) => x.time)).toEqual([
      '2010-01-01T00:00:00Z',
      '2010-02-01T00:00:00Z',
      '2010-03-01T00:00:00Z',
      '2010-04-01T00:00:00Z',
    ]);
  });
});
