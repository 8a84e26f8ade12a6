// tune's pick (core/study/rerank.ts): the candidates are the default-config trial and the best
// others by validation, and the pick goes by backtest MAE, never by validation or test metrics.
import { describe, expect, it } from 'vitest';
import {
  BACKTEST_OVERHEAD_SECONDS,
  backtestOutcome,
  beatsDefault,
  beatsEveryFold,
  candidatesOf,
  nearCopy,
  pick,
  relativeToDefault,
  rerankSeconds,
  type Candidate,
} from '../../../core/study/rerank.js';
import type { TrialRow } from '../../../core/study-schemas.js';
import { PAIRED_Z } from '../../../core/study/paired.js';
import { defaultSpec, parseSpec } from '../../../core/contract.js';
import { applyConfig } from '../../../core/study/space.js';
import { neighbours, tuneStudy } from '../../../core/study/tune.js';

const trial = (
  t: number,
  value: number | null,
  status: TrialRow['status'] = 'completed',
  hash = `c${t}`,
): TrialRow => ({
  trial: t,
  runId: 100 + t,
  status,
  params: {},
  seed: 42,
  configHash: hash,
  rung: null,
  epochsDone: 10,
  value,
  valLoss: value,
  // Test MAEs in the opposite order of validation: a pick that read them would choose differently.
  test: { 'test.mae': value === null ? 1 : 10 - value },
});
const objective = { metric: 'val_mae', direction: 'min' as const };
const cand = (t: number, value: number, backtestMae: number | null): Candidate => ({
  trial: t,
  runId: 100 + t,
  value,
  backtestId: backtestMae === null ? null : t + 1,
  backtestMae,
  folds: backtestMae === null ? 0 : 3,
});

describe('tune re-ranking', () => {
  it('takes the default-config trial first, then distinct configurations better than it on validation', () => {
    const trials = [
      trial(0, 0.5),
      trial(1, 0.3),
      trial(2, 0.2, 'pruned'), // pruned trials never compete
      trial(3, 0.6), // worse than the defaults on validation
      trial(4, 0.1),
      trial(5, 0.15, 'completed', 'c4'), // the same configuration as trial 4
      trial(6, 0.4),
      trial(7, 0.35, 'stopped'), // stopped when the search budget ran out: it competes
      trial(8, 0.05, 'failed'),
    ];
    expect(candidatesOf({ trials, objective }, 5).map((t) => t.trial)).toEqual([0, 4, 1, 7, 6]);
    expect(candidatesOf({ trials, objective }, 2).map((t) => t.trial)).toEqual([0, 4]);
    // Without the default trial (a study file without `first`): the best by validation.
    expect(candidatesOf({ trials: trials.slice(1), objective }, 2).map((t) => t.trial)).toEqual([4, 1]);
  });

  it('backtests one of the trials with the same validation value (the same forecast: a shrinkage factor of 0 leaves the reference)', () => {
    const trials = [trial(0, 0.5), trial(1, 0.3), trial(2, 0.3 * (1 + 1e-12)), trial(3, 0.29), trial(4, 0.3)];
    expect(candidatesOf({ trials, objective }, 5).map((t) => t.trial)).toEqual([0, 3, 1]);
  });

  it('backtests one of near-copies (every choice equal, every range value within a fifth of its span) and gives the slots to other models', () => {
    const { space } = tuneStudy({ target: 'y', season: 12, lookbacks: [12, 24] });
    const gru128 = (lr: number) => ({
      'model.cell': 'gru',
      'model.layers.length': 1,
      'model.layers.*.units': 128,
      'model.layers.*.dropout': 0.2,
      'window.lookback': 'auto',
      'train.learningRate': lr,
      transform: 'none',
      normalize: 'window',
    });
    const withParams = (t: TrialRow, params: Record<string, unknown>): TrialRow => ({ ...t, params });
    const trials = [
      withParams(trial(0, 0.8057), { ...gru128(0.003), 'model.layers.*.units': 64, 'model.layers.*.dropout': 0 }),
      // gen-level-shift's four GRU 128 at learning rates 0.0053–0.0057, then three other models.
      withParams(trial(27, 0.7961), gru128(0.005678)),
      withParams(trial(25, 0.7982), gru128(0.005547)),
      withParams(trial(26, 0.7988), gru128(0.005295)),
      withParams(trial(22, 0.7989), gru128(0.005634)),
      withParams(trial(9, 0.799), { ...gru128(0.0055), 'model.layers.*.units': 100 }), // 128/100 is within a fifth of log(128/16)
      withParams(trial(10, 0.7991), { ...gru128(0.0055), 'model.layers.*.dropout': 0.1 }), // another choice
      withParams(trial(11, 0.7992), gru128(0.0095)), // a learning rate 1.7× away: more than a fifth of log(10)
      withParams(trial(12, 0.7993), { ...gru128(0.0055), 'model.layers.*.units': 64 }),
    ];
    const file = { space: space! };
    expect(candidatesOf({ trials, objective, file }, 5).map((t) => t.trial)).toEqual([0, 27, 10, 11, 12]);
    // Without the space (selections judged before it): every configuration competes.
    expect(candidatesOf({ trials, objective }, 5).map((t) => t.trial)).toEqual([0, 27, 25, 26, 22]);
    expect(nearCopy(gru128(0.005), gru128(0.005), space!)).toBe(true);
    expect(nearCopy(gru128(0.005), { ...gru128(0.005), normalize: 'global' }, space!)).toBe(false);
    expect(nearCopy(gru128(0.005), { ...gru128(0.005), extra: 1 }, space!)).toBe(false);
  });

  it('picks by backtest MAE, not by validation: a challenger must beat the defaults by the margin', () => {
    // Trial 4 is best on validation, trial 1 on backtest.
    const sel = pick([cand(0, 0.5, 1.0), cand(4, 0.1, 0.97), cand(1, 0.3, 0.9)], 0.01);
    expect([sel.trial, sel.by]).toEqual([1, 'backtest']);
    expect(sel.runId).toBe(101);
    // Within the margin: the defaults stay.
    expect(pick([cand(0, 0.5, 1.0), cand(4, 0.1, 0.995)], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // The defaults best on backtest.
    expect(pick([cand(0, 0.5, 0.8), cand(4, 0.1, 0.9)], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // No backtest for the defaults (the budget ran out): they stay.
    expect(pick([cand(0, 0.5, null), cand(4, 0.1, 0.5)], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // No default trial: the best by backtest, else the best by validation.
    expect(pick([cand(4, 0.1, 0.9), cand(1, 0.3, 0.8)], 0.01)).toMatchObject({ trial: 1, by: 'backtest' });
    expect(pick([cand(4, 0.1, null), cand(1, 0.3, null)], 0.01)).toMatchObject({ trial: 4, by: 'validation' });
  });

  it('a challenger must also beat the defaults on every fold both completed, matched by cutoff', () => {
    const folds = (c: Candidate, maes: [number, number][]): Candidate => ({
      ...c,
      foldMaes: maes.map(([cutoff, mae]) => ({ cutoff, mae })),
    });
    const base = folds(cand(0, 0.5, 1.0), [
      [40, 1.2],
      [20, 0.9],
      [0, 0.9],
    ]);
    // 4% lower on the mean, but worse on the fold at cutoff 0: one lucky fold carries the mean.
    const lucky = folds(cand(4, 0.1, 0.96), [
      [40, 0.95],
      [20, 0.85],
      [0, 1.08],
    ]);
    expect(beatsEveryFold(lucky, base)).toBe(false);
    expect(pick([base, lucky], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // Next in line by the mean and better on every fold: it is the pick.
    const steady = folds(cand(1, 0.3, 0.97), [
      [40, 1.15],
      [20, 0.88],
      [0, 0.88],
    ]);
    expect(beatsEveryFold(steady, base)).toBe(true);
    expect(pick([base, lucky, steady], 0.01)).toMatchObject({ trial: 1, by: 'backtest' });
    // A challenger with 2 folds (its lookback did not fit the earliest) is compared on the cutoffs they share...
    const two = folds(cand(5, 0.2, 0.8), [
      [20, 0.8],
      [0, 0.8],
    ]);
    expect(beatsEveryFold(two, base)).toBe(true);
    // ...and on fewer than two shared folds it cannot win.
    const one = folds(cand(6, 0.2, 0.5), [[10, 0.5]]);
    expect(beatsEveryFold(one, base)).toBe(false);
    expect(pick([base, one], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // Selections stored before fold MAEs existed are judged by the mean alone.
    expect(beatsEveryFold(cand(4, 0.1, 0.9), base)).toBe(true);
  });

  it('with the paired test over the folds’ windows, it decides instead of the every-fold rule', () => {
    const base: Candidate = { ...cand(0, 0.5, 1.0), foldMaes: [40, 20, 0].map((cutoff) => ({ cutoff, mae: 1 })) };
    const withFolds = (c: Candidate, maes: number[], t: number): Candidate => ({
      ...c,
      foldMaes: [40, 20, 0].map((cutoff, i) => ({ cutoff, mae: maes[i]! })),
      paired: { windows: 300, diff: c.backtestMae! - 1, t },
    });
    // 9% lower, one fold lost by 0.7%, significant window by window (gen-level-shift's trial 22): the pick.
    const strong = withFolds(cand(22, 0.4, 0.91), [0.85, 0.88, 1.007], -2.48);
    expect(beatsEveryFold(strong, base)).toBe(false);
    expect(beatsDefault(strong, base)).toBe(true);
    expect(pick([base, strong], 0.01)).toMatchObject({ trial: 22, by: 'backtest' });
    // 2% lower and better on every fold, but not significant (t −1.46, gen-monthly-1000): the default stays.
    const weak = withFolds(cand(3, 0.45, 0.98), [0.97, 0.98, 0.99], -1.46);
    expect(beatsEveryFold(weak, base)).toBe(true);
    expect(pick([base, weak], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // At the boundary: t = −1.645 passes, the margin on the mean still applies.
    expect(beatsDefault({ ...weak, paired: { windows: 300, diff: -0.02, t: -PAIRED_Z } }, base)).toBe(true);
    const tiny = withFolds(cand(5, 0.45, 0.995), [0.995, 0.995, 0.995], -5);
    expect(pick([base, tiny], 0.01)).toMatchObject({ trial: 0, by: 'default' });
  });

  it('judges a backtest the budget stopped after two folds on those folds, against the default on the same ones', () => {
    const base: Candidate = {
      ...cand(0, 0.5, 0.3325),
      foldMaes: [
        { cutoff: 60, mae: 0.36 },
        { cutoff: 30, mae: 0.32 },
        { cutoff: 0, mae: 0.3175 },
      ],
    };
    // Stopped in its third fold, 8% below the default on the two it completed.
    const stopped: Candidate = {
      ...cand(19, 0.29, 0.295),
      folds: 2,
      foldMaes: [
        { cutoff: 30, mae: 0.29 },
        { cutoff: 0, mae: 0.3 },
      ],
      paired: { windows: 200, diff: -0.03, t: -2.4 },
    };
    expect(relativeToDefault(stopped, base)).toBeCloseTo(0.59 / 0.6375, 12);
    expect(pick([base, stopped], 0.01)).toMatchObject({ trial: 19, by: 'backtest' });
    // Below the default's mean over three folds (0.3325) but not below its mean over the same two:
    // compared on different rows it would have won.
    const easyFolds: Candidate = {
      ...stopped,
      trial: 20,
      backtestMae: 0.32,
      foldMaes: [
        { cutoff: 30, mae: 0.33 },
        { cutoff: 0, mae: 0.31 },
      ],
      paired: { windows: 200, diff: -0.01, t: -2 },
    };
    expect(easyFolds.backtestMae! < 0.99 * base.backtestMae!).toBe(true);
    expect(relativeToDefault(easyFolds, base)).toBeGreaterThan(0.99);
    expect(pick([base, easyFolds], 0.01)).toMatchObject({ trial: 0, by: 'default' });
    // Of two winners, the one furthest below the default on its own folds, not the lowest raw mean.
    const full: Candidate = {
      ...cand(7, 0.3, 0.3225),
      foldMaes: base.foldMaes!.map((f) => ({ ...f, mae: f.mae - 0.01 })),
      paired: { windows: 300, diff: -0.01, t: -3 },
    };
    expect(pick([base, full, stopped], 0.01).trial).toBe(19);
    // One common fold cannot judge.
    expect(relativeToDefault({ ...stopped, foldMaes: [{ cutoff: 0, mae: 0.2 }] }, base)).toBeNull();
  });

  it('keeps the folds a backtest completed before the deadline stopped it, from two folds on', () => {
    const fold = (i: number, status: 'completed' | 'stopped' | null, mae?: number) => ({
      fold: i,
      cutoff: 60 - 30 * i,
      runId: status ? 10 + i : null,
      status,
      test: (mae === undefined ? {} : { 'test.mae': mae }) as Record<string, number>,
    });
    const stat = (v: number[]) => ({ mean: v.reduce((a, b) => a + b, 0) / v.length, std: 0, n: v.length });
    const stopped = backtestOutcome({
      id: 7,
      status: 'stopped',
      foldRuns: [fold(0, 'completed', 0.3), fold(1, 'completed', 0.32), fold(2, 'stopped')],
      summary: { 'test.mae': stat([0.3, 0.32]) },
    });
    expect(stopped).toMatchObject({ backtestMae: 0.31, folds: 2 });
    expect(stopped.foldMaes).toEqual([
      { cutoff: 60, mae: 0.3 },
      { cutoff: 30, mae: 0.32 },
    ]);
    expect(stopped.note).toBe('backtest 7 stopped after 2 of 3 folds: compared with the default on those');
    // One completed fold judges nothing: no MAE, as before.
    const one = backtestOutcome({
      id: 8,
      status: 'stopped',
      foldRuns: [fold(0, 'completed', 0.3), fold(1, 'stopped'), fold(2, null)],
      summary: { 'test.mae': stat([0.3]) },
    });
    expect(one).toMatchObject({ backtestMae: null, folds: 1, note: 'backtest 8 stopped' });
    const done = backtestOutcome({
      id: 9,
      status: 'completed',
      foldRuns: [fold(0, 'completed', 0.3), fold(1, 'completed', 0.32), fold(2, 'completed', 0.31)],
      summary: { 'test.mae': stat([0.3, 0.32, 0.31]) },
    });
    expect(done.backtestMae).toBeCloseTo(0.31, 12);
    expect(done.note).toBeUndefined();
  });

  it("tune's first trial is exactly the default single run (the fallback of the pick)", () => {
    // Before, it took the lookback nearest 24 of the season's, not the default's `auto`.
    const file = tuneStudy({ target: 'y', season: 7, lookbacks: [7, 14, 21] });
    expect(applyConfig(parseSpec(file.base), file.first![0]!)).toEqual(defaultSpec('y'));
  });

  it("tries the defaults' neighbours next: each a valid spec, the fixed lookbacks among them", () => {
    const file = tuneStudy({ target: 'y', season: 7, lookbacks: [8, 15, 29] });
    const [, ...rest] = file.first!;
    expect(rest).toEqual(neighbours(7, [8, 15, 29]));
    for (const n of rest) expect(() => applyConfig(parseSpec(file.base), n)).not.toThrow();
    const lookbacksAlone = rest.filter((n) => n.normalize === 'auto' && n['window.lookback'] !== 'auto');
    expect(lookbacksAlone.map((n) => n['window.lookback'])).toEqual([8, 15, 29]);
  });
});

describe('rerankSeconds: the time kept for re-ranking', () => {
  it('keeps the whole share until the default trial has ended, then folds × its own trial’s duration per candidate', () => {
    const o = { folds: 3, cap: 60 };
    const one = (secs: number) => 3 * secs + BACKTEST_OVERHEAD_SECONDS;
    expect(rerankSeconds({ ...o, trialSeconds: [], candidates: 5 })).toBe(60);
    expect(rerankSeconds({ ...o, trialSeconds: [4], candidates: 1 })).toBe(one(4));
    // A candidate still to come is timed by the default's trial.
    expect(rerankSeconds({ ...o, trialSeconds: [4], candidates: 2 })).toBe(2 * one(4));
    // A heavier candidate by its own: 11.6 s where the default took 2.3 s (a GRU 128 on sm-co2-weekly).
    expect(rerankSeconds({ ...o, trialSeconds: [2.3, 11.6], candidates: 3 })).toBeCloseTo(2 * one(2.3) + one(11.6), 9);
    // Only the candidates counted: more durations than candidates are not summed.
    expect(rerankSeconds({ ...o, trialSeconds: [4, 5, 6], candidates: 1 })).toBe(one(4));
    // Never more than the share: a slow default costs what it did before.
    expect(rerankSeconds({ ...o, trialSeconds: [30], candidates: 2 })).toBe(60);
    expect(rerankSeconds({ ...o, trialSeconds: [4], candidates: 0 })).toBe(one(4));
  });
});
