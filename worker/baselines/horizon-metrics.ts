// Error metrics per step ahead (1..H) and pooled over all steps, for the model and every
// baseline. Arrays use the evaluation's layout: window r, target j, step h at r*T*H + j*H + (h-1).

export interface StepMetrics {
  /** Step ahead (1..H); 0 for the pooled row. */
  h: number;
  mae: number;
  rmse: number;
  /** Scaled errors |e| / scale (the target's in-sample seasonal-naive MAE), averaged. */
  mase: number;
  /** Pairs counted (rows where actual or predicted is NaN are left out). */
  n: number;
}

export interface HorizonMetrics {
  perStep: StepMetrics[];
  pooled: StepMetrics;
}

export interface HorizonOptions {
  horizon: number;
  /** Targets per window (default 1). */
  targets?: number;
  /** MASE denominator: one for all targets, or one per target. NaN or ≤ 0 gives NaN MASE. */
  scale: number | ArrayLike<number>;
}

export function horizonMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  opts: HorizonOptions,
): HorizonMetrics {
  const H = opts.horizon;
  const T = opts.targets ?? 1;
  const O = T * H;
  const scaleOf = (j: number) => (typeof opts.scale === 'number' ? opts.scale : opts.scale[j]!);
  const ae = new Float64Array(H);
  const se = new Float64Array(H);
  const sc = new Float64Array(H);
  const n = new Float64Array(H);
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i]! - predicted[i]!;
    if (Number.isNaN(e)) continue;
    const o = i % O;
    const h = o % H;
    const s = scaleOf(Math.floor(o / H));
    ae[h]! += Math.abs(e);
    se[h]! += e * e;
    sc[h]! += s > 0 ? Math.abs(e) / s : NaN;
    n[h]!++;
  }
  const row = (h: number, a: number, s: number, c: number, k: number): StepMetrics => ({
    h,
    mae: k ? a / k : NaN,
    rmse: k ? Math.sqrt(s / k) : NaN,
    mase: k ? c / k : NaN,
    n: k,
  });
  const perStep = Array.from({ length: H }, (_, h) => row(h + 1, ae[h]!, se[h]!, sc[h]!, n[h]!));
  const sum = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
  return { perStep, pooled: row(0, sum(ae), sum(se), sum(sc), sum(n)) };
}

/** Metric records for the store: `${name}.mae@3` per step and `${name}.mae` pooled (finite values only). */
export function horizonRecords(name: string, m: HorizonMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (key: string, v: number) => {
    if (Number.isFinite(v)) out[key] = v;
  };
  for (const k of ['mae', 'rmse', 'mase'] as const) {
    put(`${name}.${k}`, m.pooled[k]);
    for (const s of m.perStep) put(`${name}.${k}@${s.h}`, s[k]);
  }
  return out;
}
