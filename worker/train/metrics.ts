// Forecast and classification metrics on the test split, in original units, and the naive
// baselines every forecast is measured against.
import type { ForecastMetric } from '../../core/metric-keys.js';

/**
 * mae, rmse; mape in percent (rows where the actual value is 0 are left out); smape in percent,
 * symmetric; mase: MAE divided by the in-sample MAE of the seasonal-naive forecast on the train split.
 */
export type ForecastMetrics = Record<ForecastMetric, number>;

export function forecastMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  maseScale: number,
): ForecastMetrics {
  let ae = 0;
  let se = 0;
  let ape = 0;
  let apeN = 0;
  let sape = 0;
  let sapeN = 0;
  const n = actual.length;
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    const e = Math.abs(a - p);
    ae += e;
    se += e * e;
    if (a !== 0) {
      ape += e / Math.abs(a);
      apeN++;
    }
    const d = Math.abs(a) + Math.abs(p);
    if (d !== 0) {
      sape += (2 * e) / d;
      sapeN++;
    } else sapeN++;
  }
  const mae = ae / n;
  return {
    mae,
    rmse: Math.sqrt(se / n),
    mape: apeN ? (100 * ape) / apeN : NaN,
    smape: sapeN ? (100 * sape) / sapeN : NaN,
    mase: maseScale > 0 ? mae / maseScale : NaN,
  };
}

/** Mean |y_t - y_{t-m}| over a training series: the MASE denominator. */
export function seasonalScale(series: ArrayLike<number>[], m: number): number {
  let s = 0;
  let n = 0;
  for (const v of series) {
    for (let i = m; i < v.length; i++) {
      const d = v[i]! - v[i - m]!;
      if (Number.isNaN(d)) continue;
      s += Math.abs(d);
      n++;
    }
  }
  return n ? s / n : NaN;
}

export interface ClassifyMetrics {
  accuracy: number;
  perClass: { label: string; precision: number; recall: number; support: number }[];
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export function classifyMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: string[],
): ClassifyMetrics {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    confusion[a]![p]!++;
    if (a === p) correct++;
  }
  const perClass = classes.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((s, x) => s + x, 0);
    const predictedC = confusion.reduce((s, row) => s + row[c]!, 0);
    return { label, precision: predictedC ? tp / predictedC : 0, recall: support ? tp / support : 0, support };
  });
  return { accuracy: actual.length ? correct / actual.length : NaN, perClass, confusion };
}
