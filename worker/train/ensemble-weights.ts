// How an ensemble's networks are combined: a weighted mean, with weights proportional to the
// inverse of each network's validation MAE in original units (shrinkage applied), the
// inverse-error weighting of the forecast-combination literature (Bates and Granger, 1969). On the
// forecast battery's 14 ensemble runs (docs/benchmarks.md) it was better than the plain mean on 8
// and worse on 3 (test/bench/ensemble-weights.ts), the inverse-MSE weights lost one more series to
// naive, and a weight fitted on validation lost most (9-63 windows overfit it).

/** Mean absolute error over the finite pairs; NaN when there are none. */
function mae(actual: ArrayLike<number>, f: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(f[i]! - actual[i]!);
    if (Number.isFinite(e)) {
      s += e;
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** Weights summing to 1, ∝ 1 / validation MAE; equal where a MAE is missing or zero. */
export function inverseMaeWeights(actual: ArrayLike<number>, forecasts: ArrayLike<number>[]): number[] {
  const inv = forecasts.map((f) => 1 / mae(actual, f));
  if (!inv.every((v) => Number.isFinite(v) && v > 0)) return forecasts.map(() => 1 / forecasts.length);
  const sum = inv.reduce((a, b) => a + b, 0);
  return inv.map((v) => v / sum);
}

/** The element-wise weighted mean of equally long forecasts. */
export function weightedMean(all: Float64Array[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(all[0]!.length);
  all.forEach((a, k) => {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + weights[k]! * a[i]!;
  });
  return out;
}
