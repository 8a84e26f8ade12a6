// Cuts batches from the per-series arrays when they are needed: memory stays rows × features;
// a batch of [B, lookback, F] is the only windowed copy that exists at any time. Window-normalised
// targets (and the features that are those targets) are made relative to each window's level here.
import type { Group, Prepared } from './prepare.js';
import { levelOf, stepLevels, toModel, toOriginal, windowed } from './target-prep.js';

export interface Batch {
  x: Float32Array; // [B, lookback, F]
  y: Float32Array; // [B, outputs] (one-hot for classify)
  size: number;
}

/** Per target, the level window (g, t) is expressed against (0 for global normalisation). */
export function windowLevels(p: Prepared, g: Group, t: number): Float64Array {
  const T = p.targets.length;
  return Float64Array.from(p.targetPrep, (prep, j) => levelOf(prep, g.y, T, j, t - p.lookback + 1, t + 1));
}

/** Per target, the levels of output steps 1..H of window (g, t) (the input level, or one season back for `season`). */
export function windowStepLevels(p: Prepared, g: Group, t: number, levels = windowLevels(p, g, t)): Float64Array[] {
  const T = p.targets.length;
  return p.targetPrep.map((prep, j) => stepLevels(prep, g.y, T, j, t + 1, p.horizon, levels[j]!));
}

/** The targets of window (g, t) in model units, [outputs], in double precision. */
export function windowTargets(p: Prepared, g: Group, t: number, levels = windowLevels(p, g, t)): Float64Array {
  const T = p.targets.length;
  const H = p.horizon;
  const out = new Float64Array(T * H);
  const steps = windowStepLevels(p, g, t, levels);
  for (let j = 0; j < T; j++) {
    const prep = p.targetPrep[j]!;
    for (let h = 0; h < H; h++) out[j * H + h] = toModel(prep, g.y[(t + 1 + h) * T + j]!, steps[j]![h]!);
  }
  return out;
}

/**
 * Fills a batch from `windows` (pairs of group, t) at positions order[from..from+size).
 *
 * This runs for every batch the trainer takes, so a window costs no allocation: the targets whose
 * output steps are all measured from the window's level (no season reference, no linear
 * correction) skip stepLevels, the others reuse one array of step levels. The values are
 * windowTargets', in the same order.
 */
export function cutBatch(
  p: Prepared,
  windows: Int32Array,
  order: Int32Array | null,
  from: number,
  size: number,
): Batch {
  const F = p.features.length;
  const L = p.lookback;
  const H = p.horizon;
  const O = p.outputs.length;
  const T = p.targets.length;
  const row = L * F;
  const x = new Float32Array(size * row);
  const y = new Float32Array(size * O);
  const windowFeatures = p.featureTarget
    .map((j, f) => [f, j] as const)
    .filter(([, j]) => j >= 0 && windowed(p.targetPrep[j]!.normalize));
  const flat = p.targetPrep.map((prep) => !prep.linear && (prep.normalize !== 'season' || !((prep.season ?? 0) >= 1)));
  const levels = new Float64Array(T);
  const stepBuf = new Float64Array(H);
  for (let b = 0; b < size; b++) {
    const w = order ? order[from + b]! : from + b;
    const g = p.groups[windows[2 * w]!]!;
    const t = windows[2 * w + 1]!;
    // Inputs t-L+1..t; rows before 0 cannot occur (windows start at lookback-1).
    const src = (t - L + 1) * F;
    for (let i = 0; i < row; i++) x[b * row + i] = g.x[src + i]!;
    if (p.task === 'classify') {
      y[b * O + g.y[t + H]!] = 1;
      continue;
    }
    for (let j = 0; j < T; j++) levels[j] = levelOf(p.targetPrep[j]!, g.y, T, j, t - L + 1, t + 1);
    for (let j = 0; j < T; j++) {
      const prep = p.targetPrep[j]!;
      const steps = flat[j] ? null : stepLevels(prep, g.y, T, j, t + 1, H, levels[j]!, stepBuf);
      for (let h = 0; h < H; h++)
        y[b * O + j * H + h] = toModel(prep, g.y[(t + 1 + h) * T + j]!, steps ? steps[h]! : levels[j]!);
    }
    for (const [f, j] of windowFeatures) {
      const prep = p.targetPrep[j]!;
      const level = levels[j]!;
      for (let i = 0, yi = (t - L + 1) * T + j, xi = b * row + f; i < L; i++, yi += T, xi += F) {
        const v = g.y[yi]!;
        x[xi] = Number.isNaN(v) ? 0 : toModel(prep, v, level);
      }
    }
  }
  return { x, y, size };
}

/**
 * Model outputs of a split's windows → original units: output j*H+h is target j at step h+1,
 * undone through its window level, its scaler and its transform (from the window's last raw value).
 */
export function originalOutputs(p: Prepared, windows: Int32Array, model: Float32Array | Float64Array): Float64Array {
  const H = p.horizon;
  const T = p.targets.length;
  const O = p.outputs.length;
  const out = new Float64Array(model.length);
  for (let r = 0; r < model.length / O; r++) {
    const g = p.groups[windows[2 * r]!]!;
    const t = windows[2 * r + 1]!;
    const steps = windowStepLevels(p, g, t);
    for (let j = 0; j < T; j++) {
      const o = r * O + j * H;
      out.set(
        toOriginal(p.targetPrep[j]!, p.scalers[p.targets[j]!]!, model.subarray(o, o + H), steps[j]!, g.raw[t * T + j]!),
        o,
      );
    }
  }
  return out;
}

/** The actual values of a split's windows in original units, [n, outputs]. */
export function actualOutputs(p: Prepared, windows: Int32Array): Float64Array {
  const H = p.horizon;
  const T = p.targets.length;
  const O = p.outputs.length;
  const n = windowCount(windows);
  const out = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    const g = p.groups[windows[2 * r]!]!;
    const t = windows[2 * r + 1]!;
    for (let j = 0; j < T; j++) for (let h = 1; h <= H; h++) out[r * O + j * H + h - 1] = g.raw[(t + h) * T + j]!;
  }
  return out;
}

export function windowCount(windows: Int32Array): number {
  return windows.length / 2;
}
