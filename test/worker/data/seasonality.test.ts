import { describe, expect, it } from 'vitest';
import { checkSeason, chooseSeason } from '../../../worker/data/seasonality.js';
import { inferSeasonLength } from '../../../worker/data/season.js';
import { series } from '../baselines/series.js';

const H = 3_600_000;
const D = 24 * H;
const every = (n: number, step: number) => Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * step);
const months = (n: number, perStep = 1) => Float64Array.from({ length: n }, (_, i) => Date.UTC(1960, i * perStep, 1));

describe('chooseSeason from the time column, confirmed on the train split', () => {
  it.each([
    ['hourly', 24, every(24 * 40, H)],
    ['daily', 7, every(7 * 60, D)],
    ['weekly', 52, every(52 * 5, 7 * D)],
    ['monthly', 12, months(12 * 20)],
    ['quarterly', 4, months(4 * 25, 3)],
  ] as const)('%s series with a trend → %i', (_unit, m, time) => {
    const y = series({ n: time.length, m, amp: 3, slope: 0.05, noise: 1, seed: m });
    const c = chooseSeason({ train: y, time, timeKind: 'datetime' });
    expect(c.season).toBe(m);
    expect(c.source).toBe('frequency');
    expect(c.how).toContain('confirmed');
  });

  it('yearly series with a trend → no season', () => {
    const time = Float64Array.from({ length: 80 }, (_, i) => Date.UTC(1940 + i, 0, 1));
    const c = chooseSeason({ train: series({ n: 80, slope: 0.3, noise: 1 }), time, timeKind: 'datetime' });
    expect(c).toMatchObject({ season: 1, source: 'none' });
    expect(c.how).toContain('no season');
  });

  it('monthly trending series (CO2-like) → 12, where the raw-ACF rule did not find 12', () => {
    const y = series({ n: 12 * 30, m: 12, amp: 3, slope: 0.12, noise: 0.3, level: 315, seed: 11 });
    expect(inferSeasonLength(y)).not.toBe(12); // the old rule
    expect(chooseSeason({ train: y, time: months(y.length), timeKind: 'datetime' }).season).toBe(12);
    expect(chooseSeason({ train: y }).season).toBe(12); // without a time column: differenced ACF
  });

  it('daily timestamps on pure noise, or a random walk → no season (the frequency alone is not enough)', () => {
    const noise = series({ n: 700, noise: 1, seed: 12 });
    const walk = series({ n: 700, noise: 1, walk: true, seed: 13 });
    for (const y of [noise, walk]) {
      const c = chooseSeason({ train: y, time: every(700, D), timeKind: 'datetime' });
      expect(c.season).toBe(1);
      expect(c.how).toMatch(/does not show it/);
    }
  });

  it('a spec season wins; irregular time falls back to the differenced ACF', () => {
    expect(chooseSeason({ train: new Float64Array(10), spec: 5 })).toMatchObject({ season: 5, source: 'spec' });
    let t = 0;
    const time = Float64Array.from({ length: 300 }, (_, i) => (t += D * (1 + ((i * 7919) % 13))));
    const c = chooseSeason({
      train: series({ n: 300, m: 10, amp: 3, slope: 0.1, seed: 14 }),
      time,
      timeKind: 'datetime',
    });
    expect(c).toMatchObject({ season: 10, source: 'acf' });
  });

  it('no time column: noise, random walks and trends have no season; weekly-in-daily is found', () => {
    for (let seed = 20; seed < 30; seed++) {
      expect(chooseSeason({ train: series({ n: 500, noise: 1, seed }) }).season).toBe(1);
      expect(chooseSeason({ train: series({ n: 500, noise: 1, walk: true, seed }) }).season).toBe(1);
      expect(chooseSeason({ train: series({ n: 500, slope: 0.2, noise: 1, seed }) }).season).toBe(1);
    }
    for (let seed = 31; seed < 36; seed++)
      expect(chooseSeason({ train: series({ n: 500, m: 7, amp: 2, noise: 1, seed }) }).season).toBe(7);
  });

  it('autocorrelated noise (AR(1), phi 0.8) has no season', () => {
    for (let seed = 40; seed < 50; seed++) {
      const e = series({ n: 600, level: 0, noise: 1, seed });
      for (let t = 1; t < e.length; t++) e[t] = 0.8 * e[t - 1]! + e[t]!;
      expect(chooseSeason({ train: e }).season).toBe(1);
      expect(chooseSeason({ train: e, time: every(600, D), timeKind: 'datetime' }).season).toBe(1);
    }
  });
});

describe('checkSeason', () => {
  it('reports ACF, bound and strength; needs 3 cycles', () => {
    const c = checkSeason(series({ n: 240, m: 12, amp: 3, noise: 0.5 }), 12);
    expect(c.ok).toBe(true);
    expect(c.acf).toBeGreaterThan(c.bound);
    expect(c.strength).toBeGreaterThan(0.8);
    expect(checkSeason(series({ n: 30, m: 12, amp: 3 }), 12).ok).toBe(false);
  });
});
