// Forecast quality through the real service and trainer: the default run on a trending series beats
// the naive forecast, a short seasonal one beats seasonal naive, every forecast carries the ETS
// baseline and (horizon > 1) per-step metrics, the season comes from the time column, and an
// export of a log + window (or season) run reproduces its stored predictions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunRow } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { loadExport, predictRaw } from '../../worker/export/load.js';
import { noise, ok, tempDir, writeFile } from '../helpers.js';

const t = tempDir();
let svc: Service;

async function trainToEnd(datasetId: number, spec: Record<string, unknown>): Promise<RunRow> {
  const run = await ok(svc.call('runs.create', { datasetId, spec }));
  await svc.waitForRun(run.id);
  return ok(svc.call('runs.get', { id: run.id }));
}

/** Monthly rows from 1990: `date,value`. */
function monthlyCsv(name: string, rows: number, value: (i: number, rnd: () => number) => number): string {
  const rnd = noise(11);
  const lines = ['date,value'];
  for (let i = 0; i < rows; i++)
    lines.push(`${new Date(Date.UTC(1990, i, 1)).toISOString().slice(0, 10)},${value(i, rnd).toFixed(4)}`);
  return writeFile(t.dir, name, lines.join('\n') + '\n');
}

async function importCsv(file: string, name: string): Promise<number> {
  return (await ok(svc.call('datasets.import', { path: file, name }))).id;
}

beforeAll(() => {
  svc = createService({ dbPath: join(t.dir, 'workbench.db'), stopGraceSeconds: 5 });
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('forecast quality', () => {
  it('the default run beats seasonal naive on a short monthly series with a trend and a strong season (season normalisation)', async () => {
    const id = await importCsv(
      monthlyCsv(
        'short-seasonal.csv',
        120,
        (i, rnd) =>
          200 + 1.5 * i + 30 * Math.sin((2 * Math.PI * i) / 12) + 12 * Math.cos((4 * Math.PI * i) / 12) + 3 * rnd(),
      ),
      'short-seasonal',
    );
    const lines: string[] = [];
    const off = svc.on('run:log', (l) => lines.push(l.message));
    const run = await trainToEnd(id, { target: 'value' });
    off();
    expect(run.status).toBe('completed');
    expect(run.test.season_length).toBe(12);
    expect(lines.join('\n')).toMatch(/target value: .*season 12 within the lookback/);
    expect(run.test['test.mae']!).toBeLessThan(run.test['seasonal.mae']!);
    // lookback auto: 3 seasons and a row, capped by a quarter of the 84 train rows; the run's spec shows the number.
    expect(lines).toContain(
      'lookback auto → 21 (3 × season 12 + 1 = 37, capped by the 84 train rows (a quarter, at least season + 1, leaving a window))',
    );
    expect(run.spec.window.lookback).toBe(21);
    expect(lines.join('\n')).toMatch(
      /shrink toward the base .* fitted on \d+ validation windows \(the least-squares factor less 2 standard errors\): α/,
    );
  }, 180_000);

  it('the default run ({ target } only) beats the naive forecast on a linear trend with noise', async () => {
    const id = await importCsv(
      monthlyCsv('trend.csv', 300, (i, rnd) => 100 + 0.8 * i + 2 * rnd()),
      'trend',
    );
    const run = await trainToEnd(id, { target: 'value' });
    expect(run.status).toBe('completed');
    expect(run.test['test.mae']!).toBeLessThan(run.test['naive.mae']!);
    expect(run.test['ets.mae']).toBeGreaterThan(0);
    expect(run.test.season_length).toBe(1);
  }, 120_000);

  it('finds season 12 from a monthly time column, scores ETS and records per-step metrics that match the stored predictions', async () => {
    const id = await importCsv(
      monthlyCsv('seasonal.csv', 240, (i, rnd) => 50 + 0.3 * i + 8 * Math.sin((2 * Math.PI * i) / 12) + rnd()),
      'seasonal',
    );
    const H = 3;
    const lines: string[] = [];
    const off = svc.on('run:log', (l) => lines.push(l.message));
    const run = await trainToEnd(id, {
      target: 'value',
      window: { lookback: 24, horizon: H },
      train: { epochs: 5, patience: 0 },
    });
    off();
    expect(run.status).toBe('completed');
    expect(run.test.season_length).toBe(12);
    for (const who of ['test', 'naive', 'seasonal', 'ets']) {
      for (const m of ['mae', 'rmse', 'mase']) expect(run.test[`${who}.${m}`], `${who}.${m}`).toBeGreaterThan(0);
    }
    // ETS with the right season beats the naive forecast on a seasonal series.
    expect(run.test['ets.mae']!).toBeLessThan(run.test['naive.mae']!);
    const pred = (await ok(svc.call('runs.predictions', { id: run.id, split: 'test' })))!;
    for (let h = 1; h <= H; h++) {
      let model = 0;
      let naive = 0;
      let k = 0;
      for (let i = h - 1; i < pred.actual.length; i += H) {
        model += Math.abs(pred.actual[i]! - pred.predicted[i]!);
        naive += Math.abs(pred.actual[i]! - pred.naive![i]!);
        k++;
      }
      expect(run.test[`test.mae@${h}`]).toBeCloseTo(model / k, 9);
      expect(run.test[`naive.mae@${h}`]).toBeCloseTo(naive / k, 9);
      expect(run.test[`ets.mae@${h}`]).toBeGreaterThan(0);
      expect(pred.ets).toHaveLength(pred.actual.length);
    }
    const text = lines.join('\n');
    expect(text).toMatch(/season: .*month/);
    expect(text).toMatch(/ETS baseline for value: [ANM](d)?,/);
    expect(text).toMatch(/target value: KPSS/);
  }, 120_000);

  const cases = [
    ['window', 'auto'],
    ['season', 'auto'],
    ['window', 'off'],
  ] as const;
  for (const [normalize, shrink] of cases) {
    it(`exports a log + ${normalize} run (shrink ${shrink}) whose files reproduce the stored predictions`, async () => {
      const id = await importCsv(
        monthlyCsv(`growth-${normalize}-${shrink}.csv`, 200, (i, rnd) => 20 * Math.exp(0.01 * i) * (1 + 0.02 * rnd())),
        'growth',
      );
      const L = 12;
      const H = 2;
      const run = await trainToEnd(id, {
        target: 'value',
        transform: 'log',
        normalize,
        shrink,
        seasonLength: 3,
        window: { lookback: L, horizon: H },
        model: { cell: 'gru', layers: [{ units: 8 }] },
        train: { epochs: 3, patience: 0 },
      });
      expect(run.status).toBe('completed');
      const out = join(t.dir, `export-log-${normalize}-${shrink}`);
      await ok(svc.call('runs.export', { id: run.id, outDir: out, checkpoint: 'best' }));
      const e = await loadExport(out);
      expect(e.preprocessing.targetPrep![0]).toMatchObject({ transform: { kind: 'log' }, normalize });
      // The shrinkage fitted for the best checkpoint travels with it (one α per step); `off`: none.
      if (shrink === 'off') expect(e.preprocessing.shrink).toBeUndefined();
      else for (const a of e.preprocessing.shrink!.alpha) expect(a >= 0 && a <= 1).toBe(true);
      if (shrink === 'auto') expect(e.preprocessing.shrink!.alpha).toHaveLength(H);
      const pred = (await ok(svc.call('runs.predictions', { id: run.id, split: 'test' })))!;
      const rows = await ok(svc.call('datasets.series', { id, columns: ['value'] }));
      const values = rows.series[0]!.values as number[];
      const times = rows.time!;
      const windows = pred.time.map((tm) => {
        const t1 = times.indexOf(tm);
        return values.slice(t1 - L, t1).map((v) => [v]);
      });
      const got = predictRaw(e, windows);
      let maxErr = 0;
      got.forEach((g, i) =>
        g.forEach(
          (v, h) => (maxErr = Math.max(maxErr, Math.abs(v - pred.predicted[i * H + h]!) / Math.max(1, Math.abs(v)))),
        ),
      );
      expect(maxErr).toBeLessThanOrEqual(1e-5);
    }, 120_000);
  }
});
