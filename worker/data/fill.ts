// Missing-value policies applied to one series' column before windows are cut.
export type MissingPolicy = 'error' | 'drop' | 'ffill' | 'interpolate';

/** Fills NaNs in place: forward fill, or linear interpolation; leading/trailing gaps take the nearest value. */
export function fillMissing(v: Float64Array, policy: 'ffill' | 'interpolate'): void {
  const n = v.length;
  let first = -1;
  for (let i = 0; i < n; i++)
    if (!Number.isNaN(v[i]!)) {
      first = i;
      break;
    }
  if (first < 0) return;
  for (let i = 0; i < first; i++) v[i] = v[first]!;
  let last = first;
  for (let i = first + 1; i < n; i++) {
    if (Number.isNaN(v[i]!)) continue;
    if (i - last > 1) {
      const a = v[last]!;
      const b = v[i]!;
      for (let k = last + 1; k < i; k++) v[k] = policy === 'ffill' ? a : a + ((b - a) * (k - last)) / (i - last);
    }
    last = i;
  }
  for (let i = last + 1; i < n; i++) v[i] = v[last]!;
}
