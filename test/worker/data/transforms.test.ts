import { describe, expect, it } from 'vitest';
import {
  chooseAutoTransform,
  denormalizeWindow,
  fitWindowScale,
  forwardSeries,
  inverseForecast,
  inverseSeries,
  normalizeWindow,
  transformProblem,
  windowLevel,
  type TransformSpec,
} from '../../../worker/data/transforms.js';
import { blockGrowth, kpss } from '../../../worker/data/stationarity.js';
import { series } from '../baselines/series.js';

const y = Float64Array.from(series({ n: 300, level: 50, slope: 0.8, m: 12, amp: 4, noise: 2, seed: 1 }));
const maxErr = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))));
const kinds: TransformSpec[] = [
  { kind: 'none' },
  { kind: 'log' },
  { kind: 'diff' },
  { kind: 'logdiff' },
  { kind: 'boxcox', lambda: 0.5 },
  { kind: 'boxcox', lambda: 0 },
];

describe('target transforms', () => {
  it.each(kinds)('$kind (lambda $lambda) round-trips a series exactly (1e-9)', (t) => {
    const z = forwardSeries(t, y);
    expect(maxErr(inverseSeries(t, z, y[0]!), y)).toBeLessThan(1e-9);
  });

  it('known values: log, diff, logdiff, Box-Cox', () => {
    const v = [1, 2, 4, 8];
    expect(Array.from(forwardSeries({ kind: 'log' }, v))).toEqual(
      [0, Math.LN2, 2 * Math.LN2, 3 * Math.LN2].map((x) => expect.closeTo(x, 12)),
    );
    expect(Array.from(forwardSeries({ kind: 'diff' }, v))).toEqual([NaN, 1, 2, 4]);
    expect(Array.from(forwardSeries({ kind: 'logdiff' }, v)).slice(1)).toEqual(
      [1, 1, 1].map(() => expect.closeTo(Math.LN2, 12)),
    );
    expect(forwardSeries({ kind: 'boxcox', lambda: 0.5 }, [4])[0]).toBeCloseTo(2, 12); // (sqrt 4 - 1) / 0.5
  });

  it.each(kinds)('$kind: multi-step forecasts from an origin map back exactly (1e-9)', (t) => {
    const z = forwardSeries(t, y);
    for (const origin of [10, 150, 290]) {
      const back = inverseForecast(t, y[origin]!, z.subarray(origin + 1, origin + 9));
      expect(maxErr(back, y.subarray(origin + 1, origin + 9))).toBeLessThan(1e-9);
    }
  });

  it('names the problem with non-positive values for log kinds only', () => {
    expect(transformProblem({ kind: 'log' }, [1, 0, 2])).toMatch(/positive.*row 2/);
    expect(transformProblem({ kind: 'logdiff' }, [1, NaN, 2])).toBeNull();
    expect(transformProblem({ kind: 'diff' }, [-1, 0])).toBeNull();
  });
});

describe('window normalisation', () => {
  it.each(['shift', 'ratio'] as const)('%s: a window and outputs mapped back exactly (1e-9)', (mode) => {
    for (const from of [0, 100, 250]) {
      const w = y.subarray(from, from + 24);
      const { values, level } = normalizeWindow(mode, w);
      expect(level).toBe(w[23]);
      expect(values[23]).toBe(0);
      expect(maxErr(denormalizeWindow(mode, values, level), w)).toBeLessThan(1e-9);
      const out = y.subarray(from + 24, from + 30);
      const n = normalizeWindow(mode, Float64Array.from([...w, ...out])).values.subarray(24);
      // Outputs normalised with the input window's level come back exactly.
      const rel = Float64Array.from(out, (v) => (mode === 'shift' ? v - level : v / level - 1));
      expect(maxErr(denormalizeWindow(mode, rel, level), out)).toBeLessThan(1e-9);
      expect(n.length).toBe(6);
    }
  });

  it('fitWindowScale: RMS of the normalised train windows, hand-computed', () => {
    // 0 1 2 3, lookback 2, horizon 1: windows (0,1|2) and (1,2|3), level 1 and 2: values -1 0 1, -1 0 1.
    expect(fitWindowScale('shift', [0, 1, 2, 3], 2, 1)).toBeCloseTo(Math.sqrt(4 / 6), 12);
    // ratio, 1 2 4, lookback 1 horizon 1: windows (1|2) level 1 → 0, 1; (2|4) level 2 → 0, 1.
    expect(fitWindowScale('ratio', [1, 2, 4], 1, 1)).toBeCloseTo(Math.sqrt(2 / 4), 12);
    expect(fitWindowScale('shift', [5, 5, 5], 2, 1)).toBe(1);
  });

  it('the level is the last observed value, skipping trailing gaps', () => {
    expect(windowLevel([1, 2, 3, NaN, NaN], 0, 5)).toBe(3);
    expect(windowLevel([1, 2, 3], 0, 2)).toBe(2);
    expect(windowLevel([NaN], 0, 1)).toBeNaN();
  });

  it('windows of a trending series stay in the range of the training windows (why it is safe)', () => {
    const trend = Float64Array.from({ length: 400 }, (_, t) => 10 + t + Math.sin(t));
    const range = (from: number, to: number) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let s = from; s + 12 <= to; s++)
        for (const v of normalizeWindow('shift', trend.subarray(s, s + 12)).values)
          [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      return [lo, hi];
    };
    const [trLo, trHi] = range(0, 300);
    const [teLo, teHi] = range(300, 400);
    expect(teLo).toBeGreaterThanOrEqual(trLo! - 1e-9);
    expect(teHi).toBeLessThanOrEqual(trHi! + 1e-9);
  });
});

describe('chooseAutoTransform (train split only)', () => {
  it('stationary noise and a stable season keep global scaling and no transform', () => {
    for (const s of [series({ n: 300, noise: 1, seed: 2 }), series({ n: 300, m: 12, amp: 5, noise: 1, seed: 3 })]) {
      expect(chooseAutoTransform(s)).toMatchObject({ transform: 'none', normalize: 'global' });
    }
  });

  it('a positive series growing by a factor > 2 gets log + window; a random walk crossing 0 gets window only', () => {
    const growth = Float64Array.from({ length: 200 }, (_, t) => 100 * Math.exp(0.01 * t) * (1 + 0.02 * Math.sin(t)));
    const a = chooseAutoTransform(growth);
    expect(a).toMatchObject({ transform: 'log', normalize: 'window' });
    expect(a.reason).toMatch(/KPSS .* > 0.463/);
    const walk = series({ n: 400, level: 0, noise: 1, walk: true, seed: 4 });
    expect(chooseAutoTransform(walk)).toMatchObject({ transform: 'none', normalize: 'window' });
    const mild = series({ n: 300, level: 500, slope: 0.5, noise: 3, seed: 5 }); // positive, max/min < 2
    expect(chooseAutoTransform(mild)).toMatchObject({ transform: 'none', normalize: 'window' });
    // A linear trend tripling its level with steady noise grows additively: a log would bend it.
    const linear = series({ n: 300, level: 100, slope: 0.8, noise: 2, seed: 6 });
    const l = chooseAutoTransform(linear);
    expect(l).toMatchObject({ transform: 'none', normalize: 'window' });
    expect(l.reason).toMatch(/additive growth/);
  });

  it('a stationary positive series whose swings scale with its level gets log + global; additive swings keep none', () => {
    // A level cycling between 10 and 100 (stationary over the split), noise proportional to it.
    let u = 9;
    const noise = () => ((u = (u * 48271) % 2147483647) / 2147483647 - 0.5) * 2;
    const level = (t: number) => 55 + 45 * Math.sin((2 * Math.PI * t) / 150); // blocks of 75 rows: half cycles
    const mult = Float64Array.from({ length: 600 }, (_, t) => level(t) * (1 + 0.3 * noise()));
    const m = chooseAutoTransform(mult);
    expect(m).toMatchObject({ transform: 'log', normalize: 'global' });
    expect(m.reason).toMatch(
      /level stationary → global scaling; values positive, max\/min [\d.]+ ≥ 2, step vs level over 8 blocks: slope [\d.]+ \(multiplicative\) → log/,
    );
    const add = Float64Array.from({ length: 600 }, (_, t) => level(t) + 8 * noise());
    const a = chooseAutoTransform(add);
    expect(a).toMatchObject({ transform: 'none', normalize: 'global' });
    expect(a.reason).toMatch(/\(step vs level over 8 blocks: slope -?[\d.]+ \(additive\)\)/);
    expect(blockGrowth(mult.subarray(0, 20)).how).toMatch(/too few for blocks/);
  });

  it('KPSS: large for trends and random walks, small for noise (10 seeds)', () => {
    let falseAlarms = 0;
    for (let seed = 10; seed < 20; seed++) {
      expect(kpss(series({ n: 500, slope: 0.05, noise: 1, seed })).stat).toBeGreaterThan(0.463);
      expect(kpss(series({ n: 500, walk: true, noise: 1, seed })).stat).toBeGreaterThan(0.463);
      if (kpss(series({ n: 500, noise: 1, seed })).stat > 0.463) falseAlarms++;
    }
    expect(falseAlarms).toBeLessThanOrEqual(1);
  });
});
