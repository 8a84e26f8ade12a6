// Exponential smoothing run over each window as a reference (worker/data/ets-reference.ts), and its
// choice against the ridge correction (worker/data/linear-reference.ts).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { forecastFrom, observe, type EtsKind } from '../../../worker/baselines/ets-core.js';
import { initialState } from '../../../worker/baselines/ets-init.js';
import { etsWindowWeights } from '../../../worker/data/ets-reference.js';
import { prepare } from '../../../worker/data/prepare.js';
import { stepLevels } from '../../../worker/data/season-base.js';
import { noise as noiseOf, oneColumn } from '../../helpers.js';
import { expectTargetsUndone } from './undone.js';

const noise = noiseOf(11);

const dataset = oneColumn;

describe('ETS run over the window', () => {
  const kinds: EtsKind[] = [
    { trend: 'N', season: 'N', m: 1 },
    { trend: 'A', season: 'N', m: 1 },
    { trend: 'Ad', season: 'A', m: 4 },
    { trend: 'A', season: 'A', m: 12 },
  ];
  it.each(kinds)(
    'is a linear map of the window that reproduces the recursions exactly ($trend, $season, m $m)',
    (kind) => {
      const params = {
        alpha: 0.35,
        beta: kind.trend === 'N' ? 0 : 0.06,
        gamma: kind.season === 'N' ? 0 : 0.12,
        phi: kind.trend === 'Ad' ? 0.9 : 1,
      };
      const L = 37;
      const H = 5;
      const a = etsWindowWeights(kind, params, L, H);
      for (let trial = 0; trial < 3; trial++) {
        const x = Float64Array.from(
          { length: L },
          (_, i) => 40 + 0.3 * i + 5 * Math.sin((2 * Math.PI * i) / 12) + noise(),
        );
        const s = initialState(kind, x, { cycles: Math.floor(L / kind.m), lineRows: L });
        for (const v of x) observe(kind, params, s, v);
        const f = forecastFrom(kind, params, s, H);
        for (let h = 0; h < H; h++) expect(a[h]!.reduce((acc, w, r) => acc + w * x[r]!, 0)).toBeCloseTo(f[h]!, 9);
      }
      // each step's weights sum to 1: a shift of the window shifts the forecast
      for (const row of a) expect(row.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 12);
    },
  );

  // 76 rows of a trending quarterly-like season with noise: too few train windows (< 24) for the
  // ridge fit, but the smoothing parameters fit on the train rows.
  const short = Float64Array.from(
    { length: 76 },
    (_, i) => 100 + 1.5 * i + 12 * [1, -0.5, -1.5, 1][i % 4]! + 2 * noise(),
  );

  it('is chosen on a short seasonal series the ridge fit cannot take, and undone exactly', () => {
    const spec = { target: 'v', normalize: 'season', seasonLength: 4, window: { lookback: 33, horizon: 2 } } as const;
    const { info, load } = dataset(short);
    const p = prepare(parseSpec(spec), info, load);
    const off = prepare(parseSpec({ ...spec, linearReference: 'off' }), info, load);
    expect(p.windows.train.length / 2).toBeLessThan(24);
    const prep = p.targetPrep[0]!;
    expect(prep.reason).toMatch(
      /linear correction of the reference: ETS A,[NA]d?,[NA] \(α [\d.e-]+.*\) fitted on \d+ train rows, run over each window \(validation MAE \(model units\) [\d.]+ without; ETS .*: [\d.]+\)/,
    );
    expect(prep.linear).toHaveLength(2);
    expect(off.targetPrep[0]!.linear).toBeUndefined();
    // the corrected reference is the in-window ETS forecast
    const g = p.groups[0]!;
    const t = p.windows.test[1]!;
    const scaled = Float64Array.from({ length: g.rows }, (_, r) => g.y[r]!);
    const levels = stepLevels(prep, scaled, 1, 0, t + 1, 2, scaled[t]!);
    const plain = stepLevels({ ...prep, linear: undefined }, scaled, 1, 0, t + 1, 2, scaled[t]!);
    expect(Math.abs(levels[0]! - plain[0]!)).toBeGreaterThan(1e-6);
    // and the model targets are undone exactly
    expectTargetsUndone(p);
  });

  it('is left out where it does not beat the plain reference on the validation windows, and the log says so', () => {
    const walk = new Float64Array(600);
    for (let i = 1; i < walk.length; i++) walk[i] = walk[i - 1]! + noise();
    const { info, load } = dataset(walk);
    const p = prepare(parseSpec({ target: 'v', normalize: 'window', window: { lookback: 12 } }), info, load);
    expect(p.targetPrep[0]!.linear).toBeUndefined();
    expect(p.targetPrep[0]!.reason).toMatch(
      /none \(validation MAE .* without; ETS A,.*: [\d.]+; ridge fit on \d+ train windows: [\d.]+: not 2% better\)/,
    );
  });
});
