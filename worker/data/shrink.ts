// Shrinkage of the network's forecast toward a simple base, calibrated on the validation split.
// (The factor is taken SHRINK_Z standard errors below its least-squares value: see SHRINK_Z.)
// A network trained on a short or noisy series often adds more noise than signal to the base its
// normalisation starts from; the least-squares factor α per output (target × horizon step) of
//   forecast = base + α · (network − base),   α = clip(Σ(f−b)(y−b) / Σ(f−b)², 0, 1)
// keeps what the network adds only as far as it helped on data it was not trained on (α = 0: the
// base itself, α = 1: the network unchanged). Everything is in model units (what the network
// outputs), where the base is the target's last model input: for `window` and `season`
// normalisation that is 0 (the last value, resp. the seasonal naive forecast moved to the current
// level), for global scaling the last scaled value (naive). A differenced target's base is 0 (its
// normalisation's "no change from the mean step"). Model units are an affine map of original
// units per window for the untransformed kinds, so α is the same as fitted in original units.
import type { TargetTransform } from './transforms.js';

export interface ShrinkRecord {
  /** Per output (target × step, the order of `outputs`): the factor applied to network − base. */
  alpha: number[];
  /** One line for the run log: how α was found. */
  reason: string;
}

/** Per output, the feature whose last model-input row is the base (-1: base 0). */
export function baseFeatures(p: {
  features: string[];
  targets: string[];
  horizon: number;
  targetPrep?: { transform: { kind: TargetTransform } }[] | undefined;
}): number[] {
  return p.targets.flatMap((t, j) => {
    const kind = p.targetPrep?.[j]?.transform.kind ?? 'none';
    const f = kind === 'diff' || kind === 'logdiff' ? -1 : p.features.indexOf(t);
    return Array.from({ length: p.horizon }, () => f);
  });
}

/**
 * The base of every output of `n` windows from their model inputs x [n, lookback, F]:
 * the last row's value of the output's base feature (0 where none or missing).
 */
export function shrinkBases(
  x: ArrayLike<number>,
  n: number,
  lookback: number,
  F: number,
  bases: number[],
): Float32Array {
  const O = bases.length;
  const out = new Float32Array(n * O);
  for (let r = 0; r < n; r++)
    for (let o = 0; o < O; o++) {
      const f = bases[o]!;
      const v = f >= 0 ? x[(r * lookback + lookback - 1) * F + f]! : 0;
      out[r * O + o] = Number.isFinite(v) ? v : 0;
    }
  return out;
}

/**
 * Standard errors the least-squares factor is lowered by before clipping. The validation windows
 * also chose the network's checkpoint (early stopping), so the factor fitted on them is biased
 * toward the network; on a short series a handful of windows cannot tell. Taking the factor's
 * lower bound, α̂ − z·se(α̂), keeps the network's contribution only as far as the windows show it
 * (docs/benchmarks.md, "Shrinkage by the evidence").
 */
export const SHRINK_Z = 2;

/**
 * α per output by least squares of (actual − base) on (network − base), less SHRINK_Z standard
 * errors, clipped to [0, 1]; 1 where nothing to fit.
 */
export function fitShrink(
  pred: ArrayLike<number>,
  actual: ArrayLike<number>,
  base: ArrayLike<number>,
  outputs: number,
  z = SHRINK_Z,
): number[] {
  const num = new Float64Array(outputs);
  const den = new Float64Array(outputs);
  const ee = new Float64Array(outputs);
  const cnt = new Float64Array(outputs);
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - base[i]!;
    const e = actual[i]! - base[i]!;
    if (!Number.isFinite(d) || !Number.isFinite(e)) continue;
    const o = i % outputs;
    num[o] = num[o]! + d * e;
    den[o] = den[o]! + d * d;
    ee[o] = ee[o]! + e * e;
    cnt[o]!++;
  }
  return Array.from(num, (s, o) => {
    const dd = den[o]!;
    if (!(dd > 1e-12)) return 1;
    const a = s / dd;
    const n = cnt[o]!;
    // residual variance of e − α̂·d, and the factor's standard error
    const se = n > 1 ? Math.sqrt(Math.max(0, ee[o]! - a * s) / (n - 1) / dd) : Infinity;
    return Math.min(1, Math.max(0, z > 0 ? a - z * se : a));
  });
}

/** base + α · (network − base) per output, in place; returns `pred`. */
export function applyShrink<A extends Float32Array | Float64Array | number[]>(
  pred: A,
  base: ArrayLike<number>,
  alpha: readonly number[],
): A {
  const O = alpha.length;
  for (let i = 0; i < pred.length; i++) {
    const a = alpha[i % O]!;
    pred[i] = base[i]! + a * (pred[i]! - base[i]!);
  }
  return pred;
}

/** The run-log line for fitted factors. */
export function describeShrink(alpha: readonly number[], windows: number): string {
  if (windows === 0) return 'shrink: no validation windows → α = 1 (the network unchanged)';
  const lo = Math.min(...alpha);
  const hi = Math.max(...alpha);
  const range = lo === hi ? `α = ${lo.toFixed(3)}` : `α ${lo.toFixed(3)}–${hi.toFixed(3)} over the steps`;
  return `shrink toward the base (last value / seasonal naive at the level), fitted on ${windows} validation windows (the least-squares factor less ${SHRINK_Z} standard errors): ${range}`;
}
