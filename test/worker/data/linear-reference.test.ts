// The linear correction of a windowed target's reference (worker/data/linear-reference.ts).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { windowCount, windowTargets } from '../../../worker/data/batches.js';
import { solveSpd } from '../../../worker/data/linear-reference.js';
import { prepare, type Prepared } from '../../../worker/data/prepare.js';
import { referenceWeights, stepLevels } from '../../../worker/data/season-base.js';
import { oneColumn } from '../../helpers.js';
import { expectTargetsUndone } from './undone.js';

let u = 5;
const noise = () => ((u = (u * 48271) % 2147483647) / 2147483647 - 0.5) * 2;

const dataset = oneColumn;

/** Mean absolute model-unit target of a split: how far the outputs are from the reference. */
function meanTarget(p: Prepared, split: 'train' | 'val' | 'test'): number {
  const w = p.windows[split];
  let s = 0;
  for (let r = 0; r < windowCount(w); r++) s += Math.abs(windowTargets(p, p.groups[w[2 * r]!]!, w[2 * r + 1]!)[0]!);
  return s / windowCount(w);
}

describe('the linear correction of the reference', () => {
  it('solves a positive definite system (Cholesky), and refuses one that is not', () => {
    const A = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = solveSpd(A, Float64Array.from([2, 1, 4]), 3)!;
    const back = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + A[i * 3 + j]! * x[j]!, 0));
    back.forEach((v, i) => expect(v).toBeCloseTo([2, 1, 4][i]!, 12));
    expect(solveSpd(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toBeNull();
  });

  // A mean-reverting series: the last value (window normalisation's reference) misses the pull
  // back to the mean that a linear map of the window sees.
  const reverting = new Float64Array(1200);
  for (let i = 1; i < reverting.length; i++) reverting[i] = 0.3 * reverting[i - 1]! + noise();
  const walk = new Float64Array(1200);
  for (let i = 1; i < walk.length; i++) walk[i] = walk[i - 1]! + noise();

  it('is fitted where validation says it helps, and the windows are then measured from the corrected reference', () => {
    const spec = { target: 'v', normalize: 'window', window: { lookback: 12, horizon: 2 } } as const;
    const { info, load } = dataset(reverting);
    const off = prepare(parseSpec({ ...spec, linearReference: 'off' }), info, load);
    const p = prepare(parseSpec(spec), info, load);
    expect(off.targetPrep[0]!.linear).toBeUndefined();
    const linear = p.targetPrep[0]!.linear!;
    expect(linear).toHaveLength(2);
    expect(linear[0]).toHaveLength(12);
    expect(p.targetPrep[0]!.reason).toMatch(
      /linear correction of the reference: (ridge fit on \d+ train windows|ETS A,[^(]+\([^)]*\) fitted on \d+ train rows, run over each window) \(validation MAE \(model units\) [\d.]+ without; /,
    );
    // the test windows' model targets (what the network must add) are smaller by far
    expect(meanTarget(p, 'test')).toBeLessThan(0.93 * meanTarget(off, 'test'));
    // and everything is still undone exactly
    expectTargetsUndone(p);
  });

  it('is left out on a random walk (nothing beats the last value) and says why', () => {
    const { info, load } = dataset(walk);
    const p = prepare(parseSpec({ target: 'v', normalize: 'window', window: { lookback: 12 } }), info, load);
    expect(p.targetPrep[0]!.linear).toBeUndefined();
    expect(p.targetPrep[0]!.reason).toMatch(
      /linear correction of the reference: none \(validation MAE .*ridge fit on .* not 2% better\)/,
    );
  });

  it('is left out for a globally scaled target', () => {
    const { info, load } = dataset(reverting);
    const p = prepare(parseSpec({ target: 'v', normalize: 'global' }), info, load);
    expect(p.targetPrep[0]!.linear).toBeUndefined();
    expect(p.targetPrep[0]!.reason).not.toMatch(/linear correction/);
  });

  it('adds Σ β·(row − last value) to the reference; its linear map equals stepLevels, a missing row adds nothing', () => {
    const s = [3, 1, 4, 1, 5, 9, 2, 6];
    const beta = [
      [0.1, -0.2, 0, 0.3, 0, 0, -0.1, 0.05],
      [0, 0, 0.2, 0, 0, -0.4, 0, 0],
    ];
    const plain = { normalize: 'season', season: 3 };
    const prep = { ...plain, linear: beta };
    const last = s[7]!;
    const base = stepLevels(plain, s, 1, 0, 8, 2, last);
    const got = stepLevels(prep, s, 1, 0, 8, 2, last);
    for (let h = 0; h < 2; h++) {
      const add = beta[h]!.reduce((a, b, r) => a + b * (s[r]! - last), 0);
      expect(got[h]).toBeCloseTo(base[h]! + add, 12);
      const w = referenceWeights(prep, 8, h + 1);
      expect(last + w.reduce((a, v, r) => a + v * s[r]!, 0)).toBeCloseTo(got[h]!, 12);
    }
    const gap = [...s];
    gap[0] = NaN;
    const withGap = stepLevels({ normalize: 'window', linear: beta }, gap, 1, 0, 8, 1, last)[0]!;
    expect(withGap).toBeCloseTo(last + beta[0]!.slice(1).reduce((a, b, r) => a + b * (s[r + 1]! - last), 0), 12);
  });
});
