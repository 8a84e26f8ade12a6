// The paired test tune's re-ranking uses (core/study/paired.ts): window errors from stored
// predictions, matched by fold, series and time, and a Diebold–Mariano t with a Bartlett long-run variance.
import { describe, expect, it } from 'vitest';
import { bartlettLags, pairedTest, windowErrors, type WindowErrors } from '../../../core/study/paired.js';
import { noise } from '../../helpers.js';

const fold = (time: number[], error: number[]): WindowErrors => ({ time, error, outputs: 1 });

describe('paired test of backtest windows', () => {
  it('averages each window’s absolute errors over its outputs and drops windows without one', () => {
    const e = windowErrors({
      outputs: ['y@1', 'y@2'],
      actual: [1, 2, 3, 4, 5, 6],
      predicted: [2, 4, 3, NaN, NaN, NaN],
      time: [10, 20, 30],
    });
    expect(e).toEqual({ time: [10, 20], error: [1.5, 0], outputs: 2 });
  });

  it('keeps each window’s series where the predictions have several', () => {
    const e = windowErrors({
      outputs: ['y@1'],
      actual: [1, 2, 3],
      predicted: [2, NaN, 3],
      time: [10, 10, 20],
      series: ['a', 'b', 'b'],
    });
    expect(e).toEqual({ time: [10, 20], error: [1, 0], outputs: 1, series: ['a', 'b'] });
  });

  it('pairs the windows of several series by series and time, not by time alone', () => {
    // Two series with the same time stamps, the challenger about 0.1 better on every window of each; its
    // windows stored in the other series order. Paired by time alone, series a's windows would meet
    // series b's (errors about 1 against about 5).
    const rnd = noise(11);
    const time = Array.from({ length: 40 }, (_, i) => 1000 + i);
    const level = { a: 1, b: 5 };
    const errs = (s: 'a' | 'b') => time.map(() => level[s] + 0.2 * rnd());
    const def = { a: errs('a'), b: errs('b') };
    const series = (s: string) => time.map(() => s);
    const base: WindowErrors = {
      time: [...time, ...time],
      error: [...def.a, ...def.b],
      outputs: 1,
      series: [...series('a'), ...series('b')],
    };
    const mine: WindowErrors = {
      time: [...time, ...time],
      error: [...def.b, ...def.a].map((e) => e - 0.1 + 0.01 * rnd()),
      outputs: 1,
      series: [...series('b'), ...series('a')],
    };
    const r = pairedTest(new Map([[0, mine]]), new Map([[0, base]]), 1)!;
    expect(r.windows).toBe(80);
    expect(Math.abs(r.diff + 0.1)).toBeLessThan(0.01);
    expect(r.t).toBeLessThan(-50);
  });

  it('takes lags max(H − 1, ⌊4 (n/100)^(2/9)⌋)', () => {
    expect(bartlettLags(100, 1)).toBe(4);
    expect(bartlettLags(10, 1)).toBe(2);
    expect(bartlettLags(100, 12)).toBe(11);
  });

  it('gives the Diebold–Mariano t with Bartlett weights (computed by hand for alternating differences)', () => {
    // d_i = −0.1 + 0.05 (−1)^i over one fold of 10 windows: lags 2; long-run sum of squares
    // 10ε² + 2·(2/3)·(−9ε²) + 2·(1/3)·(8ε²) = (10/3)ε², so se = √(10/3)·ε / 10.
    const time = Array.from({ length: 10 }, (_, i) => i);
    const base = fold(
      time,
      time.map(() => 1),
    );
    const mine = fold(
      time,
      time.map((i) => 1 - 0.1 + 0.05 * (-1) ** i),
    );
    const r = pairedTest(new Map([[0, mine]]), new Map([[0, base]]), 1)!;
    expect(r.windows).toBe(10);
    expect(r.diff).toBeCloseTo(-0.1, 12);
    expect(r.t).toBeCloseTo(-0.1 / ((Math.sqrt(10 / 3) * 0.05) / 10), 9);
  });

  it('matches windows by fold cutoff and time; none in common, or identical errors, give no result', () => {
    const rnd = noise(3);
    const time = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const base = new Map([
      [
        40,
        fold(
          time,
          time.map(() => 1 + 0.3 * rnd()),
        ),
      ],
      [
        0,
        fold(
          time,
          time.map(() => 1 + 0.3 * rnd()),
        ),
      ],
    ]);
    // Lower by 0.2 on the fold at cutoff 40; its other fold (cutoff 20) has no partner.
    const better = new Map([
      [
        40,
        fold(
          time,
          base.get(40)!.error.map((e) => e - 0.2 + 0.05 * rnd()),
        ),
      ],
      [
        20,
        fold(
          time,
          time.map(() => 0),
        ),
      ],
    ]);
    const r = pairedTest(better, base, 1)!;
    expect(r.windows).toBe(60);
    expect(r.diff).toBeLessThan(-0.15);
    expect(r.t).toBeLessThan(-10);
    // Half the windows shifted in time: only the shared ones count.
    const shifted = new Map([
      [
        40,
        fold(
          time.map((t) => t + 30),
          better.get(40)!.error,
        ),
      ],
    ]);
    expect(pairedTest(shifted, base, 1)!.windows).toBe(30);
    expect(pairedTest(new Map([[20, better.get(20)!]]), base, 1)).toBeNull();
    expect(pairedTest(base, base, 1)).toBeNull();
  });

  it('a streak of errors (autocorrelation) weakens the evidence of the same mean difference', () => {
    const rnd = noise(9);
    const time = Array.from({ length: 100 }, (_, i) => i);
    const base = new Map([
      [
        0,
        fold(
          time,
          time.map(() => 1),
        ),
      ],
    ]);
    const white = time.map(() => -0.05 + 0.2 * rnd());
    // The same values sorted into two runs: equal mean and variance, strong autocorrelation.
    const streak = [...white].sort((a, b) => a - b);
    const t = (d: number[]) =>
      pairedTest(
        new Map([
          [
            0,
            fold(
              time,
              d.map((x) => 1 + x),
            ),
          ],
        ]),
        base,
        1,
      )!.t;
    expect(Math.abs(t(streak))).toBeLessThan(Math.abs(t(white)) / 2);
  });
});
