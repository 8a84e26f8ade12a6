// Checkpoints (best and last per run), test predictions and exports.
import type { DB } from './open.js';
import { nowIso } from './time.js';

export interface CheckpointRecord {
  id: number;
  run_id: number;
  kind: 'best' | 'last';
  epoch: number;
  val_loss: number | null;
  topology: string;
  weight_specs: string;
  weights: Buffer;
  optimizer: Buffer | null;
  optimizer_meta: string | null;
  preprocessing: string;
  trainer_state: string;
  created_at: string;
}

export type NewCheckpoint = Omit<CheckpointRecord, 'id' | 'created_at'>;

export function saveCheckpoint(db: DB, cp: NewCheckpoint): void {
  db.prepare(
    `INSERT INTO checkpoints (run_id, kind, epoch, val_loss, topology, weight_specs, weights, optimizer, optimizer_meta, preprocessing, trainer_state, created_at)
     VALUES (@run_id, @kind, @epoch, @val_loss, @topology, @weight_specs, @weights, @optimizer, @optimizer_meta, @preprocessing, @trainer_state, @created_at)
     ON CONFLICT (run_id, kind) DO UPDATE SET epoch = excluded.epoch, val_loss = excluded.val_loss, topology = excluded.topology,
       weight_specs = excluded.weight_specs, weights = excluded.weights, optimizer = excluded.optimizer,
       optimizer_meta = excluded.optimizer_meta, preprocessing = excluded.preprocessing, trainer_state = excluded.trainer_state,
       created_at = excluded.created_at`,
  ).run({ ...cp, created_at: nowIso() });
}

export function loadCheckpoint(db: DB, runId: number, kind: 'best' | 'last'): CheckpointRecord | undefined {
  return db.prepare(`SELECT * FROM checkpoints WHERE run_id = ? AND kind = ?`).get(runId, kind) as
    CheckpointRecord | undefined;
}

export interface PredictionRecord {
  run_id: number;
  split: string;
  outputs: string;
  actual: Buffer;
  predicted: Buffer;
  naive: Buffer | null;
  seasonal: Buffer | null;
  /** ETS baseline forecasts (forecast runs; absent before migration 003). */
  ets?: Buffer | null;
  time: Buffer;
  classes: string | null;
  /** Each window's series key, JSON string[] (datasets of several series; absent before migration 013). */
  series?: string | null;
}

export function savePredictions(db: DB, p: PredictionRecord): void {
  db.prepare(
    `INSERT OR REPLACE INTO predictions (run_id, split, outputs, actual, predicted, naive, seasonal, ets, time, classes, series)
     VALUES (@run_id, @split, @outputs, @actual, @predicted, @naive, @seasonal, @ets, @time, @classes, @series)`,
  ).run({ ...p, ets: p.ets ?? null, series: p.series ?? null });
}

export function loadPredictions(db: DB, runId: number, split: string): PredictionRecord | undefined {
  return db.prepare(`SELECT * FROM predictions WHERE run_id = ? AND split = ?`).get(runId, split) as
    PredictionRecord | undefined;
}

export function recordExport(db: DB, runId: number, checkpoint: string, path: string): void {
  db.prepare(`INSERT INTO exports (run_id, checkpoint, path, created_at) VALUES (?, ?, ?, ?)`).run(
    runId,
    checkpoint,
    path,
    nowIso(),
  );
}

/** A Float64Array over a BLOB (copied when the Buffer is not 8-byte aligned). */
export function f64(buf: Buffer): Float64Array {
  if (buf.byteOffset % 8 === 0) return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  return new Float64Array(Uint8Array.prototype.slice.call(buf).buffer);
}

export function blob(a: Float64Array | Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
