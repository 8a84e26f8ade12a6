// Min/max decimation for long series: per bucket of consecutive points keep the lowest and the
// highest point of every series, which draws the same picture as all points at that pixel width
// (peaks survive, unlike plain striding). datasets.series answers a million rows with a few
// thousand points this way; the renderer's chart draws what it is sent.

/** First index with x[i] >= v in an ascending array (x.length when none). */
export function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[i] > v in an ascending array (x.length when none). */
export function upperBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted indices to keep from [from, to): first, last, and each bucket's min and max per series. */
export function minMaxIndices(
  ys: readonly ArrayLike<number | null>[],
  from: number,
  to: number,
  buckets: number,
): number[] {
  const n = to - from;
  if (n <= 0) return [];
  if (n <= buckets * 2) return Array.from({ length: n }, (_, i) => from + i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  for (const y of ys) {
    for (let b = 0; b < buckets; b++) {
      const s = from + Math.floor((b * n) / buckets);
      const e = from + Math.floor(((b + 1) * n) / buckets);
      let iMin = -1;
      let iMax = -1;
      for (let i = s; i < e; i++) {
        const v = y[i];
        if (v === null || v === undefined || Number.isNaN(v)) {
          keep[i - from] = 1; // keep gaps visible
          continue;
        }
        if (iMin < 0 || v < (y[iMin] as number)) iMin = i;
        if (iMax < 0 || v > (y[iMax] as number)) iMax = i;
      }
      if (iMin >= 0) keep[iMin - from] = 1;
      if (iMax >= 0) keep[iMax - from] = 1;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(from + i);
  return out;
}
