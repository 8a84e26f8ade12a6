// spec.combine: ets (worker/train/evaluate.ts combineWithEts, worker/predict/predict.ts): a run's
// forecast is the mean of its network's and its ETS baseline's. Checked on real training through the
// service: the same spec and seed with and without it train the same network (identical validation
// curves), and the combined run's stored test forecast is exactly the mean of the other's network
// forecast and ETS forecast; its `predict` is the mean of the network's and an ETS fitted on the
// series; `predict` with a CSV, and a classifier with combine, are refused naming the field; an
// export says in preprocessing.json what the file leaves out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { fitEts } from '../../../worker/baselines/ets.js';
import { noise, ok, tempDir, trainToEnd, writeFile } from '../../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;
let values: number[];
let csv: string;

const spec = (o: Record<string, unknown> = {}) => ({
  target: 'value',
  window: { lookback: 12, horizon: 2 },
  model: { cell: 'gru', layers: [{ units: 8 }] },
  train: { epochs: 4, batchSize: 32, seed: 5 },
  ...o,
});

const curve = async (id: number) =>
  (await ok(svc.call('runs.metrics', { ids: [id], keys: ['val_loss'] }))).map((m) => m.value);

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'workbench.db'), stopGraceSeconds: 5 });
  // A trend, a cycle of 7 and noise: ETS and a small network forecast it differently.
  const r = noise(13);
  values = Array.from({ length: 360 }, (_, i) => 10 + i * 0.04 + 2 * Math.sin((2 * Math.PI * i) / 7) + r());
  csv = writeFile(t.dir, 'series.csv', `t,value\n${values.map((v, i) => `${i},${v.toFixed(4)}`).join('\n')}\n`);
  datasetId = (await ok(svc.call('datasets.import', { path: csv, name: 'series' }))).id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('spec.combine: ets', () => {
  let alone: RunRow;
  let mixed: RunRow;

  it("forecasts the test windows with the mean of the network's and the ETS baseline's forecasts", async () => {
    alone = await trainToEnd(svc, datasetId, spec());
    const lines: string[] = [];
    mixed = await trainToEnd(svc, datasetId, spec({ combine: 'ets' }), lines);
    expect([alone.status, mixed.status]).toEqual(['completed', 'completed']);
    expect([alone.spec.combine, mixed.spec.combine]).toEqual(['none', 'ets']);
    // Training is untouched: the same network.
    expect(await curve(mixed.id)).toEqual(await curve(alone.id));
    const a = (await ok(svc.call('runs.predictions', { id: alone.id, split: 'test' })))!;
    const m = (await ok(svc.call('runs.predictions', { id: mixed.id, split: 'test' })))!;
    expect(a.ets?.every(Number.isFinite)).toBe(true);
    expect(m.ets).toEqual(a.ets);
    m.predicted.forEach((v, i) => expect(v).toBeCloseTo((a.predicted[i]! + a.ets![i]!) / 2, 9));
    // The test metrics score the mean; the ETS baseline's stay as they were.
    expect(mixed.test['ets.mae']).toBeCloseTo(alone.test['ets.mae']!, 12);
    expect(mixed.test['test.mae']).not.toBeCloseTo(alone.test['test.mae']!, 6);
    expect(lines.join('\n')).toMatch(
      /test: the mean of the network's forecast \(test MAE [\d.]+\) and the ETS baseline's \([\d.]+\), spec combine: ets: [\d.]+/,
    );
  }, 120_000);

  it("predicts the next steps as the mean of the network's and an ETS fitted on the series", async () => {
    const a = await ok(svc.call('runs.predict', { id: alone.id, steps: 2 }));
    const m = await ok(svc.call('runs.predict', { id: mixed.id, steps: 2 }));
    const ets = fitEts(values.slice(-600), { season: mixed.test['season_length'] ?? 1, maxLength: 600 }).forecast(2);
    expect(m.rows.map((r) => r.step)).toEqual([1, 2]);
    m.rows.forEach((r, i) => {
      // The CSV holds 4 decimals: the fit sees what the dataset stored.
      expect(r.value).toBeCloseTo((a.rows[i]!.value + ets[i]!) / 2, 2);
      expect(r.value).not.toBeCloseTo(a.rows[i]!.value, 4);
    });
  }, 60_000);

  it('refuses predict with a CSV for such a run, and combine for a classifier, naming the field', async () => {
    const r = await svc.call('runs.predict', { id: mixed.id, csvPath: csv });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect([r.error.code, r.error.field, r.error.message]).toEqual([
        'bad_input',
        'csvPath',
        expect.stringMatching(/combine: ets/),
      ]);
    const c = await svc.call('runs.create', { datasetId, spec: spec({ task: 'classify', combine: 'ets' }) });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error.message).toMatch(/combine.*classifier/);
  });

  it('exports the network and says in preprocessing.json that the run averages it with ETS', async () => {
    const dir = join(t.dir, 'export');
    const e = await ok(svc.call('runs.export', { id: mixed.id, outDir: dir }));
    expect(existsSync(join(e.dir, 'model.json'))).toBe(true);
    const p = JSON.parse(readFileSync(join(e.dir, 'preprocessing.json'), 'utf8')) as {
      combineWith?: { forecaster: string; weight: number };
    };
    expect(p.combineWith).toMatchObject({ forecaster: 'ets', weight: 0.5 });
    const plain = await ok(svc.call('runs.export', { id: alone.id, outDir: join(t.dir, 'export-alone') }));
    expect(JSON.parse(readFileSync(join(plain.dir, 'preprocessing.json'), 'utf8'))).not.toHaveProperty('combineWith');
  }, 60_000);
});
