// Level-stationarity test and the automatic transform/normalisation choice, from the train
// split only. KPSS (Kwiatkowski et al. 1992): partial sums of the demeaned series against a
// Newey-West long-run variance; a large statistic means the level wanders (trend or unit root).
import { lagSums } from './lag-sums.js';
import type { Normalize, TargetTransform } from './transforms.js';

/** 5% critical value of the KPSS level-stationarity statistic. */
export const KPSS_5PCT = 0.463;

export function kpss(values: ArrayLike<number>): { stat: number; lags: number; n: number } {
  // Typed arrays and plain loops (the same sums in the same order), four lags per pass (lagSums):
  // a million train values and ~110 lags take a few tens of ms of a trainer's start-up (issue 15 item 4).
  const y = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) y[n++] = values[i]!;
  if (n < 8) return { stat: NaN, lags: 0, n };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i]!;
  const mean = sum / n;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = y[i]! - mean;
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    s += e[i]!;
    ss += s * s;
  }
  const lags = Math.min(n - 1, Math.ceil(12 * Math.pow(n / 100, 0.25)));
  const g = lagSums(e, n, lags);
  let lrv = g[0]! / n;
  for (let k = 1; k <= lags; k++) lrv += 2 * (1 - k / (lags + 1)) * (g[k]! / n);
  if (!(lrv > 0)) return { stat: 0, lags, n };
  return { stat: ss / (n * n * lrv), lags, n };
}

export interface AutoTransform {
  transform: TargetTransform;
  normalize: Normalize;
  /** One line for the run log. */
  reason: string;
}

/** Above this max/min ratio a positive trending series is modelled in logs (growth is relative). */
export const LOG_RANGE = 2;

/**
 * The default transform and normalisation for a target, from its train split: a wandering level
 * (KPSS above its 5% value) gets window normalisation, and in logs when the series is positive and
 * spans a wide range; a stationary one keeps the global scaler and no transform.
 */
export function chooseAutoTransform(train: ArrayLike<number>): AutoTransform {
  const k = kpss(train);
  if (Number.isNaN(k.stat))
    return { transform: 'none', normalize: 'global', reason: `only ${k.n} train values: no transform, global scaling` };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < train.length; i++) {
    const v = train[i]!;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const test = `KPSS ${k.stat.toFixed(3)} ${k.stat > KPSS_5PCT ? '>' : '≤'} ${KPSS_5PCT} (5%)`;
  const ratio = max / min;
  if (k.stat <= KPSS_5PCT) {
    // A stationary level can still be multiplicative: river flows, counts and cycles such as
    // r-lynx swing more where they stand higher. Steps against levels over blocks of the train
    // split (the halves of a stationary series have about the same level) tell it.
    const v = min > 0 && ratio >= LOG_RANGE ? blockGrowth(train) : null;
    return v?.relative
      ? {
          transform: 'log',
          normalize: 'global',
          reason: `${test}: level stationary → global scaling; values positive, max/min ${ratio.toFixed(1)} ≥ ${LOG_RANGE}, ${v.how} → log`,
        }
      : {
          transform: 'none',
          normalize: 'global',
          reason: `${test}: level stationary → no transform, global scaling${v ? ` (${v.how})` : ''}`,
        };
  }
  const g = min > 0 && ratio >= LOG_RANGE ? growth(train) : null;
  if (g && g.relative) {
    return {
      transform: 'log',
      normalize: 'window',
      reason: `${test}: level not stationary → window normalisation; values positive, max/min ${ratio.toFixed(1)} ≥ ${LOG_RANGE}, ${g.how} → log`,
    };
  }
  const why = g
    ? `max/min ${ratio.toFixed(1)} ≥ ${LOG_RANGE} but ${g.how}`
    : min > 0
      ? `max/min ${ratio.toFixed(2)} < ${LOG_RANGE}`
      : 'values not all positive';
  return {
    transform: 'none',
    normalize: 'window',
    reason: `${test}: level not stationary → window normalisation; ${why} → no log`,
  };
}

/** Mean absolute level and mean absolute step of a stretch of values. */
function stats(a: number[]): { level: number; step: number } {
  let level = 0;
  let step = 0;
  for (let i = 0; i < a.length; i++) {
    level += Math.abs(a[i]!);
    if (i > 0) step += Math.abs(a[i]! - a[i - 1]!);
  }
  return { level: level / a.length, step: step / Math.max(a.length - 1, 1) };
}

/** Blocks of the train split for blockGrowth: at least this many rows each. */
const BLOCK_ROWS = 12;
/** At most this many blocks. */
const MAX_BLOCKS = 8;
/** The block levels must span at least this factor for their steps to say anything. */
const BLOCK_LEVEL_SPAN = 1.5;

/**
 * Do the steps scale with the level across the train split? Over up to MAX_BLOCKS consecutive
 * blocks: the least-squares slope of log(mean absolute step) on log(mean level), relative when
 * above 0.5 (1: steps proportional to the level, what a log makes constant; 0: additive). With
 * two blocks this is `growth` below.
 */
export function blockGrowth(train: ArrayLike<number>): { relative: boolean; how: string } {
  const y = Array.from(train).filter((v) => !Number.isNaN(v));
  const k = Math.min(MAX_BLOCKS, Math.floor(y.length / BLOCK_ROWS));
  if (k < 2) return { relative: false, how: `${y.length} values: too few for blocks` };
  const pts: [number, number][] = [];
  for (let b = 0; b < k; b++) {
    const { level, step } = stats(y.slice(Math.floor((b * y.length) / k), Math.floor(((b + 1) * y.length) / k)));
    const l = Math.log(level);
    const d = Math.log(step);
    if (Number.isFinite(l) && Number.isFinite(d)) pts.push([l, d]);
  }
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, yy] of pts) {
    sxy += (x - mx) * (yy - my);
    sxx += (x - mx) ** 2;
  }
  // Levels that barely differ between blocks cannot tell: the slope over a small range is noise
  // (r-nottem's two-year blocks span ×1.1 and gave 1.76).
  const span = Math.exp(Math.max(...pts.map((p) => p[0])) - Math.min(...pts.map((p) => p[0])));
  if (pts.length < 2 || !(span >= BLOCK_LEVEL_SPAN))
    return { relative: false, how: `block levels within ×${span.toFixed(2)}: too close to tell` };
  const slope = sxy / sxx;
  return {
    relative: slope > 0.5,
    how: `step vs level over ${pts.length} blocks: slope ${slope.toFixed(2)} (${slope > 0.5 ? 'multiplicative' : 'additive'})`,
  };
}

/**
 * Is the growth relative (steps grow with the level, as in compound growth or a multiplicative
 * season) or additive (a linear trend, a random walk)? Compares the halves of the train split: the
 * log-ratio of their mean absolute steps against the log-ratio of their mean levels; relative when
 * the steps grew by more than half as much as the level. A log would bend an additive trend.
 */
export function growth(train: ArrayLike<number>): { relative: boolean; how: string } {
  const y = Array.from(train).filter((v) => !Number.isNaN(v));
  const half = Math.floor(y.length / 2);
  const a = stats(y.slice(0, half));
  const b = stats(y.slice(half));
  const rl = Math.log(b.level / a.level);
  const rd = Math.log(b.step / a.step);
  if (!Number.isFinite(rl) || !Number.isFinite(rd)) return { relative: false, how: 'step sizes not measurable' };
  const how = `mean step ×${Math.exp(rd).toFixed(2)} vs level ×${Math.exp(rl).toFixed(2)} between the train halves`;
  return {
    relative: Math.abs(rl) > 1e-9 && rd / rl > 0.5,
    how: `${how} (${rd / rl > 0.5 ? 'relative' : 'additive'} growth)`,
  };
}
