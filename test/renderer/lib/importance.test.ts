// Parameter importance by rank correlation (renderer/src/lib/importance.ts), pure.
import { describe, expect, it } from 'vitest';
import { correlationRatio, paramImportance, ranks, spearman } from '../../../renderer/src/lib/importance.js';

describe('parameter importance', () => {
  it('ranks with ties sharing their average rank', () => {
    expect(ranks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
    expect(ranks([])).toEqual([]);
  });

  it("gives Spearman's rho: ±1 for any monotone relation, known value with ties, null when constant", () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [5, 3, 2, -10])).toBeCloseTo(-1, 12);
    // Textbook value: x = 1..5, y = 2,1,4,3,5 → 1 − 6·4/(5·24) = 0.8.
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(spearman([1], [2])).toBeNull();
    expect(() => spearman([1, 2], [1])).toThrow(/length/);
  });

  it('gives the correlation ratio of a categorical parameter: 1 when the groups separate the objective, 0 when they do not', () => {
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 2, 10, 11])).toBeCloseTo(1 / Math.sqrt(1.25), 12);
    expect(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 2, 2])).toBeCloseTo(0, 12);
    expect(correlationRatio(['a', 'a'], [1, 2])).toBeNull();
  });

  it('orders the params by strength, skips trials without a value, and keeps the sign of numeric ones', () => {
    const trials = [
      { params: { lr: 0.001, units: 8, cell: 'gru' }, value: 0.9 },
      { params: { lr: 0.003, units: 64, cell: 'lstm' }, value: 0.5 },
      { params: { lr: 0.01, units: 16, cell: 'gru' }, value: 0.4 },
      { params: { lr: 0.03, units: 32, cell: 'lstm' }, value: 0.2 },
      { params: { lr: 0.1, units: 128, cell: 'gru' }, value: null },
    ];
    const imp = paramImportance(trials, ['units', 'cell', 'lr']);
    expect(imp.map((i) => i.param)).toEqual(['lr', 'cell', 'units']);
    expect(imp[0]).toMatchObject({ kind: 'numeric', rho: -1, score: 1, n: 4 });
    // Objective ranks 4,3,2,1; gru {4,2}, lstm {3,1}: η² = 1/5.
    expect(imp[1]).toMatchObject({ kind: 'categorical', rho: null });
    expect(imp[1]!.score).toBeCloseTo(Math.sqrt(0.2), 12);
    expect(imp[2]!.rho).toBeCloseTo(-0.4, 12);
    expect(imp[2]!.score).toBeCloseTo(0.4, 12);
  });

  it('treats list values (layer stacks) as categories and scores 0 with fewer than two trials', () => {
    const imp = paramImportance([{ params: { layers: [{ units: 8 }] }, value: 1 }], ['layers']);
    expect(imp).toEqual([{ param: 'layers', score: 0, rho: null, kind: 'categorical', n: 1 }]);
  });
});
