// A paired test of two forecasters over the same backtest windows (Diebold and Mariano, 1995):
// tune's re-ranking (rerank.ts) lets a challenger replace the default only when its absolute
// errors are lower window by window, not only on the mean of three fold MAEs. Three numbers cannot
// tell a 2% gain from luck (docs/studies.md: a pick 1.3% below the default's mean lost on test),
// and demanding a win on every fold refused a pick 9% below it with t = −2.5 over 239 windows that
// lost one fold by 0.7% and won on test (gen-level-shift). Each fold's test split holds about a
// hundred windows, so the test has the power the fold means lack.
//
// The windows of a fold overlap (a horizon of H steps shares H − 1 target rows with the next) and
// a model's errors run in streaks (a level shift it missed), so the variance of the mean difference
// is the long-run variance: Bartlett-weighted autocovariances within each fold (Newey and West,
// 1987; lags max(H − 1, ⌊4 (n/100)^(2/9)⌋) for a fold of n windows), folds independent of each other.
import type { Predictions } from '../contract.js';

/** A fold's test windows: each one's time (its first target step) and its absolute error averaged over the outputs. */
export interface WindowErrors {
  time: number[];
  error: number[];
  /** Outputs per window (targets × horizon steps). */
  outputs: number;
  /** Each window's series, for datasets of several series (their windows share time stamps). */
  series?: string[];
}

export interface PairedResult {
  /** Windows compared (matched by fold, series and time). */
  windows: number;
  /** Mean of challenger − default absolute error (negative: the challenger is better). */
  diff: number;
  /** The Diebold–Mariano statistic: diff over its standard error (negative: the challenger is better). */
  t: number;
}

/** One-sided 5%: a challenger replaces the default only with t at most −this. */
export const PAIRED_Z = 1.645;

export function windowErrors(
  p: Pick<Predictions, 'outputs' | 'actual' | 'predicted' | 'time' | 'series'>,
): WindowErrors {
  const O = Math.max(1, p.outputs.length);
  const error: number[] = [];
  const time: number[] = [];
  const series: string[] = [];
  p.time.forEach((t, i) => {
    let s = 0;
    let n = 0;
    for (let k = i * O; k < (i + 1) * O; k++) {
      const e = Math.abs(p.predicted[k]! - p.actual[k]!);
      if (Number.isFinite(e)) {
        s += e;
        n++;
      }
    }
    if (n) {
      time.push(t);
      error.push(s / n);
      if (p.series) series.push(p.series[i]!);
    }
  });
  return { time, error, outputs: O, ...(p.series ? { series } : {}) };
}

/** A window's identity across runs of one dataset: its series (when there are several) and its time. */
export function windowKey(w: Pick<WindowErrors, 'series'>, i: number, time: number): string {
  return w.series ? `${w.series[i]}\u0000${time}` : String(time);
}

/** Bartlett lags for a fold of n windows whose forecasts span `horizon` steps. */
export function bartlettLags(n: number, horizon: number): number {
  return Math.max(horizon - 1, Math.floor(4 * Math.pow(n / 100, 2 / 9)));
}

/**
 * Challenger against default over the folds both have (keyed by cutoff), windows matched by series and time;
 * null with fewer than 10 windows in common or no variance (identical forecasts).
 */
export function pairedTest(
  challenger: ReadonlyMap<number, WindowErrors>,
  defaults: ReadonlyMap<number, WindowErrors>,
  horizon: number,
): PairedResult | null {
  const blocks: number[][] = [];
  for (const [cutoff, c] of challenger) {
    const d = defaults.get(cutoff);
    if (!d) continue;
    const at = new Map(d.time.map((t, i) => [windowKey(d, i, t), d.error[i]!]));
    // One block per series: windows of different series are not neighbours in time.
    const bySeries = new Map<string, number[]>();
    c.time.forEach((t, i) => {
      const e = at.get(windowKey(c, i, t));
      if (e === undefined) return;
      const s = c.series?.[i] ?? '';
      const block = bySeries.get(s) ?? [];
      block.push(c.error[i]! - e);
      bySeries.set(s, block);
    });
    blocks.push(...bySeries.values());
  }
  const n = blocks.reduce((a, b) => a + b.length, 0);
  if (n < 10) return null;
  const mean = blocks.reduce((a, b) => a + b.reduce((x, y) => x + y, 0), 0) / n;
  let v = 0;
  for (const b of blocks) {
    const e = b.map((x) => x - mean);
    const L = bartlettLags(e.length, horizon);
    for (let i = 0; i < e.length; i++) v += e[i]! * e[i]!;
    for (let l = 1; l <= L && l < e.length; l++) {
      let s = 0;
      for (let i = l; i < e.length; i++) s += e[i]! * e[i - l]!;
      v += 2 * (1 - l / (L + 1)) * s;
    }
  }
  const se = Math.sqrt(Math.max(v, 0)) / n;
  if (!(se > 1e-12 * Math.max(1, Math.abs(mean)))) return null;
  return { windows: n, diff: mean, t: mean / se };
}
