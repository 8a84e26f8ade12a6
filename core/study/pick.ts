// tune's pick among backtested options (docs/studies.md, "How tune picks its run"): each candidate
// trial alone and averaged with its folds' ETS baseline, judged against the default's reference form
// by the mean backtest MAE over common folds and a paired test over the folds' windows (paired.ts).
import type { Predictions } from '../contract.js';
import type { RerankCandidate, Selection } from '../study-schemas.js';
import { PAIRED_Z, pairedTest, type WindowErrors } from './paired.js';

type Candidate = RerankCandidate;

/** A candidate's folds forecast by its mean with the folds' ETS: window errors and MAE by cutoff. */
export interface EtsFolds {
  errors: ReadonlyMap<number, WindowErrors>;
  foldMaes: { cutoff: number; mae: number }[];
}

/**
 * Whether challenger c beats the default d on every fold both completed (matched by cutoff), with
 * at least two such folds. A mean over three folds hides one lucky fold: on the study bench a
 * challenger 1.3% below the default's mean backtest MAE lost on test (gen-level-shift, 0.7766
 * against 0.7715). Candidates stored without fold MAEs are judged by the mean alone.
 */
export function beatsEveryFold(c: Candidate, d: Candidate): boolean {
  if (!c.foldMaes || !d.foldMaes) return true;
  const base = new Map(d.foldMaes.map((f) => [f.cutoff, f.mae]));
  const common = c.foldMaes.filter((f) => base.has(f.cutoff));
  return common.length >= 2 && common.every((f) => f.mae < base.get(f.cutoff)!);
}

/**
 * Whether challenger c's errors are lower than the default's: by the paired test over the folds'
 * windows (t ≤ −PAIRED_Z) where it was computed, else on every common fold (beatsEveryFold).
 */
export function beatsDefault(c: Candidate, d: Candidate): boolean {
  return c.paired ? c.paired.t <= -PAIRED_Z : beatsEveryFold(c, d);
}

/**
 * Challenger c's mean backtest MAE over the folds both completed (matched by cutoff), divided by
 * the default's over the same folds. A backtest stopped by the budget after two of three folds, or
 * one whose lookback did not fit the earliest fold, is so compared on the folds it has: its mean
 * over two folds against the default's mean over three would compare different rows. Null with
 * fewer than two common folds; the ratio of the stored means in selections stored without fold MAEs.
 */
export function relativeToDefault(c: Candidate, d: Candidate): number | null {
  if (c.backtestMae === null || d.backtestMae === null) return null;
  if (!c.foldMaes || !d.foldMaes) return c.backtestMae / d.backtestMae;
  const base = new Map(d.foldMaes.map((f) => [f.cutoff, f.mae]));
  const common = c.foldMaes.filter((f) => base.has(f.cutoff));
  if (common.length < 2) return null;
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  return sum(common.map((f) => f.mae)) / sum(common.map((f) => base.get(f.cutoff)!));
}

/**
 * The pick: among the candidates that beat the default (candidates[0] when it is trial 0) by the
 * margin on the mean over the folds both completed (relativeToDefault) and window by window
 * (beatsDefault), the one furthest below it; else the default. Without the default's backtest MAE
 * the default stays; without a default, the best by backtest, else the first (best by validation).
 */
export function pick(cands: readonly Candidate[], margin: number): Selection {
  const base = cands[0]!;
  const scored = cands.filter((c) => c.backtestMae !== null).sort((a, b) => a.backtestMae! - b.backtestMae!);
  const best = scored[0];
  const isDefault = base.trial === 0;
  const of = (c: Candidate, by: Selection['by']): Selection => ({
    trial: c.trial,
    runId: c.runId,
    by,
    candidates: [...cands],
    ...(c.combine ? { combine: c.combine } : {}),
  });
  if (!isDefault) return best ? of(best, 'backtest') : of(base, 'validation');
  if (base.backtestMae === null || !best) return of(base, 'default');
  const winner = scored
    .filter((c) => c !== base)
    .map((c) => ({ c, r: relativeToDefault(c, base) }))
    .filter((x) => x.r !== null && x.r < 1 - margin && beatsDefault(x.c, base))
    .sort((a, b) => a.r! - b.r!)[0]?.c;
  return winner ? of(winner, 'backtest') : of(base, 'default');
}

/**
 * Each backtested candidate as two options, the network alone and averaged with its folds' ETS
 * baseline (an entry with `combine: 'ets'`, right after it), and the pick among them. The default's
 * reference form is the default with ETS unless the paired test says that is worse than the
 * default alone (t ≥ PAIRED_Z): on the 53-series forecast battery the mean of a default run and its
 * ETS baseline beat the run on 41 series (docs/studies.md, "Averaging with ETS"), so it is the
 * starting point, and the network alone must show it is better. Every other option is then
 * paired against that reference and must beat it as a challenger beats the default (pick).
 */
export function judge(
  cands: readonly Candidate[],
  errors: ReadonlyMap<number, ReadonlyMap<number, WindowErrors>>,
  ets: ReadonlyMap<Candidate, EtsFolds>,
  horizon: number,
  margin: number,
): Selection {
  const all: Candidate[] = [];
  const errorsOf = new Map<Candidate, ReadonlyMap<number, WindowErrors>>();
  for (const c of cands) {
    all.push(c);
    const own = errors.get(c.trial);
    if (own) errorsOf.set(c, own);
    const e = ets.get(c);
    if (!e) continue;
    const mean = e.foldMaes.reduce((a, f) => a + f.mae, 0) / e.foldMaes.length;
    const entry: Candidate = {
      trial: c.trial,
      runId: c.runId,
      value: c.value,
      backtestId: c.backtestId,
      backtestMae: mean,
      folds: e.foldMaes.length,
      foldMaes: e.foldMaes,
      combine: 'ets',
    };
    all.push(entry);
    errorsOf.set(entry, e.errors);
  }
  const base = all[0]!;
  const baseEts = all[1]?.combine === 'ets' && all[1].trial === base.trial ? all[1] : undefined;
  if (base.trial !== 0 || base.backtestMae === null) return pick(all, margin);
  // The reference: the default with ETS unless that is clearly worse than the default alone.
  let ref = base;
  if (baseEts) {
    const p = pairedTest(errorsOf.get(baseEts)!, errorsOf.get(base)!, horizon);
    if (p) baseEts.paired = p;
    // Without a paired test (under 10 windows in common, or no variance), the means decide.
    if (p ? p.t < PAIRED_Z : baseEts.backtestMae! <= base.backtestMae) ref = baseEts;
  }
  const refErrors = errorsOf.get(ref);
  for (const c of all) {
    if (c === base || c === baseEts) continue;
    const mine = errorsOf.get(c);
    const paired = mine && refErrors && c.backtestMae !== null ? pairedTest(mine, refErrors, horizon) : null;
    if (paired) c.paired = paired;
  }
  // pick() reads the reference as its first entry; the default's other form cannot beat it (its t
  // against the reference is the reference's against it, negated) and is listed, not judged.
  const other = ref === base ? baseEts : base;
  const sel = pick([ref, ...all.filter((c) => c !== ref && c !== other)], margin);
  return { ...sel, candidates: all };
}

/** A fold's test forecast averaged with its ETS baseline where that has one (spec combine: ets); null without ETS. */
export function withEts<P extends Pick<Predictions, 'predicted' | 'ets'>>(p: P): P | null {
  const ets = p.ets;
  if (!ets || ets.length !== p.predicted.length || !ets.some(Number.isFinite)) return null;
  return { ...p, predicted: p.predicted.map((v, i) => (Number.isFinite(ets[i]!) ? (v + ets[i]!) / 2 : v)) };
}
