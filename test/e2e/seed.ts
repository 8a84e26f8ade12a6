// Completed forecast runs written straight into a workbench SQLite file through db/ (the same
// modules a trainer writes with): a spec, three epochs of metrics, the test scores against the
// baselines and the test predictions on the dataset's own time stamps. For browser checks that
// need finished runs (compare, predictions, many runs) without training each one.
// Call it while no service has the file open, so no host sees a queued run and starts a trainer.
import { RunSpecSchema, flattenSpec } from '../../core/contract.js';
import { blob, savePredictions } from '../../db/checkpoints.js';
import { logEpoch } from '../../db/metrics.js';
import { openDb } from '../../db/open.js';
import { finishRun, insertRun, markStarted, setTestMetrics } from '../../db/runs.js';

export interface SeedRun {
  name: string;
  datasetId: number;
  target: string;
  /** The test split's time stamps (ms since epoch, or row indices). */
  time: number[];
  /** The actual test values. */
  actual: number[];
  /** Added to every prediction: larger is a worse model. */
  offset: number;
  units?: number;
  /** How long the run "trains" (ms between its start and end; default: as fast as the writes go). */
  trainMs?: number;
  /** Each window's series (long-format data: the same times once per series). */
  series?: string[];
}

/** Writes the runs as completed and returns their ids, in order. */
export function seedRuns(dbPath: string, runs: readonly SeedRun[]): number[] {
  const db = openDb(dbPath);
  try {
    return runs.map((r) => db.transaction(() => seedOne(db, r))());
  } finally {
    db.close();
  }
}

function seedOne(db: ReturnType<typeof openDb>, r: SeedRun): number {
  const spec = RunSpecSchema.parse({ target: r.target, model: { layers: [{ units: r.units ?? 16 }] } });
  const id = insertRun(db, {
    name: r.name,
    datasetId: r.datasetId,
    spec: JSON.stringify(spec),
    seed: 42,
    params: flattenSpec(spec),
  });
  markStarted(db, id, { pid: process.pid, backend: 'cpu', device: 'cpu', impl: 'layers', paramCount: 1000 + id });
  for (let e = 1; e <= 3; e++) {
    const loss = (1 + r.offset) / e;
    logEpoch(db, id, e, e * 10, { loss, val_loss: loss * 1.1 }, e * 0.42);
  }
  const predicted = r.actual.map((v) => v + r.offset);
  const naive = r.actual.map((v, i) => r.actual[Math.max(0, i - 1)] ?? v);
  const ets = r.actual.map((v) => v * 1.02);
  const mae = (p: number[]) => p.reduce((s, v, i) => s + Math.abs(v - r.actual[i]!), 0) / p.length;
  const naiveMae = mae(naive);
  setTestMetrics(
    db,
    id,
    {
      'test.mae': mae(predicted),
      'test.rmse': mae(predicted) * 1.2,
      'test.mape': 12.3456,
      'test.mase': mae(predicted) / naiveMae,
      'test.windows': r.actual.length,
      'naive.mae': naiveMae,
      'naive.rmse': naiveMae * 1.2,
      'naive.mape': 15.5,
      'naive.mase': 1,
      'ets.mae': mae(ets),
      'ets.rmse': mae(ets) * 1.2,
      'ets.mape': 11.1,
      'ets.mase': mae(ets) / naiveMae,
      season_length: 1,
    },
    { seasonHow: 'no season found' },
  );
  savePredictions(db, {
    run_id: id,
    split: 'test',
    outputs: JSON.stringify([r.target]),
    actual: blob(Float64Array.from(r.actual)),
    predicted: blob(Float64Array.from(predicted)),
    naive: blob(Float64Array.from(naive)),
    seasonal: null,
    ets: blob(Float64Array.from(ets)),
    time: blob(Float64Array.from(r.time)),
    classes: null,
    series: r.series ? JSON.stringify(r.series) : null,
  });
  if (r.trainMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, r.trainMs);
  finishRun(db, id, 'completed');
  return id;
}
