import { describe, expect, it } from 'vitest';
import { horizonMetrics, horizonRecords } from '../../../worker/baselines/horizon-metrics.js';

describe('horizonMetrics against hand-computed values', () => {
  // 3 windows, horizon 2, one target: errors step 1 = (1, -2, 3), step 2 = (0, 4, NaN-skipped).
  const actual = [10, 20, 30, 40, 50, NaN];
  const predicted = [9, 20, 32, 36, 47, 60];

  it('per step and pooled MAE, RMSE, MASE, counts', () => {
    const m = horizonMetrics(actual, predicted, { horizon: 2, scale: 2 });
    expect(m.perStep[0]).toEqual({ h: 1, mae: 2, rmse: Math.sqrt(14 / 3), mase: 1, n: 3 }); // |1|+|-2|+|3| = 6
    expect(m.perStep[1]).toEqual({ h: 2, mae: 2, rmse: Math.sqrt(8), mase: 1, n: 2 }); // |0|+|4|, 0+16
    expect(m.pooled.mae).toBeCloseTo(10 / 5, 12);
    expect(m.pooled.rmse).toBeCloseTo(Math.sqrt(30 / 5), 12);
    expect(m.pooled.mase).toBeCloseTo(1, 12);
    expect(m.pooled.n).toBe(5);
  });

  it('two targets with their own MASE scales', () => {
    // 1 window, horizon 2, targets A (scale 1) and B (scale 10): layout A@1 A@2 B@1 B@2.
    const m = horizonMetrics([0, 0, 0, 0], [1, 2, 10, 20], { horizon: 2, targets: 2, scale: [1, 10] });
    expect(m.perStep.map((s) => s.mae)).toEqual([5.5, 11]);
    expect(m.perStep.map((s) => s.mase)).toEqual([1, 2]); // (1/1 + 10/10)/2, (2/1 + 20/10)/2
    expect(m.pooled.mase).toBe(1.5);
  });

  it('no scale gives NaN MASE, and records keep only finite values', () => {
    const m = horizonMetrics(actual, predicted, { horizon: 2, scale: NaN });
    expect(m.pooled.mase).toBeNaN();
    const r = horizonRecords('ets', m);
    expect(r).toMatchObject({ 'ets.mae': 2, 'ets.mae@1': 2, 'ets.mae@2': 2 });
    expect(Object.keys(r).some((k) => k.includes('mase'))).toBe(false);
  });
});
