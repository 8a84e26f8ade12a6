import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { defaultStep, foldCutoffs, foldSpec } from '../../../core/backtest-rules.js';
import { estimateWindows, sizeSpec, type DatasetInfo, type SourceColumn } from '../../../core/spec-rules.js';
import { prepare } from '../../../worker/data/prepare.js';

// Two series in long format: A with 100 rows (values 0..99), B with 80 rows (values 1000..1079).
function longDataset(): { info: DatasetInfo; load: (n: string) => SourceColumn } {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < 100; i++) {
    ids.push(0);
    vals.push(i);
  }
  for (let i = 0; i < 80; i++) {
    ids.push(1);
    vals.push(1000 + i);
  }
  const cols: SourceColumn[] = [
    { name: 'id', kind: 'categorical', codes: Int32Array.from(ids), labels: ['A', 'B'] },
    { name: 'v', kind: 'numeric', values: Float64Array.from(vals) },
  ];
  const info: DatasetInfo = {
    name: 'd',
    rowCount: ids.length,
    timeColumn: null,
    seriesColumn: 'id',
    columns: cols.map((c) => ({ name: c.name, kind: c.kind })),
  };
  return { info, load: (n) => cols.find((c) => c.name === n)! };
}

const testValues = (raw: Float64Array, from: number) => Array.from(raw.subarray(from));

describe('backtest fold cutoffs', () => {
  it("fold i's test window ends step·(k−1−i) rows before each series' end", () => {
    expect(foldCutoffs(3, 10)).toEqual([20, 10, 0]);
    const base = parseSpec({
      target: 'v',
      scaling: 'none',
      normalize: 'global',
      transform: 'none',
      window: { lookback: 5 },
      backtest: { folds: 3, step: 10 },
    });
    const { info, load } = longDataset();
    foldCutoffs(3, 10).forEach((cutoff) => {
      const spec = foldSpec(base, cutoff);
      expect(spec.backtest).toBeUndefined();
      const p = prepare(spec, info, load);
      const [a, b] = p.groups;
      expect(a!.rows).toBe(100 - cutoff);
      expect(b!.rows).toBe(80 - cutoff);
      // Each series, cut first, then split 0.7/0.15/0.15 of what is left.
      const nA = 100 - cutoff;
      const nB = 80 - cutoff;
      expect(a!.testStart).toBe(Math.floor(nA * 0.85));
      expect(testValues(a!.raw, a!.testStart)).toEqual(
        Array.from({ length: nA - Math.floor(nA * 0.85) }, (_, j) => Math.floor(nA * 0.85) + j),
      );
      expect(testValues(b!.raw, b!.testStart)).toEqual(
        Array.from({ length: nB - Math.floor(nB * 0.85) }, (_, j) => 1000 + Math.floor(nB * 0.85) + j),
      );
      // The last test value of each series is the row `cutoff` rows before its end.
      expect(a!.raw[a!.rows - 1]).toBe(99 - cutoff);
      expect(b!.raw[b!.rows - 1]).toBe(1079 - cutoff);
      // The estimate (runs.create's check) counts the same windows as prepare builds.
      const est = estimateWindows(sizeSpec(spec, [], 1).spec, [
        { key: 'A', rows: 100 },
        { key: 'B', rows: 80 },
      ]);
      expect(est.windows).toEqual({
        train: p.windows.train.length / 2,
        val: p.windows.val.length / 2,
        test: p.windows.test.length / 2,
      });
    });
  });

  it('cuts before filling missing values, so nothing after the cut leaks into the fold', () => {
    const v = Float64Array.from({ length: 60 }, (_, i) => i);
    v[49] = NaN; // the fold's last row: interpolation would use row 50 (after the cut); it is filled forward instead
    const cols: SourceColumn[] = [{ name: 'v', kind: 'numeric', values: v }];
    const info: DatasetInfo = {
      name: 'd',
      rowCount: 60,
      timeColumn: null,
      seriesColumn: null,
      columns: [{ name: 'v', kind: 'numeric' }],
    };
    const spec = foldSpec(
      parseSpec({ target: 'v', scaling: 'none', normalize: 'global', transform: 'none', window: { lookback: 3 } }),
      10,
    );
    const p = prepare(spec, info, () => cols[0]!);
    expect(p.groups[0]!.rows).toBe(50);
    expect(p.groups[0]!.raw[49]).toBe(48);
  });

  it('the default step is the shortest series test split', () => {
    expect(defaultStep(parseSpec({ target: 'v' }), [100, 80])).toBe(80 - Math.floor(80 * 0.85));
  });
});
