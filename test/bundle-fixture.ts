// Databases full of trained-looking runs for the bundle tests and benchmark: a real SQLite file, a
// dataset with typed columns, and runs written through db/ the way the trainer writes them
// (metrics and summary per epoch, best/last checkpoints with weights and optimizer BLOBs,
// test predictions, an export record, tags and notes). No TF.js: the bytes are what matters.
import { createHash } from 'node:crypto';
import { blob, recordExport, saveCheckpoint, savePredictions } from '../db/checkpoints.js';
import { insertDataset } from '../db/datasets.js';
import { logEpoch } from '../db/metrics.js';
import type { DB } from '../db/open.js';
import * as runsDb from '../db/runs.js';
import { defaultSpec } from '../core/spec.js';
import { noise } from './helpers.js';

export function seedDataset(db: DB, rows = 500, name = 'sine'): number {
  const time = new Float64Array(rows).map((_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000);
  const value = new Float64Array(rows).map((_, i) => Math.sin(i / 4));
  const temp = new Float64Array(rows).map((_, i) => Math.cos(i / 7));
  const sha256 = createHash('sha256').update(blob(value)).update(blob(temp)).digest('hex');
  const stats = { min: null, max: null, mean: null, std: null, distinct: null };
  return insertDataset(db, {
    name,
    sourceName: `${name}.csv`,
    sha256,
    rowCount: rows,
    timeColumn: 'time',
    seriesColumn: null,
    meta: { delimiter: ',', warnings: [] },
    columns: [
      { name: 'time', kind: 'datetime', stats, missing: 0, values: time },
      { name: 'value', kind: 'numeric', stats, missing: 0, values: value },
      { name: 'temp', kind: 'numeric', stats, missing: 0, values: temp },
    ],
  });
}

export interface SeedOptions {
  epochs?: number;
  /** f32 weights per checkpoint. */
  weights?: number;
  /** Final status; `stopped` leaves the run resumable. */
  status?: 'completed' | 'stopped';
  parentId?: number | null;
  seed?: number;
}

const randomF32 = (n: number, rnd: () => number) => new Float32Array(n).map(() => rnd());

/** Appends epochs `from..to` of metrics and rewrites both checkpoints, as a (resumed) trainer does. */
export function trainEpochs(db: DB, runId: number, from: number, to: number, weights: number, seed: number): void {
  const rnd = noise(seed);
  db.transaction(() => {
    for (let e = from; e <= to; e++) {
      logEpoch(
        db,
        runId,
        e,
        e * 10,
        {
          loss: 1 / e + rnd() * 1e-3,
          val_loss: 1.1 / e + rnd() * 1e-3,
          mae: 0.5 / e,
          val_mae: 0.6 / e,
          epoch_seconds: 0.1 * e,
        },
        1_700_000_000_000 + e * 1000.125,
      );
    }
    for (const kind of ['best', 'last'] as const) {
      saveCheckpoint(db, {
        run_id: runId,
        kind,
        epoch: to,
        val_loss: 1.1 / to,
        topology: JSON.stringify({ layers: [{ units: 8 }] }),
        weight_specs: JSON.stringify([{ name: 'w', shape: [weights], dtype: 'float32' }]),
        weights: blob(randomF32(weights, rnd)),
        optimizer: blob(randomF32(weights * 2, rnd)),
        optimizer_meta: JSON.stringify({ iterations: to * 10 }),
        preprocessing: JSON.stringify({ lookback: 12 }),
        trainer_state: JSON.stringify({ epoch: to }),
      });
    }
  })();
}

export function seedRun(db: DB, datasetId: number, o: SeedOptions = {}): number {
  const epochs = o.epochs ?? 5;
  const weights = o.weights ?? 2_000;
  const seed = o.seed ?? 1;
  const id = runsDb.insertRun(db, {
    name: `run ${seed}`,
    datasetId,
    spec: JSON.stringify(defaultSpec('value')),
    seed,
    parentId: o.parentId ?? null,
    params: { 'model.cell': 'lstm', 'window.lookback': '12' },
    tags: ['bundle', `s${seed}`],
  });
  runsDb.markStarted(db, id, { pid: 1, backend: 'cpu', device: 'cpu', impl: 'tf.layers', paramCount: weights });
  trainEpochs(db, id, 1, epochs, weights, seed);
  const n = 50;
  const rnd = noise(seed + 1000);
  const arr = () => new Float64Array(n).map(() => rnd());
  savePredictions(db, {
    run_id: id,
    split: 'test',
    outputs: JSON.stringify(['value@1']),
    actual: blob(arr()),
    predicted: blob(arr()),
    naive: blob(arr()),
    seasonal: blob(arr()),
    time: blob(new Float64Array(n).map((_, i) => Date.UTC(2024, 1, 1) + i * 3_600_000)),
    classes: null,
  });
  recordExport(db, id, 'best', `/exports/run-${id}`);
  runsDb.setTestMetrics(db, id, { 'test.rmse': 0.25, 'naive.rmse': 0.5 });
  runsDb.updateRunFields(db, id, { notes: `notes of ${seed}` });
  if (o.status === 'stopped') runsDb.claimRun(db, id, ['running'], 'stopped');
  else runsDb.finishRun(db, id, 'completed');
  return id;
}

/** Everything stored for a run, by uuid, without this database's ids: what a round trip must keep. */
export function dumpRun(db: DB, uuid: string): Record<string, unknown> {
  const run = db.prepare(`SELECT * FROM runs WHERE uuid = ?`).get(uuid) as Record<string, unknown>;
  const id = run.id;
  const strip = (rows: unknown[]) => (rows as Record<string, unknown>[]).map(({ id: _i, run_id: _r, ...rest }) => rest);
  const { id: _id, dataset_id: _d, parent_id: _p, worker_pid: _w, heartbeat: _h, ...fields } = run;
  return {
    fields,
    dataset: db.prepare(`SELECT sha256 FROM datasets WHERE id = ?`).get(run.dataset_id),
    parent: db.prepare(`SELECT uuid FROM runs WHERE id = ?`).get(run.parent_id) ?? null,
    tags: strip(db.prepare(`SELECT * FROM run_tags WHERE run_id = ? ORDER BY tag`).all(id)),
    params: strip(db.prepare(`SELECT * FROM params WHERE run_id = ? ORDER BY key`).all(id)),
    metrics: strip(db.prepare(`SELECT * FROM metrics WHERE run_id = ? ORDER BY rowid`).all(id)),
    summary: strip(db.prepare(`SELECT * FROM run_summary WHERE run_id = ? ORDER BY key`).all(id)),
    checkpoints: strip(db.prepare(`SELECT * FROM checkpoints WHERE run_id = ? ORDER BY kind`).all(id)),
    predictions: strip(db.prepare(`SELECT * FROM predictions WHERE run_id = ? ORDER BY split`).all(id)),
    exports: strip(db.prepare(`SELECT * FROM exports WHERE run_id = ? ORDER BY id`).all(id)),
  };
}

export const uuidOf = (db: DB, id: number): string =>
  (db.prepare(`SELECT uuid FROM runs WHERE id = ?`).get(id) as { uuid: string }).uuid;
export const count = (db: DB, table: string): number =>
  (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
