// A forecast battery kept with `--keep-db`, read back for offline comparisons
// (forecast-combine.ts, forecast-seeds.ts): per series its stored test predictions, the naive
// forecasts, the baselines' test MAEs, and the validation MAE at the best val_loss epoch.
import Database from 'better-sqlite3';

export interface KeptSeries {
  actual: Float64Array;
  predicted: Float64Array;
  naive: Float64Array;
  /** Validation MAE at the epoch with the lowest val_loss (NaN when not recorded). */
  valMae: number;
  seasonalMae: number;
  etsMae: number;
  real: boolean;
}

const f64 = (b: Buffer) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);

export function readKept(file: string): Map<string, KeptSeries> {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare(
      `SELECT d.name, r.id, r.test_metrics, p.actual, p.predicted, p.naive FROM runs r JOIN datasets d ON d.id = r.dataset_id
       JOIN predictions p ON p.run_id = r.id WHERE p.split = 'test'`,
    )
    .all() as { name: string; id: number; test_metrics: string; actual: Buffer; predicted: Buffer; naive: Buffer }[];
  const val = db.prepare(
    `SELECT v.value AS mae FROM metrics l JOIN metrics v ON v.run_id = l.run_id AND v.epoch = l.epoch AND v.key = 'val_mae'
     WHERE l.run_id = ? AND l.key = 'val_loss' ORDER BY l.value, l.epoch LIMIT 1`,
  );
  const out = new Map<string, KeptSeries>();
  for (const r of rows) {
    const m = JSON.parse(r.test_metrics) as Record<string, number>;
    out.set(r.name, {
      actual: f64(r.actual),
      predicted: f64(r.predicted),
      naive: f64(r.naive),
      valMae: (val.get(r.id) as { mae: number } | undefined)?.mae ?? NaN,
      seasonalMae: m['seasonal.mae'] ?? NaN,
      etsMae: m['ets.mae'] ?? NaN,
      real: !r.name.startsWith('gen-'),
    });
  }
  db.close();
  return out;
}

/** Mean absolute error over the pairs where both are finite. */
export function keptMae(a: Float64Array, b: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      s += Math.abs(a[i]! - b[i]!);
      n++;
    }
  return s / n;
}
