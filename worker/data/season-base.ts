// How many past seasons a `season`-normalised step's reference averages (stepLevels in
// transforms.ts): the season-ago change y[t+h-m] - y[t-m] carries the noise of two single
// observations, and its mean over k seasons is the classical decomposition's seasonal estimate
// restricted to the window. Averaging assumes the seasonal pattern holds still over k seasons; on
// short quarterly series whose pattern grows (UKgas, JohnsonJohnson) it lost. So k is chosen on the
// train split alone, as the transform is: the reference forecasts one step ahead over the train
// windows with each k, and k > 1 is taken only when it beats one season by a clear margin
// (docs/benchmarks.md, "Season normalisation over several seasons").
import { forwardSeries, type TransformSpec } from './transforms.js';

/** At most this many past seasons are averaged. */
export const SEASON_AVERAGE_MAX = 3;

/** k > 1 must lower the reference's one-step train MAE by at least this fraction against k = 1. */
export const SEASON_AVERAGE_MARGIN = 0.1;

/** The past seasons a window of `lookback` rows holds for a season-ago change (k·m ≤ lookback − 1), at most SEASON_AVERAGE_MAX. */
export function seasonsInWindow(season: number, lookback: number): number {
  return Math.max(1, Math.min(SEASON_AVERAGE_MAX, Math.floor((lookback - 1) / season)));
}

/** Mean absolute error of the k-season reference forecasting z[t+1] from rows ≤ t, over t = from .. z.length-2. */
function referenceMae(z: Float64Array, m: number, k: number, from: number): number {
  let sum = 0;
  let n = 0;
  for (let t = from; t + 1 < z.length; t++) {
    let change = 0;
    for (let j = 1; j <= k; j++) change += z[t + 1 - j * m]! - z[t - j * m]!;
    const e = Math.abs(z[t]! + change / k - z[t + 1]!);
    if (Number.isFinite(e)) {
      sum += e;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/**
 * The seasons to average for a target with season m and a window of `lookback` rows, chosen on its
 * (longest) train segment in transformed units: the k ≤ seasonsInWindow with the lowest one-step
 * reference MAE, if that is at least SEASON_AVERAGE_MARGIN below k = 1's; else 1. `why` is for the run log.
 */
export function chooseSeasons(
  transform: TransformSpec,
  train: Float64Array,
  season: number,
  lookback: number,
): { seasons: number; why: string } {
  const most = seasonsInWindow(season, lookback);
  if (most === 1) return { seasons: 1, why: '' };
  const z = forwardSeries(transform, train);
  const from = most * season + 1; // the same train windows for every k
  const maes = Array.from({ length: most }, (_, i) => referenceMae(z, season, i + 1, from));
  if (!maes.every(Number.isFinite)) return { seasons: 1, why: '' };
  let best = 0;
  for (let i = 1; i < most; i++) if (maes[i]! < maes[best]!) best = i;
  const seasons = best > 0 && maes[best]! <= (1 - SEASON_AVERAGE_MARGIN) * maes[0]! ? best + 1 : 1;
  const list = maes.map((e, i) => `${i + 1}: ${e.toPrecision(3)}`).join(', ');
  return {
    seasons,
    why:
      seasons > 1
        ? `, the change averaged over ${seasons} seasons (one-step train MAE of the reference by seasons averaged ${list})`
        : `, the change of one season (averaging did not lower the one-step train MAE of the reference by ${SEASON_AVERAGE_MARGIN * 100}%: ${list})`,
  };
}
