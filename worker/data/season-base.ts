// The reference a `season`-normalised target's output steps are measured from (the network
// predicts the difference; shrinkage pulls toward it), chosen per target on the train split alone,
// as the transform is. Every reference is a fixed linear map of the window's scaled values, so the
// TF.js reload and the ONNX graph (one MatMul, worker/export/onnx/season.ts) compute it exactly.
// - `change` over k seasons: the last value plus the season-ago change, y[t] + mean_j (y[i-(j-1)m]
//   - y[t-jm]) with i = t+h-m·ceil(h/m): a seasonal naive forecast at the current level. One
//   season's change carries the noise of two single observations; the mean over k is the classical
//   decomposition's seasonal estimate restricted to the window.
// - `profile` over k seasons: the mean of the last m values plus the mean over k seasons of the
//   phase's offset from the m values ending at it, y[c] - mean(y[c-m+1..c]) with c = i-(j-1)m.
//   Its level is an average instead of one noisy value, which wins where the level holds still
//   (r-nottem, r-ukgas, generated daily and quarterly seasons) and lags where it trends.
// - `trend` over k seasons: the profile plus the slope between the means of the last two seasons
//   times the step: the classical decomposition's forecast with a linear trend (exact on a linear
//   trend plus a fixed pattern: the profile's offsets carry the level's lag of (m-1)/2 steps).
// The forecast battery (docs/benchmarks.md, "Season normalisation: the reference chosen on the
// train split") measured both: neither wins everywhere, so each is taken only when its one-step
// MAE over the train windows is at least SEASON_REFERENCE_MARGIN below one season's change.
// A `window` or `season` reference may carry a linear correction fitted on the train windows
// (linear-reference.ts), also a fixed linear map of the window.

/** At most this many past seasons are averaged. */
export const SEASON_AVERAGE_MAX = 3;

/** Another reference must lower the one-step train MAE by at least this fraction against one season's change. */
export const SEASON_REFERENCE_MARGIN = 0.1;

export type SeasonReference = 'change' | 'profile' | 'trend';

/** The reference is chosen on at most this many of the train split's last rows. */
const CHOICE_ROWS = 5000;

export interface SeasonPrep {
  normalize: string;
  /**
   * A linear correction per output step h (linear-reference.ts): weights over the window's rows of
   * each row's difference from the window's last value, added to the reference. Absent: none.
   */
  linear?: number[][];
  /** The season m (< lookback) for `season` normalisation. */
  season?: number;
  /** Seasons averaged (absent: 1, as in files from before it existed). */
  seasons?: number;
  /** Absent: `change`. */
  reference?: SeasonReference;
}

/** The past seasons a window of `lookback` rows holds for a season-ago change (k·m ≤ lookback − 1), at most SEASON_AVERAGE_MAX. */
export function seasonsInWindow(season: number, lookback: number): number {
  return Math.max(1, Math.min(SEASON_AVERAGE_MAX, Math.floor((lookback - 1) / season)));
}

/** The seasons a window holds for a profile ((k+1)·m − 1 ≤ lookback); 0 when none. */
export function profileSeasonsInWindow(season: number, lookback: number): number {
  return Math.max(0, Math.min(SEASON_AVERAGE_MAX, Math.floor((lookback + 1) / season) - 1));
}

/**
 * Coefficients of the reference for output step h over the window's rows 0..L-1 (row L-1 = t),
 * minus the last value: reference(h) = s[L-1] + Σ_r w[r]·s[r].
 */
export function referenceWeights(prep: SeasonPrep, lookback: number, h: number): Float64Array {
  const w = baseWeights(prep, lookback, h);
  const beta = prep.linear?.[h - 1];
  if (beta && beta.length === lookback) {
    let sum = 0;
    beta.forEach((b, r) => {
      w[r]! += b;
      sum += b;
    });
    w[lookback - 1]! -= sum;
  }
  return w;
}

/** referenceWeights without the linear correction. */
function baseWeights(prep: SeasonPrep, lookback: number, h: number): Float64Array {
  const L = lookback;
  const w = new Float64Array(L);
  const m = prep.season ?? 0;
  if (prep.normalize !== 'season' || m < 1) return w;
  const k = Math.max(1, prep.seasons ?? 1);
  const t = L - 1;
  const i = t + h - m * Math.ceil(h / m);
  if (prep.reference === 'profile' || prep.reference === 'trend') {
    for (let r = t - m + 1; r <= t; r++) w[r]! += 1 / m;
    w[t]! -= 1;
    for (let j = 1; j <= k; j++) {
      const c = i - (j - 1) * m;
      w[c]! += 1 / k;
      for (let r = c - m + 1; r <= c; r++) w[r]! -= 1 / (k * m);
    }
    if (prep.reference === 'trend')
      for (let r = t - m + 1; r <= t; r++) {
        w[r]! += h / (m * m);
        w[r - m]! -= h / (m * m);
      }
    return w;
  }
  for (let j = 1; j <= k; j++) {
    w[i - (j - 1) * m]! += 1 / k;
    w[t - j * m]! -= 1 / k;
  }
  return w;
}

/** Mean of values[from..to] (inclusive); NaN if any is missing or a row is before 0. */
function blockMean(at: (row: number) => number, from: number, to: number): number {
  let s = 0;
  for (let r = from; r <= to; r++) s += at(r);
  return s / (to - from + 1);
}

/** One season's term of the reference for the phase row i: its change or its profile offset. */
function seasonTerm(prep: SeasonPrep, at: (row: number) => number, t: number, i: number, j: number, m: number): number {
  const c = i - (j - 1) * m;
  return prep.reference === 'profile' || prep.reference === 'trend'
    ? at(c) - blockMean(at, c - m + 1, c)
    : at(c) - at(t - j * m);
}

/**
 * The levels output steps 1..H of the window ending at row t = to-1 are expressed against: the
 * input level, or for `season` the reference (above) in scaled units, plus the linear correction
 * where the run fitted one. Rows are read from `scaled` (stride columns, column col); a season
 * whose rows hold a missing value is left out, and where every season is (or a profile's level is
 * missing), the step keeps the input level.
 */
export function stepLevels(
  prep: SeasonPrep,
  scaled: ArrayLike<number>,
  stride: number,
  col: number,
  to: number,
  horizon: number,
  level: number,
  /** Where to write them (horizon values; cutBatch reuses one array per batch), else a new array. */
  into?: Float64Array,
): Float64Array {
  const out = baseLevels(prep, scaled, stride, col, to, horizon, level, into);
  if (!prep.linear) return out;
  // The correction weighs each row's difference from the window's level; a missing row adds
  // nothing, as its model input is 0 (batches.ts).
  for (let h = 1; h <= horizon; h++) {
    const beta = prep.linear[h - 1];
    if (!beta) continue;
    const from = to - beta.length;
    let add = 0;
    for (let r = 0; r < beta.length; r++) {
      const v = from + r >= 0 ? scaled[(from + r) * stride + col]! : NaN;
      if (!Number.isNaN(v)) add += beta[r]! * (v - level);
    }
    out[h - 1]! += add;
  }
  return out;
}

/** stepLevels without the linear correction. */
function baseLevels(
  prep: SeasonPrep,
  scaled: ArrayLike<number>,
  stride: number,
  col: number,
  to: number,
  horizon: number,
  level: number,
  into?: Float64Array,
): Float64Array {
  const out = (into ?? new Float64Array(horizon)).fill(level);
  const m = prep.season ?? 0;
  if (prep.normalize !== 'season' || m < 1) return out;
  const k = Math.max(1, prep.seasons ?? 1);
  const at = (row: number) => (row >= 0 ? scaled[row * stride + col]! : NaN);
  const t = to - 1;
  const averaged = prep.reference === 'profile' || prep.reference === 'trend';
  const base = averaged ? blockMean(at, t - m + 1, t) : level;
  if (Number.isNaN(base)) return out;
  // `trend`: the slope between the last two seasons' means (0 where a row is missing: the profile).
  const slope = prep.reference === 'trend' ? (base - blockMean(at, t - 2 * m + 1, t - m)) / m : 0;
  const drift = Number.isNaN(slope) ? 0 : slope;
  for (let h = 1; h <= horizon; h++) {
    const i = t + h - m * Math.ceil(h / m);
    let sum = 0;
    let n = 0;
    for (let j = 1; j <= k; j++) {
      const term = seasonTerm(prep, at, t, i, j, m);
      if (!Number.isNaN(term)) {
        sum += term;
        n++;
      }
    }
    if (n) out[h - 1] = base + sum / n + drift * h;
  }
  return out;
}

/**
 * One-step MAE of a reference over the rows t = from .. z.length-2 of a transformed series, from
 * its linear map (a window with a missing value gives a non-finite error and is left out).
 */
function referenceMae(z: Float64Array, prep: SeasonPrep, from: number, lookback: number): number {
  const w = referenceWeights(prep, lookback, 1);
  const rows: number[] = [];
  const coef: number[] = [];
  w.forEach((v, r) => {
    if (v !== 0) {
      rows.push(r - (lookback - 1));
      coef.push(v);
    }
  });
  let sum = 0;
  let n = 0;
  for (let t = Math.max(from, lookback - 1); t + 1 < z.length; t++) {
    let f = z[t]!;
    for (let c = 0; c < rows.length; c++) f += coef[c]! * z[t + rows[c]!]!;
    const e = Math.abs(f - z[t + 1]!);
    if (e - e === 0) {
      sum += e;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

export interface ReferenceChoice {
  seasons: number;
  reference: SeasonReference;
  /** For the run log: ", …" appended to the target's reason. */
  why: string;
}

/**
 * The reference for a target with season m and a window of `lookback` rows, chosen on its
 * (longest) train segment in transformed units `z`: among the change over 1..k seasons and the
 * profile over 1..k seasons that the window holds, the lowest one-step MAE over the same train
 * windows, if it is at least SEASON_REFERENCE_MARGIN below one season's change; else that.
 */
export function chooseReference(z: Float64Array, season: number, lookback: number): ReferenceChoice {
  const m = season;
  const cands: { seasons: number; reference: SeasonReference; need: number }[] = [];
  for (let k = 1; k <= seasonsInWindow(m, lookback); k++)
    cands.push({ seasons: k, reference: 'change', need: k * m + 1 });
  for (let k = 1; k <= profileSeasonsInWindow(m, lookback); k++)
    cands.push({ seasons: k, reference: 'profile', need: (k + 1) * m - 1 });
  // The profile plus the slope between the last two seasons' means: needs 2m rows too.
  if (2 * m <= lookback)
    for (let k = 1; k <= profileSeasonsInWindow(m, lookback); k++)
      cands.push({ seasons: k, reference: 'trend', need: Math.max((k + 1) * m - 1, 2 * m) });
  const plain: ReferenceChoice = { seasons: 1, reference: 'change', why: '' };
  if (cands.length === 1) return plain;
  // The same train windows for every candidate; the last CHOICE_ROWS of them are plenty for the
  // statistic and keep data preparation of a long series fast.
  const from = Math.max(Math.max(...cands.map((c) => c.need)) - 1, z.length - CHOICE_ROWS);
  const maes = cands.map((c) => referenceMae(z, { normalize: 'season', season: m, ...c }, from, lookback));
  if (!maes.every(Number.isFinite)) return plain;
  let best = 0;
  for (let c = 1; c < cands.length; c++) if (maes[c]! < maes[best]!) best = c;
  const list = cands.map((c, x) => `${c.reference} ${c.seasons}: ${maes[x]!.toPrecision(3)}`).join(', ');
  if (best === 0 || maes[best]! > (1 - SEASON_REFERENCE_MARGIN) * maes[0]!)
    return {
      ...plain,
      why: `, the change of one season (no other reference lowered the one-step train MAE by ${SEASON_REFERENCE_MARGIN * 100}%: ${list})`,
    };
  const { seasons, reference } = cands[best]!;
  const profile = `the mean of the last ${m} values plus the phase's offset averaged over ${seasons} season${seasons > 1 ? 's' : ''}`;
  const what =
    reference === 'profile'
      ? profile
      : reference === 'trend'
        ? `${profile} plus the slope between the last two seasons' means times the step`
        : `the change averaged over ${seasons} seasons`;
  return { seasons, reference, why: `, ${what} (one-step train MAE by reference: ${list})` };
}
