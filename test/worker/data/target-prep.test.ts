import { describe, expect, it } from 'vitest';
import { ServiceError, parseSpec } from '../../../core/contract.js';
import { actualOutputs, cutBatch, originalOutputs, windowCount, windowTargets } from '../../../worker/data/batches.js';
import { prepare } from '../../../worker/data/prepare.js';
import { stepLevels } from '../../../worker/data/target-prep.js';
import {
  SEASON_AVERAGE_MAX,
  chooseReference,
  profileSeasonsInWindow,
  referenceWeights,
  seasonsInWindow,
} from '../../../worker/data/season-base.js';
import type { DatasetInfo, SourceColumn } from '../../../core/spec-rules.js';

function dataset(
  cols: SourceColumn[],
  timeColumn: string | null = null,
): { info: DatasetInfo; load: (n: string) => SourceColumn } {
  const info: DatasetInfo = {
    name: 'd',
    rowCount: cols[0]!.values!.length,
    timeColumn,
    seriesColumn: null,
    columns: cols.map((c) => ({ name: c.name, kind: c.kind })),
  };
  return { info, load: (n) => cols.find((c) => c.name === n)! };
}

// A positive trending series with a season, and a second input column.
const n = 300;
const level = Float64Array.from(
  { length: n },
  (_, i) => 50 * Math.exp(0.01 * i) * (1 + 0.2 * Math.sin((2 * Math.PI * i) / 12)) + Math.cos(i * 1.7),
);
const other = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5));
const monthly = Float64Array.from({ length: n }, (_, i) => Date.UTC(2000, i, 1));

describe('target transforms and window normalisation', () => {
  for (const transform of ['none', 'log', 'diff', 'logdiff'] as const) {
    for (const normalize of ['global', 'window', 'season'] as const) {
      it(`round-trips ${transform} + ${normalize} through prepare, the batches and the inverse exactly`, () => {
        const { info, load } = dataset([
          { name: 'v', kind: 'numeric', values: level },
          { name: 'w', kind: 'numeric', values: other },
        ]);
        // Season 2 < horizon 3: step 3 reaches back to the window's second-last value.
        const spec = parseSpec({
          target: 'v',
          features: ['w', 'v'],
          transform,
          normalize,
          seasonLength: 2,
          window: { lookback: 10, horizon: 3 },
        });
        const p = prepare(spec, info, load);
        expect(p.targetPrep[0]).toMatchObject({ transform: { kind: transform }, normalize });
        for (const split of ['train', 'val', 'test'] as const) {
          const w = p.windows[split];
          const N = windowCount(w);
          const model = new Float64Array(N * p.outputs.length);
          for (let r = 0; r < N; r++)
            model.set(windowTargets(p, p.groups[w[2 * r]!]!, w[2 * r + 1]!), r * p.outputs.length);
          const back = originalOutputs(p, w, model);
          const actual = actualOutputs(p, w);
          for (let i = 0; i < actual.length; i++)
            expect(Math.abs(back[i]! - actual[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(actual[i]!)));
          // The batch the network sees holds the same targets in single precision.
          const b = cutBatch(p, w, null, 0, N);
          for (let i = 0; i < model.length; i++) expect(b.y[i]).toBeCloseTo(model[i]!, 4);
          expect(b.x.every(Number.isFinite)).toBe(true);
        }
      });
    }
  }

  it("expresses a window-normalised target input relative to the window's last value (the last input is 0)", () => {
    const { info, load } = dataset([{ name: 'v', kind: 'numeric', values: level }]);
    const p = prepare(
      parseSpec({ target: 'v', transform: 'log', normalize: 'window', window: { lookback: 6 } }),
      info,
      load,
    );
    const b = cutBatch(p, p.windows.test, null, 0, 3);
    for (let k = 0; k < 3; k++) expect(b.x[k * 6 + 5]).toBe(0);
    expect(p.targetPrep[0]!.windowScale).toBeGreaterThan(0);
  });

  it('auto: a positive trending series gets log + window normalisation, a stationary one none + global', () => {
    const noise = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 2.3) + Math.cos(i * 0.7));
    const { info, load } = dataset([
      { name: 'v', kind: 'numeric', values: level },
      { name: 'u', kind: 'numeric', values: noise },
    ]);
    const p = prepare(parseSpec({ target: ['v', 'u'], seasonLength: 1 }), info, load);
    expect(p.targetPrep.map((t) => [t.transform.kind, t.normalize])).toEqual([
      ['log', 'window'],
      ['none', 'global'],
    ]);
    expect(p.targetPrep[0]!.reason).toMatch(/KPSS/);
  });

  it('auto: a trending series with a season within the lookback gets season normalisation, each step relative to a seasonal reference at the current level', () => {
    const { info, load } = dataset(
      [
        { name: 'date', kind: 'datetime', values: monthly },
        { name: 'v', kind: 'numeric', values: level },
      ],
      'date',
    );
    // The plain reference (no linear correction: linear-reference.test.ts).
    const p = prepare(
      parseSpec({ target: 'v', window: { lookback: 24, horizon: 3 }, linearReference: 'off' }),
      info,
      load,
    );
    expect(p.targetPrep[0]).toMatchObject({ normalize: 'season', season: 12 });
    expect(p.targetPrep[0]!.reason).toMatch(/season 12 within the lookback/);
    // In logs the series is a linear trend plus a fixed pattern: the train split chooses `trend`,
    // the profile plus the slope between the last two seasons' means (exact there). An output
    // equal to that reference is 0.
    expect(p.targetPrep[0]).toMatchObject({ reference: 'trend', seasons: 1 });
    const g = p.groups[0]!;
    const t = p.windows.train[1]!;
    const y = windowTargets(p, g, t);
    const mean = (a: number, b: number) => {
      let sum = 0;
      for (let r = a; r <= b; r++) sum += g.y[r]!;
      return sum / (b - a + 1);
    };
    const slope = (mean(t - 11, t) - mean(t - 23, t - 12)) / 12;
    for (let h = 1; h <= 3; h++) {
      const i = t + h - 12;
      const ref = mean(t - 11, t) + (g.y[i]! - mean(i - 11, i)) + slope * h;
      expect(y[h - 1]).toBeCloseTo((g.y[t + h]! - ref) / p.targetPrep[0]!.windowScale, 12);
    }
    // A lookback not longer than the season: auto falls back; an explicit `season` is refused.
    expect(prepare(parseSpec({ target: 'v', window: { lookback: 12 } }), info, load).targetPrep[0]!.normalize).toBe(
      'window',
    );
    expect(() =>
      prepare(parseSpec({ target: 'v', normalize: 'season', window: { lookback: 12 } }), info, load),
    ).toThrow(/not longer than the season 12/);
  });

  it('refuses log on a column with non-positive values, and a transform of a target that is not an input', () => {
    const { info, load } = dataset([
      { name: 'v', kind: 'numeric', values: Float64Array.from(level, (v, i) => (i === 5 ? -1 : v)) },
      { name: 'w', kind: 'numeric', values: other },
    ]);
    expect(() => prepare(parseSpec({ target: 'v', transform: 'log' }), info, load)).toThrow(ServiceError);
    expect(() => prepare(parseSpec({ target: 'v', features: ['w'], normalize: 'window' }), info, load)).toThrow(
      /not among the features/,
    );
    // auto falls back to no log when a value is not positive
    expect(prepare(parseSpec({ target: 'v' }), info, load).targetPrep[0]!.transform.kind).toBe('none');
  });
});

describe('season', () => {
  it('takes the season from a monthly time column (12) and says how', () => {
    const { info, load } = dataset(
      [
        { name: 'date', kind: 'datetime', values: monthly },
        { name: 'v', kind: 'numeric', values: level },
      ],
      'date',
    );
    const p = prepare(parseSpec({ target: 'v' }), info, load);
    expect(p.seasonLength).toBe(12);
    expect(p.seasonHow).toMatch(/month/);
  });

  it('keeps a season given in the spec', () => {
    const { info, load } = dataset([{ name: 'v', kind: 'numeric', values: level }]);
    const p = prepare(parseSpec({ target: 'v', seasonLength: 7 }), info, load);
    expect(p.seasonLength).toBe(7);
    expect(p.seasonHow).toMatch(/spec/);
  });
});

describe('season normalisation: the season-ago change averaged over the seasons the window holds', () => {
  const m = 4;
  // rows 0..12 of one window (lookback 13): the change from row t-jm to row t+1-jm differs per season
  const s = [0, 1, 5, 2, 3, 2, 8, 4, 6, 3, 11, 6, 9];
  const t = s.length - 1;
  it('averages the change over k seasons (hand-computed)', () => {
    const one = stepLevels({ normalize: 'season', season: m }, s, 1, 0, s.length, 1, 9)[0]!;
    const three = stepLevels({ normalize: 'season', season: m, seasons: 3 }, s, 1, 0, s.length, 1, 9)[0]!;
    expect(one).toBe(9 + (s[t + 1 - m]! - s[t - m]!)); // 9 + (6 - 3)
    expect(three).toBeCloseTo(9 + (s[9]! - s[8]! + (s[5]! - s[4]!) + (s[1]! - s[0]!)) / 3, 12); // 9 + (-3 - 1 + 1)/3
  });
  it('steps past one season reach back the same rows, and a season with a missing value is left out', () => {
    const gap = [...s];
    gap[4] = NaN;
    const out = stepLevels({ normalize: 'season', season: m, seasons: 3 }, gap, 1, 0, gap.length, 6, 9);
    expect(out[0]).toBeCloseTo(9 + (s[9]! - s[8]! + (s[1]! - s[0]!)) / 2, 12);
    // step 5 (> m) has step 1's phase: i = t + 5 - 2m = 9, the same rows
    expect(out[4]).toBe(out[0]);
    // step 4 (= m): i = t; the changes s[12]-s[8], s[8]-s[4] and s[4]-s[0]: two touch the missing row
    expect(out[3]).toBe(9 + (s[12]! - s[8]!));
  });
  it('records how many seasons a window of the lookback holds, at most SEASON_AVERAGE_MAX', () => {
    expect(seasonsInWindow(12, 24)).toBe(1);
    expect(seasonsInWindow(12, 25)).toBe(2);
    expect(seasonsInWindow(4, 12)).toBe(2);
    expect(seasonsInWindow(4, 13)).toBe(3);
    expect(seasonsInWindow(2, 40)).toBe(SEASON_AVERAGE_MAX);
  });

  it('a profile: the mean of the last m values plus the phase offsets from the m values ending at each (hand-computed)', () => {
    const prep = { normalize: 'season', season: m, seasons: 2, reference: 'profile' as const };
    const mean = (a: number, b: number) => s.slice(a, b + 1).reduce((x, y) => x + y, 0) / (b - a + 1);
    // step 1: phase rows c = 9 and 5; offsets s[c] - mean(s[c-3..c])
    const want = mean(9, 12) + (s[9]! - mean(6, 9) + (s[5]! - mean(2, 5))) / 2;
    expect(stepLevels(prep, s, 1, 0, s.length, 1, 9)[0]).toBeCloseTo(want, 12);
    // the linear map the ONNX graph multiplies by gives the same number for every step
    const out = stepLevels(prep, s, 1, 0, s.length, 5, 9);
    for (let h = 1; h <= 5; h++) {
      const w = referenceWeights(prep, s.length, h);
      expect(s[t]! + w.reduce((a, v, r) => a + v * s[r]!, 0)).toBeCloseTo(out[h - 1]!, 12);
    }
    const change = { normalize: 'season', season: m, seasons: 3 };
    const w = referenceWeights(change, s.length, 1);
    expect(s[t]! + w.reduce((a, v, r) => a + v * s[r]!, 0)).toBeCloseTo(
      stepLevels(change, s, 1, 0, s.length, 1, 9)[0]!,
      12,
    );
  });

  it('a trend reference: exact on a linear trend plus a fixed pattern, and its linear map equals stepLevels', () => {
    const pat = [2, -1, 3, -4];
    const y = Array.from({ length: 13 }, (_, i) => 10 + 0.7 * i + pat[i % 4]!);
    const prep = { normalize: 'season', season: 4, seasons: 2, reference: 'trend' as const };
    const out = stepLevels(prep, y, 1, 0, y.length, 6, y[12]!);
    for (let h = 1; h <= 6; h++) {
      const i = 12 + h;
      expect(out[h - 1]).toBeCloseTo(10 + 0.7 * i + pat[i % 4]!, 10);
      const w = referenceWeights(prep, y.length, h);
      expect(y[12]! + w.reduce((a, v, r) => a + v * y[r]!, 0)).toBeCloseTo(out[h - 1]!, 12);
    }
    // the profile alone lags the trend by the steps ahead
    const profile = stepLevels({ ...prep, reference: 'profile' }, y, 1, 0, y.length, 2, y[12]!);
    expect(out[1]! - profile[1]!).toBeCloseTo(2 * 0.7, 10);
  });

  // A fixed seasonal pattern with noise around a level that holds still (an average level wins), or
  // on a steep trend (the profile's average lags it; the change over seasons averages the noise);
  // a pattern that grows from one season to the next without noise (only the last season is current).
  let u = 7;
  const noise = () => ((u = (u * 48271) % 2147483647) / 2147483647 - 0.5) * 2;
  const pattern = [0, 3, -1, 5, 2, -4, 1, 0, -2, 4, -3, 1];
  const still = Float64Array.from({ length: 240 }, (_, i) => 100 + pattern[i % 12]! + 2 * noise());
  const steep = Float64Array.from({ length: 240 }, (_, i) => 100 + 2 * i + pattern[i % 12]! + noise());
  const drifting = Float64Array.from({ length: 240 }, (_, i) => 100 + pattern[i % 12]! * (1 + i / 12) ** 1.5);

  it('chooses the reference on the train split: a profile, the change over 3 seasons, or one season', () => {
    const a = chooseReference(still, 12, 37);
    expect(a).toMatchObject({ reference: 'profile', seasons: 2 });
    expect(a.why).toMatch(
      /the mean of the last 12 values plus the phase's offset averaged over 2 seasons \(one-step train MAE by reference: change 1: [\d.]+, change 2: [\d.]+, change 3: [\d.]+, profile 1: [\d.]+, profile 2: [\d.]+, trend 1: [\d.]+, trend 2: [\d.]+\)/,
    );
    // a steep trend: the profile lags it, the change over 3 seasons follows it, and the profile
    // plus the slope between the last two seasons' means follows it with less noise
    const b = chooseReference(steep, 12, 37);
    expect(b).toMatchObject({ reference: 'trend', seasons: 2 });
    expect(b.why).toMatch(
      /change 3: [\d.]+, profile 1: [\d.]+, profile 2: [\d.]+, trend 1: [\d.]+, trend 2: [\d.]+\)$/,
    );
    // a pattern that grows: one season's offset (a profile of one season) follows it, no average does
    expect(chooseReference(drifting, 12, 37)).toMatchObject({ reference: 'profile', seasons: 1 });
    // an exact trend plus a fixed pattern: one season's change is already exact, nothing beats it
    const exact = Float64Array.from({ length: 240 }, (_, i) => 100 + 2 * i + pattern[i % 12]!);
    const c = chooseReference(exact, 12, 37);
    expect(c).toMatchObject({ reference: 'change', seasons: 1 });
    expect(c.why).toMatch(/the change of one season \(no other reference lowered/);
    // A window that holds one season's change and no profile has nothing to choose.
    expect(chooseReference(still, 12, 13)).toEqual({ seasons: 1, reference: 'change', why: '' });
    expect(profileSeasonsInWindow(12, 13)).toBe(0);
    expect(profileSeasonsInWindow(12, 23)).toBe(1);
    expect(profileSeasonsInWindow(12, 37)).toBe(2);
    expect(profileSeasonsInWindow(4, 13)).toBe(2);
  });

  it('prepare records the choice in the target preparation and the run log line', () => {
    const { info, load } = dataset(
      [
        { name: 'date', kind: 'datetime', values: monthly.slice(0, 240) },
        { name: 'v', kind: 'numeric', values: steep },
      ],
      'date',
    );
    const p = prepare(parseSpec({ target: 'v', normalize: 'season', window: { lookback: 37 } }), info, load);
    expect(p.targetPrep[0]).toMatchObject({ normalize: 'season', season: 12, seasons: 2, reference: 'trend' });
    expect(p.targetPrep[0]!.reason).toMatch(/plus the slope between the last two seasons' means times the step/);
    // `change` is the default a file from before means: not written
    const still = prepare(parseSpec({ target: 'v', normalize: 'season', window: { lookback: 13 } }), info, load);
    expect(still.targetPrep[0]!.reference).toBeUndefined();
  });
});
