import { describe, expect, it } from 'vitest';
import { ServiceError, parseSpec } from '../../../core/contract.js';
import { cutBatch } from '../../../worker/data/batches.js';
import { prepare } from '../../../worker/data/prepare.js';
import { estimateWindows, sizeSpec, type DatasetInfo, type SourceColumn } from '../../../core/spec-rules.js';
import { inferSeasonLength } from '../../../worker/data/season.js';
import { fillMissing } from '../../../worker/data/fill.js';

function dataset(
  cols: SourceColumn[],
  extra: Partial<DatasetInfo> = {},
): { info: DatasetInfo; load: (n: string) => SourceColumn } {
  const info: DatasetInfo = {
    name: 'd',
    rowCount: (cols[0]!.values ?? cols[0]!.codes!).length,
    timeColumn: null,
    seriesColumn: null,
    columns: cols.map((c) => ({ name: c.name, kind: c.kind })),
    ...extra,
  };
  return { info, load: (n) => cols.find((c) => c.name === n)! };
}

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

function expectBadInput(fn: () => unknown, message: RegExp, field?: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).message).toMatch(message);
    if (field) expect((e as ServiceError).field).toBe(field);
    return;
  }
  throw new Error('expected a ServiceError');
}

describe('prepare', () => {
  it('cuts windows inside each split and batches them from the column arrays', () => {
    const { info, load } = dataset([{ name: 'v', kind: 'numeric', values: ramp(100) }]);
    const spec = parseSpec({ target: 'v', scaling: 'none', normalize: 'global', window: { lookback: 5, horizon: 2 } });
    const p = prepare(spec, info, load);
    // train rows 0..69: t from 4 while t+2 < 70 → 64 windows; val 70..84: t from 69 while t+2 < 85 → 14
    expect(p.windows.train.length / 2).toBe(64);
    expect(p.windows.val.length / 2).toBe(14);
    expect(p.windows.test.length / 2).toBe(14);
    expect(estimateWindows(sizeSpec(spec, [], 1).spec, [100]).windows).toEqual({ train: 64, val: 14, test: 14 });
    const b = cutBatch(p, p.windows.val, null, 0, 2);
    // first val window ends at t=69: inputs 65..69, targets 70, 71
    expect(Array.from(b.x.subarray(0, 5))).toEqual([65, 66, 67, 68, 69]);
    expect(Array.from(b.y.subarray(0, 2))).toEqual([70, 71]);
    expect(p.outputs).toEqual(['v@1', 'v@2']);
  });

  it('fits the scaler on the train rows only', () => {
    const { info, load } = dataset([{ name: 'v', kind: 'numeric', values: ramp(100) }]);
    const p = prepare(parseSpec({ target: 'v', scaling: 'minmax', window: { lookback: 3 } }), info, load);
    expect(p.scalers.v).toEqual({ kind: 'minmax', offset: 0, scale: 69 });
    const s = prepare(parseSpec({ target: 'v', window: { lookback: 3 } }), info, load).scalers.v!;
    expect(s.offset).toBeCloseTo(34.5);
  });

  it('keeps series apart in long-format data and sorts each by time', () => {
    const n = 60;
    const codes = Int32Array.from({ length: n }, (_, i) => i % 2);
    const time = Float64Array.from({ length: n }, (_, i) => 1000 * (n - i)); // descending
    const v = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1000 : 0) + (n - i));
    const { info, load } = dataset(
      [
        { name: 'sym', kind: 'categorical', codes, labels: ['A', 'B'] },
        { name: 't', kind: 'datetime', values: time },
        { name: 'v', kind: 'numeric', values: v },
      ],
      { timeColumn: 't', seriesColumn: 'sym' },
    );
    const p = prepare(parseSpec({ target: 'v', scaling: 'none', window: { lookback: 3 } }), info, load);
    expect(p.groups.map((g) => g.key)).toEqual(['A', 'B']);
    const a = p.groups[0]!;
    expect(a.rows).toBe(30);
    for (let i = 1; i < a.rows; i++) expect(a.time[i]!).toBeGreaterThan(a.time[i - 1]!);
    expect(Array.from(p.groups[1]!.raw).every((x) => x > 1000)).toBe(true);
  });

  it('applies missing-value policies', () => {
    const v = new Float64Array([1, NaN, 3, NaN, NaN, 6]);
    fillMissing(v, 'interpolate');
    expect(Array.from(v)).toEqual([1, 2, 3, 4, 5, 6]);
    const w = new Float64Array([NaN, 2, NaN, 4, NaN]);
    fillMissing(w, 'ffill');
    expect(Array.from(w)).toEqual([2, 2, 2, 4, 4]);
    const vals = ramp(100);
    vals[40] = NaN;
    const { info, load } = dataset([{ name: 'v', kind: 'numeric', values: vals }]);
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', missing: 'error', window: { lookback: 3 } }), info, load),
      /missing value in column "v" at data row 41/,
      'spec.missing',
    );
    expect(
      prepare(parseSpec({ target: 'v', missing: 'drop', window: { lookback: 3 } }), info, load).groups[0]!.rows,
    ).toBe(99);
  });

  it('refuses specs that cannot train, naming the field', () => {
    const { info, load } = dataset([
      { name: 'v', kind: 'numeric', values: ramp(100) },
      { name: 'c', kind: 'categorical', codes: new Int32Array(100), labels: ['only'] },
    ]);
    expectBadInput(() => prepare(parseSpec({ target: 'nope' }), info, load), /unknown column "nope"/, 'spec.target');
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', features: ['v', 'x'] }), info, load),
      /unknown column "x"/,
      'spec.features.1',
    );
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', window: { lookback: 80 } }), info, load),
      /lookback 80 \+ horizon 1 needs 81 rows in a series' train split, but the train split has 70 rows/,
      'spec.window.lookback',
    );
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', window: { lookback: 5, horizon: 20 } }), info, load),
      /horizon 20 is larger than the val split/,
      'spec.window.horizon',
    );
    expectBadInput(
      () =>
        prepare(
          parseSpec({ target: 'v', split: { train: 0.995, val: 0.004, test: 0.001 }, window: { lookback: 3 } }),
          info,
          load,
        ),
      /val split has no rows/,
      'spec.split.val',
    );
    expectBadInput(
      () => prepare(parseSpec({ task: 'classify', target: 'c', features: ['v'], window: { lookback: 3 } }), info, load),
      /only one class/,
      'spec.target',
    );
    expectBadInput(() => prepare(parseSpec({ target: 'c' }), info, load), /must be numeric/, 'spec.target');
    const empty = dataset([{ name: 'v', kind: 'numeric', values: new Float64Array(50).fill(NaN) }]);
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', window: { lookback: 3 } }), empty.info, empty.load),
      /has no values/,
      'spec.target',
    );
  });

  it('words a window that does not fit per series, naming the series (issue 10: "33 rows" was the total of 3 series)', () => {
    // Three series of 16 rows: 11 train rows each (0.7 × 16), 33 in all.
    const sym = new Int32Array(48).map((_, i) => Math.floor(i / 16));
    const { info, load } = dataset(
      [
        { name: 'v', kind: 'numeric', values: ramp(48) },
        { name: 'sym', kind: 'categorical', codes: sym, labels: ['A', 'B', 'C'] },
      ],
      { seriesColumn: 'sym' },
    );
    expectBadInput(
      () => prepare(parseSpec({ target: 'v', window: { lookback: 11, horizon: 1 } }), info, load),
      /lookback 11 \+ horizon 1 needs 12 rows in a series' train split, but the train split of each series has at most 11 rows \(series A 11, B 11, C 11\)/,
      'spec.window.lookback',
    );
  });

  it('returns a warning naming a series too short for any training window while others train', () => {
    // A: 100 rows (70 train), B: 30 rows (21 train), C: 12 rows (8 train); lookback 20 + horizon 1 needs 21.
    const sizes = [100, 30, 12];
    const sym = Int32Array.from(sizes.flatMap((n, k) => Array.from({ length: n }, () => k)));
    const { info, load } = dataset(
      [
        { name: 'v', kind: 'numeric', values: Float64Array.from(sym, (_, i) => Math.sin(i)) },
        { name: 'sym', kind: 'categorical', codes: sym, labels: ['A', 'B', 'C'] },
      ],
      { seriesColumn: 'sym' },
    );
    const p = prepare(parseSpec({ target: 'v', window: { lookback: 20, horizon: 1 } }), info, load);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(
      /^1 of 3 series has too few train rows for lookback 20 \+ horizon 1 \(needs 21\): series C 8; they add no training windows/,
    );
    const ok = prepare(parseSpec({ target: 'v', window: { lookback: 3, horizon: 1 } }), info, load);
    expect(ok.warnings).toEqual([]);
  });

  it('infers the season length of a periodic series', () => {
    const v = Float64Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * i) / 24) + 0.1 * Math.cos(i * 7.3));
    expect(inferSeasonLength(v)).toBe(24);
    expect(inferSeasonLength(ramp(10).map(() => 1))).toBe(1);
  });
});
