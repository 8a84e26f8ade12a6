// Strategies: grid enumeration, seeded random sampling (same seed → same configurations, on any
// host), TPE leaning towards the good region, and the planned trial counts.
import { describe, expect, it } from 'vitest';
import { gridAxis, gridConfig, gridSize } from '../../../core/study/grid.js';
import { plannedConfigs, proposeConfig, randomConfig, trialOf } from '../../../core/study/strategy.js';
import { tpeConfig } from '../../../core/study/tpe.js';
import { SearchSpace } from '../../../core/contract.js';

const space = SearchSpace.parse({
  'model.cell': ['lstm', 'gru'],
  'model.layers.0.units': { int: [8, 128], log: true },
  'train.learningRate': { float: [1e-4, 3e-2], log: true },
  'window.lookback': [12, 24, 48],
});

describe('grid', () => {
  it('enumerates the product, the first path slowest', () => {
    const s = SearchSpace.parse({ a: [1, 2], b: { int: [0, 2] } });
    expect(gridSize(s)).toBe(6);
    expect(Array.from({ length: 6 }, (_, k) => gridConfig(s, k))).toEqual([
      { a: 1, b: 0 },
      { a: 1, b: 1 },
      { a: 1, b: 2 },
      { a: 2, b: 0 },
      { a: 2, b: 1 },
      { a: 2, b: 2 },
    ]);
  });

  it('spaces float ranges by steps (log-spaced for log ranges) and refuses a float range without steps', () => {
    expect(
      gridAxis('lr', { float: [1e-4, 1e-2], log: true, steps: 3 }).map((v) => Number((v as number).toPrecision(6))),
    ).toEqual([1e-4, 1e-3, 1e-2]);
    expect(gridAxis('u', { int: [8, 64], log: true, steps: 4 })).toEqual([8, 16, 32, 64]);
    expect(() => gridAxis('lr', { float: [0, 1], log: false })).toThrow(/needs "steps"/);
  });
});

describe('random', () => {
  it('is deterministic per (seed, index) and inside every domain', () => {
    const a = Array.from({ length: 50 }, (_, k) => randomConfig(space, 7, k));
    const b = Array.from({ length: 50 }, (_, k) => randomConfig(space, 7, k));
    expect(a).toEqual(b);
    expect(randomConfig(space, 8, 0)).not.toEqual(a[0]);
    for (const c of a) {
      expect(['lstm', 'gru']).toContain(c['model.cell']);
      const u = c['model.layers.0.units'] as number;
      expect(Number.isInteger(u) && u >= 8 && u <= 128).toBe(true);
      const lr = c['train.learningRate'] as number;
      expect(lr >= 1e-4 && lr <= 3e-2).toBe(true);
    }
    // log-uniform: about half the learning rates below the geometric midpoint (1.7e-3), not ~5%.
    const low = a.filter((c) => (c['train.learningRate'] as number) < Math.sqrt(1e-4 * 3e-2)).length;
    expect(low).toBeGreaterThan(12);
    expect(low).toBeLessThan(38);
  });

  it('maps trials to configurations and seeds, and plans configurations per strategy', () => {
    expect([0, 1, 2, 3, 4, 5].map((t) => trialOf(t, 3))).toEqual([
      { config: 0, seedIndex: 0 },
      { config: 0, seedIndex: 1 },
      { config: 0, seedIndex: 2 },
      { config: 1, seedIndex: 0 },
      { config: 1, seedIndex: 1 },
      { config: 1, seedIndex: 2 },
    ]);
    expect(plannedConfigs({ space: { a: [1, 2, 3] }, strategy: 'grid', seeds: 1 })).toBe(3);
    expect(plannedConfigs({ space: { a: [1, 2, 3] }, strategy: 'grid', seeds: 1, trials: 2 })).toBe(2);
    expect(plannedConfigs({ space, strategy: 'random', seeds: 1, budgetSeconds: 60 })).toBeNull();
    expect(plannedConfigs({ space, strategy: 'random', seeds: 1 })).toBe(20);
  });
});

describe('tpe', () => {
  it('samples at random during startup, then near the good observations', () => {
    const s = SearchSpace.parse({ x: { float: [0, 10] }, c: ['a', 'b', 'c'] });
    const history = Array.from({ length: 30 }, (_, k) => {
      const c = randomConfig(s, 1, k);
      // Best near x = 2 with c = 'b'.
      return { config: c, value: Math.abs((c.x as number) - 2) + (c.c === 'b' ? 0 : 3) };
    });
    const opts = { seed: 3, direction: 'min' as const, startup: 10 };
    const proposals = Array.from({ length: 20 }, (_, k) => tpeConfig(s, history, { ...opts, index: 100 + k }));
    expect(proposals).toEqual(Array.from({ length: 20 }, (_, k) => tpeConfig(s, history, { ...opts, index: 100 + k })));
    const near = proposals.filter((p) => Math.abs((p.x as number) - 2) < 2).length;
    expect(near).toBeGreaterThanOrEqual(14);
    expect(proposals.filter((p) => p.c === 'b').length).toBeGreaterThanOrEqual(14);
    expect(tpeConfig(s, history.slice(0, 5), { ...opts, index: 1 })).toEqual(
      tpeConfig(s, history.slice(0, 5), { ...opts, index: 1 }),
    );
  });

  it('proposeConfig dispatches on the strategy', () => {
    const p = { space, seed: 1, index: 4, plannedConfigs: 10, direction: 'min' as const, history: [] };
    expect(proposeConfig({ ...p, strategy: 'random' })).toEqual(randomConfig(space, 1, 4));
    expect(proposeConfig({ ...p, strategy: 'grid', space: { a: [1, 2, 3, 4, 5] } })).toEqual({ a: 5 });
    // Configurations given first come before the strategy's.
    const first = [{ 'model.cell': 'gru' }];
    expect(proposeConfig({ ...p, strategy: 'tpe', index: 0, first })).toEqual(first[0]);
    expect(proposeConfig({ ...p, strategy: 'random', index: 1, first })).toEqual(randomConfig(space, 1, 1));
  });
});
