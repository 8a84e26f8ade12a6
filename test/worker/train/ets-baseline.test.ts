import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import type { DatasetInfo, SourceColumn } from '../../../core/spec-rules.js';
import { fitEts } from '../../../worker/baselines/ets.js';
import { prepare } from '../../../worker/data/prepare.js';
import { ETS_MAX_LENGTH, etsBaseline } from '../../../worker/train/ets-baseline.js';

describe('ETS baseline of a run', () => {
  it('forecasts each test window from its own origin (the rows up to t), fitted on train+val only', () => {
    const n = 200;
    const v = Float64Array.from(
      { length: n },
      (_, i) => 30 + 0.2 * i + 3 * Math.sin((2 * Math.PI * i) / 12) + Math.sin(i * 2.1),
    );
    const cols: SourceColumn[] = [{ name: 'v', kind: 'numeric', values: v }];
    const info: DatasetInfo = {
      name: 'd',
      rowCount: n,
      timeColumn: null,
      seriesColumn: null,
      columns: [{ name: 'v', kind: 'numeric' }],
    };
    const H = 3;
    const p = prepare(
      parseSpec({ target: 'v', seasonLength: 12, window: { lookback: 10, horizon: H } }),
      info,
      () => cols[0]!,
    );
    const g = p.groups[0]!;
    const { predicted, notes } = etsBaseline(p);
    expect(notes[0]).toMatch(/ETS baseline for v: /);
    // The reference: the same fit, stepped by hand to each window's origin.
    const model = fitEts(v.subarray(0, g.testStart), { season: 12, maxLength: ETS_MAX_LENGTH });
    const w = p.windows.test;
    let seen = g.testStart - 1;
    for (let r = 0; r < w.length / 2; r++) {
      const t = w[2 * r + 1]!;
      while (seen < t) model.update(v[++seen]!);
      const f = model.forecast(H);
      for (let h = 0; h < H; h++) expect(predicted[r * H + h]).toBeCloseTo(f[h]!, 9);
    }
    expect(predicted.every(Number.isFinite)).toBe(true);
  });
});
