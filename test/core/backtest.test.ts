// A rolling-origin backtest through the real service: folds are real runs trained in forked
// workers on a real SQLite file; one is stopped mid-training and the backtest resumed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../core/service.js';
import { ok, sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
const dbPath = join(t.dir, 'workbench.db');
const ROWS = 300;
let svc: Service;
let datasetId: number;

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 5 });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, ROWS), name: 'sine' }))).id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));

describe('backtests', () => {
  it('runs 3 folds, stops during fold 2, resumes at fold level and aggregates the 3 completed folds', async () => {
    const spec = tinySpec({
      window: { lookback: 12 },
      train: { epochs: 40, batchSize: 16, learningRate: 0.01, patience: 0 },
    });
    const bt = await ok(svc.call('backtests.create', { datasetId, spec, folds: 3, step: 20 }));
    // Stop as soon as fold 2 has trained one epoch (fold 1 is still starting its worker here).
    const stopped = new Promise<void>((resolve) => {
      const off = svc.on('run:epoch', (e) => {
        void ok(svc.call('backtests.get', { id: bt.id })).then(async (now) => {
          if (now.foldRuns[1]!.runId !== e.runId) return;
          off();
          await ok(svc.call('backtests.stop', { id: bt.id }));
          resolve();
        });
      });
    });
    expect(bt.status).toBe('running');
    expect(bt.foldRuns.map((f) => f.cutoff)).toEqual([40, 20, 0]);
    await stopped;
    await svc.waitForBacktest(bt.id);

    const half = await ok(svc.call('backtests.get', { id: bt.id }));
    expect(half.status).toBe('stopped');
    expect(half.foldRuns.map((f) => f.status)).toEqual(['completed', 'stopped', null]);
    expect(half.summary['test.mae']!.n).toBe(1);
    const firstRun = half.foldRuns[0]!.runId;

    const resumed = await ok(svc.call('backtests.resume', { id: bt.id }));
    expect(resumed.status).toBe('running');
    await svc.waitForBacktest(bt.id);
    const done = await ok(svc.call('backtests.get', { id: bt.id }));
    expect(done.status).toBe('completed');
    expect(done.foldRuns.map((f) => f.status)).toEqual(['completed', 'completed', 'completed']);
    expect(done.foldRuns[0]!.runId).toBe(firstRun); // the completed fold was not trained again

    // Fold 2 continued from its checkpoint: one run, all its epochs.
    const runs = await Promise.all(done.foldRuns.map((f) => ok(svc.call('runs.get', { id: f.runId! }))));
    expect(runs[1]!.epochsDone).toBe(40);
    expect(runs.map((r) => r.spec.cutoff)).toEqual([40, 20, 0]);
    expect(runs.every((r) => r.spec.backtest === undefined)).toBe(true);

    // Each fold's test window ends `cutoff` rows before the series end (hourly rows from 2021-01-01).
    for (const [i, r] of runs.entries()) {
      const p = (await ok(svc.call('runs.predictions', { id: r.id })))!;
      const lastRow = ROWS - 1 - done.foldRuns[i]!.cutoff;
      expect(p.time.at(-1)).toBe(Date.UTC(2021, 0, 1) + lastRow * 3_600_000);
    }

    // Mean ± std by hand from the fold runs' stored test metrics, for the model and every baseline.
    for (const key of ['test.mae', 'naive.mae', 'seasonal.mae', 'ets.mae', 'test.mase']) {
      const xs = runs.map((r) => r.test[key]!);
      expect(
        xs.every((x) => Number.isFinite(x)),
        key,
      ).toBe(true);
      expect(done.summary[key]!.n).toBe(3);
      expect(done.summary[key]!.mean).toBeCloseTo(mean(xs), 12);
      expect(done.summary[key]!.std).toBeCloseTo(std(xs), 12);
    }

    // A fold bundled into another database arrives as a plain run (its backtest is not there).
    const bundle = join(t.dir, 'fold.rnnwb');
    await ok(svc.call('runs.bundle', { ids: [runs[1]!.id], outPath: bundle }));
    const other = createService({ dbPath: join(t.dir, 'other.db') });
    try {
      const imported = await ok(other.call('runs.importBundle', { path: bundle }));
      expect(imported.added).toHaveLength(1);
      expect((await ok(other.call('runs.get', { id: imported.added[0]!.id }))).test).toEqual(runs[1]!.test);
    } finally {
      await other.close();
    }

    const list = await ok(svc.call('backtests.list', {}));
    expect(list.map((b) => b.id)).toContain(bt.id);
    const again = await svc.call('backtests.resume', { id: bt.id });
    expect(again.ok).toBe(false);
  }, 180_000);

  it("warm-starts each fold from the previous fold's best checkpoint", async () => {
    const logs: string[] = [];
    const off = svc.on('run:log', (l) => logs.push(l.message));
    const spec = tinySpec({
      train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 },
      backtest: { folds: 2, step: 15, warmStart: true },
    });
    const bt = await ok(svc.call('backtests.create', { datasetId, spec }));
    await svc.waitForBacktest(bt.id);
    off();
    const done = await ok(svc.call('backtests.get', { id: bt.id }));
    expect(done.status).toBe('completed');
    expect(done.warmStart).toBe(true);
    expect(done.step).toBe(15);
    const [first, second] = await Promise.all(done.foldRuns.map((f) => ok(svc.call('runs.get', { id: f.runId! }))));
    expect(first!.spec.initFrom).toBeUndefined();
    expect(second!.spec.initFrom).toBe(first!.id);
    expect(logs.some((m) => m.startsWith(`warm start from the best checkpoint of run ${first!.id}`))).toBe(true);
  }, 120_000);

  it("with baselines 'naive' (tune's re-ranking) the folds skip the ETS fit and keep the naive baselines", async () => {
    const logs: { runId: number; message: string }[] = [];
    const off = svc.on('run:log', (l) => logs.push(l));
    const spec = tinySpec({ train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 } });
    const bt = await ok(svc.call('backtests.create', { datasetId, spec, folds: 2, step: 15, baselines: 'naive' }));
    await svc.waitForBacktest(bt.id);
    off();
    const done = await ok(svc.call('backtests.get', { id: bt.id }));
    expect(done.status).toBe('completed');
    expect(done.spec.backtest?.baselines).toBe('naive');
    for (const f of done.foldRuns) {
      expect(Object.keys(f.test).some((k) => k.startsWith('ets.'))).toBe(false);
      for (const key of ['test.mae', 'naive.mae', 'seasonal.mae']) expect(Number.isFinite(f.test[key])).toBe(true);
      expect(logs.some((l) => l.runId === f.runId && l.message.startsWith('ETS baseline skipped: the backtest'))).toBe(
        true,
      );
    }
    // The same spec backtested plainly keeps ETS (the first test checks every baseline there too).
    expect(done.summary['ets.mae']).toBeUndefined();
  }, 120_000);

  it('refuses a backtest whose earliest fold cannot train (9 × 33 of 300 rows cut), before storing anything', async () => {
    const before = (await ok(svc.call('backtests.list', {}))).length;
    const r = await svc.call('backtests.create', { datasetId, spec: tinySpec(), folds: 10, step: 33 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/earliest fold.*fewer folds or a smaller step/);
    expect(await ok(svc.call('backtests.list', {}))).toHaveLength(before);
  });
});
