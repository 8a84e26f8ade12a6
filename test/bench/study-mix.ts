// The equal-weight mean of tune's default trial and each backtested challenger, read from a
// finished study's stored predictions (issue 12's next step: forecast combination instead of
// selection). Per challenger: the mean's MAE on the test split and on the backtest folds both
// completed, and the paired test of the mean against the default over those folds' windows (the
// same test tune's pick uses, core/study/paired.ts). Nothing is trained: the folds' and the
// trials' predictions are already stored, so this also reads databases kept by earlier runs
// (`--mix-from DIR`).
import type { Predictions, Selection } from '../../core/contract.js';
import type { Service } from '../../core/service.js';
import { pairedTest, windowErrors, windowKey, type PairedResult, type WindowErrors } from '../../core/study/paired.js';

export interface MixRow {
  trial: number;
  /** The challenger's own test MAE and that of its mean with the default (same windows). */
  testMae: number;
  mixTestMae: number;
  /** Mean over the folds both completed: the challenger's, the mean's and the default's fold MAEs. */
  backtestMae: number;
  mixBacktestMae: number;
  defaultBacktestMae: number;
  /** The mean against the default over the folds' windows. */
  mixPaired: PairedResult | null;
}

type Preds = Pick<Predictions, 'outputs' | 'actual' | 'predicted' | 'time' | 'series' | 'ets'>;

/** Mean of a's and b's forecasts over the windows both have (matched by series and time). */
export function meanForecast(a: Preds, b: Preds): Preds {
  return meanOfAll([a, b]);
}

/** Equal-weight mean of every forecast over the windows all of them have (matched by series and time). */
export function meanOfAll([a, ...rest]: readonly Preds[]): Preds {
  const O = Math.max(1, a!.outputs.length);
  const at = rest.map((b) => new Map(b.time.map((t, i) => [windowKey(b, i, t), i])));
  const out: Preds = { outputs: a!.outputs, actual: [], predicted: [], time: [], ...(a!.series ? { series: [] } : {}) };
  a!.time.forEach((t, i) => {
    const js = at.map((m) => m.get(windowKey(a!, i, t)));
    if (js.some((j) => j === undefined)) return;
    out.time.push(t);
    if (a!.series) out.series!.push(a!.series[i]!);
    for (let k = 0; k < O; k++) {
      out.actual.push(a!.actual[i * O + k]!);
      const sum = rest.reduce((s, b, r) => s + b.predicted[js[r]! * O + k]!, a!.predicted[i * O + k]!);
      out.predicted.push(sum / (rest.length + 1));
    }
  });
  return out;
}

export function maeOf(p: Preds): number {
  let s = 0;
  let n = 0;
  p.actual.forEach((a, k) => {
    const e = Math.abs(p.predicted[k]! - a);
    if (Number.isFinite(e)) {
      s += e;
      n++;
    }
  });
  return n ? s / n : NaN;
}

/** A run's stored test predictions, null for none (or a classifier's). */
export async function testPreds(svc: Service, runId: number): Promise<Preds | null> {
  const p = await svc.call('runs.predictions', { id: runId, split: 'test' });
  return p.ok && p.value && !p.value.classes ? p.value : null;
}

/** A backtest's completed folds' test predictions by cutoff. */
async function foldPreds(svc: Service, backtestId: number | null): Promise<Map<number, Preds>> {
  const out = new Map<number, Preds>();
  if (backtestId === null) return out;
  const bt = await svc.call('backtests.get', { id: backtestId });
  if (!bt.ok) return out;
  for (const f of bt.value.foldRuns) {
    if (f.status !== 'completed' || f.runId === null) continue;
    const p = await testPreds(svc, f.runId);
    if (p) out.set(f.cutoff, p);
  }
  return out;
}

/** The mean of every backtested candidate (the default included), against the default alone. */
export interface AllMixRow {
  candidates: number;
  testMae: number;
  backtestMae: number;
  defaultBacktestMae: number;
  paired: PairedResult | null;
}

/** The equal-weight mean of all of a selection's backtested candidates, on the folds every one completed; null below two. */
export async function allMixOf(svc: Service, sel: Selection, horizon: number): Promise<AllMixRow | null> {
  const tests: Preds[] = [];
  const folds: Map<number, Preds>[] = [];
  for (const [i, c] of sel.candidates.filter((x) => !x.combine).entries()) {
    const t = await testPreds(svc, c.runId);
    const f = await foldPreds(svc, c.backtestId);
    if (!t || !f.size) {
      if (i === 0) return null;
      continue;
    }
    tests.push(t);
    folds.push(f);
  }
  if (tests.length < 2 || sel.candidates[0]?.trial !== 0) return null;
  const mix: number[] = [];
  const def: number[] = [];
  const mixErrors = new Map<number, WindowErrors>();
  const defErrors = new Map<number, WindowErrors>();
  for (const [cutoff, d] of folds[0]!) {
    const all = folds.map((f) => f.get(cutoff));
    if (all.some((p) => !p)) continue;
    const m = meanOfAll(all as Preds[]);
    mix.push(maeOf(m));
    def.push(maeOf(d));
    mixErrors.set(cutoff, windowErrors(m));
    defErrors.set(cutoff, windowErrors(d));
  }
  if (!mix.length) return null;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    candidates: tests.length,
    testMae: maeOf(meanOfAll(tests)),
    backtestMae: avg(mix),
    defaultBacktestMae: avg(def),
    paired: pairedTest(mixErrors, defErrors, horizon),
  };
}

/** Per backtested challenger of a selection (the default being its first candidate): its mean with the default. */
export async function mixesOf(svc: Service, sel: Selection, horizon: number): Promise<MixRow[]> {
  // The networks alone: the entries with ETS (combine) are tune's own combination.
  const [base, ...rest] = sel.candidates.filter((c) => !c.combine);
  if (!base || base.trial !== 0) return [];
  const baseTest = await testPreds(svc, base.runId);
  const baseFolds = await foldPreds(svc, base.backtestId);
  if (!baseTest || !baseFolds.size) return [];
  const rows: MixRow[] = [];
  for (const c of rest) {
    const test = await testPreds(svc, c.runId);
    const folds = await foldPreds(svc, c.backtestId);
    if (!test || !folds.size) continue;
    const own: number[] = [];
    const mix: number[] = [];
    const def: number[] = [];
    const mixErrors = new Map<number, WindowErrors>();
    const defErrors = new Map<number, WindowErrors>();
    for (const [cutoff, f] of folds) {
      const d = baseFolds.get(cutoff);
      if (!d) continue;
      const m = meanForecast(d, f);
      own.push(maeOf(f));
      mix.push(maeOf(m));
      def.push(maeOf(d));
      mixErrors.set(cutoff, windowErrors(m));
      defErrors.set(cutoff, windowErrors(d));
    }
    if (!mix.length) continue;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push({
      trial: c.trial,
      testMae: maeOf(test),
      mixTestMae: maeOf(meanForecast(baseTest, test)),
      backtestMae: avg(own),
      mixBacktestMae: avg(mix),
      defaultBacktestMae: avg(def),
      mixPaired: pairedTest(mixErrors, defErrors, horizon),
    });
  }
  return rows;
}

/** What two combination rules would deliver, by test MAE, given the default's and the pick's. */
export interface MixOutcome {
  /** The pick's mean with the default where tune picked a challenger; else the default. */
  pickMixed: number;
  /** The lowest backtest among every passing option (a challenger alone or its mean with the default); else the default. */
  bestOption: number;
  /** What bestOption chose: `default`, `trial N` or `trial N mixed`. */
  bestOptionIs: string;
}

/** Passing as tune's pick rule says: the margin below the default's backtest and the paired t at most −z. */
const passes = (mae: number, def: number, t: number | undefined, margin: number, z: number) =>
  mae <= (1 - margin) * def && t !== undefined && t <= -z;

export function mixOutcome(
  sel: Selection,
  mixes: readonly MixRow[],
  defaultTestMae: number,
  margin: number,
  z: number,
): MixOutcome {
  const pickMix = mixes.find((m) => m.trial === sel.trial);
  const pickMixed = sel.by === 'backtest' && pickMix ? pickMix.mixTestMae : defaultTestMae;
  let best = { backtest: Infinity, test: defaultTestMae, is: 'default' };
  for (const m of mixes) {
    const own = sel.candidates.find((c) => c.trial === m.trial);
    const options = [
      {
        ok: passes(m.backtestMae, m.defaultBacktestMae, own?.paired?.t, margin, z),
        backtest: m.backtestMae,
        test: m.testMae,
        is: `trial ${m.trial + 1}`,
      },
      {
        ok: passes(m.mixBacktestMae, m.defaultBacktestMae, m.mixPaired?.t, margin, z),
        backtest: m.mixBacktestMae,
        test: m.mixTestMae,
        is: `trial ${m.trial + 1} mixed`,
      },
    ];
    for (const o of options) if (o.ok && o.backtest < best.backtest) best = o;
  }
  return { pickMixed, bestOption: best.test, bestOptionIs: best.is };
}
