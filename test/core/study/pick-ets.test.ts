// tune's pick with the ETS entries (core/study/pick.ts judge): every backtested candidate is also
// judged averaged with its folds' ETS forecasts; the default's reference form is the default with
// ETS unless that is clearly worse (paired t ≥ PAIRED_Z); the others must beat the reference.
// Synthetic folds with known window errors, so each branch of the rule is reached on purpose.
import { describe, expect, it } from 'vitest';
import { judge, withEts, type Candidate } from '../../../core/study/rerank.js';
import { PAIRED_Z, type WindowErrors } from '../../../core/study/paired.js';

/** Three folds of 40 windows; fold k's window i has error base + wiggle (deterministic, not constant). */
function folds(base: number, shift = 0): Map<number, WindowErrors> {
  const out = new Map<number, WindowErrors>();
  for (const cutoff of [300, 200, 100]) {
    const time = Array.from({ length: 40 }, (_, i) => cutoff * 1000 + i);
    const error = time.map((_, i) => base + 0.3 * Math.abs(Math.sin(i * 1.7 + cutoff + shift)));
    out.set(cutoff, { time, error, outputs: 1 });
  }
  return out;
}

const foldMaes = (e: Map<number, WindowErrors>) =>
  [...e].map(([cutoff, w]) => ({ cutoff, mae: w.error.reduce((a, b) => a + b, 0) / w.error.length }));

function cand(trial: number, e: Map<number, WindowErrors>): Candidate {
  const f = foldMaes(e);
  return {
    trial,
    runId: 100 + trial,
    value: 1 - trial / 100,
    backtestId: 10 + trial,
    backtestMae: f.reduce((a, x) => a + x.mae, 0) / f.length,
    folds: f.length,
    foldMaes: f,
  };
}

/** judge() for candidates given as [trial, errors alone, errors with ETS]. */
function run(list: [number, Map<number, WindowErrors>, Map<number, WindowErrors>][]) {
  const cands = list.map(([t, alone]) => cand(t, alone));
  const errors = new Map(list.map(([t, alone]) => [t, alone]));
  const ets = new Map(list.map(([, , mixed], i) => [cands[i]!, { errors: mixed, foldMaes: foldMaes(mixed) }]));
  return judge(cands, errors, ets, 1, 0.01);
}

describe("tune's pick with ETS entries", () => {
  it('keeps the default with ETS when that is not clearly worse, and no challenger beats it', () => {
    // The mean is a little worse than the default alone (t below PAIRED_Z): it is still the reference.
    const sel = run([
      [0, folds(1), folds(1.005, 2)],
      [1, folds(1.005, 4), folds(1.03, 3)],
    ]);
    const withEtsEntry = sel.candidates[1]!;
    expect(withEtsEntry).toMatchObject({ trial: 0, combine: 'ets', backtestId: 10 });
    expect(withEtsEntry.paired!.t).toBeLessThan(PAIRED_Z);
    expect([sel.trial, sel.by, sel.combine]).toEqual([0, 'default', 'ets']);
    expect(sel.candidates.map((c) => [c.trial, c.combine ?? 'network'])).toEqual([
      [0, 'network'],
      [0, 'ets'],
      [1, 'network'],
      [1, 'ets'],
    ]);
  });

  it('keeps the default alone when its mean with ETS is clearly worse', () => {
    const sel = run([
      [0, folds(1), folds(1.5, 1)],
      [1, folds(1.3, 2), folds(1.6, 3)],
    ]);
    expect(sel.candidates[1]!.paired!.t).toBeGreaterThanOrEqual(PAIRED_Z);
    expect([sel.trial, sel.by, sel.combine]).toEqual([0, 'default', undefined]);
    // The others are paired against the default alone.
    expect(sel.candidates[2]!.paired!.t).toBeGreaterThan(0);
  });

  it('picks a challenger with ETS that beats the reference by the margin and window by window', () => {
    const sel = run([
      [0, folds(1), folds(0.95, 1)],
      [1, folds(0.97, 2), folds(0.8, 3)],
      [2, folds(0.9, 4), folds(0.9, 5)],
    ]);
    expect([sel.trial, sel.by, sel.combine]).toEqual([1, 'backtest', 'ets']);
    expect(sel.runId).toBe(101); // the trial's run: tune trains the combined one (combined-run.ts)
    const picked = sel.candidates.find((c) => c.trial === 1 && c.combine === 'ets')!;
    expect(picked.paired!.t).toBeLessThanOrEqual(-PAIRED_Z);
  });

  it('picks a network alone when it beats the default with ETS', () => {
    const sel = run([
      [0, folds(1), folds(0.98, 1)],
      [1, folds(0.7, 2), folds(0.85, 3)],
    ]);
    expect([sel.trial, sel.by, sel.combine]).toEqual([1, 'backtest', undefined]);
  });

  it('without a paired test (identical window pattern), keeps the default with ETS only where its mean is lower', () => {
    expect(run([[0, folds(1), folds(1.5)]]).combine).toBeUndefined();
    expect(run([[0, folds(1), folds(0.9)]]).combine).toBe('ets');
  });

  it('averages a forecast with ETS only where ETS has one, and gives null without any', () => {
    const p = { predicted: [1, 2, 3], ets: [3, NaN, 5] };
    expect(withEts(p)!.predicted).toEqual([2, 2, 4]);
    expect(withEts({ predicted: [1], ets: [NaN] })).toBeNull();
    expect(withEts({ predicted: [1] })).toBeNull();
  });
});
