// Run groups: by default every param that differs but the seed; mean ± sample std, min, max.
import { describe, expect, it } from 'vitest';
import { defaultGroupBy, groupRuns, stat } from '../../../core/study/groups.js';
import { defaultConcurrency, kernelThreads } from '../../../core/study/concurrency.js';

const run = (id: number, cell: string, seed: number, mae: number) => ({
  id,
  params: { 'model.cell': cell, 'train.seed': String(seed), target: 'v' },
  metrics: { 'test.mae': mae, val_loss: mae / 2 },
});

describe('groups', () => {
  const runs = [
    run(1, 'lstm', 1, 1),
    run(2, 'lstm', 2, 3),
    run(3, 'gru', 1, 2),
    run(4, 'gru', 2, 2),
    run(5, 'lstm', 3, 5),
  ];

  it('groups by every differing param but the seed', () => {
    expect(defaultGroupBy(runs)).toEqual(['model.cell']);
    const g = groupRuns(runs);
    expect(g.map((x) => [x.key, x.runIds])).toEqual([
      [{ 'model.cell': 'lstm' }, [1, 2, 5]],
      [{ 'model.cell': 'gru' }, [3, 4]],
    ]);
    expect(g[0]!.metrics['test.mae']).toEqual({ mean: 3, std: 2, min: 1, max: 5, n: 3 });
    expect(g[1]!.metrics['test.mae']).toEqual({ mean: 2, std: 0, min: 2, max: 2, n: 2 });
  });

  it('groups by the params given, and one run has std 0', () => {
    const g = groupRuns(runs, ['train.seed']);
    expect(g.map((x) => x.runIds)).toEqual([[1, 3], [2, 4], [5]]);
    expect(stat([4])).toEqual({ mean: 4, std: 0, min: 4, max: 4, n: 1 });
  });
});

describe('default concurrency', () => {
  it('is the cores over the kernel threads: two trials never share two cores', () => {
    expect(defaultConcurrency(2, undefined)).toBe(1);
    expect(defaultConcurrency(16, undefined)).toBe(2);
    expect(defaultConcurrency(16, '1')).toBe(16);
    expect(defaultConcurrency(1, '4')).toBe(1);
    expect(kernelThreads(64, undefined)).toBe(8);
  });
});
