// Exponential smoothing baseline: every admissible ETS variant (simple, Holt, damped trend, each
// with an additive or multiplicative season when a season length is given) fitted by maximum
// likelihood, the one with the lowest AICc kept, then run forward one observation at a time
// over a test segment without refitting, like the RNN's evaluation.
import {
  cloneState,
  etsName,
  filter,
  forecastFrom,
  observe,
  type EtsKind,
  type EtsParams,
  type EtsState,
} from './ets-core.js';
import { initialState } from './ets-init.js';
import { nelderMead } from './nelder-mead.js';

export type { EtsKind, EtsParams, EtsState } from './ets-core.js';

export interface EtsFitOptions {
  /** Season length; seasonal variants are tried when it is > 1 and the series has 2 full cycles. */
  season?: number;
  /** Only these variants (names as etsName, e.g. "A,Ad,N"); default all admissible ones. */
  only?: string[];
  /** Fit on at most this many of the last observations (default 5000): the fit is O(n) per try. */
  maxLength?: number;
}

/** A fitted model; its state is that after the last observation it has seen. */
export class EtsModel {
  constructor(
    readonly kind: EtsKind,
    readonly params: EtsParams,
    public state: EtsState,
    /** Fit quality on the training data. */
    readonly fit: { aicc: number; m2ll: number; sigma2: number; n: number; k: number },
  ) {}

  get name(): string {
    return etsName(this.kind);
  }

  forecast(h: number): Float64Array {
    return forecastFrom(this.kind, this.params, this.state, h);
  }

  /** Moves the state forward by one observation (NaN: the forecast stands in for it). */
  update(y: number): void {
    observe(this.kind, this.params, this.state, y);
  }

  clone(): EtsModel {
    return new EtsModel(this.kind, this.params, cloneState(this.state), this.fit);
  }
}

const sig = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));
const PHI_LO = 0.8;
const PHI_HI = 0.98;
const EPS = 1e-4;

/** Unconstrained vector → parameters inside the usual region (0<β<α<1, 0<γ<1-α, 0.8<φ<0.98). */
function decode(k: EtsKind, u: Float64Array): EtsParams {
  const alpha = EPS + (1 - 2 * EPS) * sig(u[0]!);
  let i = 1;
  const beta = k.trend === 'N' ? 0 : alpha * sig(u[i++]!);
  const gamma = k.season === 'N' ? 0 : (1 - alpha) * sig(u[i++]!);
  const phi = k.trend === 'Ad' ? PHI_LO + (PHI_HI - PHI_LO) * sig(u[i++]!) : 1;
  return { alpha, beta, gamma, phi };
}

function encode(k: EtsKind, p: EtsParams): number[] {
  const u = [logit((p.alpha - EPS) / (1 - 2 * EPS))];
  if (k.trend !== 'N') u.push(logit(p.beta / p.alpha));
  if (k.season !== 'N') u.push(logit(p.gamma / (1 - p.alpha)));
  if (k.trend === 'Ad') u.push(logit((p.phi - PHI_LO) / (PHI_HI - PHI_LO)));
  return u;
}

/** Above this season length the initial seasonal states stay at their heuristic values (too many to optimise). */
export const MAX_ESTIMATED_SEASON = 12;

/** Moves seasonal states 0..m-2 by u (in units of the series' step size), sets the last so they sum to 0 / average 1. */
function adjustSeason(kind: EtsKind, season: Float64Array, u: ArrayLike<number>, scale: number, level: number): void {
  const m = kind.m;
  const mult = kind.season === 'M';
  const unit = mult ? scale / Math.max(Math.abs(level), scale) : scale;
  let sum = 0;
  for (let i = 0; i < m - 1; i++) {
    season[i] = season[i]! + u[i]! * unit;
    sum += season[i]!;
  }
  season[m - 1] = mult ? m - sum : -sum;
}

function spread(y: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let t = 1; t < y.length; t++) {
    const d = y[t]! - y[t - 1]!;
    if (!Number.isNaN(d)) {
      s += Math.abs(d);
      n++;
    }
  }
  const v = n ? s / n : 0;
  return v > 0 ? v : 1;
}

/** Fits one variant by maximum likelihood: smoothing parameters and the initial level and trend. */
export function fitEtsKind(kind: EtsKind, y: ArrayLike<number>): EtsModel | null {
  const init = initialState(kind, y);
  const scale = spread(y);
  const nSmooth = 1 + (kind.trend !== 'N' ? 1 : 0) + (kind.season !== 'N' ? 1 : 0) + (kind.trend === 'Ad' ? 1 : 0);
  const nStates = 1 + (kind.trend !== 'N' ? 1 : 0);
  // Initial seasonal states are estimated too for short seasons (m - 1 free values, normalised).
  const nSeason = kind.season !== 'N' && kind.m <= MAX_ESTIMATED_SEASON ? kind.m - 1 : 0;
  const start = (u: Float64Array): EtsState => {
    const s = cloneState(init);
    s.level += u[nSmooth]! * scale;
    if (kind.trend !== 'N') s.trend += u[nSmooth + 1]! * scale * 0.1;
    if (nSeason > 0) adjustSeason(kind, s.season, u.subarray(nSmooth + nStates), scale, s.level);
    return s;
  };
  const objective = (u: Float64Array) => filter(kind, decode(kind, u), start(u), y).m2ll;
  // Stage 1: smoothing parameters, level and trend from two starts; stage 2 (short seasons): all
  // of them with the seasonal states, from stage 1's best, on a smaller evaluation budget.
  let best: { x: Float64Array; value: number } | null = null;
  for (const alpha of [0.2, 0.7]) {
    const p0: EtsParams = { alpha, beta: 0.1 * alpha, gamma: 0.1 * (1 - alpha), phi: 0.95 };
    const x0 = [...encode(kind, p0), ...new Array<number>(nStates + nSeason).fill(0)];
    const d = nSmooth + nStates;
    const r = nelderMead((u) => objective(Float64Array.from(x0, (v, i) => (i < d ? u[i]! : v))), x0.slice(0, d), {
      step: 1,
      maxEvaluations: 400 * (d + 1),
      tolerance: 1e-9,
    });
    const x = Float64Array.from(x0, (v, i) => (i < d ? r.x[i]! : v));
    if (!best || r.value < best.value) best = { x, value: r.value };
  }
  if (best && nSeason > 0 && Number.isFinite(best.value)) {
    const r = nelderMead(objective, best.x, { step: 0.5, maxEvaluations: 60 * (best.x.length + 1), tolerance: 1e-9 });
    if (r.value < best.value) best = r;
  }
  if (!best || !Number.isFinite(best.value)) return null;
  const params = decode(kind, best.x);
  const state = start(best.x);
  const f = filter(kind, params, state, y);
  if (!Number.isFinite(f.m2ll)) return null;
  const k = nSmooth + nStates + (kind.season !== 'N' ? kind.m - 1 : 0) + 1;
  const aicc = f.m2ll + 2 * k + (f.n - k - 1 > 0 ? (2 * k * (k + 1)) / (f.n - k - 1) : Infinity);
  return new EtsModel(kind, params, state, { aicc, m2ll: f.m2ll, sigma2: f.sse / f.n, n: f.n, k });
}

/** The variants worth trying on y with season length m. */
export function candidateKinds(y: ArrayLike<number>, m = 1): EtsKind[] {
  const trends: EtsTrend[] = ['N', 'A', 'Ad'];
  const out: EtsKind[] = trends.map((trend) => ({ trend, season: 'N', m: 1 }));
  let present = 0;
  let positive = true;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (Number.isNaN(v)) continue;
    present++;
    if (!(v > 0)) positive = false;
  }
  if (m > 1 && present >= 2 * m + 2) {
    for (const trend of trends) out.push({ trend, season: 'A', m });
    if (positive) for (const trend of trends) out.push({ trend, season: 'M', m });
  }
  return out;
}

type EtsTrend = EtsKind['trend'];

/** Fits every candidate variant and keeps the one with the lowest AICc. */
export function fitEts(train: ArrayLike<number>, opts: EtsFitOptions = {}): EtsModel {
  const maxLength = opts.maxLength ?? 5000;
  const y =
    train.length > maxLength ? (Array.prototype.slice.call(train, train.length - maxLength) as number[]) : train;
  let best: EtsModel | null = null;
  for (const kind of candidateKinds(y, opts.season ?? 1)) {
    if (opts.only && !opts.only.includes(etsName(kind))) continue;
    const fit = fitEtsKind(kind, y);
    if (fit && (!best || fit.fit.aicc < best.fit.aicc)) best = fit;
  }
  if (!best) throw new Error('ETS: no variant could be fitted (too few observations?)');
  return best;
}

/**
 * Forecasts from every origin of a test segment that follows the model's data: origin i has seen
 * test[0..i-1] and predicts test[i..i+horizon-1]. Origins 0..test.length-horizon, row-major
 * [origins, horizon]. The model itself is not changed.
 */
export function rollingForecast(model: EtsModel, test: ArrayLike<number>, horizon: number): Float64Array {
  const origins = Math.max(test.length - horizon + 1, 0);
  const out = new Float64Array(origins * horizon);
  const m = model.clone();
  for (let i = 0; i < origins; i++) {
    forecastFrom(m.kind, m.params, m.state, horizon, out.subarray(i * horizon, (i + 1) * horizon));
    m.update(test[i]!);
  }
  return out;
}
