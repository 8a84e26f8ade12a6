// ASHA by hand: the rungs, and who goes on at a rung as trials arrive one by one.
import { describe, expect, it } from 'vitest';
import { promotable, rungEpochs, rungMetric } from '../../../core/study/asha.js';

describe('rungEpochs', () => {
  it('is minEpochs·reduction^k below the last epoch', () => {
    expect(rungEpochs({ kind: 'asha', minEpochs: 1, reduction: 3 }, 30)).toEqual([1, 3, 9, 27]);
    expect(rungEpochs({ kind: 'asha', minEpochs: 3, reduction: 3 }, 27)).toEqual([3, 9]);
    expect(rungEpochs({ kind: 'asha', minEpochs: 5, reduction: 2 }, 5)).toEqual([]);
    expect(rungEpochs({ kind: 'none' }, 100)).toEqual([]);
  });
});

describe('promotable', () => {
  it('lets the first trial at a rung go on; until a rung holds `reduction` trials only the best goes on', () => {
    expect(promotable(5, [], 3)).toBe(true);
    expect(promotable(4, [5], 3)).toBe(true);
    expect(promotable(6, [5], 3)).toBe(false);
    expect(promotable(5, [5], 3)).toBe(true); // a tie goes on
  });

  it('keeps the best 1/reduction of the trials at the rung, itself included', () => {
    // Arrivals 10, 8, 9, 3, 7, 6 with reduction 3: a trial goes on when it is within the best floor(n/3).
    const arrivals = [10, 8, 9, 3, 7, 6, 2, 11, 5];
    const seen: number[] = [];
    const decisions = arrivals.map((v) => {
      const d = promotable(v, seen, 3);
      seen.push(v);
      return d;
    });
    // n=1: best; n=2: 8<10 best; n=3: top 1 is 8, 9 no; n=4: top1 3; n=5: top1 3, 7 no;
    // n=6: top2 [3,6] yes; n=7: top2 [2,3] yes; n=8: top2 no; n=9: top3 [2,3,5] yes.
    expect(decisions).toEqual([true, true, false, true, false, true, true, false, true]);
  });

  it('maximises when asked', () => {
    expect(promotable(0.9, [0.5, 0.6], 3, 'max')).toBe(true);
    expect(promotable(0.4, [0.5, 0.6], 3, 'max')).toBe(false);
  });
});

describe('rungMetric', () => {
  it('judges a rung by the objective when it is per epoch, by val_loss for a test metric', () => {
    expect(rungMetric({ metric: 'val_mae', direction: 'min' })).toEqual({ key: 'val_mae', direction: 'min' });
    expect(rungMetric({ metric: 'val_acc', direction: 'max' })).toEqual({ key: 'val_acc', direction: 'max' });
    expect(rungMetric({ metric: 'test.mae', direction: 'min' })).toEqual({ key: 'val_loss', direction: 'min' });
  });

  it("judges tune's shrunk forecast MAE by the network's own: early forecasts tie at the reference, and ties all pass", () => {
    expect(rungMetric({ metric: 'val_mae_shrunk', direction: 'min' })).toEqual({ key: 'val_mae', direction: 'min' });
    // Why: five trials whose networks have not earned a factor above 0 yet give one forecast; none is pruned.
    expect([0, 1, 2, 3, 4].every(() => promotable(0.8, [0.8, 0.8, 0.8, 0.8], 3))).toBe(true);
  });
});
