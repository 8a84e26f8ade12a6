import { describe, expect, it } from 'vitest';
import { ServiceError, parseSpec } from '../../../core/contract.js';
import { actualOutputs, cutBatch, originalOutputs, windowCount, windowTargets } from '../../../worker/data/batches.js';
import { prepare } from '../../../worker/data/prepare.js';
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

  it('auto: a trending series with a season within the lookback gets season normalisation, each step relative to seasonal naive at the current level', () => {
    const { info, load } = dataset(
      [
        { name: 'date', kind: 'datetime', values: monthly },
        { name: 'v', kind: 'numeric', values: level },
      ],
      'date',
    );
    const p = prepare(parseSpec({ target: 'v', window: { lookback: 24, horizon: 3 } }), info, load);
    expect(p.targetPrep[0]).toMatchObject({ normalize: 'season', season: 12 });
    expect(p.targetPrep[0]!.reason).toMatch(/season 12 within the lookback/);
    // An output equal to last value + (value one season before the step - value one season before the last) is 0.
    const g = p.groups[0]!;
    const t = p.windows.train[1]!;
    const y = windowTargets(p, g, t);
    for (let h = 1; h <= 3; h++)
      expect(y[h - 1]).toBeCloseTo(
        (g.y[t + h]! - (g.y[t]! + g.y[t + h - 12]! - g.y[t - 12]!)) / p.targetPrep[0]!.windowScale,
        12,
      );
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
