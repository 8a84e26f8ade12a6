// Exponential smoothing run over each window, as a candidate reference for `window` and `season`
// targets (linear-reference.ts chooses between it, the ridge correction and the plain reference).
// The run's ETS baseline beats the network where a series is short and seasonal or trending: its
// few smoothing parameters are fitted on the whole train split, where a ridge map over the window
// needs hundreds of windows. An additive ETS (level, damped or plain trend, additive season; in
// the target's transformed units, so log + additive stands for a multiplicative season) whose state
// is initialised from the whole window (a line through its deseasonalised rows and the seasonal
// offsets of its full cycles: ets-init.ts) and then run over it is a
// fixed linear map of the window's values: the same parameters for every window, exact under a
// shift of the level. It therefore exports as the linear correction already does (one MatMul in
// ONNX, `targetPrep[].linear` in preprocessing.json), and the network learns what it misses.
// This is the ES-RNN idea (Smyl, M4 2018: Holt-Winters inside the normalisation) restricted to
// what a window can carry.
import { fitEts } from '../baselines/ets.js';
import { etsName, forecastFrom, observe, type EtsKind, type EtsParams } from '../baselines/ets-core.js';
import { initialState } from '../baselines/ets-init.js';
import type { Prepared } from './prepare.js';

/** The parameters are fitted on at most this many of the train split's last rows (start-up time). */
const ETS_FIT_ROWS = 1000;

export interface WindowEts {
  kind: EtsKind;
  params: EtsParams;
  /** For the run log: "A,Ad,A (α 0.31, β 0.02, γ 0.10, φ 0.95) on 412 train rows". */
  what: string;
}

/**
 * Weights a[h][r] of the in-window forecast: step h+1 = Σ_r a[h][r]·x[r] for a window x of L rows
 * (row L-1 the last). The additive recursions and their start are linear in the observations, so
 * running them on the unit windows gives the map exactly; the weights of each step sum to 1.
 */
export function etsWindowWeights(kind: EtsKind, params: EtsParams, L: number, H: number): Float64Array[] {
  const a = Array.from({ length: H }, () => new Float64Array(L));
  const unit = new Float64Array(L);
  for (let r = 0; r < L; r++) {
    unit.fill(0);
    unit[r] = 1;
    const s = initialState(kind, unit, { cycles: Math.floor(L / kind.m), lineRows: L });
    for (let t = 0; t < L; t++) observe(kind, params, s, unit[t]!);
    const f = forecastFrom(kind, params, s, H);
    for (let h = 0; h < H; h++) a[h]![r] = f[h]!;
  }
  return a;
}

/** The additive variants a window of L rows can start: a season needs two of its cycles in the window. */
function windowKinds(season: number, L: number): string[] {
  const kinds = ['A,N,N', 'A,A,N', 'A,Ad,N'];
  if (season > 1 && 2 * season <= L) kinds.push('A,N,A', 'A,A,A', 'A,Ad,A');
  return kinds;
}

/**
 * Fits the additive ETS of target j on the train rows of its longest series, in scaled model
 * units (transformed, globally scaled: the additive forms are exact under that affine map), the
 * variant by AICc as the baseline chooses; null if none fits.
 */
export function fitWindowEts(p: Prepared, j: number): WindowEts | null {
  const g = p.groups.reduce((a, b) => (b.valStart > a.valStart ? b : a), p.groups[0]!);
  if (!g) return null;
  const T = p.targets.length;
  const n = g.valStart;
  const rows = Math.min(n, ETS_FIT_ROWS);
  const y = Float64Array.from({ length: rows }, (_, i) => g.y[(n - rows + i) * T + j]!);
  const m = p.seasonLength > 1 ? p.seasonLength : 1;
  let model;
  try {
    model = fitEts(y, { season: m, only: windowKinds(m, p.lookback) });
  } catch {
    return null;
  }
  const { alpha, beta, gamma, phi } = model.params;
  const f = (v: number) => v.toPrecision(2);
  const parts = [`α ${f(alpha)}`];
  if (model.kind.trend !== 'N') parts.push(`β ${f(beta)}`);
  if (model.kind.season !== 'N') parts.push(`γ ${f(gamma)}`);
  if (model.kind.trend === 'Ad') parts.push(`φ ${f(phi)}`);
  return {
    kind: model.kind,
    params: model.params,
    what: `ETS ${etsName(model.kind)} (${parts.join(', ')}) fitted on ${y.length} train rows, run over each window`,
  };
}
