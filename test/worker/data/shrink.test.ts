// Shrinkage toward the base (worker/data/shrink.ts): the least-squares factor per output against a
// hand-computed case, its lower bound, its clipping, the bases read from the model inputs, and the application.
import { describe, expect, it } from 'vitest';
import { applyShrink, baseFeatures, fitShrink, shrinkBases, SHRINK_Z } from '../../../worker/data/shrink.js';

describe('shrinkage toward the base', () => {
  it('fits α per output by least squares of (y − b) on (f − b), clipped to [0, 1]', () => {
    // Two outputs, three windows, rows [o0, o1]. Output 0: f−b = 1, 2, −1 and y−b = 0.5, 1.5, 0 →
    // α = (0.5 + 3 + 0) / (1 + 4 + 1) = 3.5 / 6. Output 1: y − b = −(f − b) → negative → 0.
    const base = [1, 0, 2, 0, 3, 0];
    const pred = [2, 1, 4, 2, 2, -1];
    const y = [1.5, -1, 3.5, -2, 3, 1];
    const alpha = fitShrink(pred, y, base, 2, 0);
    expect(alpha[0]).toBeCloseTo(3.5 / 6, 12);
    expect(alpha[1]).toBe(0);
    // The network better than the base by more than its own deviation: capped at 1.
    expect(fitShrink([1, 2], [3, 5], [0, 0], 1, 0)).toEqual([1]);
  });

  it('takes the factor z standard errors below its least-squares value (the validation windows also chose the checkpoint)', () => {
    // d = f − b = 1, 2, −1; e = y − b = 0.5, 1.5, 0: α̂ = 3.5/6; Σe² = 2.5, residual SS = Σe² − α̂·Σde
    // = 2.5 − 3.5²/6, variance over n − 1 = 2, se = sqrt(variance / Σd²).
    const a = 3.5 / 6;
    const se = Math.sqrt((2.5 - 3.5 ** 2 / 6) / 2 / 6);
    expect(fitShrink([1, 2, -1], [0.5, 1.5, 0], [0, 0, 0], 1, 1)[0]).toBeCloseTo(a - se, 12);
    expect(fitShrink([1, 2, -1], [0.5, 1.5, 0], [0, 0, 0], 1, 2)[0]).toBeCloseTo(Math.max(0, a - 2 * se), 12);
    // the default is SHRINK_Z = 2: a factor the windows cannot tell from 0 becomes 0
    expect(fitShrink([1, 2, -1], [0.5, 1.5, 0], [0, 0, 0], 1)).toEqual(
      fitShrink([1, 2, -1], [0.5, 1.5, 0], [0, 0, 0], 1, SHRINK_Z),
    );
    expect(SHRINK_Z).toBe(2);
    // many windows where the network explains the actual values: the bound stays near α̂
    const n = 400;
    const d = Array.from({ length: n }, (_, i) => Math.sin(i));
    const e = d.map((v, i) => 0.8 * v + 0.05 * Math.cos(7 * i));
    const many = fitShrink(d, e, new Array<number>(n).fill(0), 1)[0]!;
    expect(many).toBeGreaterThan(0.78);
    expect(many).toBeLessThan(fitShrink(d, e, new Array<number>(n).fill(0), 1, 0)[0]!);
    // a single window: no standard error, so no network
    expect(fitShrink([1], [1], [0], 1)).toEqual([0]);
  });

  it('keeps α = 1 where there is nothing to fit (no windows, or the network equals the base)', () => {
    expect(fitShrink([], [], [], 3)).toEqual([1, 1, 1]);
    expect(fitShrink([2, 2], [5, 1], [2, 2], 1)).toEqual([1]);
  });

  it('applies base + α (f − b) per output', () => {
    const pred = Float32Array.from([2, 1, 4, 2]);
    applyShrink(pred, [1, 0, 2, 0], [0.5, 0]);
    expect(Array.from(pred)).toEqual([1.5, 0, 3, 0]);
  });

  it('reads the base from the last input row of the target feature; a differenced target has base 0', () => {
    const bases = baseFeatures({
      features: ['x', 'a', 'b'],
      targets: ['a', 'b'],
      horizon: 2,
      targetPrep: [{ transform: { kind: 'none' } }, { transform: { kind: 'diff' } }],
    });
    expect(bases).toEqual([1, 1, -1, -1]);
    // One window, lookback 2, three features: the last row is [7, 8, 9].
    const x = [1, 2, 3, 7, 8, 9];
    expect(Array.from(shrinkBases(x, 1, 2, 3, bases))).toEqual([8, 8, 0, 0]);
  });
});
