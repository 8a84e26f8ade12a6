// The season length for seasonal-naive, MASE and the ETS baseline: from the time column's
// frequency when it has one, else from the autocorrelation of the differenced train split, and
// in both cases only when a test on the train split supports it, so that no run reports a
// season its data does not show.
import { lagSums } from './lag-sums.js';
import { centredMovingAverageFast } from './moving-average.js';
import { inferFrequency, type Frequency } from './frequency.js';

export interface SeasonCheck {
  m: number;
  /** Autocorrelation at lag m of the series minus its centred moving average (trend removed). */
  acf: number;
  /** 1.96 / sqrt(n): the 95% bound for white noise. */
  bound: number;
  /** Seasonal strength, adjusted for the m fitted means: 1 - var(remainder) / var(detrended). */
  strength: number;
  ok: boolean;
}

/** The smallest adjusted seasonal strength accepted as a season. */
export const MIN_STRENGTH = 0.2;

/**
 * Does the series show a season of length m? Needs at least 3 full cycles. O(n) for any m (plain
 * loops over typed arrays: it runs twice on a million-row train split at every start-up).
 */
export function checkSeason(y: ArrayLike<number>, m: number): SeasonCheck {
  const n = y.length;
  const none = { m, acf: NaN, bound: NaN, strength: NaN, ok: false };
  if (m < 2 || n < 3 * m) return none;
  const d = centredMovingAverageFast(y, m);
  for (let t = 0; t < n; t++) d[t] = y[t]! - d[t]!; // NaN at the ends and at gaps
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  let mean = 0;
  let N = 0;
  for (let t = 0, k = 0; t < n; t++, k = k + 1 === m ? 0 : k + 1) {
    const v = d[t]!;
    if (Number.isNaN(v)) continue;
    sum[k]! += v;
    cnt[k]!++;
    mean += v;
    N++;
  }
  if (N < 2 * m + 2) return none;
  mean /= N;
  for (let k = 0; k < m; k++) sum[k] = sum[k]! / cnt[k]!; // the seasonal means
  let varD = 0;
  let varR = 0;
  for (let t = 0, k = 0; t < n; t++, k = k + 1 === m ? 0 : k + 1) {
    const v = d[t]!;
    if (Number.isNaN(v)) continue;
    varD += (v - mean) ** 2;
    varR += (v - sum[k]!) ** 2;
  }
  if (varD === 0) return none;
  let s = 0;
  for (let t = m; t < n; t++) {
    const a = d[t]!;
    const b = d[t - m]!;
    if (!Number.isNaN(a) && !Number.isNaN(b)) s += (a - mean) * (b - mean);
  }
  const acf = s / varD;
  const strength = Math.max(0, 1 - varR / (N - m) / (varD / (N - 1)));
  const bound = 1.96 / Math.sqrt(N);
  return { m, acf, bound, strength, ok: acf > bound && strength >= MIN_STRENGTH };
}

/** Autocorrelation of the first differences at lags 0..maxLag (NaN-aware). */
export function differencedAcf(y: ArrayLike<number>, maxLag: number): Float64Array {
  const d = new Float64Array(Math.max(y.length - 1, 0));
  for (let t = 1; t < y.length; t++) d[t - 1] = y[t]! - y[t - 1]!;
  let mean = 0;
  let c = 0;
  for (const v of d)
    if (!Number.isNaN(v)) {
      mean += v;
      c++;
    }
  mean /= c || 1;
  let den = 0;
  for (const v of d) if (!Number.isNaN(v)) den += (v - mean) ** 2;
  const acf = new Float64Array(maxLag + 1);
  if (!(den > 0)) return acf;
  // Centred, a missing difference as 0: a pair with a NaN then adds exactly 0, as skipping it did
  // (an infinite difference would give 0·∞ = NaN, so such a series keeps the pairwise loop).
  const e = Float64Array.from(d, (v) => (Number.isNaN(v) ? 0 : v - mean));
  if (!e.every(Number.isFinite)) return pairwiseAcf(d, mean, den, acf);
  const s = lagSums(e, e.length, maxLag);
  for (let lag = 0; lag <= maxLag; lag++) acf[lag] = s[lag]! / den;
  return acf;
}

function pairwiseAcf(d: Float64Array, mean: number, den: number, acf: Float64Array): Float64Array {
  for (let lag = 0; lag < acf.length; lag++) {
    let s = 0;
    for (let t = lag; t < d.length; t++) {
      const a = d[t]!;
      const b = d[t - lag]!;
      if (!Number.isNaN(a) && !Number.isNaN(b)) s += (a - mean) * (b - mean);
    }
    acf[lag] = s / den;
  }
  return acf;
}

export interface SeasonChoice {
  /** 1 when there is no season. */
  season: number;
  source: 'spec' | 'frequency' | 'acf' | 'none';
  /** One line for the run log, the run view and the CLI. */
  how: string;
  frequency: Frequency | null;
}

const fmt = (c: SeasonCheck) =>
  `ACF ${c.acf.toFixed(2)} at lag ${c.m} vs bound ${c.bound.toFixed(2)}, strength ${c.strength.toFixed(2)}`;

/** Peaks of the differenced series' ACF well above the white-noise bound, strongest first. */
function acfCandidates(train: ArrayLike<number>, maxLag: number): number[] {
  const top = Math.min(maxLag, Math.floor(train.length / 3));
  if (top < 2) return [];
  const acf = differencedAcf(train, top + 1);
  // Hundreds of lags are scanned: a 1.96 bound would pass a dozen chance peaks, so use p = 0.001.
  const bound = 3.29 / Math.sqrt(train.length - 1);
  const peaks: number[] = [];
  for (let lag = 2; lag <= top; lag++) {
    const a = acf[lag]!;
    if (a > bound && a > acf[lag - 1]! && a >= acf[lag + 1]!) peaks.push(lag);
  }
  return peaks.sort((a, b) => acf[b]! - acf[a]!);
}

/**
 * The season for one series: `spec` when given; else the time column's frequency, confirmed on the
 * train split; else (irregular or no time) the strongest differenced-ACF peak the train split
 * supports; else none.
 */
export function chooseSeason(opts: {
  train: ArrayLike<number>;
  time?: ArrayLike<number> | null;
  timeKind?: 'datetime' | 'numeric';
  spec?: number;
  maxLag?: number;
}): SeasonChoice {
  if (opts.spec !== undefined)
    return { season: opts.spec, source: 'spec', how: `season ${opts.spec} given in the spec`, frequency: null };
  const { train } = opts;
  let prefix = 'no time column';
  if (opts.time && opts.timeKind) {
    const f = inferFrequency(opts.time, opts.timeKind);
    if (f.unit !== null) {
      const freq = f as Frequency;
      if (freq.seasons.length === 0)
        return { season: 1, source: 'none', how: `${freq.how}: no season`, frequency: freq };
      const checks = freq.seasons.map((m) => checkSeason(train, m));
      const hit = checks.find((c) => c.ok);
      if (hit)
        return {
          season: hit.m,
          source: 'frequency',
          how: `${freq.how} → season ${hit.m}, confirmed on the train split (${fmt(hit)})`,
          frequency: freq,
        };
      const why = checks
        .map((c) => (Number.isNaN(c.acf) ? `lag ${c.m}: fewer than 3 cycles in the train split` : fmt(c)))
        .join('; ');
      return {
        season: 1,
        source: 'none',
        how: `${freq.how} suggest season ${freq.seasons.join(' or ')}, but the train split does not show it (${why}): no season`,
        frequency: freq,
      };
    }
    prefix = f.how;
  }
  for (const m of acfCandidates(train, opts.maxLag ?? 400).slice(0, 8)) {
    let c = checkSeason(train, m);
    if (!c.ok) continue;
    // A multiple of the true season can peak higher by chance: keep the smallest divisor that is as strong.
    for (let d = 2; d <= m / 2; d++) {
      if (m % d !== 0) continue;
      const cd = checkSeason(train, d);
      if (cd.ok && cd.strength >= 0.8 * c.strength) {
        c = cd;
        break;
      }
    }
    return {
      season: c.m,
      source: 'acf',
      how: `${prefix}; differenced train split peaks at lag ${m}, season ${c.m} (${fmt(c)})`,
      frequency: null,
    };
  }
  return { season: 1, source: 'none', how: `${prefix}; no season supported by the train split`, frequency: null };
}
