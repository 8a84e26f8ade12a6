// tune's built-in space (core/study/tune.ts): the lookbacks and normalisations the default single
// run does not try, and every configuration tried first a valid spec that studies.create accepts.
import { describe, expect, it } from 'vitest';
import { defaultSpec, parseSpec } from '../../../core/contract.js';
import { autoLookback } from '../../../core/spec-rules.js';
import { applyConfig } from '../../../core/study/space.js';
import { lookbacksFor, neighbours, pinnedBy, tuneStudy } from '../../../core/study/tune.js';

/** Daily, monthly, hourly, quarterly, weekly data and none. */
const SEASONS = [7, 12, 24, 4, 52, 1];

const changedFields = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

describe('lookbacksFor: fixed lookbacks besides the default `auto`', () => {
  it('leaves room for season normalisation (lookback > season) and skips the one `auto` aims at', () => {
    // Before: m, 2m, 3m (7, 14, 21 for daily data): none had room for `season`, and none was auto's 3m + 1.
    expect(lookbacksFor(7)).toEqual([8, 15, 29]);
    expect(lookbacksFor(12)).toEqual([13, 25, 49]);
    expect(lookbacksFor(24)).toEqual([25, 49, 73]);
    expect(lookbacksFor(4)).toEqual([5, 9, 17]);
    expect(lookbacksFor(1)).toEqual([12, 48, 96]);
    for (const m of SEASONS) {
      const aim = autoLookback(m, 1e9, 1).lookback;
      expect(lookbacksFor(m)).not.toContain(aim);
      if (m > 1) expect(lookbacksFor(m).every((l) => l > m)).toBe(true);
    }
  });
});

describe("neighbours: the defaults' alternatives", () => {
  it('tries every normalisation the default may not have picked, `season` only where the lookback holds the season', () => {
    for (const m of SEASONS) {
      const lbs = lookbacksFor(m);
      const ns = neighbours(m, lbs);
      const modes = ns.map((n) => n.normalize);
      // Before: only `auto` (the default's) was ever tried first.
      for (const mode of ['global', 'window', 'ensemble']) expect(modes).toContain(mode);
      const season = ns.filter((n) => n.normalize === 'season');
      if (m <= 1) expect(season).toEqual([]);
      else expect(season.length).toBeGreaterThan(0);
      for (const n of season) {
        const l = n['window.lookback'];
        // `auto` resolves to at least m + 1 only for m ≤ 12 (hourly data's auto is 24 = m).
        const resolved = l === 'auto' ? autoLookback(m, 1e9, 1).lookback : (l as number);
        expect(resolved).toBeGreaterThan(m);
      }
      if (m === 24) expect(season.map((n) => n['window.lookback'])).toEqual([25, 49, 73]);
      if (m === 7) expect(season.map((n) => n['window.lookback'])).toEqual(['auto', 8, 15, 29]);
    }
  });

  it("ranks trials by the forecast's validation MAE (shrinkage applied), not the network's own", () => {
    // With the evidence bound a network's part is often 0: its own val_mae would rank trials whose
    // forecasts are one and the same reference.
    expect(tuneStudy({ target: 'y', season: 12, lookbacks: lookbacksFor(12) }).objective).toBe('val_mae_shrunk');
  });

  it('changes one field of the defaults (two for `season` at a fixed lookback), every one a valid, distinct spec', () => {
    const file = tuneStudy({ target: 'y', season: 12, lookbacks: lookbacksFor(12) });
    const [defaults, ...rest] = file.first!;
    expect(applyConfig(parseSpec(file.base), defaults!)).toEqual(defaultSpec('y'));
    expect(rest).toEqual(neighbours(12, lookbacksFor(12)));
    const seen = new Set<string>([JSON.stringify(defaults)]);
    for (const n of rest) {
      const changed = changedFields(n, defaults!);
      const seasonAtLookback = n.normalize === 'season' && n['window.lookback'] !== 'auto';
      expect(changed).toHaveLength(seasonAtLookback ? 2 : 1);
      // studies.create refuses a first configuration naming a path outside the space.
      for (const p of Object.keys(n)) expect(file.space).toHaveProperty([p]);
      expect(() => applyConfig(parseSpec(file.base), n)).not.toThrow();
      expect(seen.has(JSON.stringify(n))).toBe(false);
      seen.add(JSON.stringify(n));
    }
  });

  it("the TPE space's normalisations are valid at every lookback; `season` is left to the neighbours", () => {
    const file = tuneStudy({ target: 'y', season: 24, lookbacks: lookbacksFor(24) });
    const modes = file.space.normalize as string[];
    expect(modes).toEqual(expect.arrayContaining(['auto', 'global', 'window', 'ensemble']));
    expect(modes).not.toContain('season');
    for (const mode of modes)
      for (const l of file.space['window.lookback'] as unknown[])
        expect(() => applyConfig(parseSpec(file.base), { normalize: mode, 'window.lookback': l })).not.toThrow();
  });
});

describe("tune and the user's --set fields", () => {
  it('pins a field the user sets: it leaves the space and the first trials, whose duplicates go', () => {
    const free = tuneStudy({ target: 'y', season: 12, lookbacks: lookbacksFor(12) });
    expect(free.space['train.loss']).toEqual(['mse', 'mae']);
    expect(free.first).toContainEqual(expect.objectContaining({ 'train.loss': 'mae' }));
    const file = tuneStudy({
      target: 'y',
      season: 12,
      lookbacks: lookbacksFor(12),
      base: { train: { loss: 'mae' }, model: { layers: [{ units: 32 }] } },
    });
    expect(file.space).not.toHaveProperty(['train.loss']);
    expect(file.space).not.toHaveProperty(['model.layers.*.units']);
    expect(file.space).toHaveProperty(['model.layers.*.dropout']);
    for (const c of file.first!) {
      expect(c).not.toHaveProperty(['train.loss']);
      expect(c).not.toHaveProperty(['model.layers.*.units']);
    }
    // The loss and the two width neighbours became the defaults again: dropped, the rest kept.
    expect(file.first).toHaveLength(free.first!.length - 3);
    expect(new Set(file.first!.map((c) => JSON.stringify(c))).size).toBe(file.first!.length);
    // The default trial is the default run with the user's fields.
    const spec = applyConfig(parseSpec(file.base), file.first![0]!);
    expect(spec.train.loss).toBe('mae');
    expect(spec.model.layers[0]!.units).toBe(32);
  });

  it('pins the layer count where the user sets a second layer', () => {
    const two = pinnedBy({ model: { layers: [{ units: 32 }, { units: 16 }] } });
    expect(['model.layers.length', 'model.layers.*.units', 'model.layers.*.dropout'].map(two)).toEqual([
      true,
      true,
      false,
    ]);
    const file = tuneStudy({
      target: 'y',
      season: 12,
      lookbacks: lookbacksFor(12),
      base: { model: { layers: [{ units: 32 }, { units: 16 }] } },
    });
    expect(file.space).not.toHaveProperty(['model.layers.length']);
    expect(applyConfig(parseSpec(file.base), file.first![0]!).model.layers.map((l) => l.units)).toEqual([32, 16]);
  });

  it('pins the path itself, not a neighbour whose name begins the same', () => {
    const pinned = pinnedBy({ train: { learningRate: 0.01 }, window: { lookback: 24 } });
    expect(['train.learningRate', 'window.lookback'].map(pinned)).toEqual([true, true]);
    expect(['train.loss', 'window.horizon', 'model.layers.*.units', 'model.layers.length'].map(pinned)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('tune pruning', () => {
  it('spares the defaults and their neighbours from ASHA, prunes the TPE draws', () => {
    // Before, the default run's own configuration, repeated by a neighbour, was pruned at epoch 2.
    const file = tuneStudy({ target: 'y', season: 24, lookbacks: lookbacksFor(24) });
    expect(file.prune).toEqual({ kind: 'asha', minEpochs: 2, reduction: 3, spareFirst: true });
  });
});
