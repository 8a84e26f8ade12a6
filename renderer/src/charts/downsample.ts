// Min/max decimation for long series: per bucket of consecutive points keep the lowest and the
// highest point of every series, which draws the same picture as all points at that pixel
// width (peaks survive, unlike plain striding). The dataset chart hands ECharts a coarse view of
// the whole series plus a fine view of the zoomed window, so a million rows draw and zoom fast.

import { lowerBound, minMaxIndices } from '../../../core/downsample.js';

export { lowerBound, minMaxIndices };

function ascending(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i]! < x[i - 1]!) return false;
  return true;
}

/**
 * Indices to draw: a coarse pass over everything and, when zoomed, a fine pass over the window
 * (`range` in x units). Unsorted x falls back to the coarse pass.
 */
export function decimate(x: ArrayLike<number>, ys: readonly ArrayLike<number | null>[], range: [number, number] | null, buckets = 1500): number[] {
  const coarse = minMaxIndices(ys, 0, x.length, buckets);
  if (!range || coarse.length === x.length || !ascending(x)) return coarse;
  const from = Math.max(0, lowerBound(x, range[0]) - 1);
  const to = Math.min(x.length, lowerBound(x, range[1]) + 1);
  const fine = minMaxIndices(ys, from, to, buckets);
  const merged = new Set<number>(coarse);
  for (const i of fine) merged.add(i);
  return [...merged].sort((a, b) => a - b);
}
