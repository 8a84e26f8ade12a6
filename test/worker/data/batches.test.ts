// cutBatch builds every training batch, so it takes shortcuts (no per-window arrays where a
// target's steps are all measured from the window's level): its batches must still be exactly
// the windows' inputs and windowTargets' values, for every normalisation.
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { cutBatch, windowCount, windowLevels, windowTargets } from '../../../worker/data/batches.js';
import { prepare, type Prepared } from '../../../worker/data/prepare.js';
import { toModel, windowed } from '../../../worker/data/target-prep.js';

const n = 600;
const temp = Float64Array.from({ length: n }, (_, i) => 10 * Math.sin((i / 24) * 2 * Math.PI) + Math.sin(i * 1.3));
const load = Float64Array.from(
  { length: n },
  (_, i) => 100 + 5 * Math.sin((i / 168) * 2 * Math.PI) + 0.5 * temp[i]! + 0.3 * Math.cos(i * 0.7) + i / 50,
);
load[300] = NaN; // a missing value inside some windows

function prepared(spec: object): Prepared {
  const cols: Record<string, Float64Array> = { temp, load };
  return prepare(
    parseSpec(spec),
    {
      name: 'd',
      rowCount: n,
      timeColumn: null,
      seriesColumn: null,
      columns: [
        { name: 'temp', kind: 'numeric' },
        { name: 'load', kind: 'numeric' },
      ],
    },
    (c) => ({ name: c, kind: 'numeric', values: cols[c]! }),
  );
}

/** The batch as the windows define it: inputs copied, window-normalised features made relative, windowTargets. */
function reference(p: Prepared, order: Int32Array, from: number, size: number): { x: Float32Array; y: Float32Array } {
  const [F, L, O, T] = [p.features.length, p.lookback, p.outputs.length, p.targets.length];
  const x = new Float32Array(size * L * F);
  const y = new Float32Array(size * O);
  for (let b = 0; b < size; b++) {
    const w = order[from + b]!;
    const g = p.groups[p.windows.train[2 * w]!]!;
    const t = p.windows.train[2 * w + 1]!;
    x.set(g.x.subarray((t - L + 1) * F, (t + 1) * F), b * L * F);
    const levels = windowLevels(p, g, t);
    y.set(windowTargets(p, g, t, levels), b * O);
    p.featureTarget.forEach((j, f) => {
      if (j < 0 || !windowed(p.targetPrep[j]!.normalize)) return;
      for (let i = 0; i < L; i++) {
        const v = g.y[(t - L + 1 + i) * T + j]!;
        x[(b * L + i) * F + f] = Number.isNaN(v) ? 0 : toModel(p.targetPrep[j]!, v, levels[j]!);
      }
    });
  }
  return { x, y };
}

describe('cutBatch', () => {
  it.each([
    ['global', { target: 'load', normalize: 'global' }],
    ['window, 3 steps', { target: 'load', normalize: 'window', window: { lookback: 12, horizon: 3 } }],
    ['season', { target: 'load', normalize: 'season', seasonLength: 24, window: { lookback: 48, horizon: 5 } }],
    [
      'two window-normalised targets as features',
      {
        target: ['load', 'temp'],
        features: ['temp', 'load'],
        normalize: 'window',
        window: { lookback: 10, horizon: 2 },
      },
    ],
  ])('%s: the windows’ inputs and targets, bit for bit', (_, spec) => {
    const p = prepared(spec);
    const nTrain = windowCount(p.windows.train);
    // A shuffled order, as the trainer uses.
    let s = 7;
    const order = Int32Array.from({ length: nTrain }, (_, i) => i);
    for (let i = nTrain - 1; i > 0; i--) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const k = s % (i + 1);
      [order[i], order[k]] = [order[k]!, order[i]!];
    }
    for (const [from, size] of [
      [0, 32],
      [100, 7],
      [nTrain - 5, 5],
    ] as const) {
      const got = cutBatch(p, p.windows.train, order, from, size);
      const want = reference(p, order, from, size);
      expect(got.size).toBe(size);
      expect(got.x).toEqual(want.x);
      expect(got.y).toEqual(want.y);
    }
    // With a linear correction of the reference (linear-reference.ts), the steps take it.
    if (p.targetPrep[0]!.normalize !== 'global') {
      p.targetPrep[0]!.linear = Array.from({ length: p.horizon }, (_, h) =>
        Array.from({ length: 4 }, (_, r) => 0.01 * (h + 1) * (r - 1.5)),
      );
      const got = cutBatch(p, p.windows.train, order, 0, 32);
      const want = reference(p, order, 0, 32);
      expect(got.y).toEqual(want.y);
      expect(got.x).toEqual(want.x);
    }
  });
});
