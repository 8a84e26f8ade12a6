// Target transforms and window normalisation that keep trending series inside what the network
// has seen (the ES-RNN / DeepAR "temporal normalisation" idea), each with its exact inverse for
// evaluation, prediction and export, and the automatic choice made from the train split alone.

export const TRANSFORMS = ['none', 'log', 'diff', 'logdiff', 'boxcox'] as const;
export type TargetTransform = (typeof TRANSFORMS)[number];
export const NORMALIZE_MODES = ['global', 'window', 'season'] as const;
export type Normalize = (typeof NORMALIZE_MODES)[number];

export interface TransformSpec {
  kind: TargetTransform;
  /** Box-Cox lambda (kind 'boxcox' only; 0 is the log). */
  lambda?: number;
}

const differenced = (k: TargetTransform) => k === 'diff' || k === 'logdiff';

/** Why a transform cannot be applied to these values, or null. */
export function transformProblem(t: TransformSpec, values: ArrayLike<number>): string | null {
  if (t.kind === 'none' || t.kind === 'diff') return null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v) && !(v > 0)) return `transform "${t.kind}" needs positive values, found ${v} at row ${i + 1}`;
  }
  return null;
}

/** The pointwise part (log, Box-Cox) of a transform. */
export function pointwise(t: TransformSpec, x: number): number {
  if (t.kind === 'log' || t.kind === 'logdiff') return Math.log(x);
  if (t.kind === 'boxcox') {
    const l = t.lambda ?? 0;
    return l === 0 ? Math.log(x) : (Math.pow(x, l) - 1) / l;
  }
  return x;
}

export function pointwiseInverse(t: TransformSpec, z: number): number {
  if (t.kind === 'log' || t.kind === 'logdiff') return Math.exp(z);
  if (t.kind === 'boxcox') {
    const l = t.lambda ?? 0;
    return l === 0 ? Math.exp(z) : Math.pow(l * z + 1, 1 / l);
  }
  return z;
}

/** z = transform(y); for the differenced kinds z[t] = g(y[t]) - g(y[t-1]) and z[0] is NaN. */
export function forwardSeries(t: TransformSpec, y: ArrayLike<number>): Float64Array {
  const g = new Float64Array(y.length);
  if (t.kind === 'none' || t.kind === 'diff') for (let i = 0; i < y.length; i++) g[i] = y[i]!;
  else for (let i = 0; i < y.length; i++) g[i] = pointwise(t, y[i]!);
  if (!differenced(t.kind)) return g;
  const z = new Float64Array(y.length);
  z[0] = NaN;
  for (let i = 1; i < y.length; i++) z[i] = g[i]! - g[i - 1]!;
  return z;
}

/** Rebuilds y from z (forwardSeries' output) and the first original value (used by the differenced kinds). */
export function inverseSeries(t: TransformSpec, z: ArrayLike<number>, first: number): Float64Array {
  const y = new Float64Array(z.length);
  if (!differenced(t.kind)) {
    for (let i = 0; i < z.length; i++) y[i] = pointwiseInverse(t, z[i]!);
    return y;
  }
  let g = pointwise(t, first);
  y[0] = first;
  for (let i = 1; i < z.length; i++) {
    g += z[i]!;
    y[i] = pointwiseInverse(t, g);
  }
  return y;
}

/**
 * Forecasts in original units from forecasts of z for steps 1..h after an origin whose last
 * observed original value is `last` (differenced kinds accumulate the steps from it).
 */
export function inverseForecast(t: TransformSpec, last: number, zhat: ArrayLike<number>): Float64Array {
  const out = new Float64Array(zhat.length);
  let g = pointwise(t, last);
  for (let h = 0; h < zhat.length; h++) {
    if (differenced(t.kind)) {
      g += zhat[h]!;
      out[h] = pointwiseInverse(t, g);
    } else out[h] = pointwiseInverse(t, zhat[h]!);
  }
  return out;
}

// Window normalisation: every input window is expressed relative to its own level (its last
// observed value), and the model's outputs are mapped back with the same level.

/** 'shift': x - level (any sign; after a log this is a ratio); 'ratio': x / level - 1 (positive series). */
export type WindowMode = 'shift' | 'ratio';

/** The last non-NaN value of values[from, to), or NaN. */
export function windowLevel(values: ArrayLike<number>, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (!Number.isNaN(values[i]!)) return values[i]!;
  return NaN;
}

export function normalizeValue(mode: WindowMode, x: number, level: number): number {
  return mode === 'shift' ? x - level : x / level - 1;
}

export function denormalizeValue(mode: WindowMode, o: number, level: number): number {
  return mode === 'shift' ? o + level : (o + 1) * level;
}

/** A window relative to its level (its last observed value). */
export function normalizeWindow(mode: WindowMode, window: ArrayLike<number>): { values: Float64Array; level: number } {
  const level = windowLevel(window, 0, window.length);
  return {
    values: Float64Array.from({ length: window.length }, (_, i) => normalizeValue(mode, window[i]!, level)),
    level,
  };
}

export function denormalizeWindow(mode: WindowMode, outputs: ArrayLike<number>, level: number): Float64Array {
  return Float64Array.from({ length: outputs.length }, (_, i) => denormalizeValue(mode, outputs[i]!, level));
}

/**
 * One scale for window-normalised values (so the network sees values of order 1): the root mean
 * square of every training window's inputs and outputs relative to its level. Windows end at
 * t = lookback-1 .. n-1-horizon of the train values; 1 when there is nothing to measure.
 */
export function fitWindowScale(mode: WindowMode, train: ArrayLike<number>, lookback: number, horizon: number): number {
  // O(n·(lookback + horizon)) additions in this exact order (the scale feeds every model input):
  // kept exact, with the level scan and the mode hoisted out of the inner loop (issue 15 item 4).
  const ratio = mode === 'ratio';
  let ss = 0;
  let n = 0;
  for (let t = lookback - 1; t + horizon < train.length; t++) {
    const level = windowLevel(train, t - lookback + 1, t + 1);
    if (Number.isNaN(level) || (ratio && level === 0)) continue;
    const end = t + horizon;
    for (let i = t - lookback + 1; i <= end; i++) {
      const v = ratio ? train[i]! / level - 1 : train[i]! - level;
      if (v - v !== 0) continue; // not finite (NaN or ±∞)
      ss += v * v;
      n++;
    }
  }
  const rms = n ? Math.sqrt(ss / n) : 0;
  return rms > 1e-12 ? rms : 1;
}

export { stepLevels } from './season-base.js';
export { chooseAutoTransform, type AutoTransform } from './stationarity.js';
