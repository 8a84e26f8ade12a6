// Cuts batches from the per-series arrays when they are needed: memory stays rows × features;
// a batch of [B, lookback, F] is the only windowed copy that exists at any time.
import type { Prepared } from './prepare.js';

export interface Batch {
  x: Float32Array; // [B, lookback, F]
  y: Float32Array; // [B, outputs] (one-hot for classify)
  size: number;
}

/** Fills a batch from `windows` (pairs of group, t) at positions order[from..from+size). */
export function cutBatch(p: Prepared, windows: Int32Array, order: Int32Array | null, from: number, size: number): Batch {
  const F = p.features.length;
  const L = p.lookback;
  const H = p.horizon;
  const T = p.targets.length;
  const O = p.outputs.length;
  const x = new Float32Array(size * L * F);
  const y = new Float32Array(size * O);
  for (let b = 0; b < size; b++) {
    const w = order ? order[from + b]! : from + b;
    const g = p.groups[windows[2 * w]!]!;
    const t = windows[2 * w + 1]!;
    // Inputs t-L+1..t; rows before 0 cannot occur (windows start at lookback-1).
    x.set(g.x.subarray((t - L + 1) * F, (t + 1) * F), b * L * F);
    if (p.task === 'classify') {
      y[b * O + g.y[t + H]!] = 1;
    } else {
      for (let j = 0; j < T; j++) for (let h = 0; h < H; h++) y[b * O + j * H + h] = g.y[(t + 1 + h) * T + j]!;
    }
  }
  return { x, y, size };
}

export function windowCount(windows: Int32Array): number {
  return windows.length / 2;
}
