// The centred moving average of the season check (worker/data/seasonality.ts) in O(n): a window
// sum updated as the window slides instead of summed afresh at every row (O(n·m); with m = 168
// on a million hourly rows that was a fifth of a trainer's start-up, issue 15 item 4). It equals
// worker/baselines/ets-init.ts's `centredMovingAverage` up to float rounding (tested on random
// inputs): the sum is recomputed from scratch every `m` rows, so rounding cannot build up, and a
// window holding a NaN or an infinity is summed directly, as the old formula did.

/**
 * Centred moving average of length m (2×m for even m: half weights at both ends), NaN where the
 * window does not fit or holds a NaN.
 */
export function centredMovingAverageFast(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  const half = Math.floor(m / 2);
  if (half + half >= n) return out;
  const odd = m % 2 === 1;
  // Inner window: rows t-half+1 .. t+half-1 (even m) or t-half .. t+half (odd m); `bad` counts
  // its non-finite values, which stay out of `sum` (an infinity would poison it for good).
  const lo0 = odd ? -half : -half + 1;
  const hi0 = odd ? half : half - 1;
  let sum = 0;
  let bad = 0;
  const resync = (t: number): void => {
    sum = 0;
    bad = 0;
    for (let i = t + lo0; i <= t + hi0; i++) {
      const v = y[i]!;
      if (Number.isFinite(v)) sum += v;
      else bad++;
    }
  };
  resync(half);
  for (let t = half; t + half < n; t++) {
    if (t > half) {
      if ((t - half) % m === 0) resync(t);
      else {
        const gone = y[t + lo0 - 1]!;
        const come = y[t + hi0]!;
        if (Number.isFinite(gone)) sum -= gone;
        else bad--;
        if (Number.isFinite(come)) sum += come;
        else bad++;
      }
    }
    if (bad > 0) out[t] = direct(y, t, m, half, odd);
    else if (odd) out[t] = sum / m;
    else out[t] = (0.5 * (y[t - half]! + y[t + half]!) + sum) / m;
  }
  return out;
}

/** The old formula at one row (windows with a non-finite value: NaN or ±Infinity as before). */
function direct(y: ArrayLike<number>, t: number, m: number, half: number, odd: boolean): number {
  let s = odd ? 0 : 0.5 * (y[t - half]! + y[t + half]!);
  for (let j = odd ? -half : -half + 1; j < (odd ? half + 1 : half); j++) s += y[t + j]!;
  return s / m;
}
