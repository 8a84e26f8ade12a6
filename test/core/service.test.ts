// The headless core end to end: real CSV files, a real SQLite file, real TF.js training in forked
// worker processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventMap, RunRow } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { loadExport, predictRaw } from '../../worker/export/load.js';
import { ok, sineCsv, tempDir, tinySpec, writeFile } from '../helpers.js';

const t = tempDir();
const dbPath = join(t.dir, 'workbench.db');
let svc: Service;
let datasetId: number;

async function trainToEnd(spec: Record<string, unknown>, name?: string): Promise<RunRow> {
  const run = await ok(svc.call('runs.create', { datasetId, spec, ...(name ? { name } : {}) }));
  await svc.waitForRun(run.id);
  return ok(svc.call('runs.get', { id: run.id }));
}

function waitFor<E extends keyof EventMap>(event: E, pred: (p: EventMap[E]) => boolean): Promise<EventMap[E]> {
  return new Promise((resolve) => {
    const off = svc.on(event, (p) => {
      if (pred(p)) {
        off();
        resolve(p);
      }
    });
  });
}

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 5 });
  const ds = await ok(svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' }));
  datasetId = ds.id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('service: import → train → evaluate', () => {
  it('imports a CSV into typed columns with a time column', async () => {
    const ds = await ok(svc.call('datasets.get', { id: datasetId }));
    expect(ds.rowCount).toBe(1200);
    expect(ds.timeColumn).toBe('time');
    expect(ds.columns.map((c) => [c.name, c.kind])).toEqual([
      ['time', 'datetime'],
      ['value', 'numeric'],
      ['temp', 'numeric'],
    ]);
    expect(ds.sha256).toMatch(/^[0-9a-f]{64}$/);
    const rows = await ok(svc.call('datasets.rows', { id: datasetId, offset: 0, limit: 2 }));
    expect(rows.rows[0]![0]).toBe('2021-01-01T00:00:00Z');
  });

  it('trains a run in a worker, recording metrics, checkpoints, predictions and the backend', async () => {
    const epochs: number[] = [];
    const off = svc.on('run:epoch', (e) => epochs.push(e.epoch));
    const run = await trainToEnd(tinySpec());
    off();
    expect(run.status).toBe('completed');
    expect(run.error).toBeNull();
    expect(run.backend).toMatch(/^(wasm|cpu|tensorflow)$/);
    expect(run.device).toBeTruthy();
    expect(run.impl).toBeTruthy();
    expect(run.epochsDone).toBe(3);
    expect(epochs).toEqual([1, 2, 3]);
    const keys = run.summary.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['loss', 'val_loss', 'val_mae', 'val_rmse']));
    const val = run.summary.find((s) => s.key === 'val_loss')!;
    expect(val.best).toBe(val.min);
    for (const k of ['test.mae', 'test.rmse', 'test.mape', 'test.smape', 'test.mase', 'naive.mase', 'seasonal.mase'])
      expect(run.test[k]).toBeGreaterThan(0);
    expect(run.test.season_length).toBe(24);
    const pred = await ok(svc.call('runs.predictions', { id: run.id, split: 'test' }));
    expect(pred!.actual.length).toBe(pred!.predicted.length);
    expect(pred!.seasonalNaive!.length).toBe(pred!.actual.length);
    const raw = new Database(dbPath, { readonly: true });
    const cps = raw.prepare(`SELECT kind, epoch FROM checkpoints WHERE run_id = ? ORDER BY kind`).all(run.id) as {
      kind: string;
      epoch: number;
    }[];
    raw.close();
    expect(cps.map((c) => c.kind)).toEqual(['best', 'last']);
    expect(cps.find((c) => c.kind === 'last')!.epoch).toBe(3);
  });

  it('learns a noisy sine well enough to beat the seasonal-naive baseline on MASE', async () => {
    const run = await trainToEnd(
      tinySpec({
        window: { lookback: 24 },
        model: { cell: 'lstm', layers: [{ units: 16 }] },
        train: { epochs: 12, batchSize: 32, learningRate: 0.01, patience: 0 },
      }),
    );
    expect(run.status).toBe('completed');
    expect(run.test['test.mase']!).toBeLessThan(run.test['seasonal.mase']!);
    expect(run.test['test.mase']!).toBeLessThan(run.test['naive.mase']!);
  });

  it('trains two runs at once against the same file; the same seed gives the same metrics', async () => {
    const spec = tinySpec({ model: { cell: 'gru', layers: [{ units: 8 }] } });
    const [a, b] = await Promise.all([trainToEnd(spec, 'twin a'), trainToEnd(spec, 'twin b')]);
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    const m = await ok(svc.call('runs.metrics', { ids: [a.id, b.id], keys: ['val_loss'] }));
    const va = m.filter((x) => x.runId === a.id).map((x) => x.value);
    const vb = m.filter((x) => x.runId === b.id).map((x) => x.value);
    expect(va).toHaveLength(3);
    expect(vb).toEqual(va);
    expect(b.test['test.rmse']).toBe(a.test['test.rmse']);
  });

  it('exports a model whose files reproduce the stored test predictions', async () => {
    // One network (auto would make this short stationary sine an ensemble: test/worker/train/ensemble.test.ts).
    const run = await trainToEnd(
      tinySpec({ model: { cell: 'simpleRNN', layers: [{ units: 8 }] }, normalize: 'global' }),
    );
    const out = join(t.dir, 'export');
    const r = await ok(svc.call('runs.export', { id: run.id, outDir: out, checkpoint: 'best' }));
    expect(r.files).toEqual(['model.json', 'weights.bin', 'preprocessing.json']);
    for (const f of r.files) expect(existsSync(join(out, f))).toBe(true);
    const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(prep).toMatchObject({ features: ['value'], targets: ['value'], lookback: 12, horizon: 1 });
    const e = await loadExport(out);
    const pred = (await ok(svc.call('runs.predictions', { id: run.id, split: 'test' })))!;
    const rows = await ok(svc.call('datasets.series', { id: datasetId, columns: ['value'] }));
    const values = rows.series[0]!.values as number[];
    const times = rows.time!;
    // Rebuild each test window from the raw column: the prediction's time is the first target row.
    const windows = pred.time.slice(0, 50).map((tm) => {
      const t1 = times.indexOf(tm);
      return values.slice(t1 - 12, t1).map((v) => [v]);
    });
    const got = predictRaw(e, windows);
    const maxErr = Math.max(
      ...got.map((g, i) => Math.abs(g[0]! - pred.predicted[i]!) / Math.max(1, Math.abs(pred.predicted[i]!))),
    );
    expect(maxErr).toBeLessThanOrEqual(1e-5);
  });

  it('classifies a categorical target with accuracy, per-class precision/recall and a confusion matrix', async () => {
    const lines = ['time,x,regime'];
    for (let i = 0; i < 800; i++) {
      const x = Math.sin((2 * Math.PI * i) / 40);
      lines.push(
        `${new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${x.toFixed(4)},${Math.cos((2 * Math.PI * i) / 40) > 0 ? 'rising' : 'falling'}`,
      );
    }
    const ds = await ok(
      svc.call('datasets.import', { path: writeFile(t.dir, 'regimes.csv', lines.join('\n')), name: 'regimes' }),
    );
    const run = await ok(
      svc.call('runs.create', {
        datasetId: ds.id,
        spec: {
          task: 'classify',
          target: 'regime',
          features: ['x'],
          window: { lookback: 10 },
          model: { cell: 'gru', layers: [{ units: 8 }] },
          train: { epochs: 4, learningRate: 0.02, patience: 0 },
        },
      }),
    );
    await svc.waitForRun(run.id);
    const done = await ok(svc.call('runs.get', { id: run.id }));
    expect(done.status).toBe('completed');
    expect(done.test['test.accuracy']).toBeGreaterThan(0.5);
    expect(done.test).toHaveProperty('test.precision.rising');
    expect(done.test).toHaveProperty('test.recall.falling');
    expect(done.test).toHaveProperty('majority.accuracy');
    const cells = Object.keys(done.test).filter((k) => k.startsWith('test.confusion.'));
    expect(cells).toHaveLength(4);
    expect(done.summary.map((s) => s.key)).toContain('val_acc');
  });
});

describe('service: bad input changes nothing', () => {
  it('refuses an unknown column or an impossible window before storing a run', async () => {
    const before = (await ok(svc.call('runs.list', {}))).length;
    const r1 = await svc.call('runs.create', { datasetId, spec: { target: 'price' } });
    expect(r1.ok).toBe(false);
    if (!r1.ok) {
      expect(r1.error.message).toMatch(/unknown column "price" in dataset "sine"/);
      expect(r1.error.field).toBe('spec.target');
    }
    const r2 = await svc.call('runs.create', { datasetId, spec: { target: 'value', window: { lookback: 5000 } } });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.field).toBe('spec.window.lookback');
    const r3 = await svc.call('runs.create', { datasetId, spec: { target: 'value', model: { cell: 'transformer' } } });
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.error.field).toBe('spec.model.cell');
    const r4 = await svc.call('runs.create', { datasetId: -1, spec: {} } as never);
    expect(r4.ok).toBe(false);
    expect((await ok(svc.call('runs.list', {}))).length).toBe(before);
  });

  it('names the line of a non-numeric cell when such a column is used as a forecast target', async () => {
    const ds = await ok(
      svc.call('datasets.import', {
        path: writeFile(
          t.dir,
          'badnum.csv',
          'time,price\n2020-01-01,1.5\n2020-01-02,2.5\n2020-01-03,abc\n2020-01-04,3.5\n',
        ),
      }),
    );
    const r = await svc.call('runs.create', { datasetId: ds.id, spec: { target: 'price' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/must be numeric.*line 4 has "abc"/);
      expect(r.error.field).toBe('spec.target');
    }
  });

  it('reports a ragged CSV by line and keeps the datasets already stored', async () => {
    const before = await ok(svc.call('datasets.list', {}));
    const bad = writeFile(t.dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const r = await svc.call('datasets.import', { path: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/ragged\.csv.*line 3|line 3.*ragged\.csv/);
    const missing = await svc.call('datasets.import', { path: join(t.dir, 'nope.csv') });
    expect(missing.ok).toBe(false);
    expect(await ok(svc.call('datasets.list', {}))).toEqual(before);
  });

  it('fails a queued run whose dataset was deleted, with a clear message', async () => {
    const ds = await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300, 'short.csv'), name: 'doomed' }));
    const run = await ok(svc.call('runs.create', { datasetId: ds.id, spec: tinySpec() }));
    // The worker needs a moment to start: the delete lands while the run is still queued.
    await ok(svc.call('datasets.delete', { id: ds.id }));
    await svc.waitForRun(run.id);
    const done = await ok(svc.call('runs.get', { id: run.id }));
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/dataset was deleted/);
  });
});

describe('service: faults', () => {
  it('a trainer killed mid-training leaves its run interrupted with committed epochs intact, and resume continues', async () => {
    const spec = tinySpec({ train: { epochs: 6, batchSize: 16, learningRate: 0.01, patience: 0 } });
    const run = await ok(svc.call('runs.create', { datasetId, spec }));
    await waitFor('run:epoch', (e) => e.runId === run.id && e.epoch >= 2);
    const raw = new Database(dbPath);
    const pid = (raw.prepare(`SELECT worker_pid FROM runs WHERE id = ?`).get(run.id) as { worker_pid: number })
      .worker_pid;
    process.kill(pid, 'SIGKILL');
    await svc.waitForRun(run.id);
    const killed = await ok(svc.call('runs.get', { id: run.id }));
    expect(killed.status).toBe('interrupted');
    const cp = raw.prepare(`SELECT epoch FROM checkpoints WHERE run_id = ? AND kind = 'last'`).get(run.id) as {
      epoch: number;
    };
    const maxEpoch = (raw.prepare(`SELECT MAX(epoch) AS e FROM metrics WHERE run_id = ?`).get(run.id) as { e: number })
      .e;
    expect(cp.epoch).toBeGreaterThanOrEqual(2);
    expect(maxEpoch).toBe(cp.epoch); // metrics and checkpoint commit together
    const lossBefore = (await ok(svc.call('runs.metrics', { ids: [run.id], keys: ['loss'] }))).map((m) => m.value);

    await ok(svc.call('runs.resume', { id: run.id }));
    await svc.waitForRun(run.id);
    const resumed = await ok(svc.call('runs.get', { id: run.id }));
    expect(resumed.status).toBe('completed');
    expect(resumed.epochsDone).toBe(6);
    const loss = await ok(svc.call('runs.metrics', { ids: [run.id], keys: ['loss'] }));
    expect(loss.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loss.slice(0, cp.epoch).map((m) => m.value)).toEqual(lossBefore.slice(0, cp.epoch));
    raw.close();
  });

  it('marks a run whose trainer vanished (host gone too) as interrupted at the next start', async () => {
    const raw = new Database(dbPath);
    const id = Number(
      raw
        .prepare(
          `INSERT INTO runs (name, dataset_id, status, spec, seed, created_at, worker_pid) VALUES ('ghost', ?, 'running', ?, 1, ?, 2147483646)`,
        )
        .run(datasetId, JSON.stringify({ target: 'value' }), new Date().toISOString()).lastInsertRowid,
    );
    raw.close();
    const second = createService({ dbPath });
    const r = await ok(second.call('runs.get', { id }));
    await second.close();
    expect(r.status).toBe('interrupted');
    expect(r.error).toMatch(/resume/);
  });

  it('stops a run gracefully on request, keeping its checkpoint and test evaluation', async () => {
    const run = await ok(
      svc.call('runs.create', { datasetId, spec: tinySpec({ train: { epochs: 200, batchSize: 16, patience: 0 } }) }),
    );
    await waitFor('run:epoch', (e) => e.runId === run.id && e.epoch >= 1);
    await ok(svc.call('runs.stop', { id: run.id }));
    await svc.waitForRun(run.id);
    const done = await ok(svc.call('runs.get', { id: run.id }));
    expect(done.status).toBe('stopped');
    expect(done.epochsDone).toBeLessThan(200);
    expect(done.test['test.rmse']).toBeGreaterThan(0);
  });
});
