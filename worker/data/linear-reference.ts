// A linear correction of a windowed target's reference, fitted on the train windows and kept only
// where the validation windows say it helps. The reference of a `window` or `season` target (the
// last value, or a seasonal naive forecast at the level: season-base.ts) uses one or two rows of
// the window; a ridge regression of each output step on the whole window (in model units, i.e.
// relative to the window's last value) pools every train window, so a seasonal pattern, a drift or
// a mean reversion is estimated from the whole train split instead of from the seasons one window
// holds. The network then learns what the linear map misses, and shrinkage pulls toward the
// corrected reference. This is the linear "highway" of LSTNet and the NLinear baseline of Zeng et
// al. (2023), here as part of the normalisation: still a fixed linear map of the window, so the
// TF.js reload and the ONNX graph (one MatMul) apply it exactly. Measured on the forecast battery
// (docs/benchmarks.md, "A linear correction of the reference").
import type { Prepared } from './prepare.js';
import { cutBatch } from './batches.js';
import { etsWindowWeights, fitWindowEts, type WindowEts } from './ets-reference.js';
import { referenceWeights, type SeasonPrep } from './season-base.js';
import { windowed } from './target-prep.js';

/** Windows longer than this many rows keep the plain reference (the fit is L² per window). */
export const LINEAR_MAX_ROWS = 160;
/**
 * At most this many train (and validation) windows, the most recent, are fitted on (and checked):
 * plenty for ≤ 160 coefficients, and the fit stays within tens of ms of the trainer's start-up
 * (cutting the windows is most of it).
 */
const MAX_FIT_WINDOWS = 2000;
/** Fewer train windows than this: no fit. */
const MIN_FIT_WINDOWS = 24;
/** Fewer validation windows than this cannot tell a better map from luck: no fit (r-nhtemp, 9 windows: val MAE halved, test MAE ×1.37). */
const MIN_CHECK_WINDOWS = 10;
/** Ridge penalties, relative to the mean diagonal of XᵀX; generalised cross-validation on the train windows chooses. */
const RIDGE = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
/** The correction must lower the validation MAE (model units) by at least this fraction. */
export const LINEAR_MARGIN = 0.02;

/** The last `max` windows of a split (pairs of group, t). */
function lastWindows(w: Int32Array, max: number): Int32Array {
  return w.length / 2 > max ? w.subarray(w.length - 2 * max) : w;
}

interface Design {
  /** [n, L] the target's model inputs of each window. */
  x: Float64Array;
  /** [n, H] its model-unit targets per step (NaN: missing). */
  y: Float64Array;
  n: number;
}

function design(p: Prepared, windows: Int32Array, feature: number, j: number): Design {
  const n = windows.length / 2;
  const L = p.lookback;
  const F = p.features.length;
  const H = p.horizon;
  const O = p.outputs.length;
  const b = cutBatch(p, windows, null, 0, n);
  const x = new Float64Array(n * L);
  const y = new Float64Array(n * H);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < L; r++) x[i * L + r] = b.x[(i * L + r) * F + feature]!;
    for (let h = 0; h < H; h++) y[i * H + h] = b.y[i * O + j * H + h]!;
  }
  return { x, y, n };
}

/** Mean absolute (or squared) error over the steps of `d` of the linear map `beta` ([H][L]; null: the reference alone, 0). */
function designMae(d: Design, L: number, H: number, beta: Float64Array[] | null, squared = false): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < d.n; i++)
    for (let h = 0; h < H; h++) {
      const y = d.y[i * H + h]!;
      if (!Number.isFinite(y)) continue;
      let f = 0;
      if (beta) for (let r = 0; r < L; r++) f += beta[h]![r]! * d.x[i * L + r]!;
      s += squared ? (y - f) ** 2 : Math.abs(y - f);
      c++;
    }
  return c ? s / c : NaN;
}

/** Cholesky factor L (lower, row-major) of A (n × n); null if A is not positive definite. */
function cholesky(A: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  return L;
}

/** Solves L Lᵀ x = b for the Cholesky factor L. */
function cholSolve(L: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/** Solves the symmetric positive definite system A x = b (n × n) by Cholesky; null if not positive definite. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const L = cholesky(A, n);
  return L ? cholSolve(L, b, n) : null;
}

/**
 * The ridge fit of every step (β[h] over the L window rows) with the penalty that minimises
 * generalised cross-validation on the train windows, (RSS/n) / (1 − df/n)² with df = tr((XᵀX+λI)⁻¹XᵀX):
 * the penalty is chosen without the validation windows, which then only decide whether to keep it.
 */
function ridgeFit(d: Design, L: number, H: number): Float64Array[] | null {
  const xtx = new Float64Array(L * L);
  const xty = Array.from({ length: H }, () => new Float64Array(L));
  let count = 0;
  for (let i = 0; i < d.n; i++) {
    const row = d.x.subarray(i * L, (i + 1) * L);
    for (let a = 0; a < L; a++) {
      const va = row[a]!;
      if (va === 0) continue;
      for (let c = 0; c <= a; c++) xtx[a * L + c]! += va * row[c]!;
    }
    for (let h = 0; h < H; h++) {
      const y = d.y[i * H + h]!;
      if (!Number.isFinite(y)) continue;
      count++;
      for (let a = 0; a < L; a++) xty[h]![a]! += row[a]! * y;
    }
  }
  for (let a = 0; a < L; a++) for (let c = 0; c < a; c++) xtx[c * L + a] = xtx[a * L + c]!;
  let diag = 0;
  for (let a = 0; a < L; a++) diag += xtx[a * L + a]!;
  const scale = diag / L || 1;
  const n = count / H;
  let best: { betas: Float64Array[]; gcv: number } | null = null;
  for (const lambda of RIDGE) {
    const A = Float64Array.from(xtx);
    for (let a = 0; a < L; a++) A[a * L + a]! += lambda * scale;
    const chol = cholesky(A, L);
    if (!chol) continue;
    const betas = xty.map((b) => cholSolve(chol, b, L));
    let df = 0;
    for (let c = 0; c < L; c++) df += cholSolve(chol, xtx.subarray(c * L, (c + 1) * L), L)[c]!;
    const rss = designMae(d, L, H, betas, true);
    const gcv = rss / (1 - Math.min(df, n - 1) / n) ** 2;
    if (!best || gcv < best.gcv) best = { betas, gcv };
  }
  return best?.betas ?? null;
}

/** The ETS candidate as a correction of the plain reference: its weights minus the reference's, per step. */
function etsCorrection(prep: SeasonPrep, ets: WindowEts, L: number, H: number): Float64Array[] {
  const a = etsWindowWeights(ets.kind, ets.params, L, H);
  return a.map((row, h) => {
    const b = referenceWeights(prep, L, h + 1);
    b[L - 1]! += 1;
    return row.map((v, r) => v - b[r]!);
  });
}

/**
 * Fits each windowed forecast target's linear correction (TargetPrep.linear) on the train split,
 * two candidates: the ridge map on the train windows, and an additive ETS run over the window
 * (ets-reference.ts; its few parameters need no windows, so short series get it too). The one
 * with the lower validation MAE is kept where it lowers it by LINEAR_MARGIN against the plain
 * reference; the outcome is appended to the target's reason. `p.targetPrep` is changed in place
 * (the windows' model targets follow it).
 */
export function fitLinearReferences(p: Prepared): void {
  const L = p.lookback;
  const H = p.horizon;
  p.targets.forEach((target, j) => {
    const prep = p.targetPrep[j]!;
    const feature = p.features.indexOf(target);
    if (!windowed(prep.normalize) || feature < 0) return;
    const note = (s: string): void => {
      prep.reason += `; linear correction of the reference: ${s}`;
    };
    if (L > LINEAR_MAX_ROWS) return note(`none (lookback ${L} > ${LINEAR_MAX_ROWS} rows)`);
    const train = lastWindows(p.windows.train, MAX_FIT_WINDOWS);
    const val = lastWindows(p.windows.val, MAX_FIT_WINDOWS);
    if (val.length / 2 < MIN_CHECK_WINDOWS) return note(`none (${val.length / 2} validation windows)`);
    const check = design(p, val, feature, j);
    const plain = designMae(check, L, H, null);
    const tried: { name: string; beta: Float64Array[]; mae: number }[] = [];
    const ets = fitWindowEts(p, j);
    if (ets) {
      const beta = etsCorrection(prep, ets, L, H);
      tried.push({ name: ets.what, beta, mae: designMae(check, L, H, beta) });
    }
    if (train.length / 2 >= MIN_FIT_WINDOWS) {
      const fit = design(p, train, feature, j);
      const beta = ridgeFit(fit, L, H);
      if (beta) tried.push({ name: `ridge fit on ${fit.n} train windows`, beta, mae: designMae(check, L, H, beta) });
    }
    const list = tried.map((c) => `${c.name}: ${c.mae.toPrecision(3)}`).join('; ');
    const how = `validation MAE (model units) ${plain.toPrecision(3)} without`;
    const best = tried.filter((c) => Number.isFinite(c.mae)).sort((a, b) => a.mae - b.mae)[0];
    if (!best || !(best.mae <= (1 - LINEAR_MARGIN) * plain))
      return note(`none (${how}; ${list || 'no candidate'}: not ${LINEAR_MARGIN * 100}% better)`);
    prep.linear = best.beta.map((b) => Array.from(b, (v) => Number(v.toPrecision(7))));
    note(`${best.name} (${how}; ${list})`);
  });
}
