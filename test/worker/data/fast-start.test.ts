// Issue 15 item 4: the start-up's data preparation rewritten for speed (O(n) moving average, four
// lags per pass, typed arrays) must give what the old formulas gave. Each rewritten function is
// compared here with a copy of the formula it replaced, on random inputs with gaps.
import { describe, expect, it } from 'vitest';
import { centredMovingAverage } from '../../../worker/baselines/ets-init.js';
import { centredMovingAverageFast } from '../../../worker/data/moving-average.js';
import { lagSums } from '../../../worker/data/lag-sums.js';
import { checkSeason, differencedAcf, MIN_STRENGTH } from '../../../worker/data/seasonality.js';
import { kpss } from '../../../worker/data/stationarity.js';
import {
  fitWindowScale,
  forwardSeries,
  normalizeValue,
  windowLevel,
  type WindowMode,
} from '../../../worker/data/transforms.js';
import { inferFrequency } from '../../../worker/data/frequency.js';
import { Rng } from '../../../worker/util/random.js';
import { prepare } from '../../../worker/data/prepare.js';
import { parseSpec } from '../../../core/contract.js';
import type { SourceColumn } from '../../../core/spec-rules.js';

/** A random walk with a season, `gaps` of it NaN. */
function randomSeries(seed: number, n: number, gaps = 0.02): Float64Array {
  const r = new Rng(seed);
  const y = new Float64Array(n);
  let level = 100 * r.next();
  for (let i = 0; i < n; i++) {
    level += r.next() - 0.5;
    y[i] = r.next() < gaps ? NaN : level + 5 * Math.sin((2 * Math.PI * i) / 12) + r.next();
  }
  return y;
}

/** Same NaNs and infinities, finite values within tol (relative, or absolute below 1). */
const relClose = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(b[i]!)) expect(a[i]).toBe(b[i]);
    else worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  }
  expect(worst).toBeLessThanOrEqual(tol);
};

// ---- the formulas as they were before issue 15 item 4 ----

function oldCheckSeason(y: ArrayLike<number>, m: number) {
  const n = y.length;
  if (m < 2 || n < 3 * m) return null;
  const ma = centredMovingAverage(y, m);
  const d = Float64Array.from(ma, (a, t) => y[t]! - a);
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  let mean = 0;
  let N = 0;
  for (let t = 0; t < n; t++) {
    const v = d[t]!;
    if (Number.isNaN(v)) continue;
    sum[t % m]! += v;
    cnt[t % m]!++;
    mean += v;
    N++;
  }
  if (N < 2 * m + 2) return null;
  mean /= N;
  let varD = 0;
  let varR = 0;
  for (let t = 0; t < n; t++) {
    const v = d[t]!;
    if (Number.isNaN(v)) continue;
    varD += (v - mean) ** 2;
    varR += (v - sum[t % m]! / cnt[t % m]!) ** 2;
  }
  let s = 0;
  for (let t = m; t < n; t++) {
    const a = d[t]!;
    const b = d[t - m]!;
    if (!Number.isNaN(a) && !Number.isNaN(b)) s += (a - mean) * (b - mean);
  }
  return { acf: s / varD, strength: Math.max(0, 1 - varR / (N - m) / (varD / (N - 1))), bound: 1.96 / Math.sqrt(N) };
}

function oldKpss(values: ArrayLike<number>): number {
  const y = Array.from(values).filter((v) => !Number.isNaN(v));
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const e = y.map((v) => v - mean);
  let s = 0;
  let ss = 0;
  for (const v of e) {
    s += v;
    ss += s * s;
  }
  const lags = Math.min(n - 1, Math.ceil(12 * Math.pow(n / 100, 0.25)));
  const gamma = (k: number) => {
    let g = 0;
    for (let t = k; t < n; t++) g += e[t]! * e[t - k]!;
    return g / n;
  };
  let lrv = gamma(0);
  for (let k = 1; k <= lags; k++) lrv += 2 * (1 - k / (lags + 1)) * gamma(k);
  return ss / (n * n * lrv);
}

function oldDifferencedAcf(y: ArrayLike<number>, maxLag: number): Float64Array {
  const d = new Float64Array(Math.max(y.length - 1, 0));
  for (let t = 1; t < y.length; t++) d[t - 1] = y[t]! - y[t - 1]!;
  let mean = 0;
  let c = 0;
  for (const v of d)
    if (!Number.isNaN(v)) {
      mean += v;
      c++;
    }
  mean /= c || 1;
  let den = 0;
  for (const v of d) if (!Number.isNaN(v)) den += (v - mean) ** 2;
  const acf = new Float64Array(maxLag + 1);
  for (let lag = 0; lag <= maxLag && den > 0; lag++) {
    let s = 0;
    for (let t = lag; t < d.length; t++) {
      const a = d[t]!;
      const b = d[t - lag]!;
      if (!Number.isNaN(a) && !Number.isNaN(b)) s += (a - mean) * (b - mean);
    }
    acf[lag] = s / den;
  }
  return acf;
}

function oldFitWindowScale(mode: WindowMode, train: ArrayLike<number>, lookback: number, horizon: number): number {
  let ss = 0;
  let n = 0;
  for (let t = lookback - 1; t + horizon < train.length; t++) {
    const level = windowLevel(train, t - lookback + 1, t + 1);
    if (Number.isNaN(level) || (mode === 'ratio' && level === 0)) continue;
    for (let i = t - lookback + 1; i <= t + horizon; i++) {
      const v = normalizeValue(mode, train[i]!, level);
      if (!Number.isFinite(v)) continue;
      ss += v * v;
      n++;
    }
  }
  const rms = n ? Math.sqrt(ss / n) : 0;
  return rms > 1e-12 ? rms : 1;
}

describe('start-up data preparation: the fast formulas equal the old ones', () => {
  it('centredMovingAverageFast = centredMovingAverage (odd and even m, gaps, infinities) to 1e-12', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const y = randomSeries(seed, 500 + 37 * seed, seed % 3 === 0 ? 0 : 0.03);
      if (seed === 5) y[100] = Infinity;
      if (seed === 6) y[200] = -Infinity;
      for (const m of [2, 3, 7, 12, 24, 25, 168])
        relClose(centredMovingAverageFast(y, m), centredMovingAverage(y, m), 1e-12);
    }
    expect(Array.from(centredMovingAverageFast([1, 2, 3], 4))).toEqual([NaN, NaN, NaN]);
  });

  it('checkSeason matches the O(n·m) version (ACF, strength, bound, verdict) on random series', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const y = randomSeries(seed, 2000 + 100 * seed);
      for (const m of [7, 12, 24]) {
        const c = checkSeason(y, m);
        const o = oldCheckSeason(y, m)!;
        expect(c.acf).toBeCloseTo(o.acf, 10);
        expect(c.strength).toBeCloseTo(o.strength, 10);
        expect(c.bound).toBe(o.bound);
        expect(c.ok).toBe(o.acf > o.bound && o.strength >= MIN_STRENGTH);
      }
    }
  });

  it('lagSums, kpss and differencedAcf are bit for bit the one-lag-at-a-time sums', () => {
    for (const n of [1, 2, 3, 4, 5, 9, 100, 1001]) {
      const c = randomSeries(n, n, 0);
      for (const maxLag of [0, 1, 3, 4, 7, 40]) {
        const want = Float64Array.from({ length: maxLag + 1 }, (_, k) => {
          let s = 0;
          for (let t = k; t < n; t++) s += c[t]! * c[t - k]!;
          return s;
        });
        expect(Array.from(lagSums(c, n, maxLag))).toEqual(Array.from(want));
      }
    }
    for (let seed = 1; seed <= 8; seed++) {
      const y = randomSeries(seed, 3000 + 111 * seed);
      expect(kpss(y).stat).toBe(oldKpss(y));
      expect(Array.from(differencedAcf(y, 50))).toEqual(Array.from(oldDifferencedAcf(y, 50)));
    }
    const inf = randomSeries(3, 300);
    inf[10] = Infinity; // keeps the pairwise loop
    expect(Array.from(differencedAcf(inf, 20))).toEqual(Array.from(oldDifferencedAcf(inf, 20)));
  });

  it('fitWindowScale and forwardSeries are bit for bit the old loops', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const y = randomSeries(seed, 1500, 0.05);
      if (seed === 4) y[30] = 0; // a zero level for 'ratio'
      for (const mode of ['shift', 'ratio'] as const)
        for (const [lb, h] of [
          [1, 1],
          [24, 1],
          [10, 5],
        ] as const)
          expect(fitWindowScale(mode, y, lb, h)).toBe(oldFitWindowScale(mode, y, lb, h));
      expect(Array.from(forwardSeries({ kind: 'none' }, y))).toEqual(Array.from(y));
      const d = forwardSeries({ kind: 'diff' }, y);
      expect(d[0]).toBeNaN();
      expect(d[5]).toBe(y[5]! - y[4]!);
    }
  });

  it('inferFrequency: shuffled, duplicated and missing timestamps give what the sorted column gives', () => {
    const H = 3_600_000;
    const t = Float64Array.from({ length: 2000 }, (_, i) => Date.UTC(2020, 0, 1) + i * H);
    const r = new Rng(7);
    const shuffled = Float64Array.from(t);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const messy = Float64Array.from([...shuffled, NaN, t[5]!, t[6]!]);
    expect(inferFrequency(messy, 'datetime')).toEqual(inferFrequency(t, 'datetime'));
    expect(inferFrequency(t, 'datetime')).toMatchObject({ unit: 'hourly', seasons: [24, 168] });
  });

  it('prepare: series by numeric id in order of first appearance, each stably sorted by time', () => {
    const n = 300;
    const r = new Rng(3);
    const ids = Float64Array.from({ length: n }, () => [7, 3, 5][Math.floor(r.next() * 3)]!);
    const time = Float64Array.from({ length: n }, () => Math.floor(r.next() * 100)); // ties, out of order
    const v = Float64Array.from({ length: n }, (_, i) => i);
    const cols: SourceColumn[] = [
      { name: 'id', kind: 'numeric', values: ids },
      { name: 't', kind: 'numeric', values: time },
      { name: 'v', kind: 'numeric', values: v },
    ];
    const info = {
      name: 'd',
      rowCount: n,
      timeColumn: 't',
      seriesColumn: 'id',
      columns: cols.map((c) => ({ name: c.name, kind: c.kind })),
    };
    const spec = parseSpec({
      target: 'v',
      scaling: 'none',
      transform: 'none',
      normalize: 'global',
      window: { lookback: 3 },
    });
    const p = prepare(spec, info, (name) => cols.find((c) => c.name === name)!);
    const keys = [...new Set(Array.from(ids, String))];
    expect(p.groups.map((g) => g.key)).toEqual(keys);
    for (const g of p.groups) {
      const rows = Array.from({ length: n }, (_, i) => i)
        .filter((i) => String(ids[i]) === g.key)
        .sort((a, b) => time[a]! - time[b]! || a - b);
      expect(Array.from(g.raw)).toEqual(rows.map((i) => v[i]!));
      expect(Array.from(g.time)).toEqual(rows.map((i) => time[i]!));
    }
  });
});
