// The exponential smoothing (ETS) state-space recursions of Hyndman et al., "Forecasting with
// Exponential Smoothing" (2008): level, optionally damped trend, optionally additive or
// multiplicative season. Errors are additive for the A-season and non-seasonal forms and
// multiplicative for the M-season form (the admissible, numerically stable combinations; the
// state updates are the same for both error types, only the likelihood differs).

export type EtsTrend = 'N' | 'A' | 'Ad';
export type EtsSeason = 'N' | 'A' | 'M';

export interface EtsKind {
  trend: EtsTrend;
  season: EtsSeason;
  /** Season length (1 when season is 'N'). */
  m: number;
}

export interface EtsParams {
  alpha: number;
  /** Trend smoothing (Hyndman's beta = alpha * beta*); 0 without a trend. */
  beta: number;
  /** Season smoothing; 0 without a season. */
  gamma: number;
  /** Damping; 1 for an undamped or absent trend. */
  phi: number;
}

/** The states after the last observation; s[(pos + h - 1) % m] is the season of step h ahead. */
export interface EtsState {
  level: number;
  trend: number;
  season: Float64Array;
  pos: number;
}

/** "A,Ad,M"-style name (error, trend, season). */
export function etsName(k: EtsKind): string {
  return `${k.season === 'M' ? 'M' : 'A'},${k.trend},${k.season}`;
}

export function cloneState(s: EtsState): EtsState {
  return { level: s.level, trend: s.trend, season: s.season.slice(), pos: s.pos };
}

/** One-step forecast from the current state. */
export function oneStep(k: EtsKind, p: EtsParams, s: EtsState): number {
  const base = s.level + p.phi * s.trend;
  if (k.season === 'N') return base;
  const si = s.season[s.pos]!;
  return k.season === 'A' ? base + si : base * si;
}

/** Updates the state in place with observation y (NaN: the forecast is taken as observed). Returns the error y - forecast (0 for NaN). */
export function observe(k: EtsKind, p: EtsParams, s: EtsState, y: number): number {
  const base = s.level + p.phi * s.trend;
  const si = k.season === 'N' ? 0 : s.season[s.pos]!;
  const mu = k.season === 'N' ? base : k.season === 'A' ? base + si : base * si;
  const e = Number.isNaN(y) ? 0 : y - mu;
  if (k.season === 'M') {
    s.level = base + (p.alpha * e) / si;
    s.trend = p.phi * s.trend + (p.beta * e) / si;
    s.season[s.pos] = si + (p.gamma * e) / base;
  } else {
    s.level = base + p.alpha * e;
    s.trend = p.phi * s.trend + p.beta * e;
    if (k.season === 'A') s.season[s.pos] = si + p.gamma * e;
  }
  if (k.season !== 'N') s.pos = (s.pos + 1) % k.m;
  return e;
}

/** Forecasts 1..h steps ahead from the state, without changing it. */
export function forecastFrom(
  k: EtsKind,
  p: EtsParams,
  s: EtsState,
  h: number,
  out = new Float64Array(h),
): Float64Array {
  let damp = 0;
  let pw = 1;
  for (let i = 1; i <= h; i++) {
    pw *= p.phi;
    damp += pw;
    const base = s.level + (k.trend === 'N' ? 0 : damp * s.trend);
    if (k.season === 'N') out[i - 1] = base;
    else {
      const si = s.season[(s.pos + i - 1) % k.m]!;
      out[i - 1] = k.season === 'A' ? base + si : base * si;
    }
  }
  return out;
}

export interface FilterResult {
  /** -2 log-likelihood (Gaussian errors, variance at its maximum-likelihood value). */
  m2ll: number;
  /** Sum of squared one-step errors (in the model's error units). */
  sse: number;
  /** Observations that entered the likelihood. */
  n: number;
}

/**
 * Runs the recursions over y from the initial state (changed in place to the final state).
 * Returns Infinity when the state becomes inadmissible (non-positive multiplicative terms).
 */
export function filter(k: EtsKind, p: EtsParams, s: EtsState, y: ArrayLike<number>): FilterResult {
  let sse = 0;
  let logMu = 0;
  let n = 0;
  for (let t = 0; t < y.length; t++) {
    const yt = y[t]!;
    if (k.season === 'M') {
      const mu = oneStep(k, p, s);
      if (!(mu > 0) || !(s.level + p.phi * s.trend > 0)) return { m2ll: Infinity, sse: Infinity, n };
      const e = observe(k, p, s, yt);
      if (!Number.isNaN(yt)) {
        sse += (e / mu) ** 2;
        logMu += Math.log(mu);
        n++;
      }
    } else {
      const e = observe(k, p, s, yt);
      if (!Number.isNaN(yt)) {
        sse += e * e;
        n++;
      }
    }
  }
  if (n === 0 || !Number.isFinite(sse)) return { m2ll: Infinity, sse, n };
  const sigma2 = Math.max(sse / n, 1e-300);
  return { m2ll: n * (Math.log(2 * Math.PI * sigma2) + 1) + 2 * logMu, sse, n };
}
