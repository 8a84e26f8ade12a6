// Season length for the seasonal-naive baseline and MASE when the spec does not give one: the lag
// of the highest autocorrelation peak on the training rows (e.g. 24 for hourly data with a daily
// cycle), or 1 when there is no clear season.
export function inferSeasonLength(v: ArrayLike<number>, maxLag = 400): number {
  const n = Math.min(v.length, 20_000);
  if (n < 8) return 1;
  let mean = 0;
  let count = 0;
  for (let i = 0; i < n; i++)
    if (!Number.isNaN(v[i]!)) {
      mean += v[i]!;
      count++;
    }
  mean /= count || 1;
  let den = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(v[i]!)) den += (v[i]! - mean) ** 2;
  if (den === 0) return 1;
  const top = Math.min(maxLag, Math.floor(n / 3));
  const acf = new Float64Array(top + 2);
  for (let lag = 1; lag <= top + 1; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) {
      const a = v[i]!;
      const b = v[i - lag]!;
      if (!Number.isNaN(a) && !Number.isNaN(b)) s += (a - mean) * (b - mean);
    }
    acf[lag] = s / den;
  }
  let best = 1;
  let bestVal = 0.2; // a peak must explain a real share of the variance
  for (let lag = 2; lag <= top; lag++) {
    const a = acf[lag]!;
    if (a > acf[lag - 1]! && a >= acf[lag + 1]! && a > bestVal + 0.02) {
      best = lag;
      bestVal = a;
    }
  }
  return best;
}
