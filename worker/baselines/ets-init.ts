// Starting states for the ETS fit (Hyndman et al. 2008, section 2.6.1, simplified): seasonal
// indices from a classical decomposition of the first cycles, level and trend from a straight
// line through the first deseasonalised observations. The optimiser then refines level and trend.
import type { EtsKind, EtsState } from './ets-core.js';

/** Centred moving average of length m (2×m for even m), NaN where it does not reach. */
export function centredMovingAverage(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  const half = Math.floor(m / 2);
  for (let t = half; t + half < n; t++) {
    let s = 0;
    if (m % 2 === 1) {
      for (let j = -half; j <= half; j++) s += y[t + j]!;
      out[t] = s / m;
    } else {
      s = 0.5 * (y[t - half]! + y[t + half]!);
      for (let j = -half + 1; j < half; j++) s += y[t + j]!;
      out[t] = s / m;
    }
  }
  return out;
}

/** Seasonal indices of the first few cycles: sum 0 (additive) or mean 1 (multiplicative). */
function seasonalStart(y: ArrayLike<number>, m: number, mult: boolean, maxCycles: number): Float64Array {
  const cycles = Math.min(Math.floor(y.length / m), maxCycles);
  const head = Array.from({ length: cycles * m }, (_, i) => y[i]!);
  const ma = centredMovingAverage(head, m);
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  for (let t = 0; t < head.length; t++) {
    const v = head[t]!;
    const a = ma[t]!;
    if (Number.isNaN(v) || Number.isNaN(a) || (mult && a === 0)) continue;
    sum[t % m]! += mult ? v / a : v - a;
    cnt[t % m]!++;
  }
  const s = Float64Array.from(sum, (v, i) => (cnt[i]! ? v / cnt[i]! : mult ? 1 : 0));
  const mean = s.reduce((a, b) => a + b, 0) / m;
  for (let i = 0; i < m; i++) s[i] = mult ? (mean > 0 ? s[i]! / mean : 1) : s[i]! - mean;
  if (mult) for (let i = 0; i < m; i++) if (!(s[i]! > 0)) s[i] = 1;
  return s;
}

/**
 * How much of the series the start is estimated from. The fit's defaults (4 cycles, a line through
 * max(10, 2m) rows) only start the optimiser, which then refines level and trend; a start that
 * stays as it is (ETS run over a window: worker/data/ets-reference.ts) uses every row it has.
 */
export interface StartRows {
  cycles: number;
  lineRows: number;
}

/** The state before the first observation. */
export function initialState(k: EtsKind, y: ArrayLike<number>, rows?: StartRows): EtsState {
  const m = k.season === 'N' ? 1 : k.m;
  const season = k.season === 'N' ? new Float64Array(1) : seasonalStart(y, m, k.season === 'M', rows?.cycles ?? 4);
  // Least-squares line through the first max(10, 2m) deseasonalised observations.
  const len = Math.min(y.length, rows?.lineRows ?? Math.max(10, 2 * m));
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  for (let t = 0; t < len; t++) {
    const v = y[t]!;
    if (Number.isNaN(v)) continue;
    const d = k.season === 'A' ? v - season[t % m]! : k.season === 'M' ? v / season[t % m]! : v;
    sx += t;
    sy += d;
    sxx += t * t;
    sxy += t * d;
    n++;
  }
  const den = n * sxx - sx * sx;
  const slope = n > 1 && den !== 0 ? (n * sxy - sx * sy) / den : 0;
  const icpt = n ? (sy - slope * sx) / n : 0;
  // The line's value at t = 0 is the state after the first observation; step back one.
  const trend = k.trend === 'N' ? 0 : slope;
  const level = k.trend === 'N' ? (n ? sy / n : 0) : icpt - slope;
  return { level, trend, season, pos: 0 };
}
