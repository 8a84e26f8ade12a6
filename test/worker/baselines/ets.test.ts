import { describe, expect, it } from 'vitest';
import { filter, forecastFrom, type EtsKind, type EtsState } from '../../../worker/baselines/ets-core.js';
import { fitEts, fitEtsKind, rollingForecast } from '../../../worker/baselines/ets.js';
import { series } from './series.js';

// statsmodels' test_holtwinters.py reference data (fpp's oildata 1996-2007 and ausair 1990-2004).
const oil = [
  446.6565229, 454.4733065, 455.662974, 423.6322388, 456.2713279, 440.5880501, 425.3325201, 485.1494479, 506.0481621,
  526.7919833, 514.268889, 494.2110193,
];
const air = [
  17.5534, 21.8601, 23.8866, 26.9293, 26.8885, 28.8314, 30.0751, 30.9535, 30.1857, 31.5797, 32.577569, 33.477398,
  39.021581, 41.386432, 41.596552,
];

const NN: EtsKind = { trend: 'N', season: 'N', m: 1 };
const AN: EtsKind = { trend: 'A', season: 'N', m: 1 };
const state = (level: number, trend = 0): EtsState => ({ level, trend, season: new Float64Array(1), pos: 0 });

describe('ETS recursions against statsmodels reference values', () => {
  it('simple exponential smoothing, alpha 0.2, level starting at y0 (statsmodels: 484.802468)', () => {
    const s = state(oil[0]!);
    filter(NN, { alpha: 0.2, beta: 0, gamma: 0, phi: 1 }, s, oil);
    expect(s.level).toBeCloseTo(484.802468, 5);
    const s6 = state(oil[0]!);
    filter(NN, { alpha: 0.6, beta: 0, gamma: 0, phi: 1 }, s6, oil);
    expect(forecastFrom(NN, { alpha: 0.6, beta: 0, gamma: 0, phi: 1 }, s6, 1)[0]).toBeCloseTo(501.837461, 5);
  });

  it('Holt, alpha 0.8, beta* 0.2, level y0 and trend y1 - y0 (statsmodels: 43.76 45.59 47.43 49.27 51.10)', () => {
    const s = state(air[0]!, air[1]! - air[0]!);
    const p = { alpha: 0.8, beta: 0.8 * 0.2, gamma: 0, phi: 1 };
    filter(AN, p, s, air);
    expect(s.trend).toBeCloseTo(1.83655482, 6);
    const f = forecastFrom(AN, p, s, 5);
    [43.76, 45.59, 47.43, 49.27, 51.1].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 2));
    expect(f[0]).toBeCloseTo(43.75696849, 6);
  });

  it('simple exponential smoothing fitted by maximum likelihood (statsmodels: alpha 0.891998, l0 447.47844, forecast 496.493543)', () => {
    const m = fitEtsKind(NN, oil)!;
    expect(m.params.alpha).toBeCloseTo(0.891998, 3);
    expect(m.forecast(1)[0]).toBeCloseTo(496.493543, 2);
  });

  it('Holt-Winters multiplicative season on austourists within 2% of statsmodels (61.3083 37.3730 46.9652 51.5578)', () => {
    // statsmodels fits by least squares (additive errors), here by the multiplicative-error likelihood: close, not equal.
    const aust = [
      41.727458, 24.04185, 32.328103, 37.328708, 46.213153, 29.346326, 36.48291, 42.977719, 48.901525, 31.180221,
      37.717881, 40.420211, 51.206863, 31.887228, 40.978263, 43.772491, 55.558567, 33.850915, 42.076383, 45.642292,
      59.76678, 35.191877, 44.319737, 47.913736,
    ];
    const f = fitEts(aust, { season: 4, only: ['M,A,M'] }).forecast(4);
    [61.3083, 37.373, 46.9652, 51.5578].forEach((v, i) => expect(Math.abs(f[i]! / v - 1)).toBeLessThan(0.02));
    expect(fitEts(aust, { season: 4 }).kind.season).not.toBe('N');
  });

  it('hand-worked damped trend and additive season: 3 steps by hand', () => {
    // Ad: l=10, b=2, phi 0.5, alpha 0.5, beta 0.25, y=14: mu = 11, e = 3, l' = 12.5, b' = 1 + 0.75 = 1.75.
    const kd: EtsKind = { trend: 'Ad', season: 'N', m: 1 };
    const p = { alpha: 0.5, beta: 0.25, gamma: 0, phi: 0.5 };
    const s = state(10, 2);
    filter(kd, p, s, [14]);
    expect(s.level).toBeCloseTo(12.5, 12);
    expect(s.trend).toBeCloseTo(1.75, 12);
    const f = forecastFrom(kd, p, s, 3); // 12.5 + 1.75 * (0.5, 0.75, 0.875)
    expect(Array.from(f)).toEqual([13.375, 13.8125, 14.03125].map((v) => expect.closeTo(v, 12)));
    // A,N,A m=2: l=10, s=[1,-1], gamma 0.2, alpha 0.5, y=12: mu=11, e=1, l'=10.5, s0'=1.2; next mu = 10.5-1.
    const ka: EtsKind = { trend: 'N', season: 'A', m: 2 };
    const pa = { alpha: 0.5, beta: 0, gamma: 0.2, phi: 1 };
    const sa: EtsState = { level: 10, trend: 0, season: Float64Array.of(1, -1), pos: 0 };
    filter(ka, pa, sa, [12]);
    expect(Array.from(forecastFrom(ka, pa, sa, 3))).toEqual([9.5, 11.7, 9.5].map((v) => expect.closeTo(v, 12)));
    // M season: l=10, s=[2, 0.5], y=24: mu=20, e=4, l'=10+0.5*4/2=11, s0'=2+0.2*4/10=2.08.
    const km: EtsKind = { trend: 'N', season: 'M', m: 2 };
    const sm: EtsState = { level: 10, trend: 0, season: Float64Array.of(2, 0.5), pos: 0 };
    filter(km, pa, sm, [24]);
    expect(Array.from(forecastFrom(km, pa, sm, 2))).toEqual([5.5, 22.88].map((v) => expect.closeTo(v, 12)));
  });
});

describe('ETS model choice by AICc', () => {
  it('picks a seasonal model on a clearly seasonal series and forecasts the season', () => {
    const y = series({ n: 240, m: 12, amp: 5, slope: 0.05, noise: 0.3, seed: 3 });
    const m = fitEts(y.subarray(0, 216), { season: 12 });
    expect(m.kind.season).not.toBe('N');
    const f = rollingForecast(m, y.subarray(216), 1);
    let mae = 0;
    for (let i = 0; i < f.length; i++) mae += Math.abs(f[i]! - y[216 + i]!) / f.length;
    expect(mae).toBeLessThan(0.6); // noise sd 0.3: MAE of the true model ~0.24
  });

  it('picks a trend model on a trending series, a level model on noise', () => {
    const trend = fitEts(series({ n: 150, slope: 0.5, noise: 1, seed: 4 }), { season: 12 });
    expect(trend.kind.trend).not.toBe('N');
    expect(trend.kind.season).toBe('N');
    const flat = fitEts(series({ n: 150, noise: 1, seed: 5 }), { season: 12 });
    expect(flat.name).toBe('A,N,N');
  });

  it('picks a multiplicative season when the amplitude grows with the level', () => {
    const y = Float64Array.from(
      { length: 192 },
      (_, t) => (20 + t) * (1 + 0.4 * Math.sin((2 * Math.PI * t) / 12)) * (1 + 0.01 * Math.sin(t * 7.3)),
    );
    expect(fitEts(y, { season: 12 }).kind.season).toBe('M');
  });

  it('skips seasonal variants with fewer than two cycles, and fits on NaN gaps', () => {
    const y = series({ n: 20, m: 12, amp: 3, seed: 6 });
    expect(fitEts(y, { season: 12 }).kind.season).toBe('N');
    const g = series({ n: 60, slope: 1, noise: 0.1, seed: 7 });
    g[30] = NaN;
    const m = fitEts(g);
    expect(m.forecast(1)[0]).toBeCloseTo(70, 0);
  });
});

describe('rollingForecast', () => {
  it('forecasts h steps from every origin, updating with observed values and never refitting', () => {
    const y = series({ n: 100, slope: 0.2, noise: 0.5, seed: 8 });
    const model = fitEts(y.subarray(0, 80));
    const before = model.state.level;
    const test = y.subarray(80);
    const out = rollingForecast(model, test, 3);
    expect(out.length).toBe((20 - 3 + 1) * 3);
    expect(model.state.level).toBe(before); // the model is not changed
    // Origin i equals a clone updated with test[0..i-1] by hand.
    const c = model.clone();
    for (let i = 0; i < 5; i++) c.update(test[i]!);
    expect(Array.from(out.subarray(15, 18))).toEqual(Array.from(c.forecast(3)));
    expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(model.forecast(3)));
  });

  it('fits 1,000 monthly points with every variant in under 3 s (about 0.3-0.9 s here)', () => {
    const y = series({ n: 1000, m: 12, amp: 3, slope: 0.01, noise: 0.5, seed: 9 });
    const t0 = performance.now();
    const m = fitEts(y.subarray(0, 900), { season: 12 });
    rollingForecast(m, y.subarray(900), 6);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
