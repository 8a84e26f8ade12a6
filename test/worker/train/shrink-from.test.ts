// `spec.shrinkFrom` (worker/train/shrink-from.ts): a run's test forecast takes another run's
// shrinkage factors. Checked on real training through the service: a source run whose stored factor
// is set to 0 makes the borrowing run forecast its base (the last value, under window normalisation
// with no linear reference), i.e. exactly the naive forecast, where the same spec and seed without
// `shrinkFrom` forecasts otherwise; a source of another horizon leaves the run its own factors; a
// source without a checkpoint fails the run, naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { noise, ok, tempDir, trainToEnd, writeFile } from '../../helpers.js';

const t = tempDir();
const dbPath = join(t.dir, 'workbench.db');
let svc: Service;
let datasetId: number;

const spec = (o: Record<string, unknown> = {}) => ({
  target: 'value',
  normalize: 'window',
  linearReference: 'off',
  window: { lookback: 12, horizon: 1 },
  model: { cell: 'gru', layers: [{ units: 8 }] },
  train: { epochs: 4, batchSize: 32, seed: 3 },
  ...o,
});

/** Overwrites the stored shrinkage factors of a run's best checkpoint (another process's database handle). */
function setStoredAlpha(runId: number, alpha: number[]): void {
  const db = new Database(dbPath);
  try {
    const row = db.prepare(`SELECT preprocessing FROM checkpoints WHERE run_id = ? AND kind = 'best'`).get(runId) as {
      preprocessing: string;
    };
    const p = JSON.parse(row.preprocessing) as { shrink?: { alpha: number[]; reason: string } };
    expect(p.shrink?.alpha.length).toBe(alpha.length);
    p.shrink = { alpha, reason: 'set by the test' };
    db.prepare(`UPDATE checkpoints SET preprocessing = ? WHERE run_id = ? AND kind = 'best'`).run(
      JSON.stringify(p),
      runId,
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 5 });
  // A trend with a cycle and noise: a network and the last value forecast it differently.
  const r = noise(11);
  const rows = Array.from({ length: 400 }, (_, i) => `${i},${(i * 0.05 + 3 * Math.sin(i / 5) + r()).toFixed(4)}`);
  const csv = writeFile(t.dir, 'series.csv', `t,value\n${rows.join('\n')}\n`);
  datasetId = (await ok(svc.call('datasets.import', { path: csv, name: 'series' }))).id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('spec.shrinkFrom', () => {
  it("forecasts the test windows with the source run's factors", async () => {
    const source = await trainToEnd(svc, datasetId, spec({ train: { epochs: 4, batchSize: 32, seed: 1 } }));
    expect(source.status).toBe('completed');
    setStoredAlpha(source.id, [0]);
    const lines: string[] = [];
    const borrowing = await trainToEnd(svc, datasetId, spec({ shrinkFrom: source.id }), lines);
    const own = await trainToEnd(svc, datasetId, spec());
    expect(borrowing.status).toBe('completed');
    expect(lines.join('\n')).toContain(
      `test forecast with the shrinkage factors of run ${source.id} (spec.shrinkFrom): 0.000`,
    );
    // Factor 0: the base alone, the last value: the naive forecast to the last digit.
    expect(borrowing.test['test.mae']).toBeCloseTo(borrowing.test['naive.mae']!, 6);
    // The same network with its own factors forecasts otherwise.
    expect(Math.abs(own.test['test.mae']! - own.test['naive.mae']!)).toBeGreaterThan(1e-4);
    // Training and validation are untouched: the same curves as the run without shrinkFrom.
    const val = (r: RunRow) => r.summary.filter((m) => m.key.startsWith('val_'));
    expect(val(borrowing)).toEqual(val(own));
    expect(val(own).length).toBeGreaterThan(0);
  });

  it('keeps its own factors where the source has another number of outputs, and says so', async () => {
    const source = await trainToEnd(svc, datasetId, spec({ window: { lookback: 12, horizon: 2 } }));
    const lines: string[] = [];
    const run = await trainToEnd(svc, datasetId, spec({ shrinkFrom: source.id }), lines);
    const own = await trainToEnd(svc, datasetId, spec());
    expect(run.status).toBe('completed');
    expect(lines.join('\n')).toContain(`its own for the network (run ${source.id} has none for as many outputs)`);
    expect(run.test['test.mae']).toBe(own.test['test.mae']);
  });

  it('fails a run whose source has no checkpoint, naming the field', async () => {
    const run = await trainToEnd(svc, datasetId, spec({ shrinkFrom: 9999 }));
    expect(run.status).toBe('failed');
    expect(run.error).toContain('spec.shrinkFrom: run 9999 has no best checkpoint');
  });
});
